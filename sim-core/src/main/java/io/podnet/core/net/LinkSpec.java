package io.podnet.core.net;

import io.podnet.core.engine.SimTime;

/**
 * The physical properties of a {@link Link}: one-way latency, bandwidth and the MTU the wire
 * carries.
 *
 * @param latencyNanos one-way propagation delay in nanoseconds, >= 0
 * @param bitsPerSecond bandwidth, > 0
 * @param mtu the largest IP packet the link carries, in [68, 65536]
 */
public record LinkSpec(long latencyNanos, long bitsPerSecond, int mtu) {

  /** A data-centre link: 50 µs, 10 Gbit/s, MTU 1500. */
  public static final LinkSpec DEFAULT =
      new LinkSpec(50 * SimTime.MICROSECOND, 10_000_000_000L, 1500);

  /** Validates the values. */
  public LinkSpec {
    if (latencyNanos < 0) {
      throw new IllegalArgumentException("latency must be >= 0 ns: " + latencyNanos);
    }
    if (bitsPerSecond <= 0) {
      throw new IllegalArgumentException("bandwidth must be > 0 bit/s: " + bitsPerSecond);
    }
    Device.checkMtu(mtu);
  }

  /** This spec with another latency. */
  public LinkSpec withLatency(long nanos) {
    return new LinkSpec(nanos, bitsPerSecond, mtu);
  }

  /** This spec with another MTU. */
  public LinkSpec withMtu(int newMtu) {
    return new LinkSpec(latencyNanos, bitsPerSecond, newMtu);
  }

  /** Time to put {@code bytes} on the wire at this bandwidth, in nanoseconds. */
  long serializationNanos(int bytes) {
    return bytes * 8L * SimTime.SECOND / bitsPerSecond;
  }
}
