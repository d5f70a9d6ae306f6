package io.podnet.dataplane.service;

import io.podnet.core.addr.Ipv4Address;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A Kubernetes Service with a ClusterIP: namespace, name, the virtual IP and one or more ports.
 * Like the API server, it requires every port of a multi-port Service to have a distinct name, and
 * no two ports may share a (port, protocol) pair.
 *
 * <pre>{@code
 * Service svc = Service.of("ns1", "svc1", Ipv4Address.parse("172.30.0.41"),
 *     ServicePort.of("p80", "TCP", 80, 80));
 * svc.portName(svc.ports().get(0)); // "ns1/svc1:p80", kube-proxy's ServicePortName
 * }</pre>
 */
public final class Service {

  private final String namespace;
  private final String name;
  private final Ipv4Address clusterIp;
  private final List<ServicePort> ports;
  private final ServiceOptions options;

  private Service(
      String namespace,
      String name,
      Ipv4Address clusterIp,
      List<ServicePort> ports,
      ServiceOptions options) {
    this.namespace = namespace;
    this.name = name;
    this.clusterIp = clusterIp;
    this.ports = ports;
    this.options = options;
  }

  /** Returns the Service {@code namespace/name} on {@code clusterIp} with a single port. */
  public static Service of(String namespace, String name, Ipv4Address clusterIp, ServicePort port) {
    return of(namespace, name, clusterIp, List.of(port));
  }

  /**
   * Returns the Service {@code namespace/name} on {@code clusterIp} with {@code ports}.
   *
   * @throws IllegalArgumentException for an empty namespace, name or port list, an unnamed or
   *     duplicate port name in a multi-port Service, or two ports on the same port and protocol
   */
  public static Service of(
      String namespace, String name, Ipv4Address clusterIp, List<ServicePort> ports) {
    checkName("namespace", namespace);
    checkName("name", name);
    Objects.requireNonNull(clusterIp, "clusterIp");
    List<ServicePort> copy = List.copyOf(ports);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException(
          "Service " + namespace + "/" + name + " has no ports (expected at least one)");
    }
    Set<String> names = new HashSet<>();
    Set<Long> keys = new HashSet<>();
    for (ServicePort p : copy) {
      if (copy.size() > 1 && p.name().isEmpty()) {
        throw new IllegalArgumentException(
            "port " + p + " of multi-port Service " + namespace + "/" + name + " has no name");
      }
      if (!names.add(p.name())) {
        throw new IllegalArgumentException(
            "duplicate port name \"" + p.name() + "\" in Service " + namespace + "/" + name);
      }
      if (!keys.add(ServiceKey.pack(clusterIp.toInt(), p.port(), p.protocol().number()))) {
        throw new IllegalArgumentException(
            "duplicate port "
                + p.port()
                + "/"
                + p.protocol()
                + " in Service "
                + namespace
                + "/"
                + name);
      }
    }
    return new Service(namespace, name, clusterIp, copy, ServiceOptions.NONE);
  }

  /** Returns a copy with these external addresses, traffic policy and affinity. */
  public Service withOptions(ServiceOptions options) {
    return new Service(
        namespace, name, clusterIp, ports, Objects.requireNonNull(options, "options"));
  }

  private static void checkName(String what, String value) {
    Objects.requireNonNull(value, what);
    if (value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty: \"\"");
    }
  }

  /** Returns the namespace. */
  public String namespace() {
    return namespace;
  }

  /** Returns the name. */
  public String name() {
    return name;
  }

  /** Returns {@code namespace/name}. */
  public String namespacedName() {
    return namespace + "/" + name;
  }

  /** Returns the ClusterIP. */
  public Ipv4Address clusterIp() {
    return clusterIp;
  }

  /** Returns the external addresses, traffic policy and affinity ({@link ServiceOptions#NONE}). */
  public ServiceOptions options() {
    return options;
  }

  /** Returns the ports, in the order given. */
  public List<ServicePort> ports() {
    return ports;
  }

  /**
   * Returns kube-proxy's ServicePortName for {@code port}: {@code ns/name:portName}, or {@code
   * ns/name} for an unnamed port.
   */
  public String portName(ServicePort port) {
    return port.name().isEmpty() ? namespacedName() : namespacedName() + ":" + port.name();
  }

  /** Returns the packed {@link ServiceKey} (ClusterIP, port, protocol) of {@code port}. */
  public long key(ServicePort port) {
    return ServiceKey.pack(clusterIp.toInt(), port.port(), port.protocol().number());
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Service
        && ((Service) o).namespace.equals(namespace)
        && ((Service) o).name.equals(name)
        && ((Service) o).clusterIp.equals(clusterIp)
        && ((Service) o).ports.equals(ports)
        && ((Service) o).options.equals(options);
  }

  @Override
  public int hashCode() {
    return Objects.hash(namespace, name, clusterIp, ports, options);
  }

  @Override
  public String toString() {
    return namespacedName() + " " + clusterIp + " " + ports;
  }
}
