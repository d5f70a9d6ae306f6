package io.podnet.cni.calico;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.NetworkAgent;
import io.podnet.cni.cluster.Node;
import io.podnet.core.addr.Cidr;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Route;

/**
 * calico-node, the strategy's node agent: it creates the IP pool (the cluster CIDR in /26 blocks)
 * in the shared datastore, and whenever a node claims a block it programs on every other node the
 * route BIRD would install once BGP converged, {@code <block> via <node IP> dev eth0 proto bird},
 * and on the owning node {@code blackhole <block> proto bird}, as Calico does for its own blocks.
 * The routes appear at once; BGP sessions with their timing are a later addition.
 */
public final class CalicoNode implements NetworkAgent {

  /** Calico's default block size. */
  public static final int BLOCK_SIZE = 26;

  private boolean listening;

  @Override
  public void nodeAdded(Cluster cluster, Node node) {
    CalicoDatastore store = cluster.network().shared(CalicoDatastore.class, CalicoDatastore::new);
    if (store.pools().isEmpty()) {
      store.addPool(new CalicoDatastore.IpPool(cluster.clusterCidr(), BLOCK_SIZE));
    }
    if (!listening) {
      listening = true;
      store.onBlockClaimed((owner, block) -> advertise(cluster, owner, block));
    }
  }

  @Override
  public void nodesReady(Cluster cluster) {}

  private static void advertise(Cluster cluster, String owner, Cidr block) {
    for (Node node : cluster.nodes()) {
      NetNamespace root = node.host().root();
      if (node.name().equals(owner)) {
        root.addRoute(Route.of(Route.Type.BLACKHOLE, block).proto("bird").build());
      } else {
        Node ownerNode = cluster.node(owner);
        root.addRoute(
            Route.to(block)
                .via(ownerNode.internalIp())
                .dev(root.device("eth0"))
                .proto("bird")
                .build());
      }
    }
  }
}
