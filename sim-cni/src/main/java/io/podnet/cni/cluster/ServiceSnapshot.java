package io.podnet.cni.cluster;

import io.podnet.core.addr.Cidr;
import io.podnet.dataplane.service.Endpoint;
import io.podnet.dataplane.service.HashMapServiceLookup;
import io.podnet.dataplane.service.KubeProxyIptables;
import io.podnet.dataplane.service.Service;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The Services and their endpoints as the API server holds them at one instant, what every node's
 * proxy syncs towards. A cluster makes a new snapshot for each instant its Services or endpoints
 * change, reusing the previous snapshot's {@link Entry} of every Service that did not change.
 *
 * <p>What the nodes derive from a snapshot is made once and shared: the iptables rendering, the
 * change from the snapshot a node last synced ({@link #stepFrom}), the restore input of that sync
 * ({@link #plan}) and the service map ({@link #sharedMap}); 5,000 nodes syncing the same change do
 * the work once. Only when a Service makes the rendering depend on the node ({@code
 * externalTrafficPolicy: Local}, whose external frontends hold the node's own endpoints, or
 * LoadBalancer source ranges, which may hold the node's address) does each node get its own.
 */
final class ServiceSnapshot {

  private final Map<String, Entry> entries;
  private final Cidr clusterCidr;
  private final boolean perNode;
  private final long generation;
  private final Map<String, String> restoreTexts = new HashMap<>();
  private final Map<String, Map<String, List<String>>> chains = new HashMap<>();
  private long lastFrom = -1;
  private Step lastStep = new Step(List.of(), List.of());
  private final Map<PlanKey, Plan> plans = new HashMap<>();
  private @Nullable HashMapServiceLookup sharedMap;

  /** One Service and its endpoints. */
  record Entry(Service service, List<Endpoint> endpoints) {}

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

  /**
   * A snapshot of {@code entries} (by {@code namespace/name}, in creation order), the {@code
   * generation}-th the cluster made.
   */
  ServiceSnapshot(Map<String, Entry> entries, Cidr cidr, long generation) {
    this.entries = entries;
    this.clusterCidr = cidr;
    this.generation = generation;
    this.perNode =
        entries.values().stream()
            .map(e -> e.service().options())
            .anyMatch(
                o -> o.externalTrafficPolicyLocal() || !o.loadBalancerSourceRanges().isEmpty());
  }

  /** An empty snapshot: no Services. */
  static ServiceSnapshot empty(Cidr clusterCidr) {
    return new ServiceSnapshot(Map.of(), clusterCidr, 0);
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
    return entries;
  }

  /**
   * What a node that holds {@code from} writes to hold this snapshot; worked out once for all the
   * nodes that sync from the same snapshot.
   */
  Step stepFrom(ServiceSnapshot from) {
    if (from.generation != lastFrom) {
      List<Entry> changed = new ArrayList<>();
      entries.forEach(
          (key, e) -> {
            Entry old = from.entries.get(key);
            if (old != e && !Objects.equals(old, e)) {
              changed.add(e);
            }
          });
      List<String> removed =
          from.entries.keySet().stream().filter(k -> !entries.containsKey(k)).toList();
      lastStep = new Step(changed, removed);
      lastFrom = from.generation;
    }
    return lastStep;
  }

  /**
   * The restore input of a sync from {@code from} to this snapshot on {@code node}, made by {@code
   * plan} once for every node, unless the rendering depends on the node.
   */
  Plan plan(ServiceSnapshot from, boolean full, Node node, Supplier<Plan> plan) {
    return perNode
        ? plan.get()
        : plans.computeIfAbsent(new PlanKey(from.generation, full), k -> plan.get());
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

  /** kube-proxy's full restore input for this snapshot on {@code node}. */
  String restoreText(Node node) {
    return restoreTexts.computeIfAbsent(viewOf(node), k -> render(entries.values(), node));
  }

  /** The chains the full restore input on {@code node} declares, by table. */
  Map<String, List<String>> chains(Node node) {
    return chains.computeIfAbsent(viewOf(node), k -> KubeProxy.declaredChains(restoreText(node)));
  }

  /**
   * The chains kube-proxy writes on {@code node} for {@code subset} of these Services, by table.
   */
  Map<String, List<String>> chainsOf(List<Entry> subset, Node node) {
    return KubeProxy.declaredChains(render(subset, node));
  }

  /** The node a rendering depends on: its name, or "" when it depends on none. */
  private String viewOf(Node node) {
    return perNode ? node.name() : "";
  }

  private String render(Iterable<Entry> subset, Node node) {
    List<Service> list = new ArrayList<>();
    Map<Service, List<Endpoint>> endpoints = new LinkedHashMap<>();
    subset.forEach(
        e -> {
          list.add(e.service());
          endpoints.put(e.service(), e.endpoints());
        });
    return perNode
        ? KubeProxyIptables.render(
            list, endpoints, clusterCidr, false, node.name(), node.internalIp())
        : KubeProxyIptables.render(list, endpoints, clusterCidr);
  }
}
