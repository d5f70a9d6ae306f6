package io.podnet.cni.contract;

import io.podnet.cni.cluster.Cluster;

/** The contract suite over the calico preset. */
class CalicoContractTest extends CniContractSuite {

  @Override
  protected Cluster.Builder strategy() {
    return Cluster.calico();
  }
}
