package io.podnet.cni.contract;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Flanneld;

/** The contract suite over flannel with VXLAN and DirectRouting. */
class FlannelDirectRoutingContractTest extends CniContractSuite {

  @Override
  protected Cluster.Builder strategy() {
    return Cluster.flannel(Flanneld.Backend.VXLAN_DIRECT_ROUTING);
  }
}
