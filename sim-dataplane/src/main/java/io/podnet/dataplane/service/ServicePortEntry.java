package io.podnet.dataplane.service;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One Service port with its ready endpoints, flattened and ordered the way kube-proxy's own tests
 * canonicalise its output: by {@code namespace/name}, then by port name. Endpoints are the ready
 * ones whose port is the Service port's {@code targetPort}, deduplicated and sorted by their {@code
 * IP:port} text, as kube-proxy's endpoints map sorts them.
 */
final class ServicePortEntry {

  /** kube-proxy's canonical order: service name first, port name second. */
  static final Comparator<ServicePortEntry> ORDER =
      Comparator.<ServicePortEntry, String>comparing(e -> e.service.namespacedName())
          .thenComparing(e -> e.port.name());

  final Service service;
  final ServicePort port;
  final String portName;
  final long key;
  final List<Endpoint> ready;

  private ServicePortEntry(Service service, ServicePort port, List<Endpoint> ready) {
    this.service = service;
    this.port = port;
    this.portName = service.portName(port);
    this.key = service.key(port);
    this.ready = ready;
  }

  /** Returns the entries of one Service, in port-name order. */
  static List<ServicePortEntry> of(Service service, List<Endpoint> endpoints) {
    for (Endpoint e : endpoints) {
      boolean matches = false;
      for (ServicePort p : service.ports()) {
        matches |= p.targetPort() == e.port();
      }
      if (!matches) {
        List<Integer> targets = new ArrayList<>();
        service.ports().forEach(p -> targets.add(p.targetPort()));
        throw new IllegalArgumentException(
            "endpoint "
                + e
                + " of "
                + service.namespacedName()
                + " matches no targetPort (expected one of "
                + targets
                + ")");
      }
    }
    List<ServicePortEntry> out = new ArrayList<>();
    for (ServicePort p : service.ports()) {
      TreeMap<String, Endpoint> byText = new TreeMap<>();
      for (Endpoint e : endpoints) {
        if (e.isReady() && e.port() == p.targetPort()) {
          byText.put(e.toString(), e);
        }
      }
      out.add(new ServicePortEntry(service, p, List.copyOf(byText.values())));
    }
    out.sort(ORDER);
    return out;
  }

  /**
   * Flattens {@code services} into entries in canonical order.
   *
   * @throws IllegalArgumentException if two Services share a namespace/name or a (VIP, port,
   *     protocol)
   */
  static List<ServicePortEntry> flatten(
      List<Service> services, Map<Service, List<Endpoint>> endpoints) {
    List<ServicePortEntry> out = new ArrayList<>();
    TreeSet<String> names = new TreeSet<>();
    TreeMap<Long, String> keys = new TreeMap<>();
    for (Service s : services) {
      if (!names.add(s.namespacedName())) {
        throw new IllegalArgumentException("duplicate Service " + s.namespacedName());
      }
      for (ServicePortEntry e : of(s, endpoints.getOrDefault(s, List.of()))) {
        String previous = keys.putIfAbsent(e.key, e.portName);
        if (previous != null) {
          throw new IllegalArgumentException(
              e.portName + " and " + previous + " share " + ServiceKey.format(e.key));
        }
        out.add(e);
      }
    }
    out.sort(ORDER);
    return out;
  }
}
