package io.podnet.cni.calico;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Pod;
import io.podnet.core.addr.Cidr;
import io.podnet.core.net.Device;
import io.podnet.core.net.Iproute2;
import io.podnet.core.net.NetNamespace;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CalicoTest {

  private final Cluster cluster = Cluster.calico().nodes(2).seed(11).build();

  @Test
  void vethName_isCaliPlusElevenHexDigitsOfSha1OfNamespaceDotPod() {
    // printf 'default.web-1' | sha1sum -> 0761ccbeacef8227989813e1a43b2607744edac9
    assertThat(CalicoPlugin.vethName("default", "web-1")).isEqualTo("cali0761ccbeace");
  }

  @Test
  void runPod_podHasASlash32AndRoutesThroughTheLinkLocalGateway() {
    Pod pod = cluster.runPod("web-1");
    NetNamespace ns = pod.requireNetns();

    assertThat(ns.device("eth0").addresses())
        .singleElement()
        .satisfies(a -> assertThat(a.prefixLength()).isEqualTo(32));
    assertThat(Iproute2.ipRouteShow(ns))
        .isEqualTo("default via 169.254.1.1 dev eth0 \n169.254.1.1 dev eth0 scope link \n");
  }

  @Test
  void runPod_hostVethHasCalicosMacProxyArpAndAHostRoute() {
    Pod pod = cluster.runPod("web-1");
    NetNamespace root = pod.node().orElseThrow().host().root();
    Device cali = root.device(CalicoPlugin.vethName("default", "web-1"));

    assertThat(cali.mac()).isEqualTo(CalicoPlugin.HOST_MAC);
    assertThat(cali.proxyArp()).isTrue();
    assertThat(Iproute2.ipRouteShow(root))
        .contains(pod.requireIp() + " dev " + cali.name() + " scope link \n");
  }

  @Test
  void runPod_firstPodOfANodeClaimsA26BlockAndEveryNodeGetsItsRoute() {
    Pod pod = cluster.runPod("web-1", "node-1");
    CalicoDatastore store = cluster.network().shared(CalicoDatastore.class, CalicoDatastore::new);

    assertThat(store.blockAffinities()).hasSize(1);
    Cidr block = store.blockAffinities().keySet().iterator().next();
    assertThat(block.prefixLength()).isEqualTo(26);
    assertThat(block.contains(pod.requireIp())).isTrue();
    assertThat(pod.requireIp()).isEqualTo(block.network());
    assertThat(Iproute2.ipRouteShow(cluster.node("node-1").host().root()))
        .contains("blackhole " + block + " proto bird \n");
    assertThat(Iproute2.ipRouteShow(cluster.node("node-2").host().root()))
        .contains(block + " via 192.168.1.11 dev eth0 proto bird \n");
  }

  @Test
  void runPod_secondPodOnTheSameNode_takesTheNextOrdinalOfTheSameBlock() {
    Pod first = cluster.runPod("web-1", "node-1");
    Pod second = cluster.runPod("web-2", "node-1");

    assertThat(second.requireIp()).isEqualTo(first.requireIp().plus(1));
  }

  @Test
  void deletePod_releasesTheAddressInTheDatastore() {
    cluster.runPod("web-1", "node-1");
    CalicoDatastore store = cluster.network().shared(CalicoDatastore.class, CalicoDatastore::new);
    assertThat(store.allocations()).hasSize(1);

    cluster.deletePod("web-1");

    assertThat(store.allocations()).isEmpty();
  }

  @Test
  void ping_acrossNodes_reachesThePodThroughProxyArpAndBlockRoutes() {
    Pod a = cluster.runPod("web-1", "node-1");
    Pod b = cluster.runPod("web-2", "node-2");

    var result = a.requireNetns().ping(b.requireIp());

    assertThat(result.success()).as(result.walk().render()).isTrue();
    assertThat(result.message()).contains("ttl=62");
    assertThat(result.walk().render())
        .contains("reply 169.254.1.1 is-at ee:ee:ee:ee:ee:ee (proxy)");
  }

  @Test
  void torPeeringInRacks_learnedRoutesKeptOncePerGatewayAndEachNodeShowsItsOwn() {
    CalicoNode agent = CalicoNode.withTorPeering(CalicoNode.Mode.BGP);
    Cluster cluster = Cluster.calico(agent).racks(2).nodes(4).seed(6).build();
    for (int i = 1; i <= 4; i++) {
      cluster.runPod("web-" + i, "node-" + i);
    }
    Map<String, Cidr> blockOf = new TreeMap<>();
    cluster
        .network()
        .shared(CalicoDatastore.class, CalicoDatastore::new)
        .blockAffinities()
        .forEach((block, node) -> blockOf.put(node, block));
    String node1 = Iproute2.ipRouteShow(cluster.node("node-1").host().root());

    assertThat(node1)
        .contains(blockOf.get("node-2") + " via 192.168.1.12 dev eth0 proto bird \n")
        .contains(blockOf.get("node-3") + " via 192.168.1.1 dev eth0 proto bird \n")
        .contains(blockOf.get("node-4") + " via 192.168.1.1 dev eth0 proto bird \n");
    assertThat(Iproute2.ipRouteShow(cluster.node("node-3").host().root()))
        .contains(blockOf.get("node-1") + " via 192.168.2.1 dev eth0 proto bird \n");
    assertThat(agent.learnedRoutes().size())
        .as("each block through its node for its rack, through the router for the other rack")
        .isEqualTo(8);
  }
}
