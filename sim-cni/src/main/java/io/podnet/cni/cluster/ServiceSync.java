package io.podnet.cni.cluster;

/**
 * One sync of a node's Service dataplane, in simulated nanoseconds: kube-proxy's {@code
 * iptables-restore} (a full one, or since KEP-3453 a partial one that leaves unchanged Services'
 * chains alone) or a batch of eBPF map updates. {@code work} is the restore's input lines or the
 * map entries written, {@code services} how many Services it added, changed or removed. As a trace
 * record it is timed at its end: {@code 5.023900500 service-sync node-1 iptables-restore --noflush,
 * 1030 lines (partial) started 5.000000000}.
 *
 * @param node the node
 * @param kind what the sync wrote
 * @param started when it started (the changes it carries had arrived by then)
 * @param finished when its rules or entries took effect
 * @param work restore input lines, or map entries written
 * @param services the Services it added, changed or removed
 */
public record ServiceSync(
    String node, Kind kind, long started, long finished, long work, int services) {

  /** What a sync wrote. */
  public enum Kind {
    /** {@code iptables-restore} of every Service's chains. */
    FULL_RESTORE,
    /** {@code iptables-restore} of {@code KUBE-SERVICES} and the changed Services' chains. */
    PARTIAL_RESTORE,
    /** eBPF service map updates, one per changed Service. */
    MAP_UPDATE
  }

  /** The simulated nanoseconds the sync took. */
  public long durationNanos() {
    return finished - started;
  }

  /**
   * The sync as one line: {@code iptables-restore --noflush, 30029 lines (partial)} or {@code bpf
   * map update, 1 Service}.
   */
  public String describe() {
    return switch (kind) {
      case FULL_RESTORE -> "iptables-restore --noflush, " + work + " lines (full)";
      case PARTIAL_RESTORE -> "iptables-restore --noflush, " + work + " lines (partial)";
      case MAP_UPDATE -> "bpf map update, " + services + (services == 1 ? " Service" : " Services");
    };
  }
}
