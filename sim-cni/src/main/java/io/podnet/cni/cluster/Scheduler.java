package io.podnet.cni.cluster;

import io.podnet.core.engine.SimTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A deterministic stand-in for kube-scheduler: among the nodes that fit, the one running the fewest
 * pods, ties going to the first in node order. A node without taints fits; one with the node
 * lifecycle controller's {@code NoSchedule} and {@code NoExecute} taints (NotReady, or unreachable)
 * fits only a pod that tolerates both, as the TaintToleration filter decides.
 */
final class Scheduler {

  /** Time from pod creation to binding. */
  static final long LATENCY_NANOS = 5 * SimTime.MILLISECOND;

  /** Time between attempts while no node fits. */
  static final long RETRY_NANOS = SimTime.SECOND;

  private Scheduler() {}

  /**
   * Why no node fits, as kube-scheduler's FailedScheduling message says it when every node has an
   * untolerated taint: {@code 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2
   * node(s) had untolerated taint {node.kubernetes.io/unreachable: }}, the reasons sorted.
   */
  static String untolerated(List<Node> nodes) {
    Map<String, Integer> byKey = new TreeMap<>();
    for (Node node : nodes) {
      byKey.merge(node.taintKey(), 1, Integer::sum);
    }
    List<String> reasons = new ArrayList<>();
    byKey.forEach(
        (key, count) -> reasons.add(count + " node(s) had untolerated taint {" + key + ": }"));
    Collections.sort(reasons);
    return String.join(", ", reasons);
  }

  static Optional<Node> pick(Pod pod, List<Node> nodes, Collection<Pod> pods) {
    Node best = null;
    long bestCount = Long.MAX_VALUE;
    for (Node node : nodes) {
      if (node.taintKey() != null && !node.taintsToleratedBy(pod.tolerations())) {
        continue;
      }
      long count = pods.stream().filter(p -> p.node().orElse(null) == node).count();
      if (count < bestCount) {
        best = node;
        bestCount = count;
      }
    }
    return Optional.ofNullable(best);
  }
}
