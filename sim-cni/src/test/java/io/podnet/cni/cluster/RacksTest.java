package io.podnet.cni.cluster;

import static io.podnet.cni.contract.ClusterAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.cni.calico.CalicoNode;
import io.podnet.cni.contract.ContractChecker;
import io.podnet.cni.contract.ContractReport;
import io.podnet.cni.contract.Rule;
import io.podnet.core.net.Iproute2;
import org.junit.jupiter.api.Test;

/** Nodes in racks behind a router: host-gw needs L2 adjacency, overlays do not. */
class RacksTest {

  private static Cluster withPods(Cluster.Builder b) {
    Cluster cluster = b.racks(2).nodes(4).seed(6).build();
    for (int i = 1; i <= 4; i++) {
      assertThat(cluster.runPod("web-" + i, "node-" + i).isRunning()).isTrue();
    }
    return cluster;
  }

  @Test
  void build_twoRacks_nodesGetRackSubnetsAndTheRoutersGateway() {
    Cluster cluster = Cluster.flannel(Flanneld.Backend.VXLAN).racks(2).nodes(4).seed(6).build();

    assertThat(cluster.node("node-1").internalIp().toString()).isEqualTo("192.168.1.11");
    assertThat(cluster.node("node-3").internalIp().toString()).isEqualTo("192.168.2.11");
    assertThat(Iproute2.ipRouteShow(cluster.node("node-3").host().root()))
        .startsWith("default via 192.168.2.1 dev eth0 \n");
  }

  @Test
  void build_hostGwAcrossRacks_refusedSayingItNeedsL2Adjacency() {
    assertThatThrownBy(() -> Cluster.flannel(Flanneld.Backend.HOST_GW).racks(2).nodes(4).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "host-gw needs the nodes on one L2 segment: node-3 (192.168.2.11) is an L3 hop away"
                + " from node-1 (eth0 [192.168.1.11/24]); use an overlay (VXLAN) or DirectRouting"
                + " instead");
    assertThatThrownBy(() -> Cluster.bridge().racks(2).nodes(4).build())
        .hasMessageStartingWith("host-gw needs the nodes on one L2 segment: ");
  }

  @Test
  void directRouting_directInsideARackVxlanAcrossRacksAndTheContractHolds() {
    Cluster cluster = withPods(Cluster.flannel(Flanneld.Backend.VXLAN_DIRECT_ROUTING));

    String routes = Iproute2.ipRouteShow(cluster.node("node-1").host().root());
    assertThat(routes)
        .contains("10.244.2.0/24 via 192.168.1.12 dev eth0 \n")
        .contains("10.244.3.0/24 via 10.244.3.0 dev flannel.1 onlink \n");
    assertThat(cluster).satisfiesCniContract();
  }

  @Test
  void calicoIpip_acrossRacks_theContractHolds() {
    assertThat(withPods(Cluster.calico(CalicoNode.of(CalicoNode.Mode.IPIP))))
        .satisfiesCniContract();
  }

  @Test
  void calicoBgpPeeringWithTheTor_routerLearnsEveryBlockAndTheContractHolds() {
    CalicoNode agent = CalicoNode.withTorPeering(CalicoNode.Mode.BGP);
    Cluster cluster = withPods(Cluster.calico(agent));

    assertThat(agent.torSpeaker().orElseThrow().locRibSize()).isEqualTo(4);
    assertThat(Iproute2.ipRouteShow(cluster.underlayRouter().orElseThrow().root()))
        .contains(" via 192.168.2.12 dev eth2 proto bird \n");
    assertThat(cluster).satisfiesCniContract();
  }

  @Test
  void calicoPlainBgp_acrossRacksWithoutFabricPeering_podTrafficDiesAtTheRouter() {
    Cluster cluster = withPods(Cluster.calico(CalicoNode.of(CalicoNode.Mode.BGP)));

    ContractReport report = ContractChecker.check(cluster);

    assertThat(report.brokenRules()).containsExactly(Rule.NO_NAT);
    assertThat(report.of(Rule.NO_NAT)).hasSize(8);
    assertThat(report.of(Rule.NO_NAT))
        .allMatch(v -> v.message().startsWith("not reachable at 10.244."));
  }
}
