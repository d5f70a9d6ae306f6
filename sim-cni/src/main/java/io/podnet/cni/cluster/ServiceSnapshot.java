package io.podnet.cni.cluster;

import io.podnet.core.addr.Cidr;
import io.podnet.dataplane.service.Endpoint;
import io.podnet.dataplane.service.KubeProxyIptables;
import io.podnet.dataplane.service.Service;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The Services and their endpoints as the API server holds them at one instant, what every node's
 * proxy syncs towards. The iptables rendering of it is made once, on first use, and shared by the
 * nodes (it does not depend on the node).
 */
final class ServiceSnapshot {

  private final List<Service> services;
  private final Map<String, Entry> entries;
  private final Cidr clusterCidr;
  private @Nullable String restoreText;
  private @Nullable Map<String, List<String>> chains;
  private List<Entry> lastSubset = List.of();
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

  /** kube-proxy's full restore input for this snapshot. */
  String restoreText() {
    String text = restoreText;
    if (text == null) {
      Map<Service, List<Endpoint>> endpoints = new LinkedHashMap<>();
      entries.values().forEach(e -> endpoints.put(e.service(), e.endpoints()));
      text = KubeProxyIptables.render(services, endpoints, clusterCidr);
      restoreText = text;
    }
    return text;
  }

  /** The chains the full restore input declares, by table. */
  Map<String, List<String>> chains() {
    Map<String, List<String>> c = chains;
    if (c == null) {
      c = KubeProxy.declaredChains(restoreText());
      chains = c;
    }
    return c;
  }

  /**
   * The chains kube-proxy writes for these Services alone, by table; the last answer is kept, as
   * every node usually asks about the same Services.
   */
  Map<String, List<String>> chainsOf(List<Entry> subset) {
    if (!subset.equals(lastSubset)) {
      Map<Service, List<Endpoint>> endpoints = new LinkedHashMap<>();
      subset.forEach(e -> endpoints.put(e.service(), e.endpoints()));
      List<Service> list = subset.stream().map(Entry::service).toList();
      lastSubsetChains =
          KubeProxy.declaredChains(KubeProxyIptables.render(list, endpoints, clusterCidr));
      lastSubset = subset;
    }
    return lastSubsetChains;
  }
}
