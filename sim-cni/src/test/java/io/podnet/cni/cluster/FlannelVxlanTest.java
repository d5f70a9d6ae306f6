package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.net.HopAction;
import io.podnet.core.net.Iproute2;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.PingOptions;
import io.podnet.core.net.ProbeResult;
import io.podnet.dataplane.overlay.VxlanDevice;
import org.junit.jupiter.api.Test;

/** flannel's VXLAN backend renders and forwards like a real flannel node (FACTS section 4). */
class FlannelVxlanTest {

  private final Cluster cluster = Cluster.flannel(Flanneld.Backend.VXLAN).nodes(2).seed(5).build();
  private final NetNamespace node1 = cluster.node("node-1").host().root();

  @Test
  void build_flannel1_isVni1OnPort8472WithMtu1450AndTheSubnetZeroAddress() {
    assertThat(Iproute2.ipDetailedLinkShow(node1, "flannel.1"))
        .contains(
            "vxlan id 1 local 192.168.1.11 dev eth0 srcport 0 0 dstport 8472 nolearning ttl auto"
                + " ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx")
        .contains("mtu 1450 ");
    assertThat(node1.device("flannel.1").addresses())
        .extracting(Object::toString)
        .containsExactly("10.244.1.0/32");
    assertThat(cluster.node("node-1").host().files().read("/run/flannel/subnet.env").orElseThrow())
        .contains("FLANNEL_MTU=1450\n");
  }

  @Test
  void build_routesNeighboursAndFdb_pointTheOtherPodCidrAtTheRemoteVtep() {
    VxlanDevice remote = (VxlanDevice) cluster.node("node-2").host().root().device("flannel.1");

    assertThat(Iproute2.ipRouteShow(node1))
        .contains("10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink \n");
    assertThat(Iproute2.ipNeighShow(node1))
        .contains("10.244.2.0 dev flannel.1 lladdr " + remote.mac() + " PERMANENT \n");
    assertThat(Iproute2.bridgeFdbShow(node1))
        .contains(remote.mac() + " dev flannel.1 dst 192.168.1.12 self permanent\n");
  }

  @Test
  void build_threeNodes_eachNodeHoldsEveryOtherNodesEntriesAndNotItsOwn() {
    Cluster three = Cluster.flannel(Flanneld.Backend.VXLAN).nodes(3).seed(5).build();

    for (Node node : three.nodes()) {
      NetNamespace root = node.host().root();
      String routes = Iproute2.ipRouteShow(root);
      String neighbours = Iproute2.ipNeighShow(root);
      String fdb = Iproute2.bridgeFdbShow(root);
      for (Node other : three.nodes()) {
        VxlanDevice device = (VxlanDevice) other.host().root().device("flannel.1");
        String gateway = other.podCidr().network().toString();
        boolean held = other != node;
        assertThat(routes.contains(other.podCidr() + " via " + gateway + " dev flannel.1 onlink"))
            .as("%s route to %s", node.name(), other.name())
            .isEqualTo(held);
        assertThat(neighbours.contains(gateway + " dev flannel.1 lladdr " + device.mac()))
            .isEqualTo(held);
        assertThat(fdb.contains(device.mac() + " dev flannel.1 dst " + other.internalIp()))
            .isEqualTo(held);
      }
    }
  }

  @Test
  void runPod_podAndBridgeTakeFlannelsMtu() {
    Pod pod = cluster.runPod("web-1", "node-1");

    assertThat(pod.requireNetns().device("eth0").mtu()).isEqualTo(1450);
    assertThat(Iproute2.ipLinkShow(node1, "cni0"))
        .contains("cni0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 ");
  }

  @Test
  void ping_acrossNodes_isEncapsulatedOnFlannel1AndArrivesWithTtl62() {
    Pod a = cluster.runPod("web-1", "node-1");
    Pod b = cluster.runPod("web-2", "node-2");
    a.requireNetns().ping(b.requireIp());

    ProbeResult warm = a.requireNetns().ping(b.requireIp(), PingOptions.DEFAULT.withSequence(2));

    assertThat(warm.message())
        .startsWith("64 bytes from " + b.requireIp() + ": icmp_seq=2 ttl=62 ");
    assertThat(warm.walk().hops())
        .anySatisfy(
            h -> {
              assertThat(h.hop().action()).isEqualTo(HopAction.ENCAP);
              assertThat(h.hop().device()).isEqualTo("flannel.1");
            })
        .anySatisfy(h -> assertThat(h.hop().action()).isEqualTo(HopAction.DECAP));
    assertThat(warm.walk().render()).contains("UDP").contains("8472");
  }

  @Test
  void ping_fullSizeWithDf_fromAPodWithTheRightMtuPasses() {
    Pod a = cluster.runPod("web-1", "node-1");
    Pod b = cluster.runPod("web-2", "node-2");

    ProbeResult r =
        a.requireNetns()
            .ping(b.requireIp(), PingOptions.DEFAULT.withDontFragment(true).withPayloadSize(1422));

    assertThat(r.success()).as(r.message()).isTrue();
    assertThat(
            a.requireNetns()
                .ping(
                    b.requireIp(), PingOptions.DEFAULT.withDontFragment(true).withPayloadSize(1423))
                .message())
        .isEqualTo("ping: local error: message too long, mtu=1450");
  }
}
