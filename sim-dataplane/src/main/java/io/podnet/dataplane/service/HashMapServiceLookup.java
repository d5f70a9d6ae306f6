package io.podnet.dataplane.service;

import it.unimi.dsi.fastutil.HashCommon;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Service lookup like an eBPF dataplane (Cilium's kube-proxy replacement): an open-addressing hash
 * map from the packed (VIP, port, protocol) {@link ServiceKey} to the Service's backends, and a
 * Maglev table per Service that turns the flow hash into a backend, so the same flow always picks
 * the same backend and the cost does not grow with the number of Services.
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
public final class HashMapServiceLookup implements ServiceLookup {

  private static final Backends EMPTY = new Backends(new int[0], new int[0], new char[0]);

  private final int maxTableSize;
  private final TreeMap<String, long[]> keysByService = new TreeMap<>();
  private long[] keys = new long[16];
  private Backends[] values = new Backends[16];
  private int mask = 15;
  private int size;
  private int lastWork;
  private long totalWork;

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
    long[] k = keys;
    int m = mask;
    int pos = (int) HashCommon.mix(key) & m;
    int probes = 1;
    long cur;
    while ((cur = k[pos]) != key) {
      if (cur == 0) {
        return done(probes, LookupResult.NO_SERVICE);
      }
      pos = (pos + 1) & m;
      probes++;
    }
    Backends b = values[pos];
    char[] table = b.table;
    if (table.length == 0) {
      return done(probes, LookupResult.NO_ENDPOINTS);
    }
    int slot = (int) (((flowHash >>> 32) * table.length) >>> 32);
    int backend = table[slot];
    return done(probes + 1, LookupResult.backend(b.ips[backend], b.ports[backend]));
  }

  private long done(int work, long result) {
    lastWork = work;
    totalWork += work;
    return result;
  }

  @Override
  public int lastWork() {
    return lastWork;
  }

  @Override
  public long totalWork() {
    return totalWork;
  }

  @Override
  public void update(Service service, List<Endpoint> endpoints) {
    List<ServicePortEntry> entries = ServicePortEntry.of(service, endpoints);
    String name = service.namespacedName();
    long[] mine = keysByService.getOrDefault(name, new long[0]);
    for (ServicePortEntry e : entries) {
      int pos = find(e.key);
      if (pos >= 0 && !contains(mine, e.key)) {
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
      put(e.key, backends(e.ready));
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
    return pos < 0 ? 0 : values[pos].table.length;
  }

  private Backends backends(List<Endpoint> ready) {
    int n = ready.size();
    if (n == 0) {
      return EMPTY;
    }
    int[] ips = new int[n];
    int[] ports = new int[n];
    String[] names = new String[n];
    for (int i = 0; i < n; i++) {
      ips[i] = ready.get(i).ip().toInt();
      ports[i] = ready.get(i).port();
      names[i] = ready.get(i).toString();
    }
    return new Backends(ips, ports, Maglev.build(names, Maglev.tableSize(n, maxTableSize)));
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
    while ((cur = keys[pos]) != 0) {
      if (cur == key) {
        return pos;
      }
      pos = (pos + 1) & mask;
    }
    return -1;
  }

  private void put(long key, Backends b) {
    if (2 * (size + 1) > keys.length) {
      grow();
    }
    int pos = (int) HashCommon.mix(key) & mask;
    while (keys[pos] != 0 && keys[pos] != key) {
      pos = (pos + 1) & mask;
    }
    if (keys[pos] == 0) {
      size++;
    }
    keys[pos] = key;
    values[pos] = b;
  }

  private void grow() {
    long[] oldKeys = keys;
    Backends[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new Backends[oldKeys.length * 2];
    mask = keys.length - 1;
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != 0) {
        put(oldKeys[i], oldValues[i]);
      }
    }
  }

  /** Removes {@code key} with backward-shift deletion, so no tombstones lengthen later probes. */
  private void removeKey(long key) {
    int pos = find(key);
    if (pos < 0) {
      return;
    }
    size--;
    while (true) {
      int last = pos;
      pos = (pos + 1) & mask;
      long cur;
      while (true) {
        cur = keys[pos];
        if (cur == 0) {
          keys[last] = 0;
          values[last] = null;
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
      keys[last] = cur;
      values[last] = values[pos];
    }
  }

  /** Returns the installed Service names, sorted (for tests and inspection). */
  List<String> serviceNames() {
    return new ArrayList<>(keysByService.keySet());
  }

  /** The ready backends of one Service port and its Maglev table. */
  private static final class Backends {
    final int[] ips;
    final int[] ports;
    final char[] table;

    Backends(int[] ips, int[] ports, char[] table) {
      this.ips = ips;
      this.ports = ports;
      this.table = table;
    }
  }
}
