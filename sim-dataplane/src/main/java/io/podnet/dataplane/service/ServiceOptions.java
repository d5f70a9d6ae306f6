package io.podnet.dataplane.service;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import java.util.List;

/**
 * How a Service is reached besides its ClusterIP, and how it picks endpoints: {@code
 * spec.externalIPs}, the LoadBalancer ingress IPs ({@code status.loadBalancer.ingress[].ip}) with
 * {@code spec.loadBalancerSourceRanges}, {@code spec.externalTrafficPolicy: Local} with its {@code
 * healthCheckNodePort}, and {@code sessionAffinity: ClientIP} with its timeout; {@code
 * loadBalancer} says {@code spec.type} is LoadBalancer (otherwise NodePort when a port has a node
 * port, else ClusterIP). {@link #NONE} is a plain Service: no external addresses, policy Cluster,
 * no affinity. {@code affinitySeconds} is 0 for {@code sessionAffinity: None}; {@code
 * healthCheckNodePort} is 0 for none.
 *
 * <pre>{@code
 * ServiceOptions lb = ServiceOptions.NONE
 *     .withLoadBalancerIngress(List.of(Ipv4Address.parse("1.2.3.4")))
 *     .withExternalTrafficPolicyLocal(30000)
 *     .withClientIpAffinity(ServiceOptions.DEFAULT_AFFINITY_SECONDS);
 * }</pre>
 */
public record ServiceOptions(
    List<Ipv4Address> externalIps,
    List<Ipv4Address> loadBalancerIngress,
    List<Cidr> loadBalancerSourceRanges,
    boolean externalTrafficPolicyLocal,
    int healthCheckNodePort,
    int affinitySeconds,
    boolean loadBalancer) {

  /** The API server's default {@code sessionAffinityConfig.clientIP.timeoutSeconds}: 3 hours. */
  public static final int DEFAULT_AFFINITY_SECONDS = 10800;

  /** The API server's largest {@code timeoutSeconds}: one day. */
  public static final int MAX_AFFINITY_SECONDS = 86400;

  /**
   * No external addresses, {@code externalTrafficPolicy: Cluster}, {@code sessionAffinity: None}.
   */
  public static final ServiceOptions NONE =
      new ServiceOptions(List.of(), List.of(), List.of(), false, 0, 0, false);

  /**
   * Checks and copies the fields; ingress IPs make the type LoadBalancer.
   *
   * @throws IllegalArgumentException for a health-check port outside [0, 65535] or an affinity
   *     timeout outside [0, 86400] (the API server's range; 0 is no affinity)
   */
  public ServiceOptions {
    externalIps = List.copyOf(externalIps);
    loadBalancerIngress = List.copyOf(loadBalancerIngress);
    loadBalancer |= !loadBalancerIngress.isEmpty();
    loadBalancerSourceRanges = List.copyOf(loadBalancerSourceRanges);
    if (healthCheckNodePort != 0) {
      ServicePort.checkPort("healthCheckNodePort", healthCheckNodePort);
    }
    if (affinitySeconds < 0 || affinitySeconds > MAX_AFFINITY_SECONDS) {
      throw new IllegalArgumentException(
          "sessionAffinityConfig.clientIP.timeoutSeconds must be in [1, 86400]: "
              + affinitySeconds);
    }
  }

  /** Returns a copy reachable on these {@code spec.externalIPs} too. */
  public ServiceOptions withExternalIps(List<Ipv4Address> ips) {
    return new ServiceOptions(
        ips,
        loadBalancerIngress,
        loadBalancerSourceRanges,
        externalTrafficPolicyLocal,
        healthCheckNodePort,
        affinitySeconds,
        loadBalancer);
  }

  /**
   * Returns a copy of type LoadBalancer ({@code spec.type}); until its load balancer reports an
   * address ({@link #withLoadBalancerIngress}) {@code kubectl get} shows {@code <pending>}.
   */
  public ServiceOptions withLoadBalancerType() {
    return withLoadBalancerIngress(loadBalancerIngress);
  }

  /** Returns a copy of type LoadBalancer reachable on these LoadBalancer ingress IPs too. */
  public ServiceOptions withLoadBalancerIngress(List<Ipv4Address> ips) {
    return new ServiceOptions(
        externalIps,
        ips,
        loadBalancerSourceRanges,
        externalTrafficPolicyLocal,
        healthCheckNodePort,
        affinitySeconds,
        true);
  }

  /**
   * Returns a copy whose LoadBalancer IPs accept only clients in {@code ranges} ({@code
   * spec.loadBalancerSourceRanges}); others are dropped.
   */
  public ServiceOptions withLoadBalancerSourceRanges(List<Cidr> ranges) {
    return new ServiceOptions(
        externalIps,
        loadBalancerIngress,
        ranges,
        externalTrafficPolicyLocal,
        healthCheckNodePort,
        affinitySeconds,
        loadBalancer);
  }

  /**
   * Returns a copy with {@code externalTrafficPolicy: Local}: traffic from outside the cluster to a
   * NodePort, external or LoadBalancer IP goes only to endpoints on the node it arrives at and
   * keeps its client source address. {@code healthCheckNodePort} is the port load balancers probe
   * (0 for none, as for a NodePort Service).
   */
  public ServiceOptions withExternalTrafficPolicyLocal(int healthCheckNodePort) {
    return new ServiceOptions(
        externalIps,
        loadBalancerIngress,
        loadBalancerSourceRanges,
        true,
        healthCheckNodePort,
        affinitySeconds,
        loadBalancer);
  }

  /**
   * Returns a copy with {@code sessionAffinity: ClientIP}: a client keeps its endpoint while it
   * comes back within {@code timeoutSeconds}.
   *
   * @throws IllegalArgumentException unless {@code timeoutSeconds} is in [1, 86400]
   */
  public ServiceOptions withClientIpAffinity(int timeoutSeconds) {
    if (timeoutSeconds == 0) {
      throw new IllegalArgumentException(
          "sessionAffinityConfig.clientIP.timeoutSeconds must be in [1, 86400]: 0");
    }
    return new ServiceOptions(
        externalIps,
        loadBalancerIngress,
        loadBalancerSourceRanges,
        externalTrafficPolicyLocal,
        healthCheckNodePort,
        timeoutSeconds,
        loadBalancer);
  }
}
