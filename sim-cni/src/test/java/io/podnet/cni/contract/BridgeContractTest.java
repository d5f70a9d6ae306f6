package io.podnet.cni.contract;

import io.podnet.cni.cluster.Cluster;

/** The contract suite over the {@code bridge} preset. */
class BridgeContractTest extends CniContractSuite {

  @Override
  protected Cluster.Builder strategy() {
    return Cluster.bridge();
  }
}
