package io.podnet.core.net;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A namespace's main IPv4 routing table with longest-prefix match. Routes are kept in one hash map
 * per prefix length, and a bit mask records which lengths are present, so a lookup probes at most
 * one map per present length, longest first. Among routes to the same prefix the lowest metric
 * wins; like the kernel, a second route with the same prefix and metric is refused. The table may
 * also hold the routes of one {@link SharedRoutes} set, bound to one of its devices: they count,
 * show and match like its own (metric 0). Attached, it holds all but those it excludes, and
 * removing one only hides it from this table; pooling, it holds those added to it, with a bit each.
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

  private @Nullable SharedRoutes shared;
  private @Nullable Device sharedDevice;

  private static final long[] NO_BITS = {};

  /** The shared routes this table does not hold, by {@link #key}, when attached (made on need). */
  private @Nullable LongOpenHashSet excluded;

  /** Whether the table pools its routes in the set rather than attaching it. */
  private boolean pooling;

  /** When pooling, a bit per {@linkplain SharedRoutes.Entry#slot slot} of the entries held. */
  private long[] held = NO_BITS;

  /**
   * When pooling, a bit per {@linkplain SharedRoutes.Entry#prefixSlot prefix slot} of the prefixes
   * the table holds an entry to (one at most each), so that a prefix reached by many gateways (one
   * per rack) is known not held without a test per gateway.
   */
  private long[] heldPrefixes = NO_BITS;

  private int heldCount;

  /** The last shared route looked up, bound to the device, and the entry it was made from. */
  private SharedRoutes.@Nullable Entry cachedEntry;

  private @Nullable Route cachedRoute;

  RoutingTable() {}

  /**
   * Holds the routes of {@code set} through {@code dev}, except those to the {@code excluded}
   * prefixes. {@link IllegalStateException} if the table holds a set already or tables pool in it;
   * {@link IllegalArgumentException} if one of its routes clashes with a route of the table (same
   * prefix, metric 0), as {@code ip route add} would refuse it.
   */
  void attach(SharedRoutes set, Device dev, List<Cidr> excludedPrefixes) {
    if (shared != null) {
      throw new IllegalStateException("the routing table holds shared routes already");
    }
    if (set.pooled()) {
      throw new IllegalStateException("the set is filled by the tables that pool routes in it");
    }
    LongOpenHashSet skip = new LongOpenHashSet(excludedPrefixes.size());
    for (Cidr c : excludedPrefixes) {
      skip.add(key(c.prefixLength(), c.networkInt()));
    }
    for (int length = 0; length <= 32; length++) {
      Int2ObjectOpenHashMap<Object> map = byLength[length];
      if (map == null || set.count(length) == 0) {
        continue;
      }
      int[] networks = map.keySet().toIntArray();
      Arrays.sort(networks);
      for (int network : networks) {
        Cidr dst = Cidr.of(Ipv4Address.of(network), length);
        if (set.get(length, network) != null
            && !skip.contains(key(length, network))
            && hasOwnRoute(dst, 0)) {
          throw clash(dst, 0, bucket(dst)[0]);
        }
      }
    }
    set.attached();
    shared = set;
    sharedDevice = dev;
    excluded = skip.isEmpty() ? null : skip;
  }

  private LongOpenHashSet excluded() {
    LongOpenHashSet e = excluded;
    if (e == null) {
      e = new LongOpenHashSet(0);
      excluded = e;
    }
    return e;
  }

  /**
   * Keeps the routes later added through {@code dev} that the set can share in {@code set}: one
   * entry for every table holding the same route, a bit here. {@link IllegalStateException} if the
   * table holds a set already, or the set's owner put routes in it.
   */
  void pool(SharedRoutes set, Device dev) {
    if (shared != null) {
      throw new IllegalStateException("the routing table holds shared routes already");
    }
    set.startPooling();
    shared = set;
    sharedDevice = dev;
    pooling = true;
  }

  private boolean holdsSlot(int slot) {
    return isSet(held, slot);
  }

  private boolean holdsPrefix(int prefixSlot) {
    return isSet(heldPrefixes, prefixSlot);
  }

  private static boolean isSet(long[] bits, int i) {
    int word = i >>> 6;
    return word < bits.length && (bits[word] & 1L << i) != 0;
  }

  /** {@code bits} with bit {@code i} set, grown when it is too short. */
  private static long[] set(long[] bits, int i) {
    int word = i >>> 6;
    long[] b = word < bits.length ? bits : Arrays.copyOf(bits, Math.max(word + 1, 2 * bits.length));
    b[word] |= 1L << i;
    return b;
  }

  private static long key(int length, int network) {
    return (long) length << 32 | (network & 0xFFFF_FFFFL);
  }

  /** The shared route to exactly {@code network/length} that this table holds, or null. */
  private SharedRoutes.@Nullable Entry sharedEntry(int length, int network) {
    SharedRoutes set = shared;
    if (set == null || (set.presentLengths() & 1L << length) == 0) {
      return null;
    }
    SharedRoutes.Entry e = set.get(length, network);
    if (e == null) {
      return null;
    }
    if (pooling) {
      if (!holdsPrefix(e.prefixSlot)) {
        return null;
      }
      while (e != null && !holdsSlot(e.slot)) {
        e = e.next;
      }
      return e;
    }
    return excluded != null && excluded.contains(key(length, network)) ? null : e;
  }

  /** The shared entry as a route of this table; the last one is kept, so a flow allocates once. */
  private Route bind(SharedRoutes.Entry e) {
    if (e != cachedEntry) {
      cachedRoute = e.on(sharedDevice);
      cachedEntry = e;
    }
    return cachedRoute;
  }

  private long lengths() {
    return shared == null ? presentLengths : presentLengths | shared.presentLengths();
  }

  /**
   * The best route for {@code destination}: the longest matching prefix, lowest metric first; null
   * if none matches.
   */
  public @Nullable Route lookup(int destination) {
    long mask = lengths();
    while (mask != 0) {
      int length = 63 - Long.numberOfLeadingZeros(mask);
      mask &= ~(1L << length);
      int key = length == 0 ? 0 : destination & (-1 << (32 - length));
      Int2ObjectOpenHashMap<Object> map = byLength[length];
      Object routes = map == null ? null : map.get(key);
      Route own = routes == null ? null : routes instanceof Route r ? r : ((Route[]) routes)[0];
      if (own != null && (own.metric() == 0 || shared == null)) {
        return own;
      }
      SharedRoutes.Entry e = shared == null ? null : sharedEntry(length, key);
      if (e != null) {
        return bind(e);
      }
      if (own != null) {
        return own;
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
    long longer = blockLength == 32 ? 0 : lengths() & (-1L << (blockLength + 1));
    while (longer != 0) {
      int length = Long.numberOfTrailingZeros(longer);
      longer &= longer - 1;
      Int2ObjectOpenHashMap<Object> map = byLength[length];
      int own = map == null ? 0 : map.size();
      int others = shared == null ? 0 : shared.count(length);
      int shift = length - blockLength;
      if (shift < 31 && (1L << shift) <= own + others) {
        int step = 1 << (32 - length);
        for (long i = 0; i < (1L << shift); i++) {
          if (holds(length, network + (int) (i * step))) {
            return false;
          }
        }
      } else {
        if (map != null) {
          for (int key : map.keySet()) {
            if (block.contains(key)) {
              return false;
            }
          }
        }
        if (others > 0) {
          for (int key : shared.networks(length)) {
            if (block.contains(key) && sharedEntry(length, key) != null) {
              return false;
            }
          }
        }
      }
    }
    return true;
  }

  /** Whether the table holds a route to exactly {@code network/length}, its own or shared. */
  private boolean holds(int length, int network) {
    Int2ObjectOpenHashMap<Object> map = byLength[length];
    return (map != null && map.containsKey(network)) || sharedEntry(length, network) != null;
  }

  /** Every route, in the order {@code ip route show} lists them. */
  public List<Route> routes() {
    List<Route> all = new ArrayList<>(size());
    for (Int2ObjectOpenHashMap<Object> map : byLength) {
      if (map != null) {
        for (Object routes : map.values()) {
          all.addAll(List.of(routes(routes)));
        }
      }
    }
    all.addAll(sharedRoutes());
    all.sort(DISPLAY_ORDER);
    return all;
  }

  /** The shared routes this table holds, bound to its device, in no particular order. */
  private List<Route> sharedRoutes() {
    if (shared == null) {
      return List.of();
    }
    List<Route> out = new ArrayList<>(shared.size());
    for (SharedRoutes.Entry e : shared.entries()) {
      Cidr dst = e.destination();
      if (sharedEntry(dst.prefixLength(), dst.networkInt()) == e) {
        out.add(e.on(sharedDevice));
      }
    }
    return out;
  }

  /** Number of routes, own and shared. */
  public int size() {
    if (shared == null) {
      return size;
    }
    if (pooling) {
      return size + heldCount;
    }
    int hidden = 0;
    if (excluded != null) {
      for (long k : excluded) {
        if (shared.get((int) (k >>> 32), (int) k) != null) {
          hidden++;
        }
      }
    }
    return size + shared.size() - hidden;
  }

  /** Whether an equal route is present. */
  public boolean contains(Route route) {
    Route[] routes = bucket(route.destination());
    if (routes != null) {
      for (Route r : routes) {
        if (r.equals(route)) {
          return true;
        }
      }
    }
    return sharedMatch(route) != null;
  }

  /** The shared entry this table holds that binds to exactly {@code route}, or null. */
  private SharedRoutes.@Nullable Entry sharedMatch(Route route) {
    Cidr dst = route.destination();
    SharedRoutes.Entry e = sharedEntry(dst.prefixLength(), dst.networkInt());
    return e != null && route.device() == sharedDevice && e.on(sharedDevice).equals(route)
        ? e
        : null;
  }

  /** The route to exactly {@code destination} with this metric, own or shared; null if none. */
  public @Nullable Route route(Cidr destination, int metric) {
    Route own = ownRoute(destination, metric);
    if (own != null) {
      return own;
    }
    SharedRoutes.Entry e =
        metric == 0 ? sharedEntry(destination.prefixLength(), destination.networkInt()) : null;
    return e == null ? null : bind(e);
  }

  /** The table's own route to exactly {@code destination} with this metric, or null. */
  private @Nullable Route ownRoute(Cidr destination, int metric) {
    Route[] routes = bucket(destination);
    if (routes != null) {
      for (Route r : routes) {
        if (r.metric() == metric) {
          return r;
        }
      }
    }
    return null;
  }

  /**
   * Whether the route to exactly {@code destination} with metric 0, own or shared, is {@code
   * destination via gateway dev device [onlink] proto protocol} ({@link Route#viaGateway}); asked
   * without making a shared route, as a BGP speaker asks it of each of thousands of its routes.
   */
  public boolean holdsGatewayRoute(
      Cidr destination, Ipv4Address gateway, Device device, boolean onlink, String protocol) {
    Route own = ownRoute(destination, 0);
    if (own != null) {
      return own.isViaGateway(gateway, device, onlink, protocol);
    }
    SharedRoutes.Entry e = sharedEntry(destination.prefixLength(), destination.networkInt());
    return e != null && device == sharedDevice && e.isVia(gateway.toInt(), onlink, protocol);
  }

  /** Whether some route to exactly {@code destination} has this metric, own or shared. */
  boolean hasRoute(Cidr destination, int metric) {
    return hasOwnRoute(destination, metric)
        || (metric == 0
            && sharedEntry(destination.prefixLength(), destination.networkInt()) != null);
  }

  private boolean hasOwnRoute(Cidr destination, int metric) {
    return ownRoute(destination, metric) != null;
  }

  void add(Route route) {
    Cidr dst = route.destination();
    int length = dst.prefixLength();
    SharedRoutes.Entry sharedClash =
        route.metric() == 0 ? sharedEntry(length, dst.networkInt()) : null;
    if (sharedClash != null) {
      throw clash(dst, 0, sharedClash.on(sharedDevice));
    }
    if (byLength[length] == null) {
      byLength[length] = new Int2ObjectOpenHashMap<>(NetNamespace.SMALL_MAP);
    }
    Object stored = byLength[length].get(dst.networkInt());
    Route[] old = stored == null ? null : routes(stored);
    if (old != null) {
      for (Route r : old) {
        if (r.metric() == route.metric()) {
          throw clash(dst, route.metric(), r);
        }
      }
    }
    if (pooling && route.metric() == 0 && addPooled(route)) {
      return;
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

  /** Holds {@code route} through the pool, if the pool can share it; false if not. */
  private boolean addPooled(Route route) {
    SharedRoutes.Entry e = shared.hold(route, sharedDevice);
    if (e == null) {
      return false;
    }
    markHeld(e);
    return true;
  }

  /**
   * Adds {@code <dst> via <gw> dev <dev> [onlink] proto <protocol>}, as {@link #add} adds that
   * route, checked the same way; when the table pools routes through {@code dev}, the route is not
   * built, and the prefix is looked up in the set once. Returns the pooled entry that now holds the
   * route, or null when the table holds a route of its own.
   */
  SharedRoutes.@Nullable Entry addGatewayRoute(
      Cidr dst, Ipv4Address gw, Device dev, boolean onlink, String protocol) {
    if (!pooling || dev != sharedDevice) {
      add(Route.viaGateway(dst, gw, dev, onlink, protocol));
      return null;
    }
    int length = dst.prefixLength();
    int network = dst.networkInt();
    SharedRoutes.Entry head = shared.get(length, network);
    if (head != null && holdsPrefix(head.prefixSlot)) {
      throw clash(dst, 0, Objects.requireNonNull(sharedEntry(length, network)).on(sharedDevice));
    }
    SharedRoutes.Entry same = SharedRoutes.find(head, gw.toInt(), onlink, protocol);
    Int2ObjectOpenHashMap<Object> map = byLength[length];
    Object stored = map == null ? null : map.get(network);
    if (stored != null) {
      for (Route r : routes(stored)) {
        if (r.metric() == 0) {
          throw clash(dst, 0, r);
        }
      }
    }
    SharedRoutes.Entry held = shared.hold(head, same, dst, gw, onlink, protocol);
    markHeld(held);
    return held;
  }

  /** What {@code ip route add} says of a route whose prefix and metric a held route has. */
  private static IllegalArgumentException clash(Cidr dst, int metric, Route held) {
    return new IllegalArgumentException(
        "route to " + dst + " with metric " + metric + " already exists: " + held);
  }

  private void markHeld(SharedRoutes.Entry e) {
    held = set(held, e.slot);
    heldPrefixes = set(heldPrefixes, e.prefixSlot);
    heldCount++;
  }

  boolean remove(Route route) {
    if (removeIf(r -> r.equals(route), route.destination()) > 0) {
      return true;
    }
    SharedRoutes.Entry e = sharedMatch(route);
    if (e == null) {
      return false;
    }
    hide(e);
    return true;
  }

  private void hide(SharedRoutes.Entry e) {
    if (pooling) {
      held[e.slot >>> 6] &= ~(1L << e.slot);
      heldPrefixes[e.prefixSlot >>> 6] &= ~(1L << e.prefixSlot);
      heldCount--;
      shared.release(e);
    } else {
      excluded().add(key(e.destination().prefixLength(), e.destination().networkInt()));
    }
  }

  /** Removes every route matching the filter, own or shared; returns how many. */
  int removeIf(Predicate<Route> filter) {
    int removed = 0;
    if (shared != null) {
      for (SharedRoutes.Entry e : shared.entries()) {
        Cidr dst = e.destination();
        if (sharedEntry(dst.prefixLength(), dst.networkInt()) == e
            && filter.test(e.on(sharedDevice))) {
          hide(e);
          removed++;
        }
      }
    }
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
