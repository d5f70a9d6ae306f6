package io.podnet.cni.cluster;

/**
 * What a network strategy runs on every node besides its CNI plugin: flanneld, calico-node with
 * BIRD, the cilium agent, or nothing but static routes. The cluster calls it once per node when the
 * node exists (to write files such as {@code /run/flannel/subnet.env} and create devices such as
 * {@code flannel.1}), then once when every node exists (to program the routes, neighbour and
 * forwarding entries that join the nodes' podCIDRs).
 */
public interface NetworkAgent {

  /** Prepares one node: files the CNI plugin reads, devices the agent owns. */
  default void nodeAdded(Cluster cluster, Node node) {}

  /** Joins the nodes once they all exist: routes between podCIDRs, tunnel entries. */
  void nodesReady(Cluster cluster);

  /**
   * The DaemonSet the agent is installed as, whose pods {@code kubectl get pods} lists on the host
   * network of every node; empty for an agent that is not a pod (static routes).
   */
  default java.util.Optional<DaemonSet> daemonSet() {
    return java.util.Optional.empty();
  }
}
