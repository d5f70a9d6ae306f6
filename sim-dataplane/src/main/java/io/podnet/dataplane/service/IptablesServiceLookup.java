package io.podnet.dataplane.service;

import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Service lookup over kube-proxy's iptables layout, walked the way the kernel walks it: the nat
 * {@code KUBE-SERVICES} rules one by one in {@link KubeProxyIptables} order until one matches the
 * destination, then the Service's {@code KUBE-SVC-} chain (the {@code ! -s clusterCIDR} masquerade
 * rule, then the {@code statistic} rules in order), then the two rules of the chosen {@code
 * KUBE-SEP-} chain. A Service without ready endpoints has no nat rule: the packet falls through
 * {@code KUBE-SERVICES} (including its last rule, the jump to {@code KUBE-NODEPORTS}, which does
 * not match a ClusterIP) and meets the filter table's {@code REJECT}. Every rule evaluated counts
 * as one unit of {@link #lastWork() work}.
 *
 * <p>The {@code statistic --mode random} match is modelled on the kernel's: iptables stores {@code
 * lround(2^31 * probability)} and the rule matches when a fresh 31-bit random number is below it
 * (net/netfilter/xt_statistic.c); the random numbers come from the given seeded stream, so the flow
 * hash is ignored. The rules live in compact primitive arrays (one packed (VIP, port, protocol)
 * {@code long} per {@code KUBE-SERVICES} rule), so a non-matching rule costs about a nanosecond.
 * Every {@link #update} rebuilds the arrays, like kube-proxy's full restore.
 */
public final class IptablesServiceLookup extends CountingLookup {

  private final RandomGenerator random;
  private final TreeMap<String, List<ServicePortEntry>> services = new TreeMap<>();
  private final Long2ObjectOpenHashMap<String> owners = new Long2ObjectOpenHashMap<>();

  private long[] natKeys = new long[0];

  /**
   * Per {@code KUBE-SERVICES} nat rule, its Service's endpoints in rule order as (statistic
   * threshold, IP, port) triples, the last threshold unused: one array read per matched Service.
   */
  private int[][] backends = new int[0][];

  private long[] rejectKeys = new long[0];
  private int size;

  private IptablesServiceLookup(RandomGenerator random) {
    this.random = random;
  }

  /** Returns an empty lookup drawing its {@code statistic} random numbers from {@code random}. */
  public static IptablesServiceLookup create(RandomGenerator random) {
    return new IptablesServiceLookup(Objects.requireNonNull(random, "random"));
  }

  /**
   * Returns a lookup holding {@code services} with their {@code endpoints}, built with one rebuild
   * (like one full {@code iptables-restore}) instead of one per Service.
   *
   * @throws IllegalArgumentException as {@link #update} does
   */
  public static IptablesServiceLookup create(
      RandomGenerator random, List<Service> services, Map<Service, List<Endpoint>> endpoints) {
    IptablesServiceLookup lb = create(random);
    for (ServicePortEntry e : ServicePortEntry.flatten(services, endpoints)) {
      lb.services.computeIfAbsent(e.service.namespacedName(), k -> new ArrayList<>()).add(e);
      lb.owners.put(e.key, e.portName);
    }
    lb.rebuild();
    return lb;
  }

  @Override
  public long lookup(int vip, int port, int protocol, long flowHash) {
    long key = ServiceKey.pack(vip, port, protocol);
    long[] keys = natKeys;
    int n = keys.length;
    int i = 0;
    while (i < n && keys[i] != key) {
      i++;
    }
    if (i < n) {
      int[] eps = backends[i];
      int last = eps.length - 3;
      int at = 0;
      while (at < last && (random.nextInt() & 0x7FFFFFFF) >= eps[at]) {
        at += 3;
      }
      // KUBE-SERVICES up to the match, the masquerade rule, the statistic rules up to the chosen
      // one, then the SEP chain's "-s ep -j KUBE-MARK-MASQ" and DNAT.
      return done(i + 1 + 1 + at / 3 + 1 + 2, LookupResult.backend(eps[at + 1], eps[at + 2]));
    }
    int work = n + 1;
    long[] reject = rejectKeys;
    for (int j = 0; j < reject.length; j++) {
      if (reject[j] == key) {
        return done(work + j + 1, LookupResult.NO_ENDPOINTS);
      }
    }
    return done(work + reject.length, LookupResult.NO_SERVICE);
  }

  @Override
  public void update(Service service, List<Endpoint> endpoints) {
    List<ServicePortEntry> entries = ServicePortEntry.of(service, endpoints);
    String name = service.namespacedName();
    for (ServicePortEntry e : entries) {
      String owner = owners.get(e.key);
      if (owner != null && !owner.startsWith(name + ":") && !owner.equals(name)) {
        throw new IllegalArgumentException(
            e.portName + " and " + owner + " share " + ServiceKey.format(e.key));
      }
    }
    removeOwners(name);
    services.put(name, entries);
    entries.forEach(e -> owners.put(e.key, e.portName));
    rebuild();
  }

  @Override
  public boolean remove(String namespace, String name) {
    String nsName = namespace + "/" + name;
    if (!services.containsKey(nsName)) {
      return false;
    }
    removeOwners(nsName);
    services.remove(nsName);
    rebuild();
    return true;
  }

  private void removeOwners(String nsName) {
    List<ServicePortEntry> old = services.get(nsName);
    if (old != null) {
      old.forEach(e -> owners.remove(e.key));
    }
  }

  @Override
  public int size() {
    return size;
  }

  /** Returns the number of rules in the nat {@code KUBE-SERVICES} chain (with the last rule). */
  public int kubeServicesRules() {
    return natKeys.length + 1;
  }

  private void rebuild() {
    int nat = 0;
    int reject = 0;
    for (List<ServicePortEntry> list : services.values()) {
      for (ServicePortEntry e : list) {
        if (e.ready.isEmpty()) {
          reject++;
        } else {
          nat++;
        }
      }
    }
    long[] keys = new long[nat];
    int[][] eps = new int[nat][];
    long[] rejects = new long[reject];
    int i = 0;
    int j = 0;
    for (List<ServicePortEntry> list : services.values()) {
      for (ServicePortEntry e : list) {
        if (e.ready.isEmpty()) {
          rejects[j++] = e.key;
          continue;
        }
        int n = e.ready.size();
        keys[i] = e.key;
        eps[i] = new int[3 * n];
        for (int k = 0; k < n; k++) {
          eps[i][3 * k] = k < n - 1 ? threshold(n - k) : Integer.MAX_VALUE;
          eps[i][3 * k + 1] = e.ready.get(k).ip().toInt();
          eps[i][3 * k + 2] = e.ready.get(k).port();
        }
        i++;
      }
    }
    natKeys = keys;
    backends = eps;
    rejectKeys = rejects;
    size = nat + reject;
  }

  /** iptables' stored probability for 1/n written with 10 decimals: lround(2^31 * p). */
  static int threshold(int n) {
    double p = Double.parseDouble(KubeProxyIptables.probability(n));
    return (int) Math.round(0x1p31 * p);
  }
}
