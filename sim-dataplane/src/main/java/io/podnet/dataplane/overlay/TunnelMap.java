package io.podnet.dataplane.overlay;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The tunnel endpoints of an external (collect-metadata) tunnel device: inner destination prefixes
 * mapped to the remote node that serves them, looked up by longest prefix. It stands for what sets
 * the tunnel key per packet on a real external device, such as Cilium's BPF tunnel map ({@code
 * cilium_tunnel_map}, pod CIDR to node IP) read by {@code bpf_skb_set_tunnel_key}.
 */
final class TunnelMap {

  private final TreeMap<Cidr, Ipv4Address> endpoints = new TreeMap<>();

  void put(Cidr prefix, Ipv4Address remote) {
    if (remote.toInt() == 0) {
      throw new IllegalArgumentException("tunnel endpoint must be a unicast address: " + remote);
    }
    endpoints.put(prefix, remote);
  }

  boolean remove(Cidr prefix) {
    return endpoints.remove(prefix) != null;
  }

  Map<Cidr, Ipv4Address> view() {
    return Collections.unmodifiableMap(endpoints);
  }

  /** The endpoint of the longest prefix holding {@code dst}, or null. */
  @Nullable Ipv4Address lookup(int dst) {
    Ipv4Address best = null;
    int bestLength = -1;
    for (Map.Entry<Cidr, Ipv4Address> e : endpoints.entrySet()) {
      Cidr c = e.getKey();
      if (c.prefixLength() > bestLength && c.contains(dst)) {
        best = e.getValue();
        bestLength = c.prefixLength();
      }
    }
    return best;
  }
}
