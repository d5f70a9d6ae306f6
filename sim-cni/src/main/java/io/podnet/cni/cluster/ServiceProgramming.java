package io.podnet.cni.cluster;

import java.util.Optional;

/**
 * When a Service reached one node's dataplane: the simulated time it was created and the sync that
 * first made the node answer for it (empty while none has), as kube-proxy's {@code
 * kubeproxy_network_programming_duration_seconds} measures it.
 *
 * @param node the node
 * @param service the Service, {@code namespace/name}
 * @param createdAt when the Service was created, in simulated nanoseconds
 * @param sync the sync that programmed it, if one has finished
 */
public record ServiceProgramming(
    String node, String service, long createdAt, Optional<ServiceSync> sync) {

  /** Whether the node answers for the Service. */
  public boolean isProgrammed() {
    return sync.isPresent();
  }

  /**
   * Nanoseconds from creation until the node answered for the Service.
   *
   * @throws IllegalStateException if it has not yet
   */
  public long latencyNanos() {
    return sync.orElseThrow(
                () -> new IllegalStateException(service + " is not programmed on " + node))
            .finished()
        - createdAt;
  }
}
