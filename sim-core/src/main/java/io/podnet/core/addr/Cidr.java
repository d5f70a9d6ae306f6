package io.podnet.core.addr;

import org.jspecify.annotations.Nullable;

/**
 * An IPv4 network prefix (RFC 4632), such as the cluster CIDR {@code 10.244.0.0/16}; host bits are
 * always zero, so two equal networks are equal values.
 */
public final class Cidr implements Comparable<Cidr> {

  private final int network;
  private final int prefixLength;

  private Cidr(int network, int prefixLength) {
    this.network = network;
    this.prefixLength = prefixLength;
  }

  /**
   * Parses {@code a.b.c.d/len} strictly: the length must be in [0, 32] and the host bits of the
   * address must be zero.
   */
  public static Cidr parse(String text) {
    int slash = slashIndex(text, "CIDR", "10.244.0.0/16");
    int address = Ipv4Address.parseBits(text, 0, slash, text.substring(0, slash));
    return of(address, parsePrefixLength(text, slash + 1, 32));
  }

  /** Returns the prefix {@code network/prefixLength}, rejecting set host bits. */
  public static Cidr of(Ipv4Address network, int prefixLength) {
    return of(network.toInt(), prefixLength);
  }

  private static Cidr of(int network, int prefixLength) {
    int mask = maskOf(checkLength(prefixLength, 32));
    if ((network & ~mask) != 0) {
      throw new IllegalArgumentException(
          "host bits set in "
              + Ipv4Address.format(network)
              + "/"
              + prefixLength
              + " (expected "
              + Ipv4Address.format(network & mask)
              + "/"
              + prefixLength
              + ")");
    }
    return new Cidr(network, prefixLength);
  }

  /** Returns the prefix of length {@code prefixLength} that contains {@code addr}. */
  public static Cidr containing(Ipv4Address addr, int prefixLength) {
    return new Cidr(addr.toInt() & maskOf(checkLength(prefixLength, 32)), prefixLength);
  }

  /** Returns the netmask bits of a prefix length in [0, 32], e.g. 24 gives 0xFFFFFF00. */
  static int maskOf(int prefixLength) {
    return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
  }

  static int checkLength(int prefixLength, int max) {
    if (prefixLength < 0 || prefixLength > max) {
      throw new IllegalArgumentException(
          "prefix length must be in [0, " + max + "]: " + prefixLength);
    }
    return prefixLength;
  }

  /** Returns the index of the single '/' in {@code text}, naming {@code kind} if it is missing. */
  static int slashIndex(String text, String kind, String example) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException(
          "invalid "
              + kind
              + ": \""
              + text
              + "\" (expected address/prefix-length, e.g. "
              + example
              + ")");
    }
    return slash;
  }

  /**
   * Parses the decimal prefix length that runs from {@code start} to the end of {@code text}: no
   * sign, no leading zeros, and at most {@code max}.
   */
  static int parsePrefixLength(String text, int start, int max) {
    int end = text.length();
    int value = 0;
    boolean valid =
        start < end && end - start <= 3 && (end - start == 1 || text.charAt(start) != '0');
    for (int i = start; valid && i < end; i++) {
      char c = text.charAt(i);
      valid = c >= '0' && c <= '9';
      value = value * 10 + (c - '0');
    }
    if (!valid) {
      throw new IllegalArgumentException(
          "invalid prefix length in \""
              + text
              + "\" (expected a decimal number in [0, "
              + max
              + "])");
    }
    return checkLength(value, max);
  }

  /** Returns the network address (host bits zero). */
  public Ipv4Address network() {
    return Ipv4Address.of(network);
  }

  /** Returns the network address bits. */
  public int networkInt() {
    return network;
  }

  /** Returns the prefix length in [0, 32]. */
  public int prefixLength() {
    return prefixLength;
  }

  /** Returns the netmask bits, e.g. 0xFFFFFF00 for /24 and 0 for /0. */
  public int mask() {
    return maskOf(prefixLength);
  }

  /** Returns the last address of the prefix (all host bits set). */
  public Ipv4Address broadcast() {
    return Ipv4Address.of(network | ~mask());
  }

  /** Returns whether {@code address} lies inside this prefix. */
  public boolean contains(Ipv4Address address) {
    return contains(address.toInt());
  }

  /** Returns whether the address with bits {@code addressBits} lies inside this prefix. */
  public boolean contains(int addressBits) {
    return (addressBits & mask()) == network;
  }

  /** Returns whether every address of {@code other} lies inside this prefix. */
  public boolean contains(Cidr other) {
    return other.prefixLength >= prefixLength && contains(other.network);
  }

  /** Returns whether this prefix and {@code other} share at least one address. */
  public boolean overlaps(Cidr other) {
    return contains(other) || other.contains(this);
  }

  /** Returns the number of addresses, {@code 2^(32 - prefixLength)}. */
  public long size() {
    return 1L << (32 - prefixLength);
  }

  /** Returns the address {@code index} positions after the network address. */
  public Ipv4Address address(long index) {
    if (index < 0 || index >= size()) {
      throw new IllegalArgumentException(
          "address index must be in [0, " + size() + ") for " + this + ": " + index);
    }
    return Ipv4Address.of(network + (int) index);
  }

  /**
   * Returns the {@code index}-th subnet of length {@code newPrefixLength}, e.g. subnet 3 of length
   * 24 in {@code 10.244.0.0/16} is {@code 10.244.3.0/24}.
   */
  public Cidr subnet(int newPrefixLength, long index) {
    if (newPrefixLength < prefixLength || newPrefixLength > 32) {
      throw new IllegalArgumentException(
          "subnet prefix length must be in ["
              + prefixLength
              + ", 32] for "
              + this
              + ": "
              + newPrefixLength);
    }
    long count = 1L << (newPrefixLength - prefixLength);
    if (index < 0 || index >= count) {
      throw new IllegalArgumentException(
          "subnet index must be in [0, "
              + count
              + ") for /"
              + newPrefixLength
              + " subnets of "
              + this
              + ": "
              + index);
    }
    return new Cidr(network + (int) (index << (32 - newPrefixLength)), newPrefixLength);
  }

  /** Orders by network address (unsigned), then by prefix length. */
  @Override
  public int compareTo(Cidr other) {
    int byNetwork = Integer.compareUnsigned(network, other.network);
    return byNetwork != 0 ? byNetwork : Integer.compare(prefixLength, other.prefixLength);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Cidr
        && ((Cidr) o).network == network
        && ((Cidr) o).prefixLength == prefixLength;
  }

  @Override
  public int hashCode() {
    return 31 * network + prefixLength;
  }

  /** Returns the prefix as {@code 10.244.0.0/16}. */
  @Override
  public String toString() {
    return Ipv4Address.format(network) + "/" + prefixLength;
  }
}
