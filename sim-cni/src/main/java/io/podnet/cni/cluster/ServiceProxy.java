package io.podnet.cni.cluster;

import io.podnet.core.addr.Cidr;
import io.podnet.core.engine.Simulation;
import io.podnet.dataplane.netfilter.Netfilter;
import io.podnet.dataplane.service.Endpoint;
import io.podnet.dataplane.service.HashMapServiceLookup;
import io.podnet.dataplane.service.RuleProgrammingCost;
import io.podnet.dataplane.service.Service;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Service dataplane of one node, in either {@link ServiceMode}: it owns the node's netfilter
 * (conntrack does the NAT in both modes) and applies each sync after the time it takes, an {@code
 * iptables-restore} of the rendered lines or a constant map update ({@link RuleProgrammingCost}).
 */
final class ServiceProxy {

  private final ServiceMode mode;
  private final Simulation simulation;
  private final Netfilter netfilter;
  private final KubeProxy kubeProxy;
  private final HashMapServiceLookup map;
  private final Map<String, Service> programmed = new LinkedHashMap<>();

  ServiceProxy(Node node, ServiceMode mode, Simulation simulation, Cidr clusterCidr) {
    this.mode = mode;
    this.simulation = simulation;
    node.host().root().setBridgeNfCallIptables(true);
    this.kubeProxy = new KubeProxy(node, mode == ServiceMode.IPTABLES);
    this.netfilter = kubeProxy.netfilter();
    this.map = HashMapServiceLookup.forNode(node.name(), clusterCidr);
    if (mode == ServiceMode.HASH_MAP) {
      netfilter.setServiceMap(map);
    }
  }

  Netfilter netfilter() {
    return netfilter;
  }

  HashMapServiceLookup map() {
    return map;
  }

  /** Schedules the programming of these Services; it takes effect after its cost. */
  void sync(List<Service> services, Map<Service, List<Endpoint>> endpoints, Cidr clusterCidr) {
    if (mode == ServiceMode.IPTABLES) {
      String text = kubeProxy.render(services, endpoints, clusterCidr);
      long delay = RuleProgrammingCost.MEASURED.restoreNanos(text.lines().count());
      simulation.schedule(delay, () -> kubeProxy.apply(text));
      return;
    }
    Map<String, Service> wanted = new LinkedHashMap<>();
    Map<Service, List<Endpoint>> snapshot = new LinkedHashMap<>();
    for (Service s : services) {
      wanted.put(s.namespacedName(), s);
      snapshot.put(s, List.copyOf(endpoints.getOrDefault(s, List.of())));
    }
    simulation.schedule(
        RuleProgrammingCost.MEASURED.mapUpdateNanos(),
        () -> {
          for (Service old : List.copyOf(programmed.values())) {
            if (!wanted.containsKey(old.namespacedName())) {
              map.remove(old.namespace(), old.name());
              programmed.remove(old.namespacedName());
            }
          }
          snapshot.forEach(
              (s, eps) -> {
                map.update(s, eps);
                programmed.put(s.namespacedName(), s);
              });
        });
  }
}
