package io.podnet.dataplane.netfilter;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.packet.IpProtocol;
import it.unimi.dsi.fastutil.longs.Long2ObjectLinkedOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongPredicate;
import org.jspecify.annotations.Nullable;

/**
 * The connection tracking table of one namespace ({@code nf_conntrack}): flows found by the 5-tuple
 * of either direction in a primitive-keyed hash map, their state, NAT bindings (the reply tuple of
 * a NATed flow is the inverse of the rewritten packet), and timeouts on the simulated clock with
 * Linux's defaults. {@link #list()} prints the table as {@code conntrack -L} does, oldest flow
 * first.
 *
 * <pre>
 * tcp      6 431999 ESTABLISHED src=10.244.1.2 dst=10.96.0.10 sport=40000 dport=80 src=10.244.2.2 dst=10.244.1.2 sport=8080 dport=40000 [ASSURED] mark=0 use=1
 * </pre>
 */
public final class Conntrack {

  /** {@code nf_conntrack_udp_timeout}. */
  public static final long UDP_TIMEOUT = 30 * SimTime.SECOND;

  /** {@code nf_conntrack_udp_timeout_stream}: a UDP flow seen both ways for over 2 s. */
  public static final long UDP_STREAM_TIMEOUT = 120 * SimTime.SECOND;

  /** {@code nf_conntrack_tcp_timeout_established}: 5 days. */
  public static final long TCP_ESTABLISHED_TIMEOUT = 432_000 * SimTime.SECOND;

  /** {@code nf_conntrack_tcp_timeout_syn_sent}. */
  public static final long TCP_SYN_SENT_TIMEOUT = 120 * SimTime.SECOND;

  /** {@code nf_conntrack_icmp_timeout}. */
  public static final long ICMP_TIMEOUT = 30 * SimTime.SECOND;

  /** {@code nf_conntrack_generic_timeout}. */
  public static final long GENERIC_TIMEOUT = 600 * SimTime.SECOND;

  static final String[] TCP_STATES = {
    "NONE",
    "SYN_SENT",
    "SYN_RECV",
    "ESTABLISHED",
    "FIN_WAIT",
    "CLOSE_WAIT",
    "LAST_ACK",
    "TIME_WAIT",
    "CLOSE"
  };
  static final int SYN_SENT = 1;
  static final int SYN_RECV = 2;
  static final int ESTABLISHED = 3;
  static final int FIN_WAIT = 4;
  static final int CLOSE_WAIT = 5;
  static final int LAST_ACK = 6;
  static final int TIME_WAIT = 7;
  static final int CLOSE = 8;
  private static final long[] TCP_TIMEOUTS = {
    0,
    TCP_SYN_SENT_TIMEOUT,
    60 * SimTime.SECOND,
    TCP_ESTABLISHED_TIMEOUT,
    120 * SimTime.SECOND,
    60 * SimTime.SECOND,
    30 * SimTime.SECOND,
    120 * SimTime.SECOND,
    10 * SimTime.SECOND
  };

  /** One tracked flow: the original and reply tuples and what is known about it. */
  static final class Flow {
    final long id;
    final int proto;

    /** Original src, dst, sport, dport, then reply src, dst, sport, dport. */
    final int[] t = new int[8];

    final long created;
    int tcpState;
    boolean seenReply;
    boolean assured;
    boolean confirmed;
    boolean dnatDone;
    boolean snatDone;

    /** The service map asked for the flow to leave with the node's address. */
    boolean serviceMasquerade;

    long deadline;
    @Nullable Flow nextOrig;
    @Nullable Flow nextReply;
    long keyOrig;
    long keyReply;

    Flow(long id, int proto, long created) {
      this.id = id;
      this.proto = proto;
      this.created = created;
    }

    boolean natted() {
      return t[0] != t[5] || t[1] != t[4] || t[2] != t[7] || t[3] != t[6];
    }
  }

  private final Simulation sim;
  private final Long2ObjectOpenHashMap<Flow> index = new Long2ObjectOpenHashMap<>();
  private final Long2ObjectLinkedOpenHashMap<Flow> byId = new Long2ObjectLinkedOpenHashMap<>();
  private long nextId = 1;

  /** Number of UDP flows held, live or expired. */
  private int udpFlows;

  Conntrack(Simulation sim) {
    this.sim = sim;
  }

  static long key(int proto, int src, int dst, int sport, int dport) {
    long h = (src & 0xFFFF_FFFFL) * 0x9E37_79B9_7F4A_7C15L;
    h ^= Long.rotateLeft((dst & 0xFFFF_FFFFL) * 0xC2B2_AE3D_27D4_EB4FL, 21);
    h ^=
        Long.rotateLeft(
            ((long) sport << 16 | dport | (long) proto << 32) * 0x1656_67B1_9E37_79F9L, 42);
    return h ^ (h >>> 29);
  }

  /** Lookup result: the flow, and the direction through {@link #lastReply}. */
  boolean lastReply;

  /**
   * The live flow with this tuple in either direction (setting {@link #lastReply}), or null;
   * expired flows are removed on the way.
   */
  @Nullable Flow find(int proto, int src, int dst, int sport, int dport) {
    long k = key(proto, src, dst, sport, dport);
    Flow f = index.get(k);
    while (f != null) {
      boolean orig = f.keyOrig == k && same(f, 0, proto, src, dst, sport, dport);
      boolean reply = !orig && f.keyReply == k && same(f, 4, proto, src, dst, sport, dport);
      if (orig || reply) {
        if (f.deadline <= sim.now() && f.confirmed) {
          remove(f);
          return null;
        }
        lastReply = reply;
        return f;
      }
      f = f.keyOrig == k ? f.nextOrig : f.nextReply;
    }
    return null;
  }

  private static boolean same(Flow f, int at, int proto, int src, int dst, int sport, int dport) {
    return f.proto == proto
        && f.t[at] == src
        && f.t[at + 1] == dst
        && f.t[at + 2] == sport
        && f.t[at + 3] == dport;
  }

  /** Whether a flow other than {@code except} uses this tuple in either direction. */
  boolean taken(int proto, int src, int dst, int sport, int dport, Flow except) {
    Flow f = find(proto, src, dst, sport, dport);
    return f != null && f != except;
  }

  /** A new unconfirmed flow for a packet's tuple; the reply tuple is its inverse. */
  Flow create(int proto, int src, int dst, int sport, int dport, int replySport, int replyDport) {
    Flow f = new Flow(nextId++, proto, sim.now());
    f.t[0] = src;
    f.t[1] = dst;
    f.t[2] = sport;
    f.t[3] = dport;
    f.t[4] = dst;
    f.t[5] = src;
    f.t[6] = replySport;
    f.t[7] = replyDport;
    link(f);
    byId.put(f.id, f);
    if (proto == IpProtocol.UDP) {
      udpFlows++;
    }
    return f;
  }

  /** Re-indexes a flow after its reply tuple changed (a NAT binding). */
  void rehash(Flow f) {
    unlink(f);
    link(f);
  }

  private void link(Flow f) {
    f.keyOrig = key(f.proto, f.t[0], f.t[1], f.t[2], f.t[3]);
    f.nextOrig = index.put(f.keyOrig, f);
    f.keyReply = key(f.proto, f.t[4], f.t[5], f.t[6], f.t[7]);
    f.nextReply = index.put(f.keyReply, f);
  }

  private void unlink(Flow f) {
    unlinkKey(f, f.keyOrig);
    unlinkKey(f, f.keyReply);
  }

  private void unlinkKey(Flow f, long k) {
    Flow head = index.get(k);
    Flow prev = null;
    Flow cur = head;
    while (cur != null && cur != f) {
      prev = cur;
      cur = cur.keyOrig == k ? cur.nextOrig : cur.nextReply;
    }
    if (cur == null) {
      return;
    }
    Flow next = f.keyOrig == k ? f.nextOrig : f.nextReply;
    if (prev == null) {
      if (next == null) {
        index.remove(k);
      } else {
        index.put(k, next);
      }
    } else if (prev.keyOrig == k) {
      prev.nextOrig = next;
    } else {
      prev.nextReply = next;
    }
  }

  void remove(Flow f) {
    unlink(f);
    if (byId.remove(f.id) != null && f.proto == IpProtocol.UDP) {
      udpFlows--;
    }
  }

  /** Updates state and timeout for a packet of {@code f} in the given direction. */
  void seen(Flow f, boolean reply, int tcpFlags) {
    long now = sim.now();
    if (reply) {
      f.seenReply = true;
    }
    long timeout;
    switch (f.proto) {
      case 6 -> {
        boolean syn = (tcpFlags & 2) != 0;
        boolean ack = (tcpFlags & 16) != 0;
        boolean fin = (tcpFlags & 1) != 0;
        boolean rst = (tcpFlags & 4) != 0;
        int s = f.tcpState;
        if (rst) {
          s = CLOSE;
        } else if (s == 0) {
          s = syn && !ack ? SYN_SENT : ESTABLISHED;
        } else if (s == SYN_SENT && reply && syn && ack) {
          s = SYN_RECV;
        } else if (s == SYN_RECV && !reply && ack && !syn) {
          s = ESTABLISHED;
          f.assured = true;
        } else if (fin && s == ESTABLISHED) {
          s = FIN_WAIT;
        } else if (fin && (s == FIN_WAIT || s == CLOSE_WAIT)) {
          s = LAST_ACK;
        } else if (ack && s == LAST_ACK) {
          s = TIME_WAIT;
        }
        f.tcpState = s;
        timeout = TCP_TIMEOUTS[s];
      }
      case 17 -> {
        if (f.seenReply && now - f.created > 2 * SimTime.SECOND) {
          f.assured = true;
          timeout = UDP_STREAM_TIMEOUT;
        } else {
          timeout = UDP_TIMEOUT;
        }
      }
      case 1 -> timeout = ICMP_TIMEOUT;
      default -> timeout = GENERIC_TIMEOUT;
    }
    f.deadline = now + timeout;
  }

  /** Drops every expired flow. */
  void expire() {
    long now = sim.now();
    List<Flow> dead = new ArrayList<>();
    for (Flow f : byId.values()) {
      if (f.confirmed && f.deadline <= now) {
        dead.add(f);
      }
    }
    dead.forEach(this::remove);
  }

  /**
   * Whether the table holds a UDP flow, live or expired: without one there is nothing for {@link
   * #deleteStaleUdpNat} to find (a node's BGP sessions fill the table with TCP flows only).
   */
  public boolean hasUdpFlows() {
    return udpFlows > 0;
  }

  /** Number of confirmed live flows ({@code conntrack -C}). */
  public int count() {
    expire();
    int n = 0;
    for (Flow f : byId.values()) {
      n += f.confirmed ? 1 : 0;
    }
    return n;
  }

  /**
   * Deletes the UDP flows sent to {@code origDst:origPort} and DNATed to an address and port that
   * {@code serving} rejects ({@code (ip & 0xFFFFFFFFL) << 16 | port}), as kube-proxy does with
   * {@code conntrack -D -p udp --orig-dst VIP --dst-nat IP} for a UDP Service's endpoints that went
   * away; returns how many.
   */
  public int deleteStaleUdpNat(Ipv4Address origDst, int origPort, LongPredicate serving) {
    List<Flow> stale = new ArrayList<>();
    int dst = origDst.toInt();
    for (Flow f : byId.values()) {
      if (f.proto == IpProtocol.UDP
          && f.t[1] == dst
          && f.t[3] == origPort
          && (f.t[4] != dst || f.t[6] != origPort)
          && !serving.test((f.t[4] & 0xFFFF_FFFFL) << 16 | f.t[6])) {
        stale.add(f);
      }
    }
    stale.forEach(this::remove);
    return stale.size();
  }

  /** Forgets every flow ({@code conntrack -F}). */
  public void flush() {
    index.clear();
    byId.clear();
    udpFlows = 0;
  }

  /**
   * The line {@code conntrack -L} writes to stderr after the table, as conntrack-tools 1.4.7
   * (Debian 12, beside iptables 1.8.9) writes it, {@code entries} being the lines of {@link #list}.
   */
  public static String shownLine(int entries) {
    return "conntrack v1.4.7 (conntrack-tools): " + entries + " flow entries have been shown.\n";
  }

  /** The table as {@code conntrack -L} prints it, one flow a line, oldest first. */
  public String list() {
    expire();
    StringBuilder sb = new StringBuilder();
    long now = sim.now();
    for (Flow f : byId.values()) {
      if (!f.confirmed) {
        continue;
      }
      String name =
          switch (f.proto) {
            case 1 -> "icmp";
            case 6 -> "tcp";
            case 17 -> "udp";
            case 132 -> "sctp";
            default -> "unknown";
          };
      sb.append(
          String.format(
              Locale.ROOT, "%-8s %d %d ", name, f.proto, (f.deadline - now) / SimTime.SECOND));
      if (f.proto == 6) {
        sb.append(TCP_STATES[f.tcpState]).append(' ');
      }
      tuple(sb, f, 0, true);
      if (!f.seenReply) {
        sb.append("[UNREPLIED] ");
      }
      tuple(sb, f, 4, false);
      if (f.assured) {
        sb.append("[ASSURED] ");
      }
      sb.append("mark=0 use=1\n");
    }
    return sb.toString();
  }

  private static void tuple(StringBuilder sb, Flow f, int at, boolean orig) {
    sb.append("src=").append(Ipv4Address.of(f.t[at]));
    sb.append(" dst=").append(Ipv4Address.of(f.t[at + 1])).append(' ');
    if (f.proto == 6 || f.proto == 17 || f.proto == 132) {
      sb.append("sport=").append(f.t[at + 2]).append(" dport=").append(f.t[at + 3]).append(' ');
    } else if (f.proto == 1) {
      sb.append("type=").append(orig ? 8 : 0).append(" code=0 id=").append(f.t[at + 2]).append(' ');
    }
  }

  @Override
  public String toString() {
    return list();
  }
}
