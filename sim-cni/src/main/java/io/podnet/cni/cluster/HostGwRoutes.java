package io.podnet.cni.cluster;

import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Route;

/**
 * Static host-gw routing, as a cloud route controller or kubenet programs it: on every node, one
 * route {@code <podCIDR> via <node IP> dev eth0} to each other node. It needs the nodes on one L2
 * segment, which the cluster's underlay is.
 */
public final class HostGwRoutes implements NetworkAgent {

  @Override
  public void nodesReady(Cluster cluster) {
    for (Node node : cluster.nodes()) {
      NetNamespace root = node.host().root();
      for (Node other : cluster.nodes()) {
        if (other != node) {
          root.addRoute(
              Route.to(other.podCidr()).via(other.internalIp()).dev(root.device("eth0")).build());
        }
      }
    }
  }
}
