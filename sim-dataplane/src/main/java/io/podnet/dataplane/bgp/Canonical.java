package io.podnet.dataplane.bgp;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Network;
import it.unimi.dsi.fastutil.HashCommon;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import java.util.HashMap;
import org.jspecify.annotations.Nullable;

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

  /**
   * The canonical paths in an open-addressing table (linear probing, at most half full) with each
   * one's hash beside it, so a path is looked up by its values before any is made.
   */
  private Path[] paths = new Path[INITIAL_PATHS];

  private int[] pathHashes = new int[INITIAL_PATHS];
  private int pathCount;
  private static final int INITIAL_PATHS = 1024;

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
    return path(p.attrs, p.local, p.ebgp, p.peerRouterId, p.peerAddress, p.igpCost, p);
  }

  /**
   * The instance equal to {@link Path#learned Path.learned(attrs, ebgp, peerRouterId, peerAddress,
   * igpCost)}: the first such seen, else a new one, made only then.
   */
  Path learned(PathAttributes attrs, boolean ebgp, int peerRouterId, int peerAddress, int igpCost) {
    return path(attrs, false, ebgp, peerRouterId, peerAddress, igpCost, null);
  }

  private Path path(
      PathAttributes attrs,
      boolean local,
      boolean ebgp,
      int peerRouterId,
      int peerAddress,
      int igpCost,
      @Nullable Path made) {
    int hash = Path.hash(attrs, local, ebgp, peerRouterId, peerAddress, igpCost);
    Path[] table = paths;
    int mask = table.length - 1;
    int i = HashCommon.mix(hash) & mask;
    for (Path p = table[i]; p != null; p = table[i]) {
      if (pathHashes[i] == hash && p.is(attrs, local, ebgp, peerRouterId, peerAddress, igpCost)) {
        return p;
      }
      i = (i + 1) & mask;
    }
    Path p = made != null ? made : Path.learned(attrs, ebgp, peerRouterId, peerAddress, igpCost);
    table[i] = p;
    pathHashes[i] = hash;
    if (++pathCount * 2 > table.length) {
      growPaths();
    }
    return p;
  }

  private void growPaths() {
    Path[] old = paths;
    int[] oldHashes = pathHashes;
    paths = new Path[old.length * 2];
    pathHashes = new int[old.length * 2];
    int mask = paths.length - 1;
    for (int j = 0; j < old.length; j++) {
      if (old[j] != null) {
        int i = HashCommon.mix(oldHashes[j]) & mask;
        while (paths[i] != null) {
          i = (i + 1) & mask;
        }
        paths[i] = old[j];
        pathHashes[i] = oldHashes[j];
      }
    }
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
