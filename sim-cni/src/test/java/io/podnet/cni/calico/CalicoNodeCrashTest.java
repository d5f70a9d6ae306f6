package io.podnet.cni.calico;

import static io.podnet.cni.contract.ClusterAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Node;
import io.podnet.core.addr.Cidr;
import io.podnet.core.engine.SimTime;
import io.podnet.core.net.Iproute2;
import io.podnet.core.net.Link;
import io.podnet.core.net.Nic;
import io.podnet.dataplane.bgp.BgpSpeaker;
import io.podnet.dataplane.bgp.BgpState;
import org.junit.jupiter.api.Test;

/**
 * A node crash under BGP: the survivors keep the crashed node's routes until their hold timers (240
 * s, BIRD's default) expire, then withdraw them; the contract holds again among the nodes that
 * remain.
 */
class CalicoNodeCrashTest {

  @Test
  void crashNode_routesWithdrawnAfterTheHoldTimeAndTheContractHoldsAmongSurvivors() {
    CalicoNode agent = CalicoNode.of(CalicoNode.Mode.BGP);
    Cluster cluster = Cluster.calico(agent).nodes(3).seed(9).build();
    for (int i = 1; i <= 3; i++) {
      cluster.runPod("web-" + i, "node-" + i);
    }
    Cidr lost =
        cluster
            .network()
            .shared(CalicoDatastore.class, CalicoDatastore::new)
            .blockAffinities()
            .entrySet()
            .stream()
            .filter(e -> e.getValue().equals("node-3"))
            .findFirst()
            .orElseThrow()
            .getKey();
    Node node1 = cluster.node("node-1");
    BgpSpeaker speaker1 = agent.speaker(node1).orElseThrow();
    assertThat(Iproute2.ipRouteShow(node1.host().root())).contains(lost + " via 192.168.1.13");

    long crashedAt = cluster.simulation().now();
    cluster.crashNode("node-3");
    cluster.run(100 * SimTime.SECOND);
    assertThat(Iproute2.ipRouteShow(node1.host().root()))
        .as("routes stay while the hold timer runs")
        .contains(lost + " via 192.168.1.13");

    cluster.run(150 * SimTime.SECOND);

    assertThat(speaker1.state(cluster.node("node-3").internalIp()))
        .isNotEqualTo(BgpState.ESTABLISHED);
    assertThat(Iproute2.ipRouteShow(node1.host().root())).doesNotContain(lost.toString());
    long withdrawnAfter = speaker1.lastRouteChange() - crashedAt;
    assertThat(withdrawnAfter).isBetween(160 * SimTime.SECOND, 240 * SimTime.SECOND);
    assertThat(cluster.node("node-3").notReadyReason())
        .contains("Kubelet stopped posting node status.");
    assertThat(cluster).satisfiesCniContract();
  }

  @Test
  void crashNode_learnedRoutesKeptOnce_crashedBlockLeavesTheSharedSetWhenEveryNodeWithdrewIt() {
    CalicoNode agent = CalicoNode.of(CalicoNode.Mode.BGP);
    Cluster cluster = Cluster.calico(agent).nodes(3).seed(9).build();
    for (int i = 1; i <= 3; i++) {
      cluster.runPod("web-" + i, "node-" + i);
    }
    String node1Routes = Iproute2.ipRouteShow(cluster.node("node-1").host().root());
    String node2Routes = Iproute2.ipRouteShow(cluster.node("node-2").host().root());

    assertThat(agent.learnedRoutes().size())
        .as("three blocks, each learned by two nodes")
        .isEqualTo(3);
    assertThat(node1Routes).contains("via 192.168.1.12 dev eth0 proto bird");
    assertThat(node2Routes).contains("via 192.168.1.11 dev eth0 proto bird");
    cluster.crashNode("node-3");
    cluster.run(250 * SimTime.SECOND);
    assertThat(agent.learnedRoutes().size()).isEqualTo(2);
    assertThat(Iproute2.ipRouteShow(cluster.node("node-1").host().root()))
        .doesNotContain("via 192.168.1.13")
        .contains("via 192.168.1.12 dev eth0 proto bird");
  }

  @Test
  void lossyLink_handshakeOpenLost_sessionUpAgainOneHoldTimeLater() {
    // with seed 762, node-2's lossy link eats the handshake's last ACK and node-1's OPEN: node-1
    // waits out its hold time, and its NOTIFICATION then opens node-2's half-made stream, whose
    // OPEN must be answered with a reset (not swallowed) for the retry to be accepted
    CalicoNode agent = CalicoNode.of(CalicoNode.Mode.BGP);
    Cluster cluster = Cluster.calico(agent).nodes(3).seed(762).build();
    Link lossy = ((Nic) cluster.node("node-2").host().root().device("eth0")).link();
    lossy.setLossRate(0.3);
    cluster.run(3 * SimTime.SECOND);
    lossy.setLossRate(0);
    BgpSpeaker speaker1 = agent.speaker(cluster.node("node-1")).orElseThrow();
    assertThat(speaker1.state(cluster.node("node-2").internalIp()))
        .isNotEqualTo(BgpState.ESTABLISHED);

    cluster.run(250 * SimTime.SECOND);

    assertThat(speaker1.state(cluster.node("node-2").internalIp())).isEqualTo(BgpState.ESTABLISHED);
    cluster.runPod("web-1", "node-1");
    cluster.runPod("web-2", "node-2");
    assertThat(cluster).satisfiesCniContract();
  }

  @Test
  void restoreNode_sessionsComeBackAndTheContractHoldsOnEveryNode() {
    CalicoNode agent = CalicoNode.of(CalicoNode.Mode.BGP);
    Cluster cluster = Cluster.calico(agent).nodes(3).seed(9).build();
    for (int i = 1; i <= 3; i++) {
      cluster.runPod("web-" + i, "node-" + i);
    }
    cluster.crashNode("node-3");
    cluster.run(300 * SimTime.SECOND);
    BgpSpeaker speaker1 = agent.speaker(cluster.node("node-1")).orElseThrow();
    assertThat(speaker1.locRibSize()).isEqualTo(2);

    cluster.restoreNode("node-3");
    cluster.run(30 * SimTime.SECOND);

    assertThat(speaker1.state(cluster.node("node-3").internalIp())).isEqualTo(BgpState.ESTABLISHED);
    assertThat(speaker1.locRibSize()).isEqualTo(3);
    assertThat(cluster.node("node-3").isReady()).isTrue();
    assertThat(cluster).satisfiesCniContract();
  }
}
