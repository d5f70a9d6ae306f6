package io.podnet.core.addr;

import org.jspecify.annotations.Nullable;

/**
 * An IEEE 802 48-bit MAC address backed by the low 48 bits of a {@code long}, first octet most
 * significant, as it appears on the wire.
 */
public final class MacAddress implements Comparable<MacAddress> {

  private static final long MASK = 0xFFFF_FFFF_FFFFL;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** The broadcast address {@code ff:ff:ff:ff:ff:ff}. */
  public static final MacAddress BROADCAST = new MacAddress(MASK);

  /** The all-zero address {@code 00:00:00:00:00:00}, e.g. the unknown target of an ARP request. */
  public static final MacAddress ZERO = new MacAddress(0);

  private final long bits;

  private MacAddress(long bits) {
    this.bits = bits;
  }

  /** Returns the address with the given 48 bits; higher bits must be zero. */
  public static MacAddress of(long bits) {
    if ((bits & ~MASK) != 0) {
      throw new IllegalArgumentException(
          "MAC address must fit in 48 bits: 0x" + Long.toHexString(bits));
    }
    return new MacAddress(bits);
  }

  /** Parses six two-digit hex groups separated by ':', in either case, e.g. 0a:58:0a:f4:01:05. */
  public static MacAddress parse(String text) {
    if (text.length() != 17) {
      throw invalid(text);
    }
    long bits = 0;
    for (int group = 0; group < 6; group++) {
      int pos = group * 3;
      int high = hexDigit(text.charAt(pos));
      int low = hexDigit(text.charAt(pos + 1));
      if (high < 0 || low < 0 || (group < 5 && text.charAt(pos + 2) != ':')) {
        throw invalid(text);
      }
      bits = bits << 8 | high << 4 | low;
    }
    return new MacAddress(bits);
  }

  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "invalid MAC address: \"" + text + "\" (expected xx:xx:xx:xx:xx:xx with hex digits)");
  }

  /** Returns the 48 address bits. */
  public long toLong() {
    return bits;
  }

  /** Returns whether this is {@code ff:ff:ff:ff:ff:ff}. */
  public boolean isBroadcast() {
    return bits == MASK;
  }

  /** Returns whether the I/G bit (least significant bit of the first octet) is set. */
  public boolean isMulticast() {
    return (bits & (1L << 40)) != 0;
  }

  /**
   * The EUI-64 IPv6 link-local address the kernel gives a device with this MAC (RFC 4291 appendix
   * A): {@code fe80::} with the universal/local bit flipped and {@code ff:fe} in the middle.
   */
  public Ipv6Address linkLocal() {
    long iid = (bits >>> 24 ^ 0x02_0000) << 40 | 0xFFFEL << 24 | bits & 0xFFFFFF;
    return Ipv6Address.of(0xFE80_0000_0000_0000L, iid);
  }

  /** Writes the six octets to {@code b[off, off + 6)}. */
  public void writeTo(byte[] b, int off) {
    writeLong(bits, b, off);
  }

  /** Reads six octets from {@code b[off, off + 6)}. */
  public static MacAddress readFrom(byte[] b, int off) {
    return new MacAddress(readLong(b, off));
  }

  /** Reads six octets from {@code b[off, off + 6)} as raw bits, without allocating. */
  public static long readLong(byte[] b, int off) {
    long bits = 0;
    for (int i = 0; i < 6; i++) {
      bits = bits << 8 | (b[off + i] & 0xFF);
    }
    return bits;
  }

  /** Writes the low 48 bits of {@code bits} to {@code b[off, off + 6)}, without allocating. */
  public static void writeLong(long bits, byte[] b, int off) {
    for (int i = 5; i >= 0; i--) {
      b[off + i] = (byte) bits;
      bits >>>= 8;
    }
  }

  @Override
  public int compareTo(MacAddress other) {
    return Long.compare(bits, other.bits);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof MacAddress && ((MacAddress) o).bits == bits;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(bits);
  }

  /** Returns the lowercase colon form, e.g. {@code 0a:58:0a:f4:01:05}. */
  @Override
  public String toString() {
    char[] chars = new char[17];
    for (int group = 0; group < 6; group++) {
      int octet = (int) (bits >>> (40 - 8 * group)) & 0xFF;
      chars[group * 3] = HEX[octet >>> 4];
      chars[group * 3 + 1] = HEX[octet & 0xF];
      if (group < 5) {
        chars[group * 3 + 2] = ':';
      }
    }
    return new String(chars);
  }
}
