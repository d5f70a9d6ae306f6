package io.podnet.dataplane.bgp;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;

/**
 * IPv4 prefixes packed into a {@code long} ({@code network << 8 | length}), so that RIBs key on
 * primitives and sort by network, then length.
 */
final class Prefixes {

  private Prefixes() {}

  static long pack(int network, int length) {
    return (network & 0xFFFF_FFFFL) << 8 | length;
  }

  static long pack(Cidr cidr) {
    return pack(cidr.networkInt(), cidr.prefixLength());
  }

  static int network(long prefix) {
    return (int) (prefix >>> 8);
  }

  static int length(long prefix) {
    return (int) (prefix & 0xFF);
  }

  static Cidr cidr(long prefix) {
    return Cidr.of(Ipv4Address.of(network(prefix)), length(prefix));
  }

  /** Appends the prefix as {@code 10.244.2.0/26} to {@code out}; returns {@code out}. */
  static StringBuilder appendTo(StringBuilder out, long prefix) {
    Ipv4Address.appendTo(out, network(prefix));
    return out.append('/').append(length(prefix));
  }

  static String address(int ip) {
    return Ipv4Address.of(ip).toString();
  }
}
