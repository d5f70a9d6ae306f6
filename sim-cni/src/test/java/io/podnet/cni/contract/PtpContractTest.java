package io.podnet.cni.contract;

import io.podnet.cni.cluster.Cluster;

/** The contract suite over the {@code ptp} preset. */
class PtpContractTest extends CniContractSuite {

  @Override
  protected Cluster.Builder strategy() {
    return Cluster.ptp();
  }
}
