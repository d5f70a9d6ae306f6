package io.podnet.cni.contract;

import io.podnet.cni.cluster.Cluster;

/** The contract suite over the cilium preset (tunnel mode, VXLAN). */
class CiliumContractTest extends CniContractSuite {

  @Override
  protected Cluster.Builder strategy() {
    return Cluster.cilium();
  }
}
