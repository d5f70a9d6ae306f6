package io.podnet.core.net;

import io.podnet.core.engine.SimTime;
import io.podnet.core.trace.TraceRecord;

/**
 * A trace record for a change of kernel state: a device up or down, an address or route added or
 * removed, a neighbour entry changing state, a bridge learning a MAC. Canonical form: {@code
 * 0.000000000 route node-1 add 10.244.2.0/24 via 192.168.1.12 dev eth0}.
 *
 * @param time simulated time in nanoseconds
 * @param kind what changed: {@code link}, {@code addr}, {@code route}, {@code neigh}, {@code fdb}
 * @param location {@code host} or {@code host/namespace}
 * @param detail the change, in iproute2 words
 */
public record KernelEvent(long time, String kind, String location, String detail)
    implements TraceRecord {

  @Override
  public void appendCanonical(StringBuilder out) {
    append(SimTime.appendTo(out, time), kind, location).append(detail);
  }

  /**
   * Formats the canonical line after its time and up to its detail, without building a record (the
   * hot path, on a {@link io.podnet.core.trace.Trace#scratch} line); returns {@code out}.
   */
  static StringBuilder append(StringBuilder out, String kind, String location) {
    return out.append(' ').append(kind).append(' ').append(location).append(' ');
  }
}
