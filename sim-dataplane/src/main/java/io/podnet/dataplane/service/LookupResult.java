package io.podnet.dataplane.service;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.SocketLoadBalancer;

/**
 * The outcome of a {@link ServiceLookup}, packed into a {@code long} so the hot path allocates
 * nothing: a chosen backend is {@code ip << 16 | port} (non-negative), packed as a {@link
 * SocketLoadBalancer} answers one, so a socket load balancer can pass a lookup's answer on; {@link
 * #NO_SERVICE} and {@link #NO_ENDPOINTS} are negative, its {@link SocketLoadBalancer#NOT_A_SERVICE}
 * and {@link SocketLoadBalancer#NO_BACKEND}. Outcomes are data, never exceptions.
 */
public final class LookupResult {

  /** No Service has this (VIP, port, protocol): the packet is not load-balanced. */
  public static final long NO_SERVICE = SocketLoadBalancer.NOT_A_SERVICE;

  /** The Service exists but has no ready endpoint: kube-proxy REJECTs, Cilium drops. */
  public static final long NO_ENDPOINTS = SocketLoadBalancer.NO_BACKEND;

  /** The client is outside the LoadBalancer's {@code loadBalancerSourceRanges}: dropped. */
  public static final long DENIED = -3L;

  /**
   * Flag on a backend result: the flow must also be source-NATed to the node's address
   * (masquerade), so replies come back through this node.
   */
  public static final long MASQUERADE = 1L << 48;

  private LookupResult() {}

  /** Packs a backend {@code ip:port}. */
  public static long backend(int ip, int port) {
    return SocketLoadBalancer.backend(ip, port);
  }

  /** Returns whether {@code result} is a chosen backend. */
  public static boolean isBackend(long result) {
    return result >= 0;
  }

  /** Returns whether a backend result carries {@link #MASQUERADE}. */
  public static boolean masquerade(long result) {
    return result >= 0 && (result & MASQUERADE) != 0;
  }

  /** Returns the backend IP bits of a backend result. */
  public static int ip(long result) {
    return SocketLoadBalancer.ip(result);
  }

  /** Returns the backend port of a backend result. */
  public static int port(long result) {
    return SocketLoadBalancer.port(result);
  }

  /** Returns {@code IP:port}, {@code no service}, {@code no endpoints} or why it was denied. */
  public static String format(long result) {
    if (result == NO_SERVICE) {
      return "no service";
    }
    if (result == NO_ENDPOINTS) {
      return "no endpoints";
    }
    if (result == DENIED) {
      return "denied by loadBalancerSourceRanges";
    }
    return Ipv4Address.format(ip(result))
        + ":"
        + port(result)
        + (masquerade(result) ? " (masquerade)" : "");
  }
}
