package io.podnet.cni.calico;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Node;
import io.podnet.cni.cluster.Pod;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.net.HopAction;
import io.podnet.core.net.Iproute2;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.ProbeResult;
import io.podnet.core.trace.MemoryTraceSink;
import io.podnet.core.trace.Trace;
import io.podnet.dataplane.bgp.BgpSpeaker;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Calico's pool modes render and forward as a real Calico node does (FACTS section 4). */
class CalicoModesTest {

  private static Cidr blockOf(Cluster cluster, String node) {
    Map<Cidr, String> affinities =
        cluster.network().shared(CalicoDatastore.class, CalicoDatastore::new).blockAffinities();
    return affinities.entrySet().stream()
        .filter(e -> e.getValue().equals(node))
        .findFirst()
        .orElseThrow()
        .getKey();
  }

  @Test
  void ipip_tunl0TakesTheBlocksFirstAddressAndPodsTheNext() {
    CalicoNode agent = CalicoNode.of(CalicoNode.Mode.IPIP);
    Cluster cluster = Cluster.calico(agent).nodes(2).seed(4).build();
    Pod pod = cluster.runPod("web-1", "node-1");
    Cidr block = blockOf(cluster, "node-1");
    NetNamespace root = cluster.node("node-1").host().root();

    assertThat(root.device("tunl0").addresses())
        .extracting(Object::toString)
        .containsExactly(block.network() + "/32");
    assertThat(pod.requireIp()).isEqualTo(block.address(1));
    assertThat(pod.requireNetns().device("eth0").mtu()).isEqualTo(1480);
    assertThat(Iproute2.ipLinkShow(root, "tunl0"))
        .startsWith("3: tunl0@NONE: <NOARP,UP,LOWER_UP> mtu 1480 ");
  }

  @Test
  void ipip_remoteBlocksRouteThroughTunl0OnlinkAndPingIsEncapsulated() {
    Cluster cluster = Cluster.calico(CalicoNode.of(CalicoNode.Mode.IPIP)).nodes(2).seed(4).build();
    Pod a = cluster.runPod("web-1", "node-1");
    Pod b = cluster.runPod("web-2", "node-2");
    Cidr remote = blockOf(cluster, "node-2");

    assertThat(Iproute2.ipRouteShow(cluster.node("node-1").host().root()))
        .contains(remote + " via 192.168.1.12 dev tunl0 proto bird onlink \n");
    ProbeResult r = a.requireNetns().ping(b.requireIp());
    assertThat(r.success()).as(r.message()).isTrue();
    assertThat(r.walk().hops())
        .anyMatch(h -> h.hop().action() == HopAction.ENCAP && h.hop().device().equals("tunl0"));
  }

  @Test
  void vxlan_vxlanCalicoIsVni4096OnPort4789WithRoutesFromTheDatastore() {
    Cluster cluster = Cluster.calico(CalicoNode.of(CalicoNode.Mode.VXLAN)).nodes(2).seed(4).build();
    Pod a = cluster.runPod("web-1", "node-1");
    Pod b = cluster.runPod("web-2", "node-2");
    NetNamespace root = cluster.node("node-1").host().root();
    Cidr remote = blockOf(cluster, "node-2");
    String remoteVtep =
        cluster
            .node("node-2")
            .host()
            .root()
            .device("vxlan.calico")
            .addresses()
            .get(0)
            .address()
            .toString();

    assertThat(Iproute2.ipDetailedLinkShow(root, "vxlan.calico"))
        .contains("vxlan id 4096 local 192.168.1.11 dev eth0 srcport 0 0 dstport 4789 nolearning");
    assertThat(Iproute2.ipRouteShow(root))
        .contains(remote + " via " + remoteVtep + " dev vxlan.calico proto bird onlink \n");
    assertThat(a.requireNetns().device("eth0").mtu()).isEqualTo(1450);
    assertThat(a.requireNetns().ping(b.requireIp()).success()).isTrue();
  }

  @Test
  void bgp_fullMeshOfFourNodes_hasSixSessionsAndEveryBlockOnEveryNode() {
    CalicoNode agent = CalicoNode.of(CalicoNode.Mode.BGP);
    Cluster cluster = Cluster.calico(agent).nodes(4).seed(4).build();
    for (int i = 1; i <= 4; i++) {
      cluster.runPod("web-" + i, "node-" + i);
    }

    int sessions = agent.speakers().stream().mapToInt(BgpSpeaker::establishedSessions).sum() / 2;
    assertThat(sessions).isEqualTo(6);
    for (Node node : cluster.nodes()) {
      assertThat(agent.speaker(node).orElseThrow().locRibSize()).isEqualTo(4);
    }
  }

  @Test
  void bgp_fullMesh_theAddressGreaterAsTextConnects() {
    MemoryTraceSink sink = new MemoryTraceSink();
    Cluster.calico(CalicoNode.of(CalicoNode.Mode.BGP))
        .node("node-a", Ipv4Address.parse("192.168.1.9"))
        .node("node-b", Ipv4Address.parse("192.168.1.10"))
        .trace(Trace.digestOnly().addSink(sink))
        .seed(4)
        .build()
        .run(SimTime.SECOND);

    // bird.cfg.template: "passive on" toward a peer whose address is greater as a string.
    assertThat(sink.lines())
        .filteredOn(l -> l.contains(" session ") && l.contains(" -> Connect"))
        .singleElement()
        .asString()
        .contains(" bgp node-a session 192.168.1.10 Idle -> Connect");
  }

  @Test
  void bgp_routeReflectors_fewerSessionsSameRoutes() {
    CalicoNode agent = CalicoNode.withRouteReflectors(CalicoNode.Mode.BGP, 2);
    Cluster cluster = Cluster.calico(agent).nodes(6).seed(4).build();
    for (int i = 1; i <= 6; i++) {
      cluster.runPod("web-" + i, "node-" + i);
    }

    int sessions = agent.speakers().stream().mapToInt(BgpSpeaker::establishedSessions).sum() / 2;
    // 1 between the two reflectors, 2 from each of the 4 clients: 9, against 15 for a full mesh
    assertThat(sessions).isEqualTo(9);
    for (Node node : cluster.nodes()) {
      assertThat(agent.speaker(node).orElseThrow().locRibSize()).isEqualTo(6);
    }
  }
}
