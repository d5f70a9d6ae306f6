package io.podnet.core.addr;

import org.jspecify.annotations.Nullable;

/**
 * An IPv4 address (RFC 791) backed by a single {@code int} in network bit order, so the hot path
 * can use the raw bits and only tests and rendering need the object.
 */
public final class Ipv4Address implements Comparable<Ipv4Address> {

  /** The unspecified address {@code 0.0.0.0}. */
  public static final Ipv4Address ANY = new Ipv4Address(0);

  /** The limited broadcast address {@code 255.255.255.255}. */
  public static final Ipv4Address BROADCAST = new Ipv4Address(-1);

  private final int bits;

  private Ipv4Address(int bits) {
    this.bits = bits;
  }

  /** Returns the address whose 32 bits are {@code bits}, most significant octet first. */
  public static Ipv4Address of(int bits) {
    return new Ipv4Address(bits);
  }

  /** Returns the address {@code a.b.c.d}; each octet must be in [0, 255]. */
  public static Ipv4Address of(int a, int b, int c, int d) {
    return new Ipv4Address(octet(a) << 24 | octet(b) << 16 | octet(c) << 8 | octet(d));
  }

  private static int octet(int value) {
    if (value < 0 || value > 255) {
      throw new IllegalArgumentException("octet must be in [0, 255]: " + value);
    }
    return value;
  }

  /**
   * Parses strict dotted-quad text such as {@code 10.244.1.5}: exactly four decimal octets in [0,
   * 255], no leading zeros, no whitespace.
   */
  public static Ipv4Address parse(String text) {
    return new Ipv4Address(parseBits(text, 0, text.length(), text));
  }

  /**
   * Parses {@code text[start, end)} as a dotted quad, naming {@code whole} in the error message.
   */
  static int parseBits(String text, int start, int end, String whole) {
    int bits = 0;
    int pos = start;
    for (int octet = 0; octet < 4; octet++) {
      if (octet > 0) {
        if (pos >= end || text.charAt(pos) != '.') {
          throw invalid(whole);
        }
        pos++;
      }
      int digitsStart = pos;
      int value = 0;
      while (pos < end && pos - digitsStart < 3 && isDigit(text.charAt(pos))) {
        value = value * 10 + (text.charAt(pos) - '0');
        pos++;
      }
      int digits = pos - digitsStart;
      if (digits == 0 || value > 255 || (digits > 1 && text.charAt(digitsStart) == '0')) {
        throw invalid(whole);
      }
      bits = bits << 8 | value;
    }
    if (pos != end) {
      throw invalid(whole);
    }
    return bits;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "invalid IPv4 address: \"" + text + "\" (expected four decimal octets 0-255)");
  }

  /** Returns the 32 address bits, most significant octet first. */
  public int toInt() {
    return bits;
  }

  /**
   * Returns the address {@code n} positions after this one ({@code n} may be negative); a result
   * outside [0.0.0.0, 255.255.255.255] is an {@link IllegalArgumentException}.
   */
  public Ipv4Address plus(int n) {
    long result = Integer.toUnsignedLong(bits) + n;
    if (result < 0 || result > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(
          this + " + " + n + " overflows (expected a result in [0.0.0.0, 255.255.255.255])");
    }
    return new Ipv4Address((int) result);
  }

  /** Formats {@code bits} as a dotted quad, allocating only the resulting string. */
  public static String format(int bits) {
    return (bits >>> 24)
        + "."
        + ((bits >>> 16) & 0xFF)
        + "."
        + ((bits >>> 8) & 0xFF)
        + "."
        + (bits & 0xFF);
  }

  /**
   * Appends {@code bits} as a dotted quad to {@code sb} without allocating: four copies of
   * preformatted octets, as every trace line holds addresses.
   */
  public static void appendTo(StringBuilder sb, int bits) {
    sb.append(OCTET_DOT[bits >>> 24])
        .append(OCTET_DOT[(bits >>> 16) & 0xFF])
        .append(OCTET_DOT[(bits >>> 8) & 0xFF])
        .append(OCTET[bits & 0xFF]);
  }

  /** Each octet value's decimal text. */
  private static final String[] OCTET = new String[256];

  /** Each octet value's decimal text followed by a dot. */
  private static final String[] OCTET_DOT = new String[256];

  static {
    for (int i = 0; i < 256; i++) {
      OCTET[i] = Integer.toString(i);
      OCTET_DOT[i] = i + ".";
    }
  }

  /** Compares addresses as unsigned 32-bit numbers, so {@code 10.0.0.0 < 192.168.0.0}. */
  @Override
  public int compareTo(Ipv4Address other) {
    return Integer.compareUnsigned(bits, other.bits);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Ipv4Address && ((Ipv4Address) o).bits == bits;
  }

  @Override
  public int hashCode() {
    return Integer.hashCode(bits);
  }

  /** Returns the dotted quad, e.g. {@code 10.244.1.5}. */
  @Override
  public String toString() {
    return format(bits);
  }
}
