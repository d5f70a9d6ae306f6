package io.podnet.cni.cilium;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Node;
import io.podnet.cni.cluster.ServiceMode;

/**
 * What {@code cilium-dbg status} prints on a node, for the lines PodNet models: {@code
 * KubeProxyReplacement}, {@code IPAM} and {@code Routing}, each label padded to 25 columns as the
 * real output is. With the replacement on, Cilium 1.15 and later list the devices it serves after
 * the mode, each with its addresses (the node's IPv4 and eth0's link-local IPv6), the one it routes
 * through marked {@code (Direct Routing)}:
 *
 * <pre>
 * KubeProxyReplacement:    True   [eth0   192.168.1.11 fe80::4073:17ff:fe93:c50f (Direct Routing)]
 * IPAM:                    IPv4: 2/254 allocated from 10.0.1.0/24,
 * Routing:                 Network: Tunnel [vxlan]   Host: Legacy
 * </pre>
 */
public final class CiliumStatus {

  private CiliumStatus() {}

  /**
   * The status lines of {@code nodeName}; {@link IllegalArgumentException} if there is no such node
   * or no cilium agent runs on it.
   */
  public static String render(Cluster cluster, String nodeName) {
    Node node = cluster.node(nodeName);
    AgentApi api = cluster.network().shared(AgentApi.class, AgentApi::new);
    if (api.config(node.name()).isEmpty()) {
      throw new IllegalArgumentException("no cilium agent runs on " + node);
    }
    ClusterPoolIpam ipam = cluster.network().shared(ClusterPoolIpam.class, ClusterPoolIpam::new);
    String routing =
        api.mode() == CiliumAgent.RoutingMode.NATIVE
            ? "Network: Native   Host: Legacy"
            : "Network: Tunnel [" + api.mode().text() + "]   Host: Legacy";
    String replacement =
        cluster.serviceMode() == ServiceMode.HASH_MAP
            ? "True   [eth0   "
                + node.internalIp()
                + " "
                + node.host().root().device("eth0").mac().linkLocal()
                + " (Direct Routing)]"
            : "False";
    return line("KubeProxyReplacement", replacement)
        + line(
            "IPAM",
            "IPv4: "
                + ipam.allocations(node.name()).size()
                + "/"
                + ipam.capacity(node.name())
                + " allocated from "
                + ipam.podCidr(node.name())
                + ", ")
        + line("Routing", routing);
  }

  private static String line(String label, String value) {
    StringBuilder sb = new StringBuilder(label).append(':');
    while (sb.length() < 25) {
      sb.append(' ');
    }
    return sb.append(value).append('\n').toString();
  }
}
