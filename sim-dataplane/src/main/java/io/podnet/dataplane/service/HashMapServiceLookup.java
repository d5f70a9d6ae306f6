package io.podnet.dataplane.service;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import it.unimi.dsi.fastutil.HashCommon;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

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
 *
 * <p>The map and the slab can be shared: {@link #shareEntriesOf} makes a lookup hold another's
 * Services copy-on-write, so the nodes of a cluster whose maps hold the same Services hold one copy
 * of them; the slab is append-only and shared by the copies made from it, so a copy costs the slot
 * array, not the backends. The work counters and ClientIP affinity stay each lookup's own.
 */
public final class HashMapServiceLookup extends CountingLookup {

  /** Slot-value flag: an external frontend (external IP, LoadBalancer IP or NodePort). */
  private static final long EXTERNAL = 1L << 54;

  /** Slot-value flag: an external frontend of a Service with externalTrafficPolicy Local. */
  private static final long LOCAL_POLICY = 1L << 55;

  /** Slot-value flag: an external IP frontend (spec.externalIPs). */
  private static final long EXTERNAL_IP = 1L << 56;

  private final int maxTableSize;
  private final String nodeName;
  private final Cidr clusterCidr;
  private final Map<Affinity, long[]> affinities = new HashMap<>();
  private static final Cidr NO_CLUSTER = Cidr.parse("0.0.0.0/32");

  private Entries entries = new Entries();

  /**
   * The entries' slot array, mask and slab array, read by {@link #lookup} without going through
   * {@link #entries}: set by {@link #sync} after every change. A slab array another lookup has
   * since outgrown still holds this one's blocks, since the slab only appends.
   */
  private long[] slots = entries.slots;

  private int mask = entries.mask;
  private int[] slab = entries.slab.data;

  private HashMapServiceLookup(int maxTableSize, String nodeName, Cidr clusterCidr) {
    this.maxTableSize = maxTableSize;
    this.nodeName = nodeName;
    this.clusterCidr = clusterCidr;
  }

  /**
   * Returns an empty lookup with Cilium's default maximum Maglev table size, 16381, on a node that
   * holds no endpoint, in a cluster whose pods are all outside {@code 0.0.0.0/32}.
   */
  public static HashMapServiceLookup create() {
    return new HashMapServiceLookup(Maglev.DEFAULT_SIZE, "", NO_CLUSTER);
  }

  /**
   * Returns an empty lookup for the node {@code nodeName}: endpoints on that node are its own for
   * {@code externalTrafficPolicy: Local}, and clients in {@code clusterCidr} are pods.
   */
  public static HashMapServiceLookup forNode(String nodeName, Cidr clusterCidr) {
    return new HashMapServiceLookup(
        Maglev.DEFAULT_SIZE,
        Objects.requireNonNull(nodeName, "nodeName"),
        Objects.requireNonNull(clusterCidr, "clusterCidr"));
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
    return new HashMapServiceLookup(maxTableSize, "", NO_CLUSTER);
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
      int slot = (int) (((flowHash >>> 32) * Maglev.SIZES[(int) (v >>> 50) & 0xF]) >>> 32);
      int lb = (int) (v >>> 47) & 7;
      int word = sl[off + 2 * n + (slot >>> (5 - lb))];
      index = (word >>> ((slot & ((32 >>> lb) - 1)) << lb)) & ((1 << (1 << lb)) - 1);
    }
    return done(probes + 1, LookupResult.backend(sl[off + 2 * index], sl[off + 2 * index + 1]));
  }

  /**
   * Returns the backend for a new flow from {@code client} to {@code dst:port}, with what {@link
   * #lookup} leaves out, as Cilium's datapath does it: a destination that is one of the node's own
   * addresses ({@code dstLocal}) and no frontend of its own is tried as a NodePort (the {@code
   * 0.0.0.0:nodePort} frontend); an external or LoadBalancer frontend with {@code
   * externalTrafficPolicy: Local} picks from the node's own endpoints unless the client is inside
   * the cluster (a pod, or the node itself: {@code clientLocal}), which gets every endpoint; a
   * ClientIP-affinity Service gives a client the endpoint it had while it comes back within the
   * timeout ({@code nowNanos} is the simulated clock); a LoadBalancer frontend with source ranges
   * answers {@link LookupResult#DENIED} to other clients. A backend result carries {@link
   * LookupResult#MASQUERADE} when the flow must leave with the node's address: external traffic
   * under policy Cluster, the node's own traffic to a local-policy frontend, and a pod reaching
   * itself through the Service (hairpin).
   */
  public long lookupFlow(
      int client,
      boolean clientLocal,
      int dst,
      boolean dstLocal,
      int port,
      int protocol,
      long flowHash,
      long nowNanos) {
    long key = ServiceKey.pack(dst, port, protocol);
    long r = lookup(dst, port, protocol, flowHash);
    int work = lastWork();
    if (r == LookupResult.NO_SERVICE && dstLocal) {
      key = ServiceKey.pack(0, port, protocol);
      r = lookup(0, port, protocol, flowHash);
      work += lastWork();
    }
    if (r == LookupResult.NO_SERVICE) {
      return counted(work, r);
    }
    Entries e = entries;
    List<Cidr> ranges = e.sourceRanges.get(key);
    if (ranges != null && ranges.stream().noneMatch(c -> c.contains(Ipv4Address.of(client)))) {
      return counted(work, LookupResult.DENIED);
    }
    long value = e.slots[(e.find(key) << 1) + 1];
    boolean localPolicy = (value & LOCAL_POLICY) != 0;
    if (localPolicy && (clientLocal || clusterCidr.contains(Ipv4Address.of(client)))) {
      key = e.clusterKeyOf.get(key);
      r = lookup(ServiceKey.vip(key), ServiceKey.port(key), protocol, flowHash);
      work += lastWork();
    }
    if (r < 0) {
      return counted(work, r);
    }
    int seconds = e.affinitySeconds.get(key);
    if (seconds > 0) {
      r = affinity(client, key, r, seconds, nowNanos);
    }
    boolean masquerade =
        (value & EXTERNAL) != 0 && !localPolicy
            || localPolicy && clientLocal
            || LookupResult.ip(r) == client;
    return counted(work, masquerade ? r | LookupResult.MASQUERADE : r);
  }

  /**
   * Returns the backend a socket on this lookup's node uses when it connects (or sends a datagram)
   * to {@code dst:port}, as Cilium's socket-LB chooses it ({@code __sock4_xlate_fwd}): a frontend
   * of the map, or a NodePort on any node's address ({@code dstIsNode}: the wildcard lookup, which
   * includes remote nodes); an external IP that is not one of the node's own addresses ({@code
   * dstLocal}) is left to the packet path (after the check for backends, as Cilium makes them in
   * that order). The client is inside the cluster, so a local-policy frontend offers every
   * endpoint, and ClientIP affinity holds per {@code client}; a LoadBalancer frontend's source
   * ranges answer {@link LookupResult#DENIED} to other clients, as on the packet path. The backend
   * is picked by a number drawn from {@code random} only when a frontend is found (Cilium draws a
   * random slot), never masqueraded. {@link LookupResult#NO_SERVICE} and {@link
   * LookupResult#DENIED} leave the socket as it is; {@link LookupResult#NO_ENDPOINTS} fails the
   * call. Counts one unit of work per map lookup that finds nothing, as {@link #lookupFlow} counts
   * its own.
   */
  public long lookupSocket(
      int client,
      int dst,
      boolean dstLocal,
      boolean dstIsNode,
      int port,
      int protocol,
      RandomGenerator random,
      long nowNanos) {
    Entries e = entries;
    int pos = e.find(ServiceKey.pack(dst, port, protocol));
    int misses = pos < 0 ? 1 : 0;
    if (pos < 0 && dstIsNode) {
      pos = e.find(ServiceKey.pack(0, port, protocol));
      misses += pos < 0 ? 1 : 0;
      dst = 0;
    }
    if (pos < 0) {
      return done(misses, LookupResult.NO_SERVICE);
    }
    long value = e.slots[(pos << 1) + 1];
    // a socket is inside the cluster: a local-policy frontend counts every endpoint
    long all =
        (value & LOCAL_POLICY) == 0
            ? value
            : e.slots[(e.find(e.clusterKeyOf.get(e.slots[pos << 1])) << 1) + 1];
    if ((all >>> 31 & 0xFFFF) == 0) {
      return done(misses + 1, LookupResult.NO_ENDPOINTS);
    }
    if ((value & EXTERNAL_IP) != 0 && !dstLocal) {
      return done(misses + 1, LookupResult.NO_SERVICE);
    }
    long r = lookupFlow(client, true, dst, dst == 0, port, protocol, random.nextLong(), nowNanos);
    return r < 0 ? r : r & ~LookupResult.MASQUERADE;
  }

  /** Applies ClientIP affinity: the client's remembered, still-serving backend if fresh. */
  private long affinity(int client, long key, long chosen, int seconds, long nowNanos) {
    Affinity id = new Affinity(client, key);
    long[] seen = affinities.get(id);
    if (seen != null && nowNanos - seen[1] <= seconds * SimTime.SECOND && serves(key, seen[0])) {
      seen[1] = nowNanos;
      return seen[0];
    }
    affinities.put(id, new long[] {chosen, nowNanos});
    return chosen;
  }

  /** Returns whether {@code backend} is one of the backends of the frontend {@code key}. */
  private boolean serves(long key, long backend) {
    Entries e = entries;
    int pos = e.find(key);
    if (pos < 0) {
      return false;
    }
    long value = e.slots[(pos << 1) + 1];
    int n = (int) (value >>> 31) & 0xFFFF;
    int off = (int) value & Integer.MAX_VALUE;
    int[] slab = e.slab.data;
    for (int i = 0; i < n; i++) {
      if (LookupResult.backend(slab[off + 2 * i], slab[off + 2 * i + 1]) == backend) {
        return true;
      }
    }
    return false;
  }

  /**
   * Installs every frontend of {@code service}'s ports: the ClusterIP, each external and
   * LoadBalancer IP, and {@code 0.0.0.0:nodePort}; under {@code externalTrafficPolicy: Local} the
   * external frontends hold only the endpoints on this lookup's node.
   */
  @Override
  public void update(Service service, List<Endpoint> endpoints) {
    try {
      install(service, endpoints);
    } finally {
      sync();
    }
  }

  private void install(Service service, List<Endpoint> endpoints) {
    List<ServicePortEntry> entries = ServicePortEntry.of(service, endpoints);
    String name = service.namespacedName();
    ServiceOptions opt = service.options();
    Entries t = writable();
    long[] mine = t.keysByService.getOrDefault(name, new long[0]);
    List<long[]> frontends = new ArrayList<>();
    for (ServicePortEntry e : entries) {
      frontends.add(new long[] {e.key, 0});
      int proto = e.port.protocol().number();
      for (Ipv4Address ip : opt.externalIps()) {
        frontends.add(new long[] {ServiceKey.pack(ip.toInt(), e.port.port(), proto), e.key, 0, 1});
      }
      for (Ipv4Address ip : opt.loadBalancerIngress()) {
        frontends.add(new long[] {ServiceKey.pack(ip.toInt(), e.port.port(), proto), e.key, 1});
      }
      if (e.port.hasNodePort()) {
        frontends.add(new long[] {ServiceKey.pack(0, e.port.nodePort(), proto), e.key});
      }
    }
    for (long[] f : frontends) {
      if (t.find(f[0]) >= 0 && !contains(mine, f[0])) {
        throw new IllegalArgumentException(
            name + " clashes with an installed Service on " + ServiceKey.format(f[0]));
      }
    }
    for (long key : mine) {
      t.removeKey(key);
    }
    long[] keysOfService = new long[frontends.size()];
    int k = 0;
    for (ServicePortEntry e : entries) {
      List<Endpoint> local = new ArrayList<>();
      for (Endpoint ep : e.ready) {
        if (!nodeName.isEmpty() && ep.nodeName().equals(nodeName)) {
          local.add(ep);
        }
      }
      while (k < frontends.size()
          && (frontends.get(k)[0] == e.key || frontends.get(k)[1] == e.key)) {
        long key = frontends.get(k)[0];
        keysOfService[k++] = key;
        boolean external = key != e.key;
        boolean localPolicy = external && opt.externalTrafficPolicyLocal();
        boolean externalIp = frontends.get(k - 1).length > 3;
        long flags =
            (external ? EXTERNAL : 0)
                | (localPolicy ? LOCAL_POLICY : 0)
                | (externalIp ? EXTERNAL_IP : 0);
        t.put(key, t.store(localPolicy ? local : e.ready, maxTableSize) | flags);
        if (localPolicy) {
          t.clusterKeyOf.put(key, e.key);
          if (!nodeName.isEmpty()) {
            t.ownNode = nodeName;
          }
        }
        if (opt.affinitySeconds() > 0) {
          t.affinitySeconds.put(key, opt.affinitySeconds());
        }
        if (frontends.get(k - 1).length == 3 && !opt.loadBalancerSourceRanges().isEmpty()) {
          t.sourceRanges.put(key, opt.loadBalancerSourceRanges());
        }
      }
    }
    t.keysByService.put(name, keysOfService);
  }

  @Override
  public boolean remove(String namespace, String name) {
    if (!entries.keysByService.containsKey(namespace + "/" + name)) {
      return false;
    }
    Entries t = writable();
    for (long key : t.keysByService.remove(namespace + "/" + name)) {
      t.removeKey(key);
    }
    sync();
    return true;
  }

  @Override
  public int size() {
    return entries.size;
  }

  /** Returns the installed Service names, sorted (for tests and inspection). */
  List<String> serviceNames() {
    return new ArrayList<>(entries.keysByService.keySet());
  }

  /**
   * Makes this lookup hold exactly the Services and backends {@code other} holds, shared with it:
   * the first change either makes afterwards copies them (the slot array; the backends stay
   * shared). This lookup keeps its own work counters and ClientIP affinity records.
   *
   * @throws IllegalArgumentException if the two differ in their largest Maglev table or cluster
   *     CIDR, or {@code other} holds the node-local frontends of another node ({@code
   *     externalTrafficPolicy: Local})
   */
  public void shareEntriesOf(HashMapServiceLookup other) {
    if (other.maxTableSize != maxTableSize || !other.clusterCidr.equals(clusterCidr)) {
      throw new IllegalArgumentException(
          "cannot share the entries of a lookup with another table size or cluster CIDR: "
              + other.maxTableSize
              + " "
              + other.clusterCidr
              + " (expected "
              + maxTableSize
              + " "
              + clusterCidr
              + ")");
    }
    String own = other.entries.ownNode;
    if (!own.isEmpty() && !own.equals(nodeName)) {
      throw new IllegalArgumentException(
          "cannot share the entries of "
              + own
              + "'s lookup on "
              + (nodeName.isEmpty() ? "a lookup of no node" : nodeName)
              + ": they hold "
              + own
              + "'s endpoints for externalTrafficPolicy: Local");
    }
    other.entries.shared = true;
    entries = other.entries;
    sync();
  }

  /** Points the fields {@link #lookup} reads at the current entries. */
  private void sync() {
    slots = entries.slots;
    mask = entries.mask;
    slab = entries.slab.data;
  }

  /** The entries, copied first if another lookup shares them. */
  private Entries writable() {
    if (entries.shared) {
      entries = entries.copy();
    }
    return entries;
  }

  /**
   * The Services a lookup holds: the slot array, the slab of backend blocks, and per frontend its
   * cluster frontend (local policy), affinity timeout and source ranges. Shared by lookups until
   * one changes it, which then works on a copy.
   */
  private static final class Entries {
    long[] slots = new long[32];
    int mask = 15;
    int size;
    Slab slab = new Slab(1024);

    /** The slab ints this table's own blocks take; the rest is other copies' or garbage. */
    int live;

    TreeMap<String, long[]> keysByService = new TreeMap<>();
    Long2LongOpenHashMap clusterKeyOf = new Long2LongOpenHashMap();
    Long2IntOpenHashMap affinitySeconds = new Long2IntOpenHashMap();
    Long2ObjectOpenHashMap<List<Cidr>> sourceRanges = new Long2ObjectOpenHashMap<>();

    /** The node whose own endpoints a local-policy frontend holds, or "" if none does. */
    String ownNode = "";

    /** Whether more than one lookup holds this table (so it must not change). */
    boolean shared;

    /** {@link #frontendAddresses()}, worked out when first asked for after a change. */
    private int @Nullable [] frontends;

    /**
     * Every address with a frontend, each once, ascending as unsigned numbers; shared, not to be
     * changed.
     */
    int[] frontendAddresses() {
      int[] f = frontends;
      if (f == null) {
        long[] found = new long[size];
        int n = 0;
        for (int i = 0; i < slots.length; i += 2) {
          if (slots[i] != 0) {
            found[n++] = ServiceKey.vip(slots[i]) & 0xFFFF_FFFFL;
          }
        }
        Arrays.sort(found, 0, n);
        int[] out = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
          if (m == 0 || out[m - 1] != (int) found[i]) {
            out[m++] = (int) found[i];
          }
        }
        f = Arrays.copyOf(out, m);
        frontends = f;
      }
      return f;
    }

    /** A copy to change, sharing the slab. */
    Entries copy() {
      Entries c = new Entries();
      c.slots = slots.clone();
      c.mask = mask;
      c.size = size;
      c.slab = slab;
      c.live = live;
      c.keysByService = new TreeMap<>(keysByService);
      c.clusterKeyOf = clusterKeyOf.clone();
      c.affinitySeconds = affinitySeconds.clone();
      c.sourceRanges = sourceRanges.clone();
      c.ownNode = ownNode;
      return c;
    }

    /**
     * Stores the backends of one Service port in the slab and returns its slot value, which holds
     * all a lookup needs besides the slab: the block's offset in bits 0-30, the backend count n in
     * bits 31-46, log2 of the bits per table entry in bits 47-49 and the index of the Maglev table
     * size in {@link Maglev#SIZES} in bits 50-53. The block is {@code [ip0, port0, ..., ip(n-1),
     * port(n-1), table...]}, the table's backend indexes packed into as few bits as n allows (1, 2,
     * 4, 8 or 16), so a Service with a few backends takes a cache line or two; one backend needs no
     * table.
     */
    long store(List<Endpoint> ready, int maxTableSize) {
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
      return n == 0 ? 0 : 2 * n + tableInts(n, Maglev.SIZES[(int) (value >>> 50) & 0xF]);
    }

    private int allocate(int[] block) {
      Slab sl = slab;
      if (sl.top + block.length > sl.data.length) {
        if (sl.top - live > sl.top / 2) {
          compact();
          sl = slab;
        }
        if (sl.top + block.length > sl.data.length) {
          long wanted = Math.max(2L * sl.data.length, (long) sl.top + block.length);
          sl.data = Arrays.copyOf(sl.data, (int) Math.min(wanted, Integer.MAX_VALUE - 8));
        }
      }
      int off = sl.top;
      System.arraycopy(block, 0, sl.data, off, block.length);
      sl.top += block.length;
      live += block.length;
      return off;
    }

    /**
     * Moves this table's blocks to a slab of their own, leaving the old one to the other tables.
     */
    private void compact() {
      int[] old = slab.data;
      Slab fresh = new Slab(Math.max(1024, 2 * live));
      for (int p = 0; p <= mask; p++) {
        long value = slots[(p << 1) + 1];
        if (slots[p << 1] != 0 && value != 0) {
          int off = (int) value & Integer.MAX_VALUE;
          int len = blockLength(value);
          System.arraycopy(old, off, fresh.data, fresh.top, len);
          slots[(p << 1) + 1] = value & ~(long) Integer.MAX_VALUE | fresh.top;
          fresh.top += len;
        }
      }
      slab = fresh;
    }

    int find(long key) {
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

    void put(long key, long value) {
      frontends = null;
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
    void removeKey(long key) {
      int pos = find(key);
      if (pos < 0) {
        return;
      }
      frontends = null;
      live -= blockLength(slots[(pos << 1) + 1]);
      clusterKeyOf.remove(key);
      affinitySeconds.remove(key);
      sourceRanges.remove(key);
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

  /** An append-only array of backend blocks, shared by the tables copied from one another. */
  private static final class Slab {
    int[] data;
    int top;

    Slab(int capacity) {
      data = new int[capacity];
    }
  }

  private static boolean contains(long[] keys, long key) {
    for (long k : keys) {
      if (k == key) {
        return true;
      }
    }
    return false;
  }

  /** Whether the map has a frontend for {@code vip:port/protocol} (counts no work). */
  public boolean hasFrontend(int vip, int port, int protocol) {
    return entries.find(ServiceKey.pack(vip, port, protocol)) >= 0;
  }

  /**
   * Every address the map has a frontend for (a ClusterIP, an external or LoadBalancer IP, or
   * 0.0.0.0 for NodePorts), each once, in ascending order as unsigned numbers: a packet to any
   * other address is never looked up past the map.
   */
  public int[] frontendAddresses() {
    return entries.frontendAddresses().clone();
  }

  /**
   * The unsigned range around {@code address} in which it is the only address that may have a
   * frontend: {@code {address, address}} for a frontend address, else the gap between the frontend
   * addresses below and above it; from and to as unsigned numbers in longs.
   */
  public long[] frontendRange(int address) {
    int[] sorted = entries.frontendAddresses();
    long a = address & 0xFFFF_FFFFL;
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if ((sorted[mid] & 0xFFFF_FFFFL) < a) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (lo < sorted.length && sorted[lo] == address) {
      return new long[] {a, a};
    }
    long from = lo == 0 ? 0 : (sorted[lo - 1] & 0xFFFF_FFFFL) + 1;
    long to = lo == sorted.length ? 0xFFFF_FFFFL : (sorted[lo] & 0xFFFF_FFFFL) - 1;
    return new long[] {from, to};
  }

  /** A ClientIP-affinity record's key: the client and the frontend it reached. */
  private record Affinity(int client, long key) {}
}
