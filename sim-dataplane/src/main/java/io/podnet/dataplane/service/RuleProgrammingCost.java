package io.podnet.dataplane.service;

/**
 * Simulated time to program Service rules into a node: an {@code iptables-restore} whose cost is
 * linear in the lines it is fed, against an eBPF map update whose cost does not depend on how many
 * Services the node already holds.
 *
 * <p>Calibration ({@link #MEASURED}): {@code iptables-restore} (nft backend) took 12.77 s for a
 * 695,992-line kube-proxy dump (kubernetes/kubernetes#96018), about 18.3 µs per line; a fixed 5 ms
 * covers starting the process and taking the xtables lock (an assumption, small next to the
 * per-line term from a few thousand Services on). A map update is taken as 10 µs: a handful of
 * {@code bpf(BPF_MAP_UPDATE_ELEM)} calls for the service and backend entries plus writing one
 * Maglev table (an assumption; it is constant by construction, which is the point). Before
 * Kubernetes 1.28 every sync restored everything ({@link #fullSyncNanos}); since then (KEP-3453)
 * kube-proxy rewrites {@code KUBE-SERVICES} in full but only the changed Service's own chains
 * ({@link #minimalSyncNanos}), so both stay linear in the number of Services.
 */
public final class RuleProgrammingCost {

  /** The calibration above: 5 ms fixed, 18,350 ns per restore line, 10 µs per map update. */
  public static final RuleProgrammingCost MEASURED =
      new RuleProgrammingCost(5_000_000, 18_350, 10_000);

  /** Lines of restore input that do not depend on the Services (tables, fixed chains and rules). */
  static final int FIXED_LINES = 23;

  private final long fixedNanos;
  private final long nanosPerLine;
  private final long mapUpdateNanos;

  private RuleProgrammingCost(long fixedNanos, long nanosPerLine, long mapUpdateNanos) {
    this.fixedNanos = fixedNanos;
    this.nanosPerLine = nanosPerLine;
    this.mapUpdateNanos = mapUpdateNanos;
  }

  /**
   * Returns a model with the given costs.
   *
   * @throws IllegalArgumentException if any is negative
   */
  public static RuleProgrammingCost of(long fixedNanos, long nanosPerLine, long mapUpdateNanos) {
    if (fixedNanos < 0 || nanosPerLine < 0 || mapUpdateNanos < 0) {
      throw new IllegalArgumentException(
          "costs must be non-negative: fixed "
              + fixedNanos
              + ", per line "
              + nanosPerLine
              + ", map update "
              + mapUpdateNanos);
    }
    return new RuleProgrammingCost(fixedNanos, nanosPerLine, mapUpdateNanos);
  }

  /** Returns the simulated nanoseconds of one {@code iptables-restore} of {@code lines} lines. */
  public long restoreNanos(long lines) {
    if (lines < 0) {
      throw new IllegalArgumentException("lines must be non-negative: " + lines);
    }
    return fixedNanos + nanosPerLine * lines;
  }

  /**
   * Returns the lines {@link KubeProxyIptables} writes for one ClusterIP Service port with {@code
   * endpoints} ready endpoints: the {@code KUBE-SERVICES} rule, the SVC chain and its masquerade
   * rule, and per endpoint a jump, a SEP chain and its two rules.
   */
  public static long linesPerService(int endpoints) {
    return endpoints == 0 ? 1 : 3 + 4L * endpoints;
  }

  /** Returns the lines of a full restore for {@code services} ClusterIP Services. */
  public static long fullSyncLines(int services, int endpointsPerService) {
    return FIXED_LINES + (long) services * linesPerService(endpointsPerService);
  }

  /** Returns the time of a full restore of a node holding {@code services} Services. */
  public long fullSyncNanos(int services, int endpointsPerService) {
    return restoreNanos(fullSyncLines(services, endpointsPerService));
  }

  /**
   * Returns the time of a KEP-3453 minimal restore after one Service changed on a node holding
   * {@code services} Services: the fixed part, one {@code KUBE-SERVICES} rule per Service, and the
   * changed Service's own chains.
   */
  public long minimalSyncNanos(int services, int endpointsPerService) {
    long changed = linesPerService(endpointsPerService) - 1;
    return restoreNanos(FIXED_LINES + (long) services + changed);
  }

  /** Returns the time to add or change one Service in a hash-map dataplane: constant. */
  public long mapUpdateNanos() {
    return mapUpdateNanos;
  }
}
