package io.podnet.cni.contract;

import io.podnet.cni.cilium.CiliumAgent;
import io.podnet.cni.cluster.Cluster;

/** The contract suite over the cilium preset in native routing mode. */
class CiliumNativeRoutingContractTest extends CniContractSuite {

  @Override
  protected Cluster.Builder strategy() {
    return Cluster.cilium(CiliumAgent.with(CiliumAgent.RoutingMode.NATIVE));
  }
}
