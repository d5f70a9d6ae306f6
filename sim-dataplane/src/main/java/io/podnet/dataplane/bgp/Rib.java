package io.podnet.dataplane.bgp;

import it.unimi.dsi.fastutil.HashCommon;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import java.util.Arrays;
import java.util.Objects;

/**
 * A speaker's RIB: for each prefix (packed by {@link Prefixes}) its candidate paths by {@link
 * Canonical} path id, the best first, and the gateway of the kernel route installed for it. Open
 * addressing with linear probing over primitive arrays, at most three quarters full: a client of a
 * route reflector in a cluster of n nodes holds n entries, and the n² entries of the cluster are
 * neither objects nor references the collector has to trace or a young collection has to scan.
 *
 * <p>An entry is found by {@link #find}, which gives its slot; a slot stays valid until the next
 * {@link #add} or {@link #remove}, which may move entries. Nearly every prefix has one or two
 * candidates (a client of two reflectors), held in the slot; a third and more are kept beside it.
 * The table is only looked up by prefix; {@link #prefixes} leaves the order to the caller.
 */
final class Rib {

  private static final long FREE = -1;
  private static final int NONE = -1;

  /** Set in the second candidate's word when the entry has more than two candidates. */
  private static final int MORE = 1 << 30;

  /** Key and candidates of slot {@code s} at {@code 2s} and {@code 2s + 1}: best, then second. */
  private long[] table = filled(8);

  private int[] gateways = new int[8];
  private int size;

  /** The candidates from index 2 on, of the entries that have more than two. */
  private final Long2ObjectOpenHashMap<int[]> more = new Long2ObjectOpenHashMap<>();

  private static long[] filled(int slots) {
    long[] t = new long[2 * slots];
    for (int i = 0; i < t.length; i += 2) {
      t[i] = FREE;
    }
    return t;
  }

  private int mask() {
    return gateways.length - 1;
  }

  private int start(long prefix) {
    return (int) HashCommon.mix(prefix) & mask();
  }

  /** The slot of {@code prefix}, or -1 when it has no entry. */
  int find(long prefix) {
    long[] t = table;
    int m = mask();
    for (int s = start(prefix); ; s = (s + 1) & m) {
      long k = t[2 * s];
      if (k == prefix) {
        return s;
      }
      if (k == FREE) {
        return -1;
      }
    }
  }

  /** Adds an entry for {@code prefix}, which has none, with the one candidate {@code path}. */
  int add(long prefix, int path) {
    if (path < 0 || path >= MORE) {
      throw new IllegalArgumentException("path id out of range: " + path);
    }
    if (4 * (size + 1) > 3 * gateways.length) {
      grow();
    }
    long[] t = table;
    int m = mask();
    int s = start(prefix);
    while (t[2 * s] != FREE) {
      s = (s + 1) & m;
    }
    t[2 * s] = prefix;
    t[2 * s + 1] = word(path, NONE);
    gateways[s] = 0;
    size++;
    return s;
  }

  /** Removes the entry of {@code prefix}, which must have one, with all its candidates. */
  void remove(long prefix) {
    int s = find(prefix);
    if (s < 0) {
      throw new IllegalStateException("no entry to remove");
    }
    int second = second(s);
    if (second != NONE && (second & MORE) != 0) {
      more.remove(prefix);
    }
    long[] t = table;
    int m = mask();
    // Backward shift: move up each later entry of the run whose home is not between the hole and
    // it.
    int hole = s;
    for (int j = (hole + 1) & m; t[2 * j] != FREE; j = (j + 1) & m) {
      int home = start(t[2 * j]);
      if (((j - home) & m) >= ((j - hole) & m)) {
        t[2 * hole] = t[2 * j];
        t[2 * hole + 1] = t[2 * j + 1];
        gateways[hole] = gateways[j];
        hole = j;
      }
    }
    t[2 * hole] = FREE;
    gateways[hole] = 0;
    size--;
  }

  private void grow() {
    long[] old = table;
    int[] oldGateways = gateways;
    table = filled(2 * oldGateways.length);
    gateways = new int[2 * oldGateways.length];
    int m = mask();
    for (int j = 0; j < oldGateways.length; j++) {
      long k = old[2 * j];
      if (k != FREE) {
        int s = start(k);
        while (table[2 * s] != FREE) {
          s = (s + 1) & m;
        }
        table[2 * s] = k;
        table[2 * s + 1] = old[2 * j + 1];
        gateways[s] = oldGateways[j];
      }
    }
  }

  /** Number of entries. */
  int size() {
    return size;
  }

  /** The prefixes that have an entry, in no particular order. */
  long[] prefixes() {
    long[] out = new long[size];
    int n = 0;
    for (int i = 0; i < table.length; i += 2) {
      if (table[i] != FREE) {
        out[n++] = table[i];
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- candidates of a slot

  private static long word(int best, int second) {
    return (long) best << 32 | (second & 0xFFFF_FFFFL);
  }

  /** The second candidate's word: {@link #NONE}, or its path id with {@link #MORE} perhaps set. */
  private int second(int s) {
    return (int) table[2 * s + 1];
  }

  private int[] rest(int s) {
    return Objects.requireNonNull(more.get(table[2 * s]));
  }

  /** The best candidate's path id. */
  int best(int s) {
    return (int) (table[2 * s + 1] >>> 32);
  }

  /** Number of candidates, at least one. */
  int count(int s) {
    int second = second(s);
    return second == NONE ? 1 : (second & MORE) == 0 ? 2 : 2 + rest(s).length;
  }

  /** The path id of candidate {@code i}; 0 is the best. */
  int get(int s, int i) {
    return switch (i) {
      case 0 -> best(s);
      case 1 -> second(s) & ~MORE;
      default -> rest(s)[i - 2];
    };
  }

  /** Replaces candidate {@code i}, which the entry has, by {@code path}. */
  void set(int s, int i, int path) {
    if (i > 0 && i >= count(s)) {
      throw new IllegalStateException("the entry has no candidate " + i);
    }
    int second = second(s);
    switch (i) {
      case 0 -> table[2 * s + 1] = word(path, second);
      case 1 -> table[2 * s + 1] = word(best(s), path | (second & MORE));
      default -> rest(s)[i - 2] = path;
    }
  }

  /** Adds {@code path} as the last candidate. */
  void append(int s, int path) {
    if (path < 0 || path >= MORE) {
      throw new IllegalArgumentException("path id out of range: " + path);
    }
    int second = second(s);
    if (second == NONE) {
      table[2 * s + 1] = word(best(s), path);
    } else if ((second & MORE) == 0) {
      more.put(table[2 * s], new int[] {path});
      table[2 * s + 1] = word(best(s), second | MORE);
    } else {
      int[] r = rest(s);
      int[] bigger = Arrays.copyOf(r, r.length + 1);
      bigger[r.length] = path;
      more.put(table[2 * s], bigger);
    }
  }

  /** Removes candidate {@code i}; the entry must keep at least one. */
  void removeAt(int s, int i) {
    int n = count(s);
    if (n < 2) {
      throw new IllegalStateException("an entry keeps at least one candidate");
    }
    for (int k = i; k < n - 1; k++) {
      set(s, k, get(s, k + 1));
    }
    if (n == 2) {
      table[2 * s + 1] = word(best(s), NONE);
    } else if (n == 3) {
      more.remove(table[2 * s]);
      table[2 * s + 1] = word(best(s), second(s) & ~MORE);
    } else {
      more.put(table[2 * s], Arrays.copyOf(rest(s), n - 3));
    }
  }

  /** Swaps candidate {@code i} with the best. */
  void promote(int s, int i) {
    if (i != 0) {
      int p = get(s, i);
      set(s, i, best(s));
      set(s, 0, p);
    }
  }

  /** The gateway of the route installed for the entry, or 0 when none is. */
  int gateway(int s) {
    return gateways[s];
  }

  /** Records the gateway of the route installed for the entry (0: none). */
  void setGateway(int s, int gateway) {
    gateways[s] = gateway;
  }
}
