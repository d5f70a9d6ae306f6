package io.podnet.core.addr;

import org.jspecify.annotations.Nullable;

/**
 * An IPv6 network prefix (RFC 4291 section 2.3), such as the pod range {@code fd00:10:244::/56};
 * host bits are always zero.
 */
public final class Ipv6Cidr {

  private final long hi;
  private final long lo;
  private final int prefixLength;

  private Ipv6Cidr(long hi, long lo, int prefixLength) {
    this.hi = hi;
    this.lo = lo;
    this.prefixLength = prefixLength;
  }

  /**
   * Parses {@code address/len} strictly: the length must be in [0, 128] and the host bits of the
   * address must be zero.
   */
  public static Ipv6Cidr parse(String text) {
    int slash = Cidr.slashIndex(text, "IPv6 CIDR", "fd00:10:244::/64");
    Ipv6Address network = Ipv6Address.parse(text.substring(0, slash));
    return of(network, Cidr.parsePrefixLength(text, slash + 1, 128));
  }

  /** Returns the prefix {@code network/prefixLength}, rejecting set host bits. */
  public static Ipv6Cidr of(Ipv6Address network, int prefixLength) {
    Cidr.checkLength(prefixLength, 128);
    long hiMask = hiMask(prefixLength);
    long loMask = loMask(prefixLength);
    if ((network.hi() & ~hiMask) != 0 || (network.lo() & ~loMask) != 0) {
      Ipv6Address masked = Ipv6Address.of(network.hi() & hiMask, network.lo() & loMask);
      throw new IllegalArgumentException(
          "host bits set in "
              + network
              + "/"
              + prefixLength
              + " (expected "
              + masked
              + "/"
              + prefixLength
              + ")");
    }
    return new Ipv6Cidr(network.hi(), network.lo(), prefixLength);
  }

  private static long hiMask(int prefixLength) {
    return prefixLength == 0 ? 0 : prefixLength >= 64 ? -1L : -1L << (64 - prefixLength);
  }

  private static long loMask(int prefixLength) {
    return prefixLength <= 64 ? 0 : -1L << (128 - prefixLength);
  }

  /** Returns the network address (host bits zero). */
  public Ipv6Address network() {
    return Ipv6Address.of(hi, lo);
  }

  /** Returns the prefix length in [0, 128]. */
  public int prefixLength() {
    return prefixLength;
  }

  /** Returns whether {@code address} lies inside this prefix. */
  public boolean contains(Ipv6Address address) {
    return (address.hi() & hiMask(prefixLength)) == hi
        && (address.lo() & loMask(prefixLength)) == lo;
  }

  /** Returns whether every address of {@code other} lies inside this prefix. */
  public boolean contains(Ipv6Cidr other) {
    return other.prefixLength >= prefixLength && contains(other.network());
  }

  /** Returns whether this prefix and {@code other} share at least one address. */
  public boolean overlaps(Ipv6Cidr other) {
    return contains(other) || other.contains(this);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Ipv6Cidr
        && ((Ipv6Cidr) o).hi == hi
        && ((Ipv6Cidr) o).lo == lo
        && ((Ipv6Cidr) o).prefixLength == prefixLength;
  }

  @Override
  public int hashCode() {
    return (31 * Long.hashCode(hi) + Long.hashCode(lo)) * 31 + prefixLength;
  }

  /** Returns the prefix as {@code fd00:10:244::/64}. */
  @Override
  public String toString() {
    return network() + "/" + prefixLength;
  }
}
