package io.podnet.dataplane.bgp;

import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import java.util.Arrays;
import java.util.Objects;

/**
 * A speaker's RIB: for each prefix, named by its {@link Canonical#prefixId id}, its candidate paths
 * by {@link Canonical} path id, the best first, and the gateway of the kernel route installed for
 * it. The entries are primitive arrays indexed by the prefix id: a client of a route reflector in a
 * cluster of n nodes holds n entries, and the n² entries of the cluster are neither objects nor
 * references the collector has to trace or a young collection has to scan.
 *
 * <p>Prefix ids count from 0 in the order the network first meets the prefixes, and a reflector
 * tells its clients of new prefixes in about that order, so the entries an UPDATE after another
 * touches lie side by side (a hash table would scatter them, and at thousands of clients each touch
 * would miss the cache). The arrays are at least as long as the highest id ever added (they grow by
 * half and never shrink), which in a cluster, where every node learns nearly every prefix, is about
 * the number of entries.
 *
 * <p>Nearly every prefix has one or two candidates (a client of two reflectors), held in its entry;
 * a third and more are kept beside it. The table is only looked up by id; {@link #prefixes} leaves
 * the order to the caller.
 */
final class Rib {

  private static final long FREE = -1;
  private static final int NONE = -1;

  /** Set in the second candidate's word when the entry has more than two candidates. */
  private static final int MORE = 1 << 30;

  /** The candidates of prefix {@code p} at {@code p}: best, then second; {@link #FREE} if none. */
  private long[] words = new long[0];

  private int[] gateways = new int[0];
  private int size;

  /** The candidates from index 2 on, of the entries that have more than two. */
  private final Int2ObjectOpenHashMap<int[]> more = new Int2ObjectOpenHashMap<>();

  /**
   * Whether prefix {@code p} has an entry; false for -1, no prefix ({@link
   * Canonical#knownPrefixId}).
   */
  boolean contains(int p) {
    return p >= 0 && p < words.length && words[p] != FREE;
  }

  /** Adds an entry for prefix {@code p}, which has none, with the one candidate {@code path}. */
  void add(int p, int path) {
    if (path < 0 || path >= MORE) {
      throw new IllegalArgumentException("path id out of range: " + path);
    }
    if (p < 0) {
      throw new IllegalArgumentException("prefix id out of range: " + p);
    }
    if (contains(p)) {
      throw new IllegalStateException("prefix " + p + " already has an entry");
    }
    if (p >= words.length) {
      grow(p);
    }
    words[p] = word(path, NONE);
    gateways[p] = 0;
    size++;
  }

  /** Removes the entry of prefix {@code p}, which must have one, with all its candidates. */
  void remove(int p) {
    if (!contains(p)) {
      throw new IllegalStateException("no entry to remove");
    }
    int second = second(p);
    if (second != NONE && (second & MORE) != 0) {
      more.remove(p);
    }
    words[p] = FREE;
    gateways[p] = 0;
    size--;
  }

  private void grow(int p) {
    int length = Math.max(Math.max(p + 1, 16), words.length + (words.length >> 1));
    int old = words.length;
    words = Arrays.copyOf(words, length);
    Arrays.fill(words, old, length, FREE);
    gateways = Arrays.copyOf(gateways, length);
  }

  /** Number of entries. */
  int size() {
    return size;
  }

  /** The prefixes that have an entry, by id. */
  int[] prefixes() {
    int[] out = new int[size];
    int n = 0;
    for (int p = 0; p < words.length; p++) {
      if (words[p] != FREE) {
        out[n++] = p;
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- candidates of an entry

  private static long word(int best, int second) {
    return (long) best << 32 | (second & 0xFFFF_FFFFL);
  }

  /** The second candidate's word: {@link #NONE}, or its path id with {@link #MORE} perhaps set. */
  private int second(int p) {
    return (int) words[p];
  }

  private int[] rest(int p) {
    return Objects.requireNonNull(more.get(p));
  }

  /** The best candidate's path id. */
  int best(int p) {
    return (int) (words[p] >>> 32);
  }

  /** Number of candidates, at least one. */
  int count(int p) {
    int second = second(p);
    return second == NONE ? 1 : (second & MORE) == 0 ? 2 : 2 + rest(p).length;
  }

  /** The path id of candidate {@code i}; 0 is the best. */
  int get(int p, int i) {
    return switch (i) {
      case 0 -> best(p);
      case 1 -> second(p) & ~MORE;
      default -> rest(p)[i - 2];
    };
  }

  /** Replaces candidate {@code i}, which the entry has, by {@code path}. */
  void set(int p, int i, int path) {
    if (i > 0 && i >= count(p)) {
      throw new IllegalStateException("the entry has no candidate " + i);
    }
    int second = second(p);
    switch (i) {
      case 0 -> words[p] = word(path, second);
      case 1 -> words[p] = word(best(p), path | (second & MORE));
      default -> rest(p)[i - 2] = path;
    }
  }

  /** Adds {@code path} as the last candidate. */
  void append(int p, int path) {
    if (path < 0 || path >= MORE) {
      throw new IllegalArgumentException("path id out of range: " + path);
    }
    int second = second(p);
    if (second == NONE) {
      words[p] = word(best(p), path);
    } else if ((second & MORE) == 0) {
      more.put(p, new int[] {path});
      words[p] = word(best(p), second | MORE);
    } else {
      int[] r = rest(p);
      int[] bigger = Arrays.copyOf(r, r.length + 1);
      bigger[r.length] = path;
      more.put(p, bigger);
    }
  }

  /** Removes candidate {@code i}; the entry must keep at least one. */
  void removeAt(int p, int i) {
    int n = count(p);
    if (n < 2) {
      throw new IllegalStateException("an entry keeps at least one candidate");
    }
    for (int k = i; k < n - 1; k++) {
      set(p, k, get(p, k + 1));
    }
    if (n == 2) {
      words[p] = word(best(p), NONE);
    } else if (n == 3) {
      more.remove(p);
      words[p] = word(best(p), second(p) & ~MORE);
    } else {
      more.put(p, Arrays.copyOf(rest(p), n - 3));
    }
  }

  /** Swaps candidate {@code i} with the best. */
  void promote(int p, int i) {
    if (i != 0) {
      int path = get(p, i);
      set(p, i, best(p));
      set(p, 0, path);
    }
  }

  /** The gateway of the route installed for the entry, or 0 when none is. */
  int gateway(int p) {
    return gateways[p];
  }

  /** Records the gateway of the route installed for the entry (0: none). */
  void setGateway(int p, int gateway) {
    gateways[p] = gateway;
  }
}
