package io.podnet.core.addr;

import com.google.common.net.InetAddresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.jspecify.annotations.Nullable;

/**
 * An IPv6 address (RFC 4291) backed by two {@code long}s, the high and low 64 bits, and printed in
 * the RFC 5952 canonical text form.
 */
public final class Ipv6Address implements Comparable<Ipv6Address> {

  private final long hi;
  private final long lo;

  private Ipv6Address(long hi, long lo) {
    this.hi = hi;
    this.lo = lo;
  }

  /** Returns the address whose high 64 bits are {@code hi} and low 64 bits are {@code lo}. */
  public static Ipv6Address of(long hi, long lo) {
    return new Ipv6Address(hi, lo);
  }

  /**
   * Parses IPv6 text in any RFC 4291 form (e.g. {@code 2001:0db8::0001}); dotted IPv4 text, IPv4
   * embedded forms, IPv4-mapped addresses and zone ids are rejected.
   */
  public static Ipv6Address parse(String text) {
    if (text.indexOf('.') >= 0 || text.indexOf('%') >= 0 || text.indexOf(':') < 0) {
      throw new IllegalArgumentException(
          "invalid IPv6 address: \""
              + text
              + "\" (expected hex groups separated by ':' without IPv4 text or zone, e.g."
              + " fd00:10:244::5)");
    }
    InetAddress parsed;
    try {
      parsed = InetAddresses.forString(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid IPv6 address: \""
              + text
              + "\" (expected hex groups separated by ':', e.g. fd00:10:244::5)",
          e);
    }
    if (!(parsed instanceof Inet6Address)) {
      throw new IllegalArgumentException(
          "IPv4-mapped IPv6 address not supported: \""
              + text
              + "\" (expected a native IPv6 address; use Ipv4Address)");
    }
    return readFrom(parsed.getAddress(), 0);
  }

  /** Returns the high 64 bits. */
  public long hi() {
    return hi;
  }

  /** Returns the low 64 bits. */
  public long lo() {
    return lo;
  }

  /** Writes the 16 octets to {@code b[off, off + 16)} in network byte order. */
  public void writeTo(byte[] b, int off) {
    for (int i = 0; i < 8; i++) {
      b[off + i] = (byte) (hi >>> (56 - 8 * i));
      b[off + 8 + i] = (byte) (lo >>> (56 - 8 * i));
    }
  }

  /** Reads 16 octets in network byte order from {@code b[off, off + 16)}. */
  public static Ipv6Address readFrom(byte[] b, int off) {
    long hi = 0;
    long lo = 0;
    for (int i = 0; i < 8; i++) {
      hi = hi << 8 | (b[off + i] & 0xFF);
      lo = lo << 8 | (b[off + 8 + i] & 0xFF);
    }
    return new Ipv6Address(hi, lo);
  }

  /** Compares addresses as unsigned 128-bit numbers. */
  @Override
  public int compareTo(Ipv6Address other) {
    int byHi = Long.compareUnsigned(hi, other.hi);
    return byHi != 0 ? byHi : Long.compareUnsigned(lo, other.lo);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Ipv6Address && ((Ipv6Address) o).hi == hi && ((Ipv6Address) o).lo == lo;
  }

  @Override
  public int hashCode() {
    return 31 * Long.hashCode(hi) + Long.hashCode(lo);
  }

  /**
   * Returns the RFC 5952 canonical text: lowercase, no leading zeros, the longest (first on a tie)
   * run of two or more zero groups shortened to {@code ::}, e.g. {@code 2001:db8::1}.
   */
  @Override
  public String toString() {
    int[] groups = new int[8];
    for (int i = 0; i < 4; i++) {
      groups[i] = (int) (hi >>> (48 - 16 * i)) & 0xFFFF;
      groups[4 + i] = (int) (lo >>> (48 - 16 * i)) & 0xFFFF;
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder sb = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLength - 1;
      } else {
        if (i > 0 && i != bestStart + bestLength) {
          sb.append(':');
        }
        sb.append(Integer.toHexString(groups[i]));
      }
    }
    return sb.toString();
  }
}
