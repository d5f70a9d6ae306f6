package io.podnet.cni.cluster;

import io.podnet.core.engine.SimTime;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A deterministic stand-in for kube-scheduler: among the nodes that fit, the one running the fewest
 * pods, ties going to the first in node order. A Ready node fits; a NotReady one carries the node
 * lifecycle controller's {@code NoSchedule} and {@code NoExecute} taints and fits only a pod that
 * tolerates both, as the TaintToleration filter decides.
 */
final class Scheduler {

  /** Time from pod creation to binding. */
  static final long LATENCY_NANOS = 5 * SimTime.MILLISECOND;

  /** Time between attempts while no node fits. */
  static final long RETRY_NANOS = SimTime.SECOND;

  private Scheduler() {}

  static Optional<Node> pick(Pod pod, List<Node> nodes, Collection<Pod> pods) {
    Node best = null;
    long bestCount = Long.MAX_VALUE;
    for (Node node : nodes) {
      if (!node.isReady() && !node.taintsToleratedBy(pod.tolerations())) {
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
