package io.podnet.core.net;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Routes that many nodes hold alike, kept once: {@code <prefix> via <gateway> dev <device> onlink},
 * one per prefix. A routing table that {@linkplain NetNamespace#attachRoutes attaches} the set,
 * naming its own output device, shows and uses each of them as if it held a copy, except the
 * prefixes it excludes; a route put in or removed from the set appears in or leaves every such
 * table at once. An overlay agent's route to every other node's pod subnet is one of these: a
 * cluster of n nodes would otherwise hold n(n-1) route objects.
 *
 * <pre>{@code
 * SharedRoutes peers = new SharedRoutes();
 * peers.put(Cidr.parse("10.244.2.0/24"), Ipv4Address.parse("10.244.2.0"));
 * root.attachRoutes(peers, flannel1, Cidr.parse("10.244.1.0/24")); // all but its own subnet
 * }</pre>
 */
public final class SharedRoutes {

  /** One route of the set, without its device. */
  record Entry(Cidr destination, Ipv4Address gateway) {

    /** The route as a table attached with {@code dev} holds it. */
    Route on(Device dev) {
      return Route.to(destination).via(gateway).dev(dev).onlink().build();
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private final Int2ObjectOpenHashMap<Entry>[] byLength = new Int2ObjectOpenHashMap[33];

  private long presentLengths;
  private int size;

  /** An empty set. */
  public SharedRoutes() {}

  /** Puts the route to {@code destination} through {@code gateway}, replacing any to it. */
  public void put(Cidr destination, Ipv4Address gateway) {
    int length = destination.prefixLength();
    if (byLength[length] == null) {
      byLength[length] = new Int2ObjectOpenHashMap<>();
    }
    if (byLength[length].put(destination.networkInt(), new Entry(destination, gateway)) == null) {
      size++;
    }
    presentLengths |= 1L << length;
  }

  /** Removes the route to {@code destination}; false if there is none. */
  public boolean remove(Cidr destination) {
    int length = destination.prefixLength();
    Int2ObjectOpenHashMap<Entry> map = byLength[length];
    if (map == null || map.remove(destination.networkInt()) == null) {
      return false;
    }
    if (map.isEmpty()) {
      presentLengths &= ~(1L << length);
    }
    size--;
    return true;
  }

  /** Number of routes. */
  public int size() {
    return size;
  }

  /** A bit per prefix length the set holds a route of. */
  long presentLengths() {
    return presentLengths;
  }

  /** The route to exactly the prefix {@code network/length}, or null. */
  @Nullable Entry get(int length, int network) {
    Int2ObjectOpenHashMap<Entry> map = byLength[length];
    return map == null ? null : map.get(network);
  }

  /** Number of routes of one prefix length. */
  int count(int length) {
    Int2ObjectOpenHashMap<Entry> map = byLength[length];
    return map == null ? 0 : map.size();
  }

  /** The networks of the routes of one prefix length (empty if none). */
  int[] networks(int length) {
    Int2ObjectOpenHashMap<Entry> map = byLength[length];
    return map == null ? new int[0] : map.keySet().toIntArray();
  }

  /** Every route of the set, in no particular order. */
  List<Entry> entries() {
    List<Entry> all = new ArrayList<>(size);
    for (Int2ObjectOpenHashMap<Entry> map : byLength) {
      if (map != null) {
        all.addAll(map.values());
      }
    }
    return all;
  }
}
