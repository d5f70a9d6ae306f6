package io.podnet.examples.scenario;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.dataplane.service.ServiceOptions;
import io.podnet.dataplane.service.ServicePort;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The fields of a Service manifest PodNet models beyond its selector and port numbers: {@code
 * spec.type} (ClusterIP, NodePort, LoadBalancer), {@code spec.ports[].nodePort}, {@code
 * spec.externalIPs}, {@code spec.externalTrafficPolicy} with {@code spec.healthCheckNodePort},
 * {@code spec.sessionAffinity} with its timeout, {@code spec.loadBalancerSourceRanges} and {@code
 * status.loadBalancer.ingress[].ip}: checked before the run ({@link #problem}) and turned into the
 * cluster's ports and {@link ServiceOptions} when applied. NodePorts a NodePort or LoadBalancer
 * Service leaves out are allocated as the API server does.
 */
final class ServiceManifest {

  private ServiceManifest() {}

  /**
   * Returns the first problem as {@code field.path: what is wrong (expected ...)}, or null.
   * Selector and port numbers are checked by the caller.
   */
  static @Nullable String problem(Service s) {
    ServiceSpec spec = s.getSpec();
    String type = type(spec);
    if (!type.equals("ClusterIP") && !type.equals("NodePort") && !type.equals("LoadBalancer")) {
      return "spec.type: unsupported value \""
          + type
          + "\" (expected ClusterIP, NodePort or LoadBalancer)";
    }
    boolean external = !type.equals("ClusterIP");
    for (int i = 0; i < spec.getPorts().size(); i++) {
      Integer np = spec.getPorts().get(i).getNodePort();
      if (np != null && !external) {
        return "spec.ports["
            + i
            + "].nodePort: may not be used when type is ClusterIP (expected NodePort or"
            + " LoadBalancer)";
      }
      if (np != null && (np < 30000 || np > 32767)) {
        return "spec.ports[" + i + "].nodePort: " + np + " is not in the valid range 30000-32767";
      }
    }
    List<String> ips = spec.getExternalIPs() == null ? List.of() : spec.getExternalIPs();
    for (int i = 0; i < ips.size(); i++) {
      if (!isIpv4(ips.get(i))) {
        return "spec.externalIPs[" + i + "]: \"" + ips.get(i) + "\" (expected an IPv4 address)";
      }
    }
    String policy = spec.getExternalTrafficPolicy();
    if (policy != null && !policy.equals("Cluster") && !policy.equals("Local")) {
      return "spec.externalTrafficPolicy: unsupported value \""
          + policy
          + "\" (expected Cluster or Local)";
    }
    if ("Local".equals(policy) && !external && ips.isEmpty()) {
      return "spec.externalTrafficPolicy: Local applies only to a Service reachable from outside"
          + " (expected type NodePort or LoadBalancer, or externalIPs)";
    }
    Integer hc = spec.getHealthCheckNodePort();
    if (hc != null && (!type.equals("LoadBalancer") || !"Local".equals(policy))) {
      return "spec.healthCheckNodePort: only for a LoadBalancer Service with"
          + " externalTrafficPolicy Local";
    }
    if (hc != null && (hc < 30000 || hc > 32767)) {
      return "spec.healthCheckNodePort: " + hc + " is not in the valid range 30000-32767";
    }
    String affinity = spec.getSessionAffinity();
    if (affinity != null && !affinity.equals("None") && !affinity.equals("ClientIP")) {
      return "spec.sessionAffinity: unsupported value \""
          + affinity
          + "\" (expected None or ClientIP)";
    }
    Integer timeout = affinityTimeout(spec);
    if (timeout != null && (timeout < 1 || timeout > ServiceOptions.MAX_AFFINITY_SECONDS)) {
      return "spec.sessionAffinityConfig.clientIP.timeoutSeconds: "
          + timeout
          + " (expected 1 to 86400)";
    }
    List<String> ranges = sourceRanges(spec);
    for (int i = 0; i < ranges.size(); i++) {
      if (!isCidr(ranges.get(i).strip())) {
        return "spec.loadBalancerSourceRanges["
            + i
            + "]: \""
            + ranges.get(i)
            + "\" (expected an IPv4 CIDR such as 10.240.0.0/24)";
      }
    }
    List<LoadBalancerIngress> ingress = ingress(s);
    for (int i = 0; i < ingress.size(); i++) {
      String ip = ingress.get(i).getIp();
      if (ip == null || !isIpv4(ip)) {
        return "status.loadBalancer.ingress["
            + i
            + "].ip: \""
            + ip
            + "\" (expected an IPv4 address)";
      }
    }
    return null;
  }

  /** A checked Service's ports and options, ready for the cluster. */
  record Converted(List<ServicePort> ports, ServiceOptions options) {}

  /**
   * Converts a checked Service; the NodePorts (and the health-check NodePort of a LoadBalancer with
   * policy Local) it leaves out come from {@code allocate}, skipping any port it names or was
   * already given.
   */
  static Converted convert(Service s, IntSupplier allocate) {
    List<Integer> used = new ArrayList<>();
    s.getSpec().getPorts().stream()
        .filter(p -> p.getNodePort() != null)
        .forEach(p -> used.add(p.getNodePort()));
    if (s.getSpec().getHealthCheckNodePort() != null) {
      used.add(s.getSpec().getHealthCheckNodePort());
    }
    IntSupplier fresh =
        () -> {
          int port;
          do {
            port = allocate.getAsInt();
          } while (used.contains(port));
          used.add(port);
          return port;
        };
    return new Converted(ports(s, fresh), options(s, fresh));
  }

  private static List<ServicePort> ports(Service s, IntSupplier allocate) {
    boolean external = !type(s.getSpec()).equals("ClusterIP");
    List<ServicePort> ports = new ArrayList<>();
    for (io.fabric8.kubernetes.api.model.ServicePort sp : s.getSpec().getPorts()) {
      int port = sp.getPort();
      int target = sp.getTargetPort() == null ? port : sp.getTargetPort().getIntVal();
      ServicePort p =
          ServicePort.of(
              sp.getName() == null ? "" : sp.getName(),
              sp.getProtocol() == null ? "TCP" : sp.getProtocol(),
              port,
              target);
      if (external) {
        p = p.withNodePort(sp.getNodePort() != null ? sp.getNodePort() : allocate.getAsInt());
      }
      ports.add(p);
    }
    return ports;
  }

  private static ServiceOptions options(Service s, IntSupplier allocate) {
    ServiceSpec spec = s.getSpec();
    ServiceOptions o = ServiceOptions.NONE;
    if (spec.getExternalIPs() != null) {
      o = o.withExternalIps(spec.getExternalIPs().stream().map(Ipv4Address::parse).toList());
    }
    List<LoadBalancerIngress> ingress = ingress(s);
    if (type(spec).equals("LoadBalancer")) {
      o = o.withLoadBalancerType();
      if (!ingress.isEmpty()) {
        o =
            o.withLoadBalancerIngress(
                ingress.stream().map(i -> Ipv4Address.parse(i.getIp())).toList());
        o =
            o.withLoadBalancerSourceRanges(
                sourceRanges(spec).stream().map(r -> Cidr.parse(r.strip())).toList());
      }
    }
    if ("Local".equals(spec.getExternalTrafficPolicy())) {
      int hc = 0;
      if (type(spec).equals("LoadBalancer")) {
        hc =
            spec.getHealthCheckNodePort() != null
                ? spec.getHealthCheckNodePort()
                : allocate.getAsInt();
      }
      o = o.withExternalTrafficPolicyLocal(hc);
    }
    if ("ClientIP".equals(spec.getSessionAffinity())) {
      Integer timeout = affinityTimeout(spec);
      o =
          o.withClientIpAffinity(
              timeout == null ? ServiceOptions.DEFAULT_AFFINITY_SECONDS : timeout);
    }
    return o;
  }

  private static String type(ServiceSpec spec) {
    return spec.getType() == null ? "ClusterIP" : spec.getType();
  }

  private static @Nullable Integer affinityTimeout(ServiceSpec spec) {
    return spec.getSessionAffinityConfig() == null
            || spec.getSessionAffinityConfig().getClientIP() == null
        ? null
        : spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
  }

  private static List<String> sourceRanges(ServiceSpec spec) {
    return spec.getLoadBalancerSourceRanges() == null
        ? List.of()
        : spec.getLoadBalancerSourceRanges();
  }

  private static List<LoadBalancerIngress> ingress(Service s) {
    return s.getStatus() == null
            || s.getStatus().getLoadBalancer() == null
            || s.getStatus().getLoadBalancer().getIngress() == null
        ? List.of()
        : s.getStatus().getLoadBalancer().getIngress();
  }

  private static boolean isIpv4(String text) {
    try {
      Ipv4Address.parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean isCidr(String text) {
    try {
      Cidr.parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
