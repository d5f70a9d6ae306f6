package io.podnet.core.net;

import io.podnet.core.packet.PacketSummary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The hop-by-hop path of a probe's packets (the request, the ARP it triggered, the reply or the
 * ICMP error), in the order the simulation processed them. Each hop carries a tcpdump-style summary
 * of the packet as it was at that hop, made from a copy of its bytes when first asked for.
 */
public final class Walk {

  /**
   * One hop of a walk: the trace record of the hop, and the packet as it was at that hop, described
   * as tcpdump would print it when first asked (consecutive hops with equal bytes, such as a
   * flood's, share one copy of the packet).
   */
  public static final class Hop {
    private final PacketHop hop;
    private final Packet packet;

    Hop(PacketHop hop, Packet packet) {
      this.hop = hop;
      this.packet = packet;
    }

    /** The trace record of the hop. */
    public PacketHop hop() {
      return hop;
    }

    /** The packet at that hop, as tcpdump would print it. */
    public String summary() {
      return packet.summary();
    }

    /** One line: the canonical hop followed by the packet summary. */
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      hop.appendCanonical(sb);
      return sb.append(" | ").append(summary()).toString();
    }
  }

  /** A copy of a packet's bytes at some hop, described once when asked. */
  private static final class Packet {
    final byte[] bytes;
    private @Nullable String summary;

    Packet(byte[] bytes) {
      this.bytes = bytes;
    }

    String summary() {
      String s = summary;
      if (s == null) {
        s = PacketSummary.describe(bytes, 0, bytes.length);
        summary = s;
      }
      return s;
    }
  }

  private final List<Hop> hops = new ArrayList<>();

  /** The packet of the last hop, which the next hop shares when its bytes are the same. */
  private @Nullable Packet last;

  /** The probe this walk belongs to, so a delivery can complete it. */
  Sockets.@Nullable Probe owner;

  Walk() {}

  /** Adds {@code hop} of the frame whose bytes are {@code buf[off, off + len)} now. */
  void add(PacketHop hop, byte[] buf, int off, int len) {
    Packet p = last;
    if (p == null || !Arrays.equals(p.bytes, 0, p.bytes.length, buf, off, off + len)) {
      p = new Packet(Arrays.copyOfRange(buf, off, off + len));
      last = p;
    }
    hops.add(new Hop(hop, p));
  }

  /** The hops so far, oldest first (an unmodifiable view). */
  public List<Hop> hops() {
    return Collections.unmodifiableList(hops);
  }

  /** Whether some hop passed through the named device (any host and namespace). */
  public boolean crosses(String deviceName) {
    return hops.stream().anyMatch(h -> h.hop().device().equals(deviceName));
  }

  /** One line per hop. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    for (Hop hop : hops) {
      sb.append(hop).append('\n');
    }
    return sb.toString();
  }
}
