package io.podnet.cni.cluster;

import io.podnet.cni.plugins.FlannelPlugin;

/**
 * flanneld, the node agent of the flannel strategy: it takes the node's podCIDR as its lease,
 * writes {@code /run/flannel/subnet.env} ({@code FLANNEL_NETWORK}, {@code FLANNEL_SUBNET} as the
 * gateway address with the subnet's length, {@code FLANNEL_MTU}, {@code FLANNEL_IPMASQ}) for the
 * CNI plugin, and joins the nodes with its backend. The {@code host-gw} backend programs {@code
 * <podCIDR> via <node IP> dev eth0} to every other node, which needs the nodes on one L2 segment.
 */
public final class Flanneld implements NetworkAgent {

  /** flannel's backends. */
  public enum Backend {
    /** Direct routes through the other nodes' addresses; requires L2 adjacency. */
    HOST_GW
  }

  private final Backend backend;

  private Flanneld(Backend backend) {
    this.backend = backend;
  }

  /** flanneld with a backend. */
  public static Flanneld with(Backend backend) {
    return new Flanneld(backend);
  }

  /** The backend. */
  public Backend backend() {
    return backend;
  }

  @Override
  public void nodeAdded(Cluster cluster, Node node) {
    int mtu = node.host().root().device("eth0").mtu();
    String env =
        "FLANNEL_NETWORK="
            + cluster.clusterCidr()
            + "\nFLANNEL_SUBNET="
            + node.podCidr().address(1)
            + "/"
            + node.podCidr().prefixLength()
            + "\nFLANNEL_MTU="
            + mtu
            + "\nFLANNEL_IPMASQ=true\n";
    node.host().files().write(FlannelPlugin.DEFAULT_SUBNET_FILE, env);
  }

  @Override
  public void nodesReady(Cluster cluster) {
    new HostGwRoutes().nodesReady(cluster);
  }
}
