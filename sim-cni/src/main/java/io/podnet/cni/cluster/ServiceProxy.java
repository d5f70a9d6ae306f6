package io.podnet.cni.cluster;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.Simulation;
import io.podnet.dataplane.netfilter.Netfilter;
import io.podnet.dataplane.service.Endpoint;
import io.podnet.dataplane.service.HashMapServiceLookup;
import io.podnet.dataplane.service.Protocol;
import io.podnet.dataplane.service.RuleProgrammingCost;
import io.podnet.dataplane.service.Service;
import io.podnet.dataplane.service.ServicePort;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
  private Map<Long, Set<Long>> udpServing = Map.of();

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
    Map<Long, Set<Long>> serving = udpServing(services, endpoints);
    if (mode == ServiceMode.IPTABLES) {
      String text = kubeProxy.render(services, endpoints, clusterCidr);
      long delay = RuleProgrammingCost.MEASURED.restoreNanos(text.lines().count());
      simulation.schedule(
          delay,
          () -> {
            kubeProxy.apply(text);
            deleteStaleUdpFlows(serving);
          });
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
          deleteStaleUdpFlows(serving);
        });
  }

  /** Each UDP ClusterIP and port, packed, with the endpoints serving it, packed likewise. */
  private static Map<Long, Set<Long>> udpServing(
      List<Service> services, Map<Service, List<Endpoint>> endpoints) {
    Map<Long, Set<Long>> out = new LinkedHashMap<>();
    for (Service s : services) {
      for (ServicePort port : s.ports()) {
        if (port.protocol() != Protocol.UDP) {
          continue;
        }
        Set<Long> serving = new LinkedHashSet<>();
        for (Endpoint e : endpoints.getOrDefault(s, List.of())) {
          if (e.isReady() && e.port() == port.targetPort()) {
            serving.add(pack(e.ip(), e.port()));
          }
        }
        out.put(pack(s.clusterIp(), port.port()), serving);
      }
    }
    return out;
  }

  /**
   * After a sync took effect, deletes the UDP conntrack entries of Service frontends (the last
   * sync's and this one's) that are DNATed to an endpoint no longer serving them, as kube-proxy
   * does: UDP has no connection to end, so such an entry would keep sending a client's datagrams to
   * a gone pod until it timed out.
   */
  private void deleteStaleUdpFlows(Map<Long, Set<Long>> serving) {
    Set<Long> frontends = new LinkedHashSet<>(udpServing.keySet());
    frontends.addAll(serving.keySet());
    for (long frontend : frontends) {
      Set<Long> live = serving.getOrDefault(frontend, Set.of());
      netfilter
          .conntrack()
          .deleteStaleUdpNat(
              Ipv4Address.of((int) (frontend >>> 16)), (int) (frontend & 0xFFFF), live::contains);
    }
    udpServing = serving;
  }

  private static long pack(Ipv4Address ip, int port) {
    return (ip.toInt() & 0xFFFF_FFFFL) << 16 | port;
  }
}
