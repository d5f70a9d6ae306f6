package io.podnet.cni.cluster;

import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What kube-controller-manager does about a node that stops posting its status: the node lifecycle
 * controller marks its Ready condition {@code Unknown} ({@code NodeStatusUnknown}, {@code Kubelet
 * stopped posting node status.}) once {@code --node-monitor-grace-period} (50 s since Kubernetes
 * 1.32, 40 s before) has passed without a heartbeat, taints it {@code
 * node.kubernetes.io/unreachable} and marks its pods not ready ({@code NodeNotReady} events, so
 * they leave every Service's endpoints); the taint eviction controller then deletes the pods, whose
 * default toleration of that taint lasts 300 s ({@code TaintManagerEviction}). The deleted pods
 * stay Terminating until the node's kubelet comes back and tears them down; their owner replaces
 * them at once. Heartbeats (every 10 s) and the controller's 5 s monitor period are folded into the
 * grace period: the node turns Unknown exactly 50 s after the crash.
 */
final class NodeLifecycleController {

  /** kube-controller-manager's {@code --node-monitor-grace-period} default since 1.32. */
  static final long NODE_MONITOR_GRACE_NANOS = 50 * SimTime.SECOND;

  /**
   * The {@code tolerationSeconds} of the {@code not-ready} and {@code unreachable} tolerations the
   * DefaultTolerationSeconds admission plugin gives every pod.
   */
  static final long TOLERATION_NANOS = 300 * SimTime.SECOND;

  private final Cluster cluster;
  private final Simulation sim;

  /** Each crashed node and when it crashed, so that timers of an earlier crash do nothing. */
  private final Map<Node, Long> crashedAt = new LinkedHashMap<>();

  NodeLifecycleController(Cluster cluster) {
    this.cluster = cluster;
    this.sim = cluster.simulation();
  }

  /** The node's kubelet went silent: start the grace period. */
  void crashed(Node node) {
    long at = sim.now();
    crashedAt.put(node, at);
    sim.schedule(NODE_MONITOR_GRACE_NANOS, () -> statusUnknown(node, at));
  }

  /** The node's kubelet posts status again: Ready at once, taints gone. */
  void restored(Node node) {
    crashedAt.remove(node);
    node.setStatusUnknown(false);
    cluster.servicesChanged();
  }

  private boolean stillDown(Node node, long at) {
    Long since = crashedAt.get(node);
    return since != null && since == at;
  }

  private void statusUnknown(Node node, long at) {
    if (!stillDown(node, at)) {
      return;
    }
    node.setStatusUnknown(true);
    for (Pod pod : podsOn(node)) {
      cluster.event(pod, "Warning", "NodeNotReady", "node-controller", "Node is not ready");
    }
    cluster.servicesChanged();
    sim.schedule(TOLERATION_NANOS, () -> evict(node, at));
  }

  private void evict(Node node, long at) {
    if (!stillDown(node, at)) {
      return;
    }
    for (Pod pod : podsOn(node)) {
      if (pod.status() != PodStatus.TERMINATING) {
        cluster.event(
            pod,
            "Normal",
            "TaintManagerEviction",
            "taint-eviction-controller",
            "Marking for deletion Pod " + pod.key());
        cluster.startDeletingPod(pod.key());
      }
    }
  }

  private List<Pod> podsOn(Node node) {
    return cluster.pods().stream().filter(p -> p.node().orElse(null) == node).toList();
  }
}
