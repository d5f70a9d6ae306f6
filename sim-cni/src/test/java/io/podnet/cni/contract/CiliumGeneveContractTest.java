package io.podnet.cni.contract;

import io.podnet.cni.cluster.Cluster;

/** The contract suite over the cilium preset with {@code tunnel-protocol: geneve}. */
class CiliumGeneveContractTest extends CniContractSuite {

  @Override
  protected Cluster.Builder strategy() {
    return Cluster.cilium("geneve");
  }
}
