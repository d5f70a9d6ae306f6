package io.podnet.cni.cluster;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * kube-controller-manager's DaemonSet controller for the node agents PodNet runs on the host
 * network: kubeadm's {@code kube-proxy} in a cluster whose Services are implemented by iptables
 * (with the hash map, as with Cilium's kube-proxy replacement, there is none), and the network
 * agent's own DaemonSet ({@code kube-flannel-ds}, {@code calico-node}, {@code cilium}; see {@link
 * NetworkAgent#daemonSet}). Every node has a pod of each, Running when the simulation starts, since
 * the cluster was up before; a pod that is deleted is replaced, as soon as it starts terminating,
 * by a new one for its node, which the scheduler binds and the kubelet starts (on a crashed node,
 * once it is back). Pods are named after their DaemonSet and five characters drawn from the seeded
 * stream {@code daemonsets}; they carry the template's labels and {@code pod-template-generation},
 * and the template's tolerations followed by those the controller adds to every daemon pod on the
 * host network.
 *
 * <p>The pods are what the API server and {@code kubectl} show. The work is done by each node's
 * {@link ServiceProxy} and network agent, from the start, whether or not the node's pod is running
 * at that moment: an agent restarting on a node leaves its rules and routes in place.
 */
final class DaemonSetController {

  /** What the controller adds to every daemon pod on the host network, in its order. */
  private static final List<Toleration> ADDED =
      List.of(
          exists("node.kubernetes.io/not-ready", Toleration.NO_EXECUTE),
          exists("node.kubernetes.io/unreachable", Toleration.NO_EXECUTE),
          exists("node.kubernetes.io/disk-pressure", Toleration.NO_SCHEDULE),
          exists("node.kubernetes.io/memory-pressure", Toleration.NO_SCHEDULE),
          exists("node.kubernetes.io/pid-pressure", Toleration.NO_SCHEDULE),
          exists("node.kubernetes.io/unschedulable", Toleration.NO_SCHEDULE),
          exists("node.kubernetes.io/network-unavailable", Toleration.NO_SCHEDULE));

  /** A daemon pod's DaemonSet and the node it is for. */
  private record Home(DaemonSet daemonSet, Node node) {}

  private final Cluster cluster;
  private final RandomGenerator names;

  /** Each daemon pod's home, bound yet or not (looked up only). */
  private final Map<Pod, Home> homes = new IdentityHashMap<>();

  DaemonSetController(Cluster cluster) {
    this.cluster = cluster;
    this.names = cluster.simulation().random().stream("daemonsets");
  }

  private static Toleration exists(String key, String effect) {
    return Toleration.of(key, Toleration.EXISTS, "", effect, null);
  }

  /** Puts a running pod of each DaemonSet on every node, as the cluster has them at the start. */
  void start(List<DaemonSet> all) {
    if (all.stream().map(ds -> ds.namespace() + "/" + ds.name()).distinct().count() != all.size()) {
      throw new IllegalArgumentException("two DaemonSets of one name: " + all);
    }
    for (DaemonSet ds : all) {
      for (Node node : cluster.nodes()) {
        Home home = new Home(ds, node);
        homes.put(cluster.startedDaemonPod(spec(ds), owner(ds), node), home);
      }
    }
  }

  /**
   * A pod changed: once it is terminating or gone, if it was a daemon pod not yet replaced, the
   * node it was for gets a new one at once, as the controller does not count a pod that is
   * terminating.
   */
  void podChanged(Pod pod) {
    if (!pod.isDeleted() && pod.status() != PodStatus.TERMINATING) {
      return;
    }
    Home home = homes.remove(pod);
    if (home != null) {
      DaemonSet ds = home.daemonSet();
      homes.put(cluster.createDaemonPod(spec(ds), owner(ds), home.node()), home);
    }
  }

  private static String owner(DaemonSet ds) {
    return "DaemonSet/" + ds.name();
  }

  private PodSpec spec(DaemonSet ds) {
    String key = Workloads.generatedKey(cluster, ds.namespace(), ds.name() + "-", names);
    PodSpec spec =
        PodSpec.fromTemplate(key, PodSpec.template(), ds.labels())
            .label("pod-template-generation", "1");
    for (Toleration t : ds.tolerations()) {
      spec = spec.tolerate(t);
    }
    for (Toleration t : ADDED) {
      spec = spec.tolerate(t);
    }
    return spec.onHostNetwork();
  }
}
