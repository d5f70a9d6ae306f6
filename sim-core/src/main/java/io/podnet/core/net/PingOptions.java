package io.podnet.core.net;

import io.podnet.core.engine.SimTime;

/**
 * Options of one ping, with iputils' defaults: 56 bytes of payload, TTL 64, DF set (Linux path-MTU
 * discovery), sequence 1, and a 10 s wait for the answer (iputils' {@code MAXWAIT}, the default of
 * {@code -W}), long enough to report a failed ARP resolution after 3 s as the real ping does.
 *
 * @param payloadSize ICMP payload bytes, in [0, 65507]
 * @param ttl IP time to live, in [1, 255]
 * @param dontFragment whether DF is set
 * @param sequence the ICMP sequence number, in [0, 65535]
 * @param timeoutNanos how long to wait for an answer, > 0
 * @param recordWalk whether to record the hop-by-hop walk (off for benchmarks: recording costs)
 */
public record PingOptions(
    int payloadSize,
    int ttl,
    boolean dontFragment,
    int sequence,
    long timeoutNanos,
    boolean recordWalk) {

  /** iputils' defaults. */
  public static final PingOptions DEFAULT =
      new PingOptions(56, 64, true, 1, 10 * SimTime.SECOND, true);

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
    if (timeoutNanos <= 0) {
      throw new IllegalArgumentException("timeout must be > 0 ns: " + timeoutNanos);
    }
  }

  /** These options with another payload size ({@code ping -s}). */
  public PingOptions withPayloadSize(int size) {
    return new PingOptions(size, ttl, dontFragment, sequence, timeoutNanos, recordWalk);
  }

  /** These options with another TTL ({@code ping -t}). */
  public PingOptions withTtl(int newTtl) {
    return new PingOptions(payloadSize, newTtl, dontFragment, sequence, timeoutNanos, recordWalk);
  }

  /** These options with DF set or clear ({@code ping -M do} or {@code -M dont}). */
  public PingOptions withDontFragment(boolean df) {
    return new PingOptions(payloadSize, ttl, df, sequence, timeoutNanos, recordWalk);
  }

  /** These options with another sequence number. */
  public PingOptions withSequence(int seq) {
    return new PingOptions(payloadSize, ttl, dontFragment, seq, timeoutNanos, recordWalk);
  }

  /** These options with another timeout ({@code ping -W}). */
  public PingOptions withTimeout(long nanos) {
    return new PingOptions(payloadSize, ttl, dontFragment, sequence, nanos, recordWalk);
  }

  /** These options with walk recording on or off. */
  public PingOptions withRecordWalk(boolean record) {
    return new PingOptions(payloadSize, ttl, dontFragment, sequence, timeoutNanos, record);
  }
}
