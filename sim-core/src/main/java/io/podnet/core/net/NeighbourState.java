package io.podnet.core.net;

/** The NUD state of a neighbour entry, named as {@code ip neigh} prints it. */
public enum NeighbourState {
  /** Resolution in progress: ARP requests sent, packets queued. */
  INCOMPLETE,
  /** Confirmed recently. */
  REACHABLE,
  /** Not confirmed for a while; still used, revalidated on use. */
  STALE,
  /** Used while stale; waiting a little before probing. */
  DELAY,
  /** Being revalidated with unicast ARP requests. */
  PROBE,
  /** Resolution failed. */
  FAILED,
  /** Set by hand; never expires. */
  PERMANENT
}
