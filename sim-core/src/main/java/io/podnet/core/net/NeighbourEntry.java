package io.podnet.core.net;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one neighbour (ARP) entry, as {@code ip neigh show} lists it.
 *
 * @param address the neighbour's IPv4 address
 * @param device the device it was resolved on
 * @param mac its hardware address, or null while incomplete or failed
 * @param state the NUD state
 */
public record NeighbourEntry(
    Ipv4Address address, Device device, @Nullable MacAddress mac, NeighbourState state) {

  /** The entry as {@code ip neigh show} prints it. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder().append(address).append(" dev ").append(device.name());
    if (mac != null) {
      sb.append(" lladdr ").append(mac);
    }
    return sb.append(' ').append(state.name()).toString();
  }
}
