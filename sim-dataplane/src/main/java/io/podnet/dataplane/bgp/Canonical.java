package io.podnet.dataplane.bgp;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Network;
import it.unimi.dsi.fastutil.HashCommon;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The canonical instances of a network's BGP values, shared by all its speakers: equal path
 * attributes, equal paths, and the prefixes and gateways of kernel routes are held once, however
 * many speakers learn them, and each prefix has an id by which speakers index their RIBs. A route
 * reflector tells each of its thousands of clients the same attributes for a prefix, and every
 * client installs a route to that prefix via the same next hop; without this, a cluster of n nodes
 * would hold n copies of each. The tables are only looked up, never iterated, so their order never
 * shows, and they only grow: a value stays for the network's lifetime, as do the bytes each
 * distinct path attribute encoding arrived as.
 *
 * <pre>{@code
 * Canonical values = Canonical.of(ns.host().network());
 * PathAttributes a = values.attributes(decoded); // equal to decoded, possibly another instance
 * }</pre>
 */
final class Canonical {

  private final Table<PathAttributes> attributes = new Table<>(false);
  private final Table<Encoded> encoded = new Table<>(false);
  private final Table<Path> paths = new Table<>(true);
  private final Int2ObjectOpenHashMap<Ipv4Address> addresses = new Int2ObjectOpenHashMap<>();

  /** Prefix ids by packed prefix, and each id's packed prefix, {@code Cidr} and text (lazy). */
  private final Long2IntOpenHashMap prefixIds = new Long2IntOpenHashMap();

  private long[] packed = new long[1024];
  private @Nullable Cidr[] cidrs = new Cidr[1024];
  private byte[] @Nullable [] prefixTexts = new byte[1024][];
  private int prefixCount;

  private Canonical() {
    prefixIds.defaultReturnValue(-1);
  }

  /** The values of {@code network}'s speakers. */
  static Canonical of(Network network) {
    return network.shared(Canonical.class, Canonical::new);
  }

  /** The instance equal to {@code a}: the first such seen, else {@code a} itself. */
  PathAttributes attributes(PathAttributes a) {
    int hash = a.hashCode();
    Table<PathAttributes> t = attributes;
    int i = t.start(hash);
    for (PathAttributes known = t.at(i); known != null; known = t.at(i)) {
      if (t.hashAt(i) == hash && known.equals(a)) {
        return known;
      }
      i = t.next(i);
    }
    t.put(i, hash, a);
    return a;
  }

  /**
   * The encoding of the path attribute bytes {@code b[start, end)}, with the canonical attributes
   * they decode to as {@link BgpCodec#decodeAttributes} would decode and check them: decoded once
   * per distinct bytes, then found by them. Every client of a route reflector receives the same
   * bytes for a route, so only the first decodes them; and each receives the reflector's UPDATEs in
   * the same order, so the encoding that followed {@code previous} for the last receiver, {@code
   * previous.next}, is tried first, by comparing the bytes, before they are looked up. Throws
   * {@link BgpError} as decoding does.
   */
  Encoded encodedAt(
      byte[] b,
      int start,
      int end,
      boolean fourOctetAs,
      boolean needMandatory,
      @Nullable Encoded previous) {
    int flags = (fourOctetAs ? 1 : 0) | (needMandatory ? 2 : 0);
    Encoded guess = previous == null ? null : previous.next;
    if (guess != null
        && guess.flags == flags
        && Arrays.equals(guess.bytes, 0, guess.bytes.length, b, start, end)) {
      return guess;
    }
    Encoded found = lookUp(b, start, end, flags, fourOctetAs, needMandatory);
    if (previous != null) {
      previous.next = found;
    }
    return found;
  }

  private Encoded lookUp(
      byte[] b, int start, int end, int flags, boolean fourOctetAs, boolean needMandatory) {
    int hash = flags;
    int i = start;
    for (; i + 4 <= end; i += 4) {
      hash =
          hash * 0x9E3779B1
              + ((b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8)
              + (b[i + 3] & 0xFF);
    }
    for (; i < end; i++) {
      hash = hash * 31 + b[i];
    }
    Table<Encoded> t = encoded;
    int slot = t.start(hash);
    for (Encoded known = t.at(slot); known != null; known = t.at(slot)) {
      if (t.hashAt(slot) == hash
          && known.flags == flags
          && Arrays.equals(known.bytes, 0, known.bytes.length, b, start, end)) {
        return known;
      }
      slot = t.next(slot);
    }
    PathAttributes a =
        attributes(BgpCodec.decodeAttributes(b, start, end, fourOctetAs, needMandatory));
    Encoded e = new Encoded(Arrays.copyOfRange(b, start, end), flags, a);
    t.put(slot, hash, e);
    return e;
  }

  /**
   * Path attribute bytes, how they were decoded and the canonical attributes they gave; the
   * encoding that followed them for their last receiver; and the path learned from them from the
   * last peer they came from, which is the same reflector for each of its clients.
   */
  static final class Encoded {
    private final byte[] bytes;
    private final int flags;
    final PathAttributes attributes;

    /** The encoding the last receiver of these got next from the same peer, or null. */
    @Nullable Encoded next;

    /** The path id learned from these from the peer at {@link #learnedFrom}, or -1. */
    private int learnedPath = -1;

    private int learnedFrom;
    private int learnedRouterId;
    private boolean learnedEbgp;

    Encoded(byte[] bytes, int flags, PathAttributes attributes) {
      this.bytes = bytes;
      this.flags = flags;
      this.attributes = attributes;
    }

    /**
     * The path id learned from these attributes from the peer at {@code address} with {@code
     * routerId}, external or not, as remembered; -1 when another peer was the last remembered.
     */
    int learnedPath(boolean ebgp, int routerId, int address) {
      return learnedFrom == address && learnedRouterId == routerId && learnedEbgp == ebgp
          ? learnedPath
          : -1;
    }

    /** Remembers the path id {@code path} learned from these attributes from that peer. */
    void rememberLearned(boolean ebgp, int routerId, int address, int path) {
      learnedPath = path;
      learnedFrom = address;
      learnedRouterId = routerId;
      learnedEbgp = ebgp;
    }
  }

  /** The id of the instance equal to {@code p}: the first such seen, else {@code p}'s, now put. */
  int pathId(Path p) {
    return pathId(p.attrs, p.local, p.ebgp, p.peerRouterId, p.peerAddress, p);
  }

  /**
   * The id of the instance equal to {@link Path#learned Path.learned(attrs, ebgp, peerRouterId,
   * peerAddress)}: the first such seen, else a new one, made only then.
   */
  int learnedId(PathAttributes attrs, boolean ebgp, int peerRouterId, int peerAddress) {
    return pathId(attrs, false, ebgp, peerRouterId, peerAddress, null);
  }

  /** The canonical path with id {@code id}, as given by {@link #pathId} or {@link #learnedId}. */
  Path path(int id) {
    return paths.byId(id);
  }

  private int pathId(
      PathAttributes attrs,
      boolean local,
      boolean ebgp,
      int peerRouterId,
      int peerAddress,
      @Nullable Path made) {
    int hash = Path.hash(attrs, local, ebgp, peerRouterId, peerAddress);
    Table<Path> t = paths;
    int i = t.start(hash);
    for (Path p = t.at(i); p != null; p = t.at(i)) {
      if (t.hashAt(i) == hash && p.is(attrs, local, ebgp, peerRouterId, peerAddress)) {
        return t.idAt(i);
      }
      i = t.next(i);
    }
    Path p = made != null ? made : Path.learned(attrs, ebgp, peerRouterId, peerAddress);
    return t.put(i, hash, p);
  }

  /**
   * The id of the prefix packed by {@link Prefixes}: ids count from 0 in the order the network's
   * speakers first meet prefixes, so they index arrays ({@link Rib}) and never show in an output.
   */
  int prefixId(long prefix) {
    int id = prefixIds.get(prefix);
    if (id < 0) {
      id = prefixCount++;
      if (id == packed.length) {
        packed = Arrays.copyOf(packed, 2 * id);
        cidrs = Arrays.copyOf(cidrs, 2 * id);
        prefixTexts = Arrays.copyOf(prefixTexts, 2 * id);
      }
      packed[id] = prefix;
      prefixIds.put(prefix, id);
    }
    return id;
  }

  /** The id of the prefix packed by {@link Prefixes} if it has one, else -1 (none is made). */
  int knownPrefixId(long prefix) {
    return prefixIds.get(prefix);
  }

  /** The prefix with id {@code id}, packed by {@link Prefixes}. */
  long packed(int id) {
    return packed[id];
  }

  /** The prefix with id {@code id}, one instance per prefix. */
  Cidr prefix(int id) {
    Cidr c = cidrs[id];
    if (c == null) {
      c = Prefixes.cidr(packed[id]);
      cidrs[id] = c;
    }
    return c;
  }

  /** The prefix with id {@code id} as {@link Prefixes#appendTo} writes it, in ASCII. */
  byte[] prefixText(int id) {
    byte[] text = prefixTexts[id];
    if (text == null) {
      text =
          Prefixes.appendTo(new StringBuilder(18), packed[id])
              .toString()
              .getBytes(StandardCharsets.US_ASCII);
      prefixTexts[id] = text;
    }
    return text;
  }

  /** The address with these bits, one instance per address. */
  Ipv4Address address(int bits) {
    return addresses.computeIfAbsent(bits, Ipv4Address::of);
  }

  /**
   * A set of values by hash, open addressing with linear probing, at most half full, each value's
   * hash kept beside it: a lookup compares hashes before it touches a value, and the caller probes
   * with what it knows, so a value is made only when none is found. A numbered table also gives
   * each value an id, counting from 0 in the order values are put.
   */
  private static final class Table<T> {
    private final boolean numbered;
    private Object[] values = new Object[1024];
    private int[] hashes = new int[1024];
    private int[] ids;
    private Object[] byId;
    private int count;

    Table(boolean numbered) {
      this.numbered = numbered;
      this.ids = new int[numbered ? 1024 : 0];
      this.byId = new Object[numbered ? 512 : 0];
    }

    /** The first slot to probe for {@code hash}. */
    int start(int hash) {
      return HashCommon.mix(hash) & (values.length - 1);
    }

    /** The slot probed after {@code i}. */
    int next(int i) {
      return (i + 1) & (values.length - 1);
    }

    /** The value in slot {@code i}, or null when it is free (where the probe ends). */
    @SuppressWarnings("unchecked")
    @Nullable T at(int i) {
      return (T) values[i];
    }

    int hashAt(int i) {
      return hashes[i];
    }

    int idAt(int i) {
      return ids[i];
    }

    /** The value with id {@code id}, in a numbered table. */
    @SuppressWarnings("unchecked")
    T byId(int id) {
      if (!numbered || id < 0 || id >= count) {
        throw new IllegalArgumentException("no value with id " + id);
      }
      return (T) byId[id];
    }

    /**
     * Puts {@code value} in the free slot {@code i} its probe ended at; returns its id (0 in a
     * table that is not numbered).
     */
    int put(int i, int hash, T value) {
      int id = numbered ? count : 0;
      count++;
      values[i] = value;
      hashes[i] = hash;
      if (numbered) {
        ids[i] = id;
        if (id == byId.length) {
          byId = Arrays.copyOf(byId, 2 * id);
        }
        byId[id] = value;
      }
      if (count * 2 > values.length) {
        grow();
      }
      return id;
    }

    private void grow() {
      Object[] oldValues = values;
      int[] oldHashes = hashes;
      int[] oldIds = ids;
      values = new Object[oldValues.length * 2];
      hashes = new int[oldValues.length * 2];
      ids = new int[numbered ? oldValues.length * 2 : 0];
      for (int j = 0; j < oldValues.length; j++) {
        if (oldValues[j] != null) {
          int i = start(oldHashes[j]);
          while (values[i] != null) {
            i = next(i);
          }
          values[i] = oldValues[j];
          hashes[i] = oldHashes[j];
          if (numbered) {
            ids[i] = oldIds[j];
          }
        }
      }
    }
  }
}
