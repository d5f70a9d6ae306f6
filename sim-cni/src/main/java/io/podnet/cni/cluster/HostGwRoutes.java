package io.podnet.cni.cluster;

import io.podnet.core.addr.IfAddress;
import io.podnet.core.net.Device;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Route;

/**
 * Static host-gw routing, as a cloud route controller or kubenet programs it: on every node, one
 * route {@code <podCIDR> via <node IP> dev eth0} to each other node. The next hop must be on the
 * same L2 segment; a node an L3 hop away is refused with a message saying so.
 */
public final class HostGwRoutes implements NetworkAgent {

  @Override
  public void nodesReady(Cluster cluster) {
    for (Node node : cluster.nodes()) {
      for (Node other : cluster.nodes()) {
        if (other != node) {
          addDirectRoute(node, other);
        }
      }
    }
  }

  /** Whether {@code other}'s address is on {@code node}'s eth0 subnet (L2-adjacent). */
  static boolean adjacent(Node node, Node other) {
    Device eth0 = node.host().root().device("eth0");
    for (IfAddress a : eth0.addresses()) {
      if (a.subnet().contains(other.internalIp())) {
        return true;
      }
    }
    return false;
  }

  /** Adds {@code <other's podCIDR> via <other's IP> dev eth0} on {@code node}. */
  static void addDirectRoute(Node node, Node other) {
    NetNamespace root = node.host().root();
    if (!adjacent(node, other)) {
      throw new IllegalArgumentException(
          "host-gw needs the nodes on one L2 segment: "
              + other.name()
              + " ("
              + other.internalIp()
              + ") is an L3 hop away from "
              + node.name()
              + " (eth0 "
              + root.device("eth0").addresses()
              + "); use an overlay (VXLAN) or DirectRouting instead");
    }
    root.addRoute(
        Route.to(other.podCidr()).via(other.internalIp()).dev(root.device("eth0")).build());
  }
}
