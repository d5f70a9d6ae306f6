package io.podnet.core.net;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import it.unimi.dsi.fastutil.ints.Int2ObjectLinkedOpenHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Permanent neighbour entries that many nodes hold alike, kept once: an address and its MAC. A
 * device that {@linkplain NetNamespace#attachNeighbours attaches} the set resolves each address of
 * it (but those it excludes) as if it held {@code ip neigh replace <address> lladdr <mac> dev
 * <device> nud permanent}; an entry put in or removed from the set changes every such device at
 * once. An overlay agent's entry for every other node's tunnel address is one of these.
 */
public final class SharedNeighbours {

  private final Int2ObjectLinkedOpenHashMap<MacAddress> entries =
      new Int2ObjectLinkedOpenHashMap<>();

  /** An empty set. */
  public SharedNeighbours() {}

  /** Puts the entry for {@code address}, replacing any. */
  public void put(Ipv4Address address, MacAddress mac) {
    entries.put(address.toInt(), mac);
  }

  /** Removes the entry for {@code address}; false if there is none. */
  public boolean remove(Ipv4Address address) {
    return entries.remove(address.toInt()) != null;
  }

  /** Number of entries. */
  public int size() {
    return entries.size();
  }

  /** The MAC of {@code address}, or null. */
  @Nullable MacAddress get(int address) {
    return entries.get(address);
  }

  /** The addresses, in the order they were first put. */
  int[] addresses() {
    return entries.keySet().toIntArray();
  }
}
