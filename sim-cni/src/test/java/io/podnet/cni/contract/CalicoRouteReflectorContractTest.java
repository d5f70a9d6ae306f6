package io.podnet.cni.contract;

import io.podnet.cni.calico.CalicoNode;
import io.podnet.cni.cluster.Cluster;

/** The contract suite over calico with BGP through one route reflector. */
class CalicoRouteReflectorContractTest extends CniContractSuite {

  @Override
  protected Cluster.Builder strategy() {
    return Cluster.calico(CalicoNode.withRouteReflectors(CalicoNode.Mode.BGP, 1));
  }
}
