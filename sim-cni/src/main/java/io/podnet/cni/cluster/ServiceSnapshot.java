package io.podnet.cni.cluster;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.dataplane.service.Endpoint;
import io.podnet.dataplane.service.HashMapServiceLookup;
import io.podnet.dataplane.service.KubeProxyIptables;
import io.podnet.dataplane.service.Service;
import io.podnet.dataplane.service.ServiceOptions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The Services and their endpoints as the API server holds them at one instant, what every node's
 * proxy syncs towards. A cluster makes a new snapshot for each instant its Services or endpoints
 * change, reusing the previous snapshot's {@link Entry} of every Service that did not change.
 *
 * <p>What the nodes derive from a snapshot is made once and shared: each Service's iptables rules
 * (kept by its {@link Entry}, so from one snapshot to the next only the changed Services are
 * rendered again), the change from the snapshot a node last synced ({@link #stepFrom}), the restore
 * input of that sync ({@link #plan}) and the service map ({@link #sharedMap}); 5,000 nodes syncing
 * the same change do the work once. Only when a Service makes the rendering depend on the node
 * ({@code externalTrafficPolicy: Local}, whose external frontends hold the node's own endpoints, or
 * LoadBalancer source ranges, which may hold the node's address) does each node get its own restore
 * input, with that Service's rules of its own.
 */
final class ServiceSnapshot {

  private @Nullable Map<String, Entry> entries;
  private @Nullable ServiceSnapshot parent;
  private Map<String, Entry> puts = Map.of();
  private List<String> deleted = List.of();
  private final Cidr clusterCidr;
  private final boolean perNode;
  private final long generation;
  private int endpoints = -1;
  private long lastFrom = -1;
  private Step lastStep = new Step(List.of(), List.of());
  private final Map<PlanKey, Shared> plans = new HashMap<>();
  private @Nullable HashMapServiceLookup sharedMap;

  /**
   * One Service and its endpoints, equal to another with equal ones. What it writes into a restore
   * is rendered the first time a node asks and kept, unless it depends on the node: a snapshot
   * reuses the entries of the Services that did not change, and with them their rendering.
   */
  static final class Entry {
    private final Service service;
    private final List<Endpoint> endpoints;
    private final boolean perNode;
    private int ready = -1;
    private KubeProxyIptables.@Nullable ServiceRules rules;
    private boolean rulesComments;

    Entry(Service service, List<Endpoint> endpoints) {
      this.service = service;
      this.endpoints = endpoints;
      this.perNode = dependsOnNode(service);
    }

    Service service() {
      return service;
    }

    List<Endpoint> endpoints() {
      return endpoints;
    }

    /** Whether what the Service writes depends on the node. */
    boolean perNode() {
      return perNode;
    }

    /** The ready endpoints kube-proxy counts towards its large-cluster threshold. */
    int readyEndpoints() {
      if (ready < 0) {
        ready = KubeProxyIptables.readyEndpoints(service, endpoints);
      }
      return ready;
    }

    /** What the Service writes on {@code node} with or without {@code comments}. */
    KubeProxyIptables.ServiceRules rules(Cidr clusterCidr, boolean comments, Node node) {
      if (perNode) {
        return KubeProxyIptables.ServiceRules.of(
            service, endpoints, clusterCidr, comments, node.name(), node.internalIp());
      }
      KubeProxyIptables.ServiceRules r = rules;
      if (r == null || rulesComments != comments) {
        r =
            KubeProxyIptables.ServiceRules.of(
                service, endpoints, clusterCidr, comments, "", Ipv4Address.of(0));
        rules = r;
        rulesComments = comments;
      }
      return r;
    }

    /** The Service's own chains on {@code node} (they do not depend on comments). */
    SortedSet<String> chains(Cidr clusterCidr, Node node) {
      KubeProxyIptables.ServiceRules r = rules;
      return (r == null || perNode ? rules(clusterCidr, false, node) : r).chains();
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Entry e && service.equals(e.service) && endpoints.equals(e.endpoints);
    }

    @Override
    public int hashCode() {
      return service.hashCode() * 31 + endpoints.hashCode();
    }
  }

  /**
   * What a node syncing from one snapshot to this one writes: the Services it lacks or holds with
   * other ports or endpoints, and those it holds that are gone, each in order.
   */
  record Step(List<Entry> changed, List<String> removed) {

    /** How many Services the step adds, changes or removes. */
    int services() {
      return changed.size() + removed.size();
    }
  }

  /** A sync's {@code iptables-restore} input and its line count. */
  record Plan(String text, long lines) {}

  /** A plan's key: the generation synced from (not the snapshot, which would keep it alive). */
  private record PlanKey(long from, boolean full) {}

  /** A plan and how many nodes are making the sync it is for. */
  private static final class Shared {
    final Plan plan;
    int syncing;

    Shared(Plan plan) {
      this.plan = plan;
    }
  }

  private ServiceSnapshot(Cidr cidr, long generation, boolean perNode) {
    this.clusterCidr = cidr;
    this.generation = generation;
    this.perNode = perNode;
  }

  /**
   * The snapshot after {@code parent}: its entries without those of the {@code removed} keys, then
   * with {@code puts} (an entry of a key it holds replaces that entry in place, others follow in
   * order). Made in time proportional to the change: the entries are laid out only when something
   * asks for them, a sync to this snapshot.
   *
   * @param perNode whether any Service of the result depends on the node
   */
  ServiceSnapshot(
      ServiceSnapshot parent, Map<String, Entry> puts, List<String> removed, boolean perNode) {
    this(parent.clusterCidr, parent.generation + 1, perNode);
    this.parent = parent;
    this.puts = puts;
    this.deleted = removed;
  }

  /**
   * Whether what {@code service} writes depends on the node: {@code externalTrafficPolicy: Local}
   * (its external frontends hold the node's own endpoints) or LoadBalancer source ranges (which may
   * hold the node's address).
   */
  private static boolean dependsOnNode(Service service) {
    ServiceOptions o = service.options();
    return o.externalTrafficPolicyLocal() || !o.loadBalancerSourceRanges().isEmpty();
  }

  /** An empty snapshot: no Services. */
  static ServiceSnapshot empty(Cidr clusterCidr) {
    ServiceSnapshot empty = new ServiceSnapshot(clusterCidr, 0, false);
    empty.entries = Map.of();
    return empty;
  }

  /** The cluster CIDR kube-proxy tells pod traffic by. */
  Cidr clusterCidr() {
    return clusterCidr;
  }

  /** Which snapshot of the cluster this is: 0 for the empty one, then 1, 2... */
  long generation() {
    return generation;
  }

  /** Whether what a node writes for this snapshot depends on the node. */
  boolean perNode() {
    return perNode;
  }

  /** The Services and endpoints by {@code namespace/name}, in creation order. */
  Map<String, Entry> entries() {
    Map<String, Entry> all = entries;
    if (all != null) {
      return all;
    }
    Deque<ServiceSnapshot> since = new ArrayDeque<>();
    ServiceSnapshot s = this;
    while (s.entries == null) {
      since.push(s);
      s = Objects.requireNonNull(s.parent);
    }
    Map<String, Entry> out = new LinkedHashMap<>(s.entries);
    for (ServiceSnapshot step : since) {
      step.deleted.forEach(out::remove);
      out.putAll(step.puts);
    }
    entries = out;
    parent = null;
    puts = Map.of();
    deleted = List.of();
    return out;
  }

  /**
   * What a node that holds {@code from} writes to hold this snapshot; worked out once for all the
   * nodes that sync from the same snapshot.
   */
  Step stepFrom(ServiceSnapshot from) {
    if (from.generation != lastFrom) {
      List<Entry> changed = new ArrayList<>();
      Map<String, Entry> now = entries();
      Map<String, Entry> before = from.entries();
      now.forEach(
          (key, e) -> {
            Entry old = before.get(key);
            if (old != e && !Objects.equals(old, e)) {
              changed.add(e);
            }
          });
      List<String> removed = before.keySet().stream().filter(k -> !now.containsKey(k)).toList();
      lastStep = new Step(changed, removed);
      lastFrom = from.generation;
    }
    return lastStep;
  }

  /**
   * The restore input of a sync from {@code from} to this snapshot on {@code node}, made by {@code
   * plan} once for every node, unless the rendering of either snapshot depends on the node (a
   * node-dependent Service gone since {@code from} leaves chains of the node's own to delete). A
   * shared plan is kept while a node makes its sync ({@link #synced}); nodes making the same sync
   * start it together, so the next such sync is rare and plans it again rather than keep the text.
   */
  Plan plan(ServiceSnapshot from, boolean full, Node node, Supplier<Plan> plan) {
    if (perNode || from.perNode) {
      return plan.get();
    }
    Shared shared =
        plans.computeIfAbsent(new PlanKey(from.generation, full), k -> new Shared(plan.get()));
    shared.syncing++;
    return shared.plan;
  }

  /** A node finished the sync from {@code from} that {@link #plan} planned. */
  void synced(ServiceSnapshot from, boolean full) {
    PlanKey key = new PlanKey(from.generation, full);
    Shared shared = plans.get(key);
    if (shared != null && --shared.syncing == 0) {
      plans.remove(key);
    }
  }

  /**
   * The service map of this snapshot for nodes whose map does not depend on the node, made by
   * {@code build} the first time a node asks for it.
   */
  HashMapServiceLookup sharedMap(Supplier<HashMapServiceLookup> build) {
    HashMapServiceLookup map = sharedMap;
    if (map == null) {
      map = build.get();
      sharedMap = map;
    }
    return map;
  }

  /**
   * Whether kube-proxy comments its endpoint rules for this snapshot: the ready endpoints of all
   * its Services are within the large-cluster threshold.
   */
  boolean writesComments() {
    if (endpoints < 0) {
      int n = 0;
      for (Entry e : entries().values()) {
        n += e.readyEndpoints();
      }
      endpoints = n;
    }
    return KubeProxyIptables.writesComments(endpoints);
  }
}
