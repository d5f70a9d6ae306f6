package io.podnet.dataplane.bgp;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Network;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import java.util.HashMap;

/**
 * The canonical instances of a network's BGP values, shared by all its speakers: equal path
 * attributes, equal paths, and the prefixes and gateways of kernel routes are held once, however
 * many speakers learn them. A route reflector tells each of its thousands of clients the same
 * attributes for a prefix, and every client installs a route to that prefix via the same next hop;
 * without this, a cluster of n nodes would hold n copies of each. The maps are only looked up,
 * never iterated, so their order never shows.
 *
 * <pre>{@code
 * Canonical values = Canonical.of(ns.host().network());
 * PathAttributes a = values.attributes(decoded); // equal to decoded, possibly another instance
 * }</pre>
 */
final class Canonical {

  private final HashMap<PathAttributes, PathAttributes> attributes = new HashMap<>();
  private final HashMap<Path, Path> paths = new HashMap<>();
  private final Long2ObjectOpenHashMap<Cidr> prefixes = new Long2ObjectOpenHashMap<>();
  private final Int2ObjectOpenHashMap<Ipv4Address> addresses = new Int2ObjectOpenHashMap<>();

  private Canonical() {}

  /** The values of {@code network}'s speakers. */
  static Canonical of(Network network) {
    return network.shared(Canonical.class, Canonical::new);
  }

  /** The instance equal to {@code a}: the first such seen, else {@code a} itself. */
  PathAttributes attributes(PathAttributes a) {
    PathAttributes known = attributes.putIfAbsent(a, a);
    return known == null ? a : known;
  }

  /** The instance equal to {@code p}: the first such seen, else {@code p} itself. */
  Path path(Path p) {
    Path known = paths.putIfAbsent(p, p);
    return known == null ? p : known;
  }

  /** The prefix packed by {@link Prefixes}, one instance per prefix. */
  Cidr prefix(long packed) {
    return prefixes.computeIfAbsent(packed, Prefixes::cidr);
  }

  /** The address with these bits, one instance per address. */
  Ipv4Address address(int bits) {
    return addresses.computeIfAbsent(bits, Ipv4Address::of);
  }
}
