package io.podnet.cni.contract;

import io.podnet.cni.calico.CalicoNode;
import io.podnet.cni.cluster.Cluster;

/** The contract suite over calico with the IPIP pool mode. */
class CalicoIpipContractTest extends CniContractSuite {

  @Override
  protected Cluster.Builder strategy() {
    return Cluster.calico(CalicoNode.of(CalicoNode.Mode.IPIP));
  }
}
