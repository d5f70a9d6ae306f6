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
 * <p>Layout, chosen so a lookup touches two cache lines and no object headers: the map is one
 * {@code long[]} of (key, value) pairs (linear probing, load factor at most 3/4) whose value holds
 * the backend count, the table's shape and the offset of the Service port's block in one {@code
 * int[]} slab: {@code [ip0, port0, ..., ip(n-1), port(n-1), table...]}, the table's M backend
 * indexes packed into 1, 2, 4, 8 or 16 bits each as n needs, so a Service with two backends takes
 * one cache line (12 ints). Replaced and removed blocks become garbage the slab compacts away once
 * it outweighs the live blocks.
 *
 * <p>Work is counted as the slots probed in the service map plus one for the Maglev table read, the
 * two map lookups Cilium's datapath does. Cilium uses one table size M for every Service ({@code
 * --bpf-lb-maglev-table-size}, default 16381); to keep 100,000 simulated Services in memory, this
 * class gives each Service the smallest size Cilium accepts that holds at least 100 slots per
 * backend (251 for up to two backends), capped at the configured maximum (16381 by default). The
 * paper's bound keeps the per-backend share within a few percent of uniform either way; the chosen
 * backend for a flow differs from Cilium's. The flow hash's upper 32 bits select the slot ({@code
 * (hash >>> 32) * M >>> 32}).
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
    long v = s[(pos << 1) + 1];
    int n = (int) (v >>> 31) & 0xFFFF;
    if (n == 0) {
      return done(probes, LookupResult.NO_ENDPOINTS);
    }
    int off = (int) v & Integer.MAX_VALUE;
    int[] sl = slab;
    int index = 0;
    if (n > 1) {
      int slot = (int) (((flowHash >>> 32) * Maglev.SIZES[(int) (v >>> 50)]) >>> 32);
      int lb = (int) (v >>> 47) & 7;
      int word = sl[off + 2 * n + (slot >>> (5 - lb))];
      index = (word >>> ((slot & ((32 >>> lb) - 1)) << lb)) & ((1 << (1 << lb)) - 1);
    }
    return done(probes + 1, LookupResult.backend(sl[off + 2 * index], sl[off + 2 * index + 1]));
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
      put(e.key, store(e.ready));
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

  /** Returns the installed Service names, sorted (for tests and inspection). */
  List<String> serviceNames() {
    return new ArrayList<>(keysByService.keySet());
  }

  /**
   * Stores the backends of one Service port in the slab and returns its slot value, which holds all
   * a lookup needs besides the slab: the block's offset in bits 0-30, the backend count n in bits
   * 31-46, log2 of the bits per table entry in bits 47-49 and the index of the Maglev table size in
   * {@link Maglev#SIZES} in bits 50-53. The block is {@code [ip0, port0, ..., ip(n-1), port(n-1),
   * table...]}, the table's backend indexes packed into as few bits as n allows (1, 2, 4, 8 or 16),
   * so a Service with a few backends takes a cache line or two; one backend needs no table.
   */
  private long store(List<Endpoint> ready) {
    int n = ready.size();
    if (n == 0) {
      return 0;
    }
    int[] block;
    long shape = 0;
    if (n == 1) {
      block = new int[2];
    } else {
      int m = Maglev.tableSize(n, maxTableSize);
      int lb = entryBitsLog2(n);
      block = new int[2 * n + tableInts(n, m)];
      String[] names = new String[n];
      for (int i = 0; i < n; i++) {
        names[i] = ready.get(i).toString();
      }
      char[] table = Maglev.build(names, m);
      int perInt = 32 >>> lb;
      for (int j = 0; j < m; j++) {
        block[2 * n + j / perInt] |= table[j] << ((j % perInt) << lb);
      }
      shape = (long) Arrays.binarySearch(Maglev.SIZES, m) << 50 | (long) lb << 47;
    }
    for (int i = 0; i < n; i++) {
      block[2 * i] = ready.get(i).ip().toInt();
      block[2 * i + 1] = ready.get(i).port();
    }
    return shape | (long) n << 31 | allocate(block);
  }

  /** Returns log2 of the bits a table entry takes for {@code n} (at least 2) backends. */
  private static int entryBitsLog2(int n) {
    int bits = 32 - Integer.numberOfLeadingZeros(n - 1);
    return 32 - Integer.numberOfLeadingZeros(bits - 1);
  }

  /** Returns the ints the table of {@code m} entries for {@code n} backends takes (0 for one). */
  private static int tableInts(int n, int m) {
    return n < 2 ? 0 : (m + (32 >>> entryBitsLog2(n)) - 1) / (32 >>> entryBitsLog2(n));
  }

  /** Returns the slab ints the block of a slot value takes. */
  private static int blockLength(long value) {
    int n = (int) (value >>> 31) & 0xFFFF;
    return n == 0 ? 0 : 2 * n + tableInts(n, Maglev.SIZES[(int) (value >>> 50)]);
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
      long value = slots[(p << 1) + 1];
      if (slots[p << 1] != 0 && value != 0) {
        int off = (int) value & Integer.MAX_VALUE;
        int len = blockLength(value);
        System.arraycopy(slab, off, fresh, top, len);
        slots[(p << 1) + 1] = value & ~(long) Integer.MAX_VALUE | top;
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

  private void put(long key, long value) {
    if (4L * (size + 1) > 3L * (mask + 1)) {
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
    slots[(pos << 1) + 1] = value;
  }

  private void grow() {
    long[] old = slots;
    slots = new long[old.length * 2];
    mask = old.length - 1;
    size = 0;
    for (int i = 0; i < old.length; i += 2) {
      if (old[i] != 0) {
        put(old[i], old[i + 1]);
      }
    }
  }

  /** Removes {@code key} with backward-shift deletion, so no tombstones lengthen later probes. */
  private void removeKey(long key) {
    int pos = find(key);
    if (pos < 0) {
      return;
    }
    garbage += blockLength(slots[(pos << 1) + 1]);
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
