package io.podnet.cni.ipam;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;

/**
 * One canonical host-local range: a subnet and the inclusive addresses {@code [start, end]} handed
 * out from it, with the gateway that the allocator skips. Addresses are raw IPv4 bits, compared
 * unsigned.
 *
 * @param subnet the network the addresses belong to
 * @param start the first address handed out, inclusive
 * @param end the last address handed out, inclusive
 * @param gateway the gateway (never handed out; may lie outside {@code [start, end]})
 */
record Range(Cidr subnet, int start, int end, int gateway) {

  /** Whether {@code ip} is in the subnet and within {@code [start, end]}. */
  boolean contains(int ip) {
    return subnet.contains(ip)
        && Integer.compareUnsigned(ip, start) >= 0
        && Integer.compareUnsigned(ip, end) <= 0;
  }

  /** Whether this range and {@code other} share an address (host-local's {@code Overlaps}). */
  boolean overlaps(Range other) {
    return contains(other.start)
        || contains(other.end)
        || other.contains(start)
        || other.contains(end);
  }

  /** {@code start-end}, as host-local prints a range in its messages. */
  @Override
  public String toString() {
    return Ipv4Address.format(start) + "-" + Ipv4Address.format(end);
  }
}
