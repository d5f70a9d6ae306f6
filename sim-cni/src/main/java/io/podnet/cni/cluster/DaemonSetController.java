package io.podnet.cni.cluster;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * kube-controller-manager's DaemonSet controller for the one DaemonSet PodNet runs: kubeadm's
 * {@code kube-proxy} in {@code kube-system}, on the host network, in a cluster whose Services are
 * implemented by iptables (with the hash map, as with Cilium's kube-proxy replacement, there is
 * none). Every node has its pod, Running when the simulation starts, since the cluster was up
 * before; a pod that is deleted is replaced, as soon as it starts terminating, by a new one for its
 * node, which the scheduler binds and the kubelet starts (on a crashed node, once it is back). Pods
 * are named {@code kube-proxy-} and five characters drawn from the seeded stream {@code
 * daemonsets}; they carry the DaemonSet's labels and tolerate every taint (kubeadm's {@code
 * operator: Exists}, and the ones the controller adds).
 *
 * <p>The pods are what the API server and {@code kubectl} show. The rules themselves are written by
 * each node's {@link ServiceProxy}, from the first Service on, whether or not the node's pod is
 * running at that moment: a kube-proxy restarting on a node leaves the rules it wrote in place.
 */
final class DaemonSetController {

  /** The DaemonSet's name, and the prefix of its pods' names. */
  private static final String KUBE_PROXY = "kube-proxy";

  /** kubeadm's pod template labels, with the template generation the controller adds. */
  private static final SortedMap<String, String> LABELS =
      new TreeMap<>(Map.of("k8s-app", KUBE_PROXY, "pod-template-generation", "1"));

  /** What {@code kubectl describe pod} shows as the owner. */
  private static final String OWNER = "DaemonSet/" + KUBE_PROXY;

  /**
   * kubeadm's toleration of everything, then those the DaemonSet controller adds to every daemon
   * pod (and {@code network-unavailable} to one on the host network).
   */
  private static final List<Toleration> TOLERATIONS =
      List.of(
          Toleration.of("", Toleration.EXISTS, "", "", null),
          exists("node.kubernetes.io/not-ready", Toleration.NO_EXECUTE),
          exists("node.kubernetes.io/unreachable", Toleration.NO_EXECUTE),
          exists("node.kubernetes.io/disk-pressure", Toleration.NO_SCHEDULE),
          exists("node.kubernetes.io/memory-pressure", Toleration.NO_SCHEDULE),
          exists("node.kubernetes.io/pid-pressure", Toleration.NO_SCHEDULE),
          exists("node.kubernetes.io/unschedulable", Toleration.NO_SCHEDULE),
          exists("node.kubernetes.io/network-unavailable", Toleration.NO_SCHEDULE));

  private final Cluster cluster;
  private final RandomGenerator names;

  /** The node each of the DaemonSet's pods is for, bound yet or not (looked up only). */
  private final Map<Pod, Node> homes = new IdentityHashMap<>();

  DaemonSetController(Cluster cluster) {
    this.cluster = cluster;
    this.names = cluster.simulation().random().stream("daemonsets");
  }

  private static Toleration exists(String key, String effect) {
    return Toleration.of(key, Toleration.EXISTS, "", effect, null);
  }

  /** Puts a running kube-proxy pod on every node, as the cluster has when the simulation starts. */
  void start() {
    for (Node node : cluster.nodes()) {
      homes.put(cluster.startedDaemonPod(newSpec(node), OWNER, node), node);
    }
  }

  /**
   * A pod is being deleted, or is gone: if it was a kube-proxy pod not yet replaced, the node it
   * was for gets a new one at once, as the controller does not count a pod that is terminating.
   */
  void podLeaving(Pod pod) {
    Node node = homes.remove(pod);
    if (node != null) {
      homes.put(cluster.createDaemonPod(newSpec(node), OWNER, node), node);
    }
  }

  private PodSpec newSpec(Node node) {
    String name;
    do {
      name = KUBE_PROXY + "-" + ReplicaSetController.random(names, 5);
    } while (cluster.pod("kube-system/" + name).isPresent());
    PodSpec spec = PodSpec.named("kube-system/" + name).onHostNetwork();
    for (Map.Entry<String, String> label : LABELS.entrySet()) {
      spec = spec.label(label.getKey(), label.getValue());
    }
    for (Toleration t : TOLERATIONS) {
      spec = spec.tolerate(t);
    }
    return spec;
  }
}
