package io.podnet.cni.cluster;

import io.podnet.core.addr.Cidr;
import io.podnet.dataplane.service.Endpoint;
import io.podnet.dataplane.service.KubeProxyIptables;
import io.podnet.dataplane.service.Service;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Services and their endpoints as the API server holds them at one instant, what every node's
 * proxy syncs towards. The iptables rendering of it is made once, on first use, and shared by the
 * nodes, unless a Service makes it depend on the node: {@code externalTrafficPolicy: Local} (the
 * node's own endpoints) or LoadBalancer source ranges (which may hold the node's address); then
 * each node gets its own.
 */
final class ServiceSnapshot {

  private final List<Service> services;
  private final Map<String, Entry> entries;
  private final Cidr clusterCidr;
  private final boolean perNode;
  private final Map<String, String> restoreTexts = new HashMap<>();
  private final Map<String, Map<String, List<String>>> chains = new HashMap<>();
  private List<Entry> lastSubset = List.of();
  private String lastSubsetNode = "";
  private Map<String, List<String>> lastSubsetChains = Map.of();

  /** One Service and its endpoints. */
  record Entry(Service service, List<Endpoint> endpoints) {}

  ServiceSnapshot(List<Service> services, Map<Service, List<Endpoint>> endpoints, Cidr cidr) {
    this.services = List.copyOf(services);
    this.entries = new LinkedHashMap<>();
    for (Service s : this.services) {
      entries.put(
          s.namespacedName(), new Entry(s, List.copyOf(endpoints.getOrDefault(s, List.of()))));
    }
    this.clusterCidr = cidr;
    this.perNode =
        this.services.stream()
            .map(Service::options)
            .anyMatch(
                o -> o.externalTrafficPolicyLocal() || !o.loadBalancerSourceRanges().isEmpty());
  }

  /** The cluster CIDR kube-proxy tells pod traffic by. */
  Cidr clusterCidr() {
    return clusterCidr;
  }

  /** An empty snapshot: no Services. */
  static ServiceSnapshot empty(Cidr clusterCidr) {
    return new ServiceSnapshot(List.of(), Map.of(), clusterCidr);
  }

  /** The Services, in creation order. */
  List<Service> services() {
    return services;
  }

  /** The Services and endpoints by {@code namespace/name}, in creation order. */
  Map<String, Entry> entries() {
    return entries;
  }

  /** Whether this snapshot holds the same Services with the same endpoints as {@code other}. */
  boolean sameAs(ServiceSnapshot other) {
    return entries.equals(other.entries);
  }

  /**
   * The Services of this snapshot that {@code programmed} (what a node holds) lacks or holds with
   * other ports or endpoints, in creation order.
   */
  List<Entry> changedFrom(Map<String, Entry> programmed) {
    List<Entry> out = new ArrayList<>();
    entries.forEach(
        (key, e) -> {
          if (!Objects.equals(programmed.get(key), e)) {
            out.add(e);
          }
        });
    return out;
  }

  /** The Services {@code programmed} holds that this snapshot no longer has, in their order. */
  List<String> removedFrom(Map<String, Entry> programmed) {
    return programmed.keySet().stream().filter(k -> !entries.containsKey(k)).toList();
  }

  /** kube-proxy's full restore input for this snapshot on {@code node}. */
  String restoreText(Node node) {
    return restoreTexts.computeIfAbsent(
        viewOf(node), k -> render(services, endpointsOf(entries.values()), node));
  }

  /** The chains the full restore input on {@code node} declares, by table. */
  Map<String, List<String>> chains(Node node) {
    return chains.computeIfAbsent(viewOf(node), k -> KubeProxy.declaredChains(restoreText(node)));
  }

  /**
   * The chains kube-proxy writes on {@code node} for these Services alone, by table; the last
   * answer is kept, as every node usually asks about the same Services.
   */
  Map<String, List<String>> chainsOf(List<Entry> subset, Node node) {
    if (!subset.equals(lastSubset) || !viewOf(node).equals(lastSubsetNode)) {
      List<Service> list = subset.stream().map(Entry::service).toList();
      lastSubsetChains = KubeProxy.declaredChains(render(list, endpointsOf(subset), node));
      lastSubset = subset;
      lastSubsetNode = viewOf(node);
    }
    return lastSubsetChains;
  }

  /** The node a rendering depends on: its name, or "" when it depends on none. */
  private String viewOf(Node node) {
    return perNode ? node.name() : "";
  }

  private String render(List<Service> list, Map<Service, List<Endpoint>> endpoints, Node node) {
    return perNode
        ? KubeProxyIptables.render(
            list, endpoints, clusterCidr, false, node.name(), node.internalIp())
        : KubeProxyIptables.render(list, endpoints, clusterCidr);
  }

  private static Map<Service, List<Endpoint>> endpointsOf(Iterable<Entry> entries) {
    Map<Service, List<Endpoint>> endpoints = new LinkedHashMap<>();
    entries.forEach(e -> endpoints.put(e.service(), e.endpoints()));
    return endpoints;
  }
}
