package io.podnet.core.net;

import io.podnet.core.engine.SimTime;
import io.podnet.core.trace.TraceRecord;

/**
 * A trace record for one hop of one packet: where it was (host, namespace, device), what happened
 * and what matched. Canonical form: {@code 0.000150000 hop node-1/web-1 eth0 tx #7 detail}, where
 * the location is the bare host name for a host's root namespace and {@code -} stands for "no
 * device".
 *
 * @param time simulated time in nanoseconds
 * @param location {@code host} or {@code host/namespace}
 * @param device device name, or {@code -}
 * @param action what happened
 * @param packetId the packet's id
 * @param detail what matched or why it was dropped, or empty
 */
public record PacketHop(
    long time, String location, String device, HopAction action, long packetId, String detail)
    implements TraceRecord {

  @Override
  public void appendCanonical(StringBuilder out) {
    append(SimTime.appendTo(out, time), location, device, action, packetId, detail);
  }

  /**
   * Formats the canonical line after its time without building a record (the trace's hot path, on a
   * {@link io.podnet.core.trace.Trace#scratch} line).
   */
  static void append(
      StringBuilder out,
      String location,
      String device,
      HopAction action,
      long packetId,
      String detail) {
    out.append(" hop ")
        .append(location)
        .append(' ')
        .append(device)
        .append(' ')
        .append(action.text())
        .append(" #")
        .append(packetId);
    if (!detail.isEmpty()) {
      out.append(' ').append(detail);
    }
  }
}
