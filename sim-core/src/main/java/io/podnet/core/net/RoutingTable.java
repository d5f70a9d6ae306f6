package io.podnet.core.net;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A namespace's main IPv4 routing table with longest-prefix match. Routes are kept in one hash map
 * per prefix length, and a bit mask records which lengths are present, so a lookup probes at most
 * one map per present length, longest first. Among routes to the same prefix the lowest metric
 * wins; like the kernel, a second route with the same prefix and metric is refused.
 */
public final class RoutingTable {

  private static final Comparator<Route> DISPLAY_ORDER =
      Comparator.comparing((Route r) -> r.destination().networkInt(), Integer::compareUnsigned)
          .thenComparing(r -> -r.destination().prefixLength())
          .thenComparingInt(Route::metric);

  @SuppressWarnings({"unchecked", "rawtypes"}) // a Route, or a Route[] of two or more
  private final Int2ObjectOpenHashMap<Object>[] byLength = new Int2ObjectOpenHashMap[33];

  private long presentLengths;
  private int size;

  RoutingTable() {}

  /**
   * The best route for {@code destination}: the longest matching prefix, lowest metric first; null
   * if none matches.
   */
  public @Nullable Route lookup(int destination) {
    long mask = presentLengths;
    while (mask != 0) {
      int length = 63 - Long.numberOfLeadingZeros(mask);
      mask &= ~(1L << length);
      int key = length == 0 ? 0 : destination & (-1 << (32 - length));
      Object routes = byLength[length].get(key);
      if (routes != null) {
        return routes instanceof Route r ? r : ((Route[]) routes)[0];
      }
    }
    return null;
  }

  /**
   * Whether {@link #lookup} returns the same route (or none) for every address of {@code block}: no
   * route's prefix lies strictly inside the block, so every address of it falls to the best route
   * covering the whole block. Costs at most one probe per address of the block or one visit per
   * longer route, whichever is fewer, for each prefix length longer than the block's.
   */
  public boolean isUniformOver(Cidr block) {
    int blockLength = block.prefixLength();
    int network = block.networkInt();
    long longer = blockLength == 32 ? 0 : presentLengths & (-1L << (blockLength + 1));
    while (longer != 0) {
      int length = Long.numberOfTrailingZeros(longer);
      longer &= longer - 1;
      Int2ObjectOpenHashMap<Object> map = byLength[length];
      int shift = length - blockLength;
      if (shift < 31 && (1L << shift) <= map.size()) {
        int step = 1 << (32 - length);
        for (long i = 0; i < (1L << shift); i++) {
          if (map.containsKey(network + (int) (i * step))) {
            return false;
          }
        }
      } else {
        for (int key : map.keySet()) {
          if (block.contains(key)) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** Every route, in the order {@code ip route show} lists them. */
  public List<Route> routes() {
    List<Route> all = new ArrayList<>(size);
    for (Int2ObjectOpenHashMap<Object> map : byLength) {
      if (map != null) {
        for (Object routes : map.values()) {
          all.addAll(List.of(routes(routes)));
        }
      }
    }
    all.sort(DISPLAY_ORDER);
    return all;
  }

  /** Number of routes. */
  public int size() {
    return size;
  }

  /** Whether an equal route is present. */
  public boolean contains(Route route) {
    Route[] routes = bucket(route.destination());
    if (routes == null) {
      return false;
    }
    for (Route r : routes) {
      if (r.equals(route)) {
        return true;
      }
    }
    return false;
  }

  /** Whether some route to exactly {@code destination} has this metric. */
  boolean hasRoute(Cidr destination, int metric) {
    Route[] routes = bucket(destination);
    if (routes != null) {
      for (Route r : routes) {
        if (r.metric() == metric) {
          return true;
        }
      }
    }
    return false;
  }

  void add(Route route) {
    Cidr dst = route.destination();
    int length = dst.prefixLength();
    if (byLength[length] == null) {
      byLength[length] = new Int2ObjectOpenHashMap<>(NetNamespace.SMALL_MAP);
    }
    Object stored = byLength[length].get(dst.networkInt());
    Route[] old = stored == null ? null : routes(stored);
    if (old != null) {
      for (Route r : old) {
        if (r.metric() == route.metric()) {
          throw new IllegalArgumentException(
              "route to " + dst + " with metric " + route.metric() + " already exists: " + r);
        }
      }
    }
    Route[] routes;
    if (old == null) {
      routes = new Route[] {route};
    } else {
      routes = new Route[old.length + 1];
      int i = 0;
      int j = 0;
      while (i < old.length && old[i].metric() < route.metric()) {
        routes[j++] = old[i++];
      }
      routes[j++] = route;
      while (i < old.length) {
        routes[j++] = old[i++];
      }
    }
    byLength[length].put(dst.networkInt(), routes.length == 1 ? routes[0] : routes);
    presentLengths |= 1L << length;
    size++;
  }

  boolean remove(Route route) {
    return removeIf(r -> r.equals(route), route.destination()) > 0;
  }

  /** Removes every route matching the filter; returns how many. */
  int removeIf(Predicate<Route> filter) {
    int removed = 0;
    for (int length = 0; length <= 32; length++) {
      Int2ObjectOpenHashMap<Object> map = byLength[length];
      if (map == null) {
        continue;
      }
      for (int key : map.keySet().toIntArray()) {
        removed += removeIf(filter, Cidr.of(Ipv4Address.of(key), length));
      }
    }
    return removed;
  }

  private int removeIf(Predicate<Route> filter, Cidr dst) {
    Int2ObjectOpenHashMap<Object> map = byLength[dst.prefixLength()];
    Object stored = map == null ? null : map.get(dst.networkInt());
    if (stored == null) {
      return 0;
    }
    Route[] routes = routes(stored);
    List<Route> kept = new ArrayList<>(routes.length);
    for (Route r : routes) {
      if (!filter.test(r)) {
        kept.add(r);
      }
    }
    int removed = routes.length - kept.size();
    if (removed == 0) {
      return 0;
    }
    if (kept.isEmpty()) {
      map.remove(dst.networkInt());
      if (map.isEmpty()) {
        presentLengths &= ~(1L << dst.prefixLength());
      }
    } else {
      map.put(dst.networkInt(), kept.size() == 1 ? kept.get(0) : kept.toArray(new Route[0]));
    }
    size -= removed;
    return removed;
  }

  private Route @Nullable [] bucket(Cidr dst) {
    Int2ObjectOpenHashMap<Object> map = byLength[dst.prefixLength()];
    Object stored = map == null ? null : map.get(dst.networkInt());
    return stored == null ? null : routes(stored);
  }

  /**
   * The routes of one prefix, lowest metric first. A prefix with one route (nearly all of them)
   * stores the route itself, a node of a large cluster holding one per other node.
   */
  private static Route[] routes(Object stored) {
    return stored instanceof Route r ? new Route[] {r} : (Route[]) stored;
  }
}
