package io.podnet.core.net;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code ping -c COUNT}: echo requests one second apart (iputils' default interval, sequence 1 to
 * COUNT) and what iputils prints for them, its statistics included:
 *
 * <pre>
 * PING 10.244.2.2 (10.244.2.2) 56(84) bytes of data.
 * 64 bytes from 10.244.2.2: icmp_seq=1 ttl=62 time=20.4 ms
 * ...
 *
 * --- 10.244.2.2 ping statistics ---
 * 10 packets transmitted, 7 received, 30% packet loss, time 9020ms
 * rtt min/avg/max/mdev = 20.400/20.400/20.400/0.000 ms
 * </pre>
 *
 * A lost request prints no line; an ICMP error or a local error prints its line and counts among
 * the {@code +N errors}; without a route to the destination iputils prints only {@code ping:
 * connect: ...}, as its first step fails before the header. {@code time} runs from the first
 * request to the last answer (or the last request, if it came later). The round-trip figures are
 * iputils' own: microsecond minimum, mean, maximum and mean deviation ({@code sqrt(mean of squares
 * - square of mean)}).
 */
public final class Ping {

  /**
   * How iputils' line starts when it cannot route to the destination at all: it connects a probe
   * socket before its first request and exits when that fails.
   */
  static final String CONNECT_ERROR = "ping: connect: ";

  /** How iputils' line starts when a later request cannot be sent; the run goes on. */
  static final String SENDMSG_ERROR = "ping: sendmsg: ";

  /** iputils' default interval between requests. */
  public static final long INTERVAL_NANOS = SimTime.SECOND;

  private final List<ProbeResult> results;
  private final String output;

  private Ping(List<ProbeResult> results, String output) {
    this.results = List.copyOf(results);
    this.output = output;
  }

  /**
   * Runs {@code ping -c count dst} from {@code from} with {@code options} (its sequence number is
   * replaced by 1 to count), running the simulation until every request has its answer or timed
   * out; when the first cannot be routed, iputils exits there and so does the run, with one result.
   *
   * @throws IllegalArgumentException if count is not in [1, 65535]
   */
  public static Ping run(NetNamespace from, Ipv4Address dst, int count, PingOptions options) {
    if (count < 1 || count > 65535) {
      throw new IllegalArgumentException("count must be in [1, 65535]: " + count);
    }
    Simulation sim = from.host().network().simulation();
    long start = sim.now();
    ProbeResult[] results = new ProbeResult[count];
    long[] endedAt = new long[count];
    long[] requests = new long[count];
    int[] end = {count};
    int id = from.sockets().nextEchoId(); // one ping process, one identifier for its requests
    for (int i = 0; i < count; i++) {
      int index = i;
      PingOptions o = options.withSequence(i + 1);
      requests[i] =
          sim.schedule(
              i * INTERVAL_NANOS,
              () ->
                  from.sockets()
                      .ping(
                          dst,
                          o,
                          id,
                          r -> {
                            results[index] = r;
                            endedAt[index] = sim.now();
                            if (index == 0 && cannotRoute(r)) {
                              // iputils exits at once: no further requests
                              for (int j = 1; j < count; j++) {
                                sim.cancel(requests[j]);
                              }
                              end[0] = 1;
                            }
                          }));
    }
    while (anyMissing(results, end[0])) {
      if (!sim.step()) {
        throw new IllegalStateException("ping to " + dst + " never ended");
      }
    }
    ProbeResult[] sent = Arrays.copyOf(results, end[0]);
    return new Ping(List.of(sent), render(dst, options, sent, endedAt, start));
  }

  /**
   * Whether the request could not be sent for want of a route (any local error but {@code
   * EMSGSIZE}, which iputils reports as {@code ping: local error: ...} and goes on).
   */
  private static boolean cannotRoute(ProbeResult r) {
    return r.outcome() == ProbeResult.Outcome.LOCAL_ERROR && !r.messageTooLong();
  }

  /** Whether a probe before {@code end} has no result yet (ping's and traceroute's wait). */
  static boolean anyMissing(ProbeResult[] results, int end) {
    for (int i = 0; i < end; i++) {
      if (results[i] == null) {
        return true;
      }
    }
    return false;
  }

  /** What ping printed, lines ending in a newline. */
  public String output() {
    return output;
  }

  /** Each request's result, in sequence order. */
  public List<ProbeResult> results() {
    return results;
  }

  /** Requests sent. */
  public int transmitted() {
    return results.size();
  }

  /** Echo replies received. */
  public int received() {
    return (int) results.stream().filter(r -> r.outcome() == ProbeResult.Outcome.REPLY).count();
  }

  private static String render(
      Ipv4Address dst, PingOptions o, ProbeResult[] results, long[] endedAt, long start) {
    if (cannotRoute(results[0])) {
      // iputils connects a probe socket to pick its source before it prints anything
      return results[0].message() + "\n";
    }
    StringBuilder sb = new StringBuilder();
    sb.append("PING ")
        .append(dst)
        .append(" (")
        .append(dst)
        .append(") ")
        .append(o.payloadSize())
        .append('(')
        .append(o.payloadSize() + 28)
        .append(") bytes of data.\n");
    int received = 0;
    int errors = 0;
    long min = Long.MAX_VALUE;
    long max = 0;
    long sum = 0;
    long sum2 = 0;
    long end = start + (results.length - 1) * INTERVAL_NANOS;
    for (int i = 0; i < results.length; i++) {
      ProbeResult r = results[i];
      switch (r.outcome()) {
        case REPLY -> {
          received++;
          long micros = r.elapsedNanos() / SimTime.MICROSECOND;
          min = Math.min(min, micros);
          max = Math.max(max, micros);
          sum += micros;
          sum2 += micros * micros;
          end = Math.max(end, endedAt[i]);
          sb.append(r.message()).append('\n');
        }
        case TIMEOUT -> {
          // a lost request prints nothing
        }
        default -> {
          errors++;
          end = Math.max(end, endedAt[i]);
          String line = r.message();
          if (i > 0 && cannotRoute(r)) {
            // a later request that cannot be routed fails in sendmsg; the run goes on
            line = SENDMSG_ERROR + r.localError();
          }
          sb.append(line).append('\n');
        }
      }
    }
    int sent = results.length;
    sb.append("\n--- ").append(dst).append(" ping statistics ---\n");
    sb.append(sent).append(" packets transmitted, ").append(received).append(" received");
    if (errors > 0) {
      sb.append(", +").append(errors).append(" errors");
    }
    BigDecimal loss =
        BigDecimal.valueOf((sent - received) * 100.0 / sent).round(new MathContext(6));
    sb.append(", ").append(loss.stripTrailingZeros().toPlainString()).append("% packet loss");
    sb.append(", time ").append((end - start + SimTime.MILLISECOND / 2) / SimTime.MILLISECOND);
    sb.append("ms\n");
    if (received > 0) {
      long avg = sum / received;
      long mdev = (long) Math.sqrt((double) Math.max(0, sum2 / received - avg * avg));
      sb.append("rtt min/avg/max/mdev = ")
          .append(millis(min))
          .append('/')
          .append(millis(avg))
          .append('/')
          .append(millis(max))
          .append('/')
          .append(millis(mdev))
          .append(" ms\n");
    }
    return sb.toString();
  }

  /** Microseconds as iputils and traceroute print milliseconds: {@code 0.262}. */
  static String millis(long micros) {
    return micros / 1000 + "." + String.format(Locale.ROOT, "%03d", micros % 1000);
  }
}
