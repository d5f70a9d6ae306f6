package io.podnet.cni.cluster;

/**
 * How nodes implement Services: kube-proxy's iptables rules, walked linearly, or a hash map keyed
 * by (VIP, port, protocol) with Maglev backend selection, like an eBPF kube-proxy replacement
 * (Cilium's {@code KubeProxyReplacement: True}).
 */
public enum ServiceMode {
  /** kube-proxy in iptables mode. */
  IPTABLES,
  /** A service map in front of the nat table; no KUBE-* chains. */
  HASH_MAP
}
