package io.podnet.cni.contract;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Flanneld;

/** The contract suite over flannel with the VXLAN backend. */
class FlannelVxlanContractTest extends CniContractSuite {

  @Override
  protected Cluster.Builder strategy() {
    return Cluster.flannel(Flanneld.Backend.VXLAN);
  }
}
