package io.podnet.core.net;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.packet.IcmpMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One run of Linux's {@code traceroute} (the traceroute 2.1 package, UDP probes) with its defaults:
 * three probes a hop, TTL 1 to 30, 60-byte packets (32 bytes of data) to ports 33434, 33435, ...
 * one port a probe, without DF, up to 16 probes in flight, 5 s to wait for each. A probe answered
 * with "time exceeded in transit" names a hop; "port unreachable" means the destination was
 * reached; any other ICMP error ends the trace too, with traceroute's mark ({@code !H}, {@code !N},
 * {@code !X}, {@code !P}, ... or {@code !<type-code>}). A probe that reaches a listening socket
 * gets no answer, as on a real host. The output is traceroute's: a header, then a line per hop with
 * each probe's answer and round trip in milliseconds (microsecond timestamps, as the kernel's),
 * {@code *} for a probe with no answer; a namespace that cannot send prints {@code connect:} and
 * the errno, as traceroute's failed {@code connect} does. When the trace ends, probes still out are
 * closed, as when traceroute exits. Not modelled: the shorter waits traceroute allows once a hop or
 * a later one has answered ({@code -w 5,3,10}); PodNet's answers come within microseconds, so here
 * they change only how long a silent hop takes.
 */
public final class Traceroute {

  /** traceroute's default {@code -m}. */
  static final int MAX_HOPS = 30;

  /** traceroute's default {@code -q}. */
  static final int PROBES_PER_HOP = 3;

  /** traceroute's default {@code -N}. */
  static final int SIMULTANEOUS = 16;

  /** traceroute's default {@code -p}: the first probe's destination port. */
  static final int BASE_PORT = 33434;

  /** traceroute's default {@code -w} (its MAX part). */
  static final long WAIT_NANOS = 5 * SimTime.SECOND;

  /** The data of each probe: 32 bytes counting up from 0x40, as traceroute fills them. */
  private static final byte[] DATA = data();

  private final List<ProbeResult> results;
  private final String output;

  private Traceroute(List<ProbeResult> results, String output) {
    this.results = results;
    this.output = output;
  }

  /**
   * Runs {@code traceroute dst} from {@code from}, running the simulation until every probe up to
   * the hop that ended the trace has its answer or has waited its 5 s.
   */
  public static Traceroute run(NetNamespace from, Ipv4Address dst) {
    Simulation sim = from.host().network().simulation();
    int total = MAX_HOPS * PROBES_PER_HOP;
    ProbeResult[] results = new ProbeResult[total];
    Sockets.Probe[] probes = new Sockets.Probe[total];
    long[] sent = new long[total];
    int[] state = {0, total}; // next probe to send, end (after the final hop)
    String[] localError = {null};
    Runnable[] pump = new Runnable[1];
    pump[0] =
        () -> {
          while (state[0] < state[1] && inFlight(results, state[0]) < SIMULTANEOUS) {
            int n = state[0]++;
            sent[n] = sim.now();
            probes[n] =
                from.sockets()
                    .sendUdp(
                        dst,
                        BASE_PORT + n,
                        DATA,
                        n / PROBES_PER_HOP + 1,
                        false,
                        WAIT_NANOS,
                        r -> {
                          results[n] = r;
                          if (r.outcome() == ProbeResult.Outcome.LOCAL_ERROR) {
                            localError[0] = r.localError();
                            state[1] = Math.min(state[1], n);
                          } else if (isFinal(r)) {
                            state[1] =
                                Math.min(state[1], (n / PROBES_PER_HOP + 1) * PROBES_PER_HOP);
                          }
                          pump[0].run();
                        });
          }
        };
    pump[0].run();
    while (Ping.anyMissing(results, state[1])) {
      if (!sim.step()) {
        throw new IllegalStateException("traceroute to " + dst + " never ended");
      }
    }
    for (int n = state[1]; n < state[0]; n++) {
      probes[n].abandon();
    }
    List<ProbeResult> kept = new ArrayList<>(Arrays.asList(results).subList(0, state[1]));
    return new Traceroute(kept, render(dst, results, sent, state[1], localError[0]));
  }

  /** Probes sent before {@code next} that have no result yet. */
  private static int inFlight(ProbeResult[] results, int next) {
    int n = 0;
    for (int i = 0; i < next; i++) {
      if (results[i] == null) {
        n++;
      }
    }
    return n;
  }

  /** Whether {@code r} ends the trace: any ICMP error but "time exceeded in transit". */
  private static boolean isFinal(ProbeResult r) {
    IcmpMessage m = r.icmpError();
    return m != null && !isInTransit(m);
  }

  /** Whether {@code m} is "time exceeded in transit", the answer of a hop on the way. */
  private static boolean isInTransit(IcmpMessage m) {
    return m.type() == IcmpMessage.TIME_EXCEEDED && m.code() == 0;
  }

  /** Whether {@code r} answered (an ICMP error came back); a delivered datagram says nothing. */
  private static boolean answered(ProbeResult r) {
    return r.icmpError() != null;
  }

  private static String render(
      Ipv4Address dst, ProbeResult[] results, long[] sent, int end, @Nullable String localError) {
    StringBuilder sb =
        new StringBuilder("traceroute to ")
            .append(dst)
            .append(" (")
            .append(dst)
            .append("), ")
            .append(MAX_HOPS)
            .append(" hops max, ")
            .append(20 + 8 + DATA.length)
            .append(" byte packets");
    for (int n = 0; n < end; n++) {
      int np = n % PROBES_PER_HOP;
      if (np == 0) {
        sb.append('\n').append(String.format(Locale.ROOT, "%2d ", n / PROBES_PER_HOP + 1));
      }
      ProbeResult r = results[n];
      if (!answered(r)) {
        sb.append(" *");
        continue;
      }
      Ipv4Address from = Objects.requireNonNull(r.from());
      int p = n - 1;
      while (p >= n - np && !answered(results[p])) {
        p--;
      }
      if (p < n - np || !from.equals(results[p].from())) {
        sb.append(' ').append(from).append(" (").append(from).append(')');
      }
      long received = sent[n] + r.elapsedNanos();
      long micros = received / SimTime.MICROSECOND - sent[n] / SimTime.MICROSECOND;
      sb.append("  ").append(Ping.millis(micros)).append(" ms");
      String mark = mark(Objects.requireNonNull(r.icmpError()));
      if (!mark.isEmpty()) {
        sb.append(' ').append(mark);
      }
    }
    sb.append('\n');
    if (localError != null) {
      sb.append("connect: ").append(localError).append('\n');
    }
    return sb.toString();
  }

  /** traceroute's mark for an ICMP error: none for time exceeded and port unreachable. */
  private static String mark(IcmpMessage m) {
    if (isInTransit(m)) {
      return "";
    }
    if (m.type() != IcmpMessage.DEST_UNREACHABLE) {
      return "!<" + m.type() + "-" + m.code() + ">";
    }
    return switch (m.code()) {
      case IcmpMessage.PORT_UNREACHABLE -> "";
      case 0, 6, 8, 11 -> "!N";
      case IcmpMessage.HOST_UNREACHABLE, 7, 12 -> "!H";
      case 9, 10, 13 -> "!X";
      case IcmpMessage.PROTOCOL_UNREACHABLE -> "!P";
      case IcmpMessage.FRAGMENTATION_NEEDED -> "!F-" + (m.rest() & 0xFFFF);
      case 5 -> "!S";
      case 14 -> "!V";
      case 15 -> "!C";
      default -> "!<" + m.code() + ">";
    };
  }

  private static byte[] data() {
    byte[] d = new byte[32];
    for (int i = 0; i < d.length; i++) {
      d[i] = (byte) (0x40 + (i & 0x3F));
    }
    return d;
  }

  /** What traceroute printed. */
  public String output() {
    return output;
  }

  /** Each probe's result up to the hop that ended the trace, hop by hop, three a hop. */
  public List<ProbeResult> results() {
    return Collections.unmodifiableList(results);
  }

  /**
   * The address that answered at hop {@code ttl} (1 for the first), the first of its probes'
   * answers, or null when none of them was answered.
   */
  public @Nullable Ipv4Address hop(int ttl) {
    for (int i = (ttl - 1) * PROBES_PER_HOP; i < ttl * PROBES_PER_HOP && i < results.size(); i++) {
      ProbeResult r = results.get(i);
      if (answered(r)) {
        return r.from();
      }
    }
    return null;
  }

  /** The number of hops printed. */
  public int hops() {
    return (results.size() + PROBES_PER_HOP - 1) / PROBES_PER_HOP;
  }
}
