package io.podnet.core.addr;

import org.jspecify.annotations.Nullable;

/**
 * An IPv4 address with the prefix length it was assigned with on an interface, as {@code ip addr}
 * shows it ({@code 10.244.1.5/24}); unlike {@link Cidr}, host bits are allowed and kept.
 */
public final class IfAddress {

  private final int address;
  private final int prefixLength;

  private IfAddress(int address, int prefixLength) {
    this.address = address;
    this.prefixLength = prefixLength;
  }

  /** Parses {@code a.b.c.d/len} with a length in [0, 32]. */
  public static IfAddress parse(String text) {
    int slash = Cidr.slashIndex(text, "interface address", "10.244.1.5/24");
    int address = Ipv4Address.parseBits(text, 0, slash, text.substring(0, slash));
    return new IfAddress(address, Cidr.parsePrefixLength(text, slash + 1, 32));
  }

  /** Returns {@code address/prefixLength}; the length must be in [0, 32]. */
  public static IfAddress of(Ipv4Address address, int prefixLength) {
    return new IfAddress(address.toInt(), Cidr.checkLength(prefixLength, 32));
  }

  /** Returns the address itself. */
  public Ipv4Address address() {
    return Ipv4Address.of(address);
  }

  /** Returns the prefix length in [0, 32]. */
  public int prefixLength() {
    return prefixLength;
  }

  /** Returns the connected subnet, e.g. {@code 10.244.1.0/24} for {@code 10.244.1.5/24}. */
  public Cidr subnet() {
    return Cidr.containing(address(), prefixLength);
  }

  /** Whether the address with bits {@code bits} lies in the {@link #subnet}, allocating nothing. */
  public boolean subnetContains(int bits) {
    int mask = Cidr.maskOf(prefixLength);
    return (bits & mask) == (address & mask);
  }

  /** Returns the subnet's broadcast address, e.g. {@code 10.244.1.255} for a /24. */
  public Ipv4Address broadcast() {
    return Ipv4Address.of(address | ~Cidr.maskOf(prefixLength));
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof IfAddress
        && ((IfAddress) o).address == address
        && ((IfAddress) o).prefixLength == prefixLength;
  }

  @Override
  public int hashCode() {
    return 31 * address + prefixLength;
  }

  /** Returns the address as {@code 10.244.1.5/24}. */
  @Override
  public String toString() {
    return Ipv4Address.format(address) + "/" + prefixLength;
  }
}
