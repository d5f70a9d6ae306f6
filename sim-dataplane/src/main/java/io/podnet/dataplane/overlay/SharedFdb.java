package io.podnet.dataplane.overlay;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import it.unimi.dsi.fastutil.longs.Long2ObjectLinkedOpenHashMap;
import org.jspecify.annotations.Nullable;

/**
 * VXLAN forwarding entries that many nodes hold alike, kept once: a unicast MAC and the VTEP it
 * lives behind. A device that {@linkplain VxlanDevice#attachFdb attaches} the set sends frames for
 * each MAC of it (but the one it excludes) as if it held {@code bridge fdb append <mac> dev
 * <device> dst <vtep> self permanent}; an entry put in or removed from the set changes every such
 * device at once. An overlay agent's entry for every other node's VXLAN device is one of these.
 */
public final class SharedFdb {

  private final Long2ObjectLinkedOpenHashMap<Ipv4Address> entries =
      new Long2ObjectLinkedOpenHashMap<>();

  /** An empty set. */
  public SharedFdb() {}

  /** Puts the entry for the unicast {@code mac}, replacing any. */
  public void put(MacAddress mac, Ipv4Address vtep) {
    if (mac.isMulticast() || mac.equals(MacAddress.ZERO)) {
      throw new IllegalArgumentException("shared fdb MAC must be unicast: " + mac);
    }
    entries.put(mac.toLong(), vtep);
  }

  /** Removes the entry for {@code mac}; false if there is none. */
  public boolean remove(MacAddress mac) {
    return entries.remove(mac.toLong()) != null;
  }

  /** Number of entries. */
  public int size() {
    return entries.size();
  }

  /** The VTEP of the MAC bits, or null. */
  @Nullable Ipv4Address get(long mac) {
    return entries.get(mac);
  }

  /** The MACs' bits, in the order they were first put. */
  long[] macs() {
    return entries.keySet().toLongArray();
  }
}
