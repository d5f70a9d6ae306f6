package io.podnet.dataplane.service;

import it.unimi.dsi.fastutil.HashCommon;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Service lookup like an eBPF dataplane (Cilium's kube-proxy replacement): an open-addressing hash
 * map from the packed (VIP, port, protocol) {@link ServiceKey} to the Service's backends, and a
 * Maglev table per Service that turns the flow hash into a backend, so the same flow always picks
 * the same backend and the cost does not grow with the number of Services.
 *
 * <p>Layout, chosen so a lookup touches about three cache lines and no object headers: the map is
 * one {@code long[]} of (key, block offset) pairs, and every Service port's block lives in one
 * {@code int[]} slab: {@code [M, n, ip0, port0, ..., ip(n-1), port(n-1), table...]}, where the
 * table's M backend indexes are packed four bytes to an {@code int} when there are at most 256
 * backends and two chars to an {@code int} otherwise, so 100,000 Services fit in tens of megabytes.
 * Replaced and removed blocks become garbage the slab compacts away once it outweighs the live
 * blocks.
 *
 * <p>Work is counted as the slots probed in the service map (linear probing, load factor at most
 * 1/2) plus one for the Maglev table read, the two map lookups Cilium's datapath does. Cilium uses
 * one table size M for every Service ({@code --bpf-lb-maglev-table-size}, default 16381); to keep
 * 100,000 simulated Services in memory, this class gives each Service the smallest size Cilium
 * accepts that holds at least 100 slots per backend (251 for up to two backends), capped at the
 * configured maximum (16381 by default). The paper's bound keeps the per-backend share within a few
 * percent of uniform either way; the chosen backend for a flow differs from Cilium's. The flow
 * hash's upper 32 bits select the slot ({@code (hash >>> 32) * M >>> 32}).
 */
public final class HashMapServiceLookup extends CountingLookup {

  private final int maxTableSize;
  private final TreeMap<String, long[]> keysByService = new TreeMap<>();
  private long[] slots = new long[32];
  private int mask = 15;
  private int size;
  private int[] slab = new int[1024];
  private int slabTop;
  private long garbage;

  private HashMapServiceLookup(int maxTableSize) {
    this.maxTableSize = maxTableSize;
  }

  /** Returns an empty lookup with Cilium's default maximum Maglev table size, 16381. */
  public static HashMapServiceLookup create() {
    return new HashMapServiceLookup(Maglev.DEFAULT_SIZE);
  }

  /**
   * Returns an empty lookup whose Maglev tables have at most {@code maxTableSize} slots.
   *
   * @throws IllegalArgumentException unless it is one of Cilium's accepted primes (251, 509, 1021,
   *     2039, 4093, 8191, 16381, 32749, 65521, 131071)
   */
  public static HashMapServiceLookup create(int maxTableSize) {
    if (!Maglev.isAcceptedSize(maxTableSize)) {
      throw new IllegalArgumentException(
          "Maglev table size must be one of 251, 509, 1021, 2039, 4093, 8191, 16381, 32749,"
              + " 65521, 131071: "
              + maxTableSize);
    }
    return new HashMapServiceLookup(maxTableSize);
  }

  @Override
  public long lookup(int vip, int port, int protocol, long flowHash) {
    long key = ServiceKey.pack(vip, port, protocol);
    long[] s = slots;
    int m = mask;
    int pos = (int) HashCommon.mix(key) & m;
    int probes = 1;
    long cur;
    while ((cur = s[pos << 1]) != key) {
      if (cur == 0) {
        return done(probes, LookupResult.NO_SERVICE);
      }
      pos = (pos + 1) & m;
      probes++;
    }
    int off = (int) s[(pos << 1) + 1];
    int[] sl = slab;
    int tableSize = sl[off];
    if (tableSize == 0) {
      return done(probes, LookupResult.NO_ENDPOINTS);
    }
    int n = sl[off + 1];
    int slot = (int) (((flowHash >>> 32) * tableSize) >>> 32);
    int table = off + 2 + 2 * n;
    int index =
        n <= 256
            ? (sl[table + (slot >>> 2)] >>> ((slot & 3) << 3)) & 0xFF
            : (sl[table + (slot >>> 1)] >>> ((slot & 1) << 4)) & 0xFFFF;
    int b = off + 2 + 2 * index;
    return done(probes + 1, LookupResult.backend(sl[b], sl[b + 1]));
  }

  @Override
  public void update(Service service, List<Endpoint> endpoints) {
    List<ServicePortEntry> entries = ServicePortEntry.of(service, endpoints);
    String name = service.namespacedName();
    long[] mine = keysByService.getOrDefault(name, new long[0]);
    for (ServicePortEntry e : entries) {
      if (find(e.key) >= 0 && !contains(mine, e.key)) {
        throw new IllegalArgumentException(
            e.portName + " clashes with an installed Service on " + ServiceKey.format(e.key));
      }
    }
    for (long key : mine) {
      removeKey(key);
    }
    long[] keysOfService = new long[entries.size()];
    for (int i = 0; i < entries.size(); i++) {
      ServicePortEntry e = entries.get(i);
      keysOfService[i] = e.key;
      put(e.key, allocate(block(e.ready)));
    }
    keysByService.put(name, keysOfService);
  }

  @Override
  public boolean remove(String namespace, String name) {
    long[] mine = keysByService.remove(namespace + "/" + name);
    if (mine == null) {
      return false;
    }
    for (long key : mine) {
      removeKey(key);
    }
    return true;
  }

  @Override
  public int size() {
    return size;
  }

  /** Returns the Maglev table size chosen for the Service port on {@code key}, or 0 if none. */
  int tableSize(long key) {
    int pos = find(key);
    return pos < 0 ? 0 : slab[(int) slots[(pos << 1) + 1]];
  }

  /** Returns the installed Service names, sorted (for tests and inspection). */
  List<String> serviceNames() {
    return new ArrayList<>(keysByService.keySet());
  }

  private int[] block(List<Endpoint> ready) {
    int n = ready.size();
    if (n == 0) {
      return new int[2];
    }
    String[] names = new String[n];
    for (int i = 0; i < n; i++) {
      names[i] = ready.get(i).toString();
    }
    int m = Maglev.tableSize(n, maxTableSize);
    char[] table = Maglev.build(names, m);
    int[] block = new int[2 + 2 * n + tableInts(n, m)];
    block[0] = m;
    block[1] = n;
    for (int i = 0; i < n; i++) {
      block[2 + 2 * i] = ready.get(i).ip().toInt();
      block[3 + 2 * i] = ready.get(i).port();
    }
    for (int j = 0; j < m; j++) {
      if (n <= 256) {
        block[2 + 2 * n + (j >>> 2)] |= table[j] << ((j & 3) << 3);
      } else {
        block[2 + 2 * n + (j >>> 1)] |= table[j] << ((j & 1) << 4);
      }
    }
    return block;
  }

  /** Returns the ints a table of {@code m} entries for {@code n} backends takes. */
  private static int tableInts(int n, int m) {
    return n == 0 ? 0 : n <= 256 ? (m + 3) / 4 : (m + 1) / 2;
  }

  private static int blockLength(int[] slab, int off) {
    return 2 + 2 * slab[off + 1] + tableInts(slab[off + 1], slab[off]);
  }

  private int allocate(int[] block) {
    if (slabTop + block.length > slab.length) {
      if (garbage > slabTop / 2) {
        compact();
      }
      if (slabTop + block.length > slab.length) {
        long wanted = Math.max(2L * slab.length, (long) slabTop + block.length);
        slab = Arrays.copyOf(slab, (int) Math.min(wanted, Integer.MAX_VALUE - 8));
      }
    }
    int off = slabTop;
    System.arraycopy(block, 0, slab, off, block.length);
    slabTop += block.length;
    return off;
  }

  private void compact() {
    int[] fresh = new int[slab.length];
    int top = 0;
    for (int p = 0; p <= mask; p++) {
      if (slots[p << 1] != 0) {
        int off = (int) slots[(p << 1) + 1];
        int len = blockLength(slab, off);
        System.arraycopy(slab, off, fresh, top, len);
        slots[(p << 1) + 1] = top;
        top += len;
      }
    }
    slab = fresh;
    slabTop = top;
    garbage = 0;
  }

  private static boolean contains(long[] keys, long key) {
    for (long k : keys) {
      if (k == key) {
        return true;
      }
    }
    return false;
  }

  private int find(long key) {
    int pos = (int) HashCommon.mix(key) & mask;
    long cur;
    while ((cur = slots[pos << 1]) != 0) {
      if (cur == key) {
        return pos;
      }
      pos = (pos + 1) & mask;
    }
    return -1;
  }

  private void put(long key, int offset) {
    if (2 * (size + 1) > mask + 1) {
      grow();
    }
    int pos = (int) HashCommon.mix(key) & mask;
    while (slots[pos << 1] != 0 && slots[pos << 1] != key) {
      pos = (pos + 1) & mask;
    }
    if (slots[pos << 1] == 0) {
      size++;
    }
    slots[pos << 1] = key;
    slots[(pos << 1) + 1] = offset;
  }

  private void grow() {
    long[] old = slots;
    slots = new long[old.length * 2];
    mask = old.length - 1;
    size = 0;
    for (int i = 0; i < old.length; i += 2) {
      if (old[i] != 0) {
        put(old[i], (int) old[i + 1]);
      }
    }
  }

  /** Removes {@code key} with backward-shift deletion, so no tombstones lengthen later probes. */
  private void removeKey(long key) {
    int pos = find(key);
    if (pos < 0) {
      return;
    }
    garbage += blockLength(slab, (int) slots[(pos << 1) + 1]);
    size--;
    while (true) {
      int last = pos;
      pos = (pos + 1) & mask;
      long cur;
      while (true) {
        cur = slots[pos << 1];
        if (cur == 0) {
          slots[last << 1] = 0;
          slots[(last << 1) + 1] = 0;
          return;
        }
        int home = (int) HashCommon.mix(cur) & mask;
        // Move cur back into the hole unless its home lies cyclically in (last, pos].
        boolean stays = last <= pos ? (home > last && home <= pos) : (home > last || home <= pos);
        if (!stays) {
          break;
        }
        pos = (pos + 1) & mask;
      }
      slots[last << 1] = cur;
      slots[(last << 1) + 1] = slots[(pos << 1) + 1];
    }
  }
}
