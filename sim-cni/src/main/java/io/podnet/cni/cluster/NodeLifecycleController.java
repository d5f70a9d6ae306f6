package io.podnet.cni.cluster;

import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What kube-controller-manager does about a node whose Ready condition stops being {@code True}:
 * the node lifecycle controller and the taint eviction controller.
 *
 * <p>A node turns NotReady in two ways. Its kubelet may report {@code Ready=False}, as it does
 * while the container runtime finds no usable CNI configuration ({@link Node#NETWORK_NOT_READY});
 * the controller then taints it {@code node.kubernetes.io/not-ready} ({@code NoExecute} and {@code
 * NoSchedule}). Or its kubelet may stop posting status (a crash): once {@code
 * --node-monitor-grace-period} (50 s since Kubernetes 1.32, 40 s before) has passed without a
 * heartbeat the controller marks the Ready condition {@code Unknown} ({@code NodeStatusUnknown},
 * {@code Kubelet stopped posting node status.}) and taints it {@code
 * node.kubernetes.io/unreachable} instead. Heartbeats (every 10 s), the kubelet's status sync and
 * the controller's 5 s monitor period are folded in: a kubelet's {@code False} is seen the instant
 * the runtime's configuration changes, and a crashed node turns Unknown exactly 50 s after the
 * crash.
 *
 * <p>When the condition leaves {@code True} the controller marks the node's running pods not ready
 * ({@code NodeNotReady} events, so they leave every Service's endpoints). The taint eviction
 * controller then deletes each pod on the tainted node once its toleration runs out: the
 * DefaultTolerationSeconds admission plugin gives every pod 300 s for both taints unless its own
 * tolerations cover them ({@link PodSpec#tolerate}: a pod tolerating for ever stays, one without a
 * matching toleration goes at once), counted from when the node was first tainted, or from when a
 * pod was bound to a node already tainted; a swap between the two taints keeps the count, as in
 * Kubernetes 1.32 to 1.35 ({@code TaintManagerEviction}, {@code Marking for deletion Pod
 * <namespace>/<name>}). When the condition turns {@code True} again the taints go and every pending
 * deletion is cancelled ({@code TaintManagerEviction}, {@code Cancelling deletion of Pod
 * <namespace>/<name>}). The deleted pods stay Terminating until their node's kubelet tears them
 * down; their owner replaces them at once.
 */
final class NodeLifecycleController {

  /** kube-controller-manager's {@code --node-monitor-grace-period} default since 1.32. */
  static final long NODE_MONITOR_GRACE_NANOS = 50 * SimTime.SECOND;

  /** The taint of a node whose kubelet reports {@code Ready=False}. */
  static final String NOT_READY = "node.kubernetes.io/not-ready";

  /** The taint of a node whose Ready condition is {@code Unknown}. */
  static final String UNREACHABLE = "node.kubernetes.io/unreachable";

  /** What {@link #admit} gives a pod without tolerations, shared by all such pods. */
  private static final List<Toleration> DEFAULT_TOLERATIONS =
      List.of(Toleration.defaultFor(NOT_READY), Toleration.defaultFor(UNREACHABLE));

  private final Cluster cluster;
  private final Simulation sim;

  /** Each crashed node and when it crashed, so that timers of an earlier crash do nothing. */
  private final Map<Node, Long> crashedAt = new LinkedHashMap<>();

  /** The Ready status ({@code True}, {@code False}, {@code Unknown}) last seen of each node. */
  private final Map<Node, String> observed = new LinkedHashMap<>();

  /** Each pod's pending deletion: the handle of its timer. */
  private final Map<Pod, Long> evictions = new LinkedHashMap<>();

  NodeLifecycleController(Cluster cluster) {
    this.cluster = cluster;
    this.sim = cluster.simulation();
  }

  /** Starts following a node: its current status now, then every change of its CNI config. */
  void watch(Node node) {
    observed.put(node, "True");
    observe(node);
    node.host().files().watch(node.runtime().confDir(), path -> observe(node));
  }

  /** The node's kubelet went silent: start the grace period. */
  void crashed(Node node) {
    long at = sim.now();
    crashedAt.put(node, at);
    sim.schedule(NODE_MONITOR_GRACE_NANOS, () -> statusUnknown(node, at));
  }

  /** The node's kubelet posts status again: its Ready condition is whatever it reports now. */
  void restored(Node node) {
    crashedAt.remove(node);
    node.setStatusUnknown(false);
    observe(node);
  }

  /** A pod was bound to {@code node}: a node already tainted starts the pod's toleration now. */
  void podBound(Pod pod, Node node) {
    scheduleEviction(pod, node);
  }

  private void statusUnknown(Node node, long at) {
    Long since = crashedAt.get(node);
    if (since == null || since != at) {
      return;
    }
    node.setStatusUnknown(true);
    observe(node);
  }

  /** Acts on a change of the node's Ready status since it was last seen. */
  private void observe(Node node) {
    String status = node.readyCondition().get(0);
    String before = observed.put(node, status);
    if (status.equals(before)) {
      return;
    }
    cluster.nodeChanged(node, "Ready " + status);
    if (status.equals("True")) {
      node.setTaintKey(null);
      for (Pod pod : podsOn(node)) {
        cancelEviction(pod);
      }
      cluster.nodeReadinessChanged();
      return;
    }
    node.setTaintKey(status.equals("Unknown") ? UNREACHABLE : NOT_READY);
    boolean wasReady = "True".equals(before);
    for (Pod pod : podsOn(node)) {
      if (wasReady && pod.isRunning()) {
        cluster.event(pod, "Warning", "NodeNotReady", "node-controller", "Node is not ready");
      }
      scheduleEviction(pod, node);
    }
    if (wasReady) {
      cluster.nodeReadinessChanged();
    }
  }

  /**
   * The tolerations of a pod as the DefaultTolerationSeconds admission plugin leaves them: {@code
   * given}, then {@link Toleration#defaultFor} each of the two taints that no toleration with its
   * key (or none) and effect {@code NoExecute} (or none) covers.
   */
  static List<Toleration> admit(List<Toleration> given) {
    if (given.isEmpty()) {
      return DEFAULT_TOLERATIONS;
    }
    List<Toleration> admitted = new ArrayList<>(given);
    for (String taint : List.of(NOT_READY, UNREACHABLE)) {
      boolean covered =
          given.stream()
              .anyMatch(
                  t ->
                      (t.key().isEmpty() || t.key().equals(taint))
                          && (t.effect().isEmpty() || t.effect().equals(Toleration.NO_EXECUTE)));
      if (!covered) {
        admitted.add(Toleration.defaultFor(taint));
      }
    }
    return admitted;
  }

  /**
   * Decides the pod's fate on its tainted node, as the taint eviction controller does on a new
   * taint: the first toleration of the {@code NoExecute} taint decides. Without one the pod goes at
   * once (a running countdown is cancelled first); without {@code tolerationSeconds} it stays for
   * ever (a running countdown is cancelled); else a running countdown is kept with its start, or
   * one starts now for that many seconds (0 or less: at once).
   */
  private void scheduleEviction(Pod pod, Node node) {
    String key = node.taintKey();
    if (key == null || pod.status() == PodStatus.TERMINATING) {
      return;
    }
    Optional<Toleration> used =
        pod.tolerations().stream().filter(t -> t.tolerates(key, Toleration.NO_EXECUTE)).findFirst();
    long seconds;
    if (used.isEmpty()) {
      cancelEviction(pod);
      seconds = 0;
    } else if (used.get().tolerationSeconds().isEmpty()) {
      cancelEviction(pod);
      return;
    } else if (evictions.containsKey(pod)) {
      return;
    } else {
      seconds = Math.max(0, used.get().tolerationSeconds().orElseThrow());
    }
    if (seconds > (Long.MAX_VALUE - sim.now()) / SimTime.SECOND) {
      return; // beyond the end of simulated time
    }
    evictions.put(pod, sim.schedule(seconds * SimTime.SECOND, () -> evict(pod, node)));
  }

  private void cancelEviction(Pod pod) {
    Long handle = evictions.remove(pod);
    if (handle != null) {
      sim.cancel(handle);
      cluster.event(
          pod,
          "Normal",
          "TaintManagerEviction",
          "taint-eviction-controller",
          "Cancelling deletion of Pod " + pod.key());
    }
  }

  private void evict(Pod pod, Node node) {
    evictions.remove(pod);
    if (pod.isDeleted()
        || pod.status() == PodStatus.TERMINATING
        || pod.node().orElse(null) != node
        || node.taints().isEmpty()) {
      return;
    }
    cluster.event(
        pod,
        "Normal",
        "TaintManagerEviction",
        "taint-eviction-controller",
        "Marking for deletion Pod " + pod.key());
    cluster.startDeletingPod(pod.key());
  }

  private List<Pod> podsOn(Node node) {
    return cluster.pods().stream().filter(p -> p.node().orElse(null) == node).toList();
  }
}
