package io.podnet.dataplane.service;

import io.podnet.core.addr.Ipv4Address;

/**
 * The outcome of a {@link ServiceLookup}, packed into a {@code long} so the hot path allocates
 * nothing: a chosen backend is {@code ip << 16 | port} (non-negative); {@link #NO_SERVICE} and
 * {@link #NO_ENDPOINTS} are negative. Outcomes are data, never exceptions.
 */
public final class LookupResult {

  /** No Service has this (VIP, port, protocol): the packet is not load-balanced. */
  public static final long NO_SERVICE = -1L;

  /** The Service exists but has no ready endpoint: kube-proxy REJECTs, Cilium drops. */
  public static final long NO_ENDPOINTS = -2L;

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
    return Integer.toUnsignedLong(ip) << 16 | (port & 0xFFFF);
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
    return (int) (result >>> 16);
  }

  /** Returns the backend port of a backend result. */
  public static int port(long result) {
    return (int) result & 0xFFFF;
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
