package io.podnet.core.net;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The hop-by-hop path of a probe's packets (the request, the ARP it triggered, the reply or the
 * ICMP error), in the order the simulation processed them. Each hop carries a tcpdump-style summary
 * of the packet as it was at that hop.
 */
public final class Walk {

  /**
   * One hop of a walk.
   *
   * @param hop the trace record of the hop
   * @param summary the packet at that hop, as tcpdump would print it
   */
  public record Hop(PacketHop hop, String summary) {

    /** One line: the canonical hop followed by the packet summary. */
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      hop.appendCanonical(sb);
      return sb.append(" | ").append(summary).toString();
    }
  }

  private final List<Hop> hops = new ArrayList<>();

  /** The probe this walk belongs to, so a delivery can complete it. */
  Sockets.@Nullable Probe owner;

  Walk() {}

  void add(PacketHop hop, String summary) {
    hops.add(new Hop(hop, summary));
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
