package io.podnet.cni.cilium;

import io.podnet.core.addr.Ipv4Address;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code cilium-cni} learns from the agent on its node over {@code
 * /var/run/cilium/cilium.sock} ({@code GET /v1/config}): the router IP pods route through and the
 * MTUs for the pod's device and its routes. Kept in {@link io.podnet.core.net.Network#shared}.
 */
final class AgentApi {

  /** One node's agent configuration. */
  record NodeConfig(Ipv4Address routerIp, int deviceMtu, int routeMtu) {}

  private final Map<String, NodeConfig> nodes = new LinkedHashMap<>();
  private CiliumAgent.RoutingMode mode = CiliumAgent.RoutingMode.VXLAN;

  void mode(CiliumAgent.RoutingMode m) {
    this.mode = m;
  }

  CiliumAgent.RoutingMode mode() {
    return mode;
  }

  void register(String node, NodeConfig config) {
    nodes.put(node, config);
  }

  Optional<NodeConfig> config(String node) {
    return Optional.ofNullable(nodes.get(node));
  }
}
