package io.podnet.core.net;

import io.podnet.core.engine.SimTime;
import java.util.Objects;

/**
 * Options of one ping, with iputils' defaults: 56 bytes of payload, TTL 64, path-MTU discovery as a
 * socket has it unless {@code -M} says otherwise ({@link PmtuDiscovery#WANT}), sequence 1, and a 10
 * s wait for the answer (iputils' {@code MAXWAIT}, the default of {@code -W}), long enough to
 * report a failed ARP resolution after 3 s as the real ping does.
 *
 * @param payloadSize ICMP payload bytes, in [0, 65507]
 * @param ttl IP time to live, in [1, 255]
 * @param pmtuDiscovery when DF is set ({@code ping -M})
 * @param sequence the ICMP sequence number, in [0, 65535]
 * @param timeoutNanos how long to wait for an answer, > 0
 * @param recordWalk whether to record the hop-by-hop walk (off for benchmarks: recording costs)
 */
public record PingOptions(
    int payloadSize,
    int ttl,
    PmtuDiscovery pmtuDiscovery,
    int sequence,
    long timeoutNanos,
    boolean recordWalk) {

  /** iputils' defaults. */
  public static final PingOptions DEFAULT =
      new PingOptions(56, 64, PmtuDiscovery.WANT, 1, 10 * SimTime.SECOND, true);

  /**
   * A socket's {@code IP_MTU_DISCOVER} mode, which {@code ping -M} sets; as the kernel's {@code
   * __ip_make_skb} and {@code __ip_append_data} apply it.
   */
  public enum PmtuDiscovery {
    /** {@code -M do}: DF always; a packet above the path MTU fails in the sender. */
    DO,
    /**
     * {@code -M want}, a socket's default: DF while the packet fits the path MTU; above it, DF is
     * left off and the sender fragments the packet.
     */
    WANT,
    /** {@code -M dont}: never DF. */
    DONT
  }

  /** Validates the values. */
  public PingOptions {
    if (payloadSize < 0 || payloadSize > 65507) {
      throw new IllegalArgumentException("payload size must be in [0, 65507]: " + payloadSize);
    }
    if (ttl < 1 || ttl > 255) {
      throw new IllegalArgumentException("ttl must be in [1, 255]: " + ttl);
    }
    if (sequence < 0 || sequence > 65535) {
      throw new IllegalArgumentException("sequence must be in [0, 65535]: " + sequence);
    }
    Objects.requireNonNull(pmtuDiscovery, "pmtuDiscovery");
    if (timeoutNanos <= 0) {
      throw new IllegalArgumentException("timeout must be > 0 ns: " + timeoutNanos);
    }
  }

  /** These options with another payload size ({@code ping -s}). */
  public PingOptions withPayloadSize(int size) {
    return new PingOptions(size, ttl, pmtuDiscovery, sequence, timeoutNanos, recordWalk);
  }

  /** These options with another TTL ({@code ping -t}). */
  public PingOptions withTtl(int newTtl) {
    return new PingOptions(payloadSize, newTtl, pmtuDiscovery, sequence, timeoutNanos, recordWalk);
  }

  /** These options with DF always set or never ({@code ping -M do} or {@code -M dont}). */
  public PingOptions withDontFragment(boolean df) {
    return withPmtuDiscovery(df ? PmtuDiscovery.DO : PmtuDiscovery.DONT);
  }

  /** These options with another path-MTU discovery mode ({@code ping -M}). */
  public PingOptions withPmtuDiscovery(PmtuDiscovery mode) {
    return new PingOptions(payloadSize, ttl, mode, sequence, timeoutNanos, recordWalk);
  }

  /** These options with another sequence number. */
  public PingOptions withSequence(int seq) {
    return new PingOptions(payloadSize, ttl, pmtuDiscovery, seq, timeoutNanos, recordWalk);
  }

  /** These options with another timeout ({@code ping -W}). */
  public PingOptions withTimeout(long nanos) {
    return new PingOptions(payloadSize, ttl, pmtuDiscovery, sequence, nanos, recordWalk);
  }

  /** These options with walk recording on or off. */
  public PingOptions withRecordWalk(boolean record) {
    return new PingOptions(payloadSize, ttl, pmtuDiscovery, sequence, timeoutNanos, record);
  }
}
