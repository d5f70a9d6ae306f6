package io.podnet.dataplane.bgp;

import io.podnet.core.engine.SimTime;
import io.podnet.core.trace.TraceRecord;

/**
 * A trace record for a BGP session state change or a Loc-RIB change. Canonical form: {@code
 * 0.000150000 bgp node-1 session 192.168.1.12 OpenSent -> OpenConfirm} or {@code 0.000300000 bgp
 * node-1 route best 10.244.2.0/26 via 192.168.1.12 from 192.168.1.12}.
 *
 * @param time simulated time in nanoseconds
 * @param location the speaker's namespace label
 * @param kind {@code session} or {@code route}
 * @param detail what changed
 */
public record BgpEvent(long time, String location, String kind, String detail)
    implements TraceRecord {

  @Override
  public void appendCanonical(StringBuilder out) {
    append(SimTime.appendTo(out, time), location, kind).append(detail);
  }

  /**
   * Formats the canonical line after its time and up to its detail, without building a record (the
   * hot path, on a {@link io.podnet.core.trace.Trace#scratch} line); returns {@code out}.
   */
  static StringBuilder append(StringBuilder out, String location, String kind) {
    return out.append(" bgp ").append(location).append(' ').append(kind).append(' ');
  }
}
