package io.podnet.core.net;

import static io.podnet.core.net.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link Iproute2}. The expected texts follow the iproute2 6.1 output captured on a lab
 * node (research/lab-captures-k8s-node.txt), trailing spaces included; only MACs and names come
 * from the model, since they are random per seed.
 */
class Iproute2Test {

  private static final String LO_LINK =
      "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group"
          + " default qlen 1000\n"
          + "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n";

  private BridgeTopology t;
  private NetNamespace node1;
  private NetNamespace web1;

  @BeforeEach
  void setUp() {
    t = BridgeTopology.build(Network.create(Simulation.create(7)), 2, 2);
    node1 = t.node(0).root();
    web1 = t.pod(0, 0);
  }

  private Veth web1Eth0() {
    return (Veth) web1.device("eth0");
  }

  /** EUI-64 link-local (RFC 4291 appendix A), written out independently of the model. */
  private static String eui64LinkLocal(MacAddress mac) {
    int[] b =
        Arrays.stream(mac.toString().split(":")).mapToInt(h -> Integer.parseInt(h, 16)).toArray();
    int g1 = (b[0] ^ 0x02) << 8 | b[1];
    assertThat(g1).as("a zero first group would be compressed differently").isNotZero();
    return "fe80::"
        + Integer.toHexString(g1)
        + ":"
        + Integer.toHexString(b[2] << 8 | 0xff)
        + ":"
        + Integer.toHexString(0xfe << 8 | b[3])
        + ":"
        + Integer.toHexString(b[4] << 8 | b[5]);
  }

  @Test
  void ipLinkShow_node_vethsNamePeerIndexMasterAndNetns() {
    Device eth0 = node1.device("eth0");
    Device cni0 = node1.device("cni0");
    Veth v1 = t.pod(0, 0).device("eth0") instanceof Veth v ? v.peer() : null;
    Veth v2 = ((Veth) t.pod(0, 1).device("eth0")).peer();

    String expected =
        LO_LINK
            + "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DEFAULT"
            + " group default qlen 1000\n"
            + "    link/ether "
            + eth0.mac()
            + " brd ff:ff:ff:ff:ff:ff\n"
            + "3: cni0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode"
            + " DEFAULT group default qlen 1000\n"
            + "    link/ether "
            + cni0.mac()
            + " brd ff:ff:ff:ff:ff:ff\n"
            + "4: "
            + v1.name()
            + "@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue"
            + " master cni0 state UP mode DEFAULT group default \n"
            + "    link/ether "
            + v1.mac()
            + " brd ff:ff:ff:ff:ff:ff link-netns web-1\n"
            + "5: "
            + v2.name()
            + "@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue"
            + " master cni0 state UP mode DEFAULT group default \n"
            + "    link/ether "
            + v2.mac()
            + " brd ff:ff:ff:ff:ff:ff link-netns web-2\n";

    assertThat(v1.name()).matches("veth[0-9a-f]{8}");
    assertThat(Iproute2.ipLinkShow(node1)).isEqualTo(expected);
  }

  @Test
  void ipLinkShow_pod_eth0NamesHostIndexAndNetnsid() {
    String expected =
        LO_LINK
            + "3: eth0@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode"
            + " DEFAULT group default \n"
            + "    link/ether "
            + web1Eth0().mac()
            + " brd ff:ff:ff:ff:ff:ff link-netnsid 0\n";

    assertThat(Iproute2.ipLinkShow(web1)).isEqualTo(expected);
  }

  @Test
  void ipDetailedLinkShow_podEth0_matchesLabLinesWithAQueuePerCpu() {
    // `ip link add vtest0 type veth peer name vtest1; ip -d link show vtest0` on a 2-vCPU
    // machine of this project (iproute2 6.1) prints numtxqueues 2 numrxqueues 2
    String expected =
        "3: eth0@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode"
            + " DEFAULT group default \n"
            + "    link/ether "
            + web1Eth0().mac()
            + " brd ff:ff:ff:ff:ff:ff link-netnsid 0 promiscuity 0  allmulti 0 minmtu 68 maxmtu"
            + " 65535 \n"
            + "    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536"
            + " gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n";

    assertThat(Iproute2.ipDetailedLinkShow(web1, "eth0")).isEqualTo(expected);
  }

  @Test
  void ipDetailedLinkShow_loopbackAndNic_noKindLineSoTheDetailsStayOnOneLine() {
    // as iproute2 6.1 prints lo on a 6.1 kernel: no bounds on lo's MTU, no kind, one line
    assertThat(Iproute2.ipDetailedLinkShow(web1, "lo"))
        .endsWith(
            "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0  allmulti 0"
                + " minmtu 0 maxmtu 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size"
                + " 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size"
                + " 65536 \n");
    Device eth0 = node1.device("eth0");
    assertThat(Iproute2.ipDetailedLinkShow(node1, "eth0"))
        .as("a two-queue virtio NIC, as its mq qdisc needs, with virtio_net's TSO limit")
        .isEqualTo(
            "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DEFAULT"
                + " group default qlen 1000\n"
                + "    link/ether "
                + eth0.mac()
                + " brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535"
                + " addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs"
                + " 65535 tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 parentbus virtio"
                + " parentdev virtio0 \n");
  }

  @Test
  void ipAddrShow_pod_inetWithBroadcastAndEui64LinkLocal() {
    MacAddress mac = web1Eth0().mac();
    String expected =
        "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen"
            + " 1000\n"
            + "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
            + "    inet 127.0.0.1/8 scope host lo\n"
            + "       valid_lft forever preferred_lft forever\n"
            + "    inet6 ::1/128 scope host \n"
            + "       valid_lft forever preferred_lft forever\n"
            + "3: eth0@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group"
            + " default \n"
            + "    link/ether "
            + mac
            + " brd ff:ff:ff:ff:ff:ff link-netnsid 0\n"
            + "    inet 10.244.1.2/24 brd 10.244.1.255 scope global eth0\n"
            + "       valid_lft forever preferred_lft forever\n"
            + "    inet6 "
            + eui64LinkLocal(mac)
            + "/64 scope link \n"
            + "       valid_lft forever preferred_lft forever\n";

    assertThat(Iproute2.ipAddrShow(web1)).isEqualTo(expected);
  }

  @Test
  void ipAddrShow_secondAddressInSameSubnet_markedSecondary() {
    Device eth0 = web1.device("eth0");
    web1.addAddress(eth0, IfAddress.parse("10.244.1.50/24"));

    assertThat(Iproute2.ipAddrShow(web1))
        .contains(
            "    inet 10.244.1.2/24 brd 10.244.1.255 scope global eth0\n"
                + "       valid_lft forever preferred_lft forever\n"
                + "    inet 10.244.1.50/24 brd 10.244.1.255 scope global secondary eth0\n");
  }

  @Test
  void ipRouteShow_podAndNode_trailingSpacesAndKernelOrder() {
    assertThat(Iproute2.ipRouteShow(web1))
        .isEqualTo(
            "default via 10.244.1.1 dev eth0 \n"
                + "10.244.1.0/24 dev eth0 proto kernel scope link src 10.244.1.2 \n");
    assertThat(Iproute2.ipRouteShow(node1))
        .isEqualTo(
            "10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1 \n"
                + "10.244.2.0/24 via 192.168.1.12 dev eth0 \n"
                + "192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.11 \n");
  }

  @Test
  void ipRouteShow_bridgeWithoutPorts_linkdown() {
    Bridge br9 = node1.addBridge("br9");
    node1.addAddress(br9, IfAddress.parse("10.9.0.1/24"));
    br9.up();

    assertThat(Iproute2.ipRouteShow(node1))
        .startsWith("10.9.0.0/24 dev br9 proto kernel scope link src 10.9.0.1 linkdown \n")
        .contains("10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1 \n");
    assertThat(Iproute2.ipLinkShow(node1, "br9"))
        .startsWith(
            br9.ifindex()
                + ": br9: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN"
                + " mode DEFAULT group default qlen 1000\n");
  }

  @Test
  void ipLinkShow_vethMovedButNotUp_noopQdiscAndLowerLayerDown() {
    Veth v = t.pod(1, 0).addVethPair("a0", "b0");
    t.pod(1, 0).moveDevice(v.peer(), t.node(1).root(), "b0");
    v.up();

    assertThat(Iproute2.ipLinkShow(t.pod(1, 0), "a0"))
        .startsWith(
            v.ifindex()
                + ": a0@if"
                + v.peer().ifindex()
                + ": <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state"
                + " LOWERLAYERDOWN mode DEFAULT group default \n");
    assertThat(Iproute2.ipLinkShow(t.node(1).root(), "b0"))
        .startsWith(
            v.peer().ifindex()
                + ": b0@if"
                + v.ifindex()
                + ": <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group"
                + " default \n");
  }

  @Test
  void ipLinkShow_freshNamespace_loopbackDownWithNoopQdisc() {
    NetNamespace fresh = t.node(1).addNamespace("fresh");

    assertThat(Iproute2.ipLinkShow(fresh))
        .isEqualTo(
            "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen"
                + " 1000\n"
                + "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n");
  }

  @Test
  void ipNeighShow_afterFailedResolution_reachableAndFailedLikeLab() {
    Device cni0 = node1.device("cni0");
    assertThat(web1.ping(ip("10.244.1.1")).success()).isTrue();
    web1.ping(ip("10.244.1.99")); // three ARP requests, FAILED after 3 s

    assertThat(Iproute2.ipNeighShow(web1))
        .isEqualTo(
            "10.244.1.1 dev eth0 lladdr "
                + cni0.mac()
                + " REACHABLE \n"
                + "10.244.1.99 dev eth0 FAILED \n");
  }

  @Test
  void ipNeighShow_rightAfterPing_podReachableNodeDelay() {
    Device cni0 = node1.device("cni0");
    assertThat(web1.ping(ip("10.244.1.1")).success()).isTrue();

    assertThat(Iproute2.ipNeighShow(web1))
        .isEqualTo("10.244.1.1 dev eth0 lladdr " + cni0.mac() + " REACHABLE \n");
    assertThat(Iproute2.ipNeighShow(node1))
        .isEqualTo("10.244.1.2 dev cni0 lladdr " + web1Eth0().mac() + " DELAY \n");
  }

  @Test
  void bridgeFdbShow_afterPing_portBlockLikeLab() {
    assertThat(web1.ping(t.podAddress(0, 1)).success()).isTrue();
    Veth hostEnd = web1Eth0().peer();
    String name = hostEnd.name();
    String last3 = hostEnd.mac().toString().substring(9);

    List<String> lines = Iproute2.bridgeFdbShow(node1).lines().toList();

    assertThat(lines.stream().filter(l -> l.contains(" dev " + name + " ")))
        .containsExactly(
            web1Eth0().mac() + " dev " + name + " master cni0 ",
            hostEnd.mac() + " dev " + name + " master cni0 permanent",
            "33:33:00:00:00:01 dev " + name + " self permanent",
            "01:00:5e:00:00:01 dev " + name + " self permanent",
            "33:33:ff:" + last3 + " dev " + name + " self permanent");
    String cni0Last3 = node1.device("cni0").mac().toString().substring(9);
    assertThat(lines)
        .containsSubsequence(
            "33:33:00:00:00:01 dev cni0 self permanent",
            "01:00:5e:00:00:6a dev cni0 self permanent",
            "33:33:00:00:00:6a dev cni0 self permanent",
            "01:00:5e:00:00:01 dev cni0 self permanent",
            "33:33:ff:" + cni0Last3 + " dev cni0 self permanent");
    String eth0Last3 = node1.device("eth0").mac().toString().substring(9);
    assertThat(lines.stream().filter(l -> l.contains(" dev eth0 ")))
        .containsExactly(
            "33:33:00:00:00:01 dev eth0 self permanent",
            "01:00:5e:00:00:01 dev eth0 self permanent",
            "33:33:ff:" + eth0Last3 + " dev eth0 self permanent");
    assertThat(lines).noneMatch(l -> l.contains(" dev lo "));
  }

  @Test
  void ipRouteGet_destinationByTheDefaultRoute_gatewayDeviceSourceAndEmptyCache() {
    Fixtures.Routed t = new Fixtures.Routed(1);

    assertThat(Iproute2.ipRouteGet(t.client, ip("10.0.2.2")))
        .isEqualTo("10.0.2.2 via 10.0.1.1 dev eth0 src 10.0.1.2 uid 0 \n    cache \n");
    assertThat(Iproute2.ipRouteGet(t.router, ip("10.0.2.2")))
        .isEqualTo("10.0.2.2 dev eth1 src 10.0.2.1 uid 0 \n    cache \n");
  }

  @Test
  void ipRouteGet_afterFragNeeded_cacheShowsSecondsLeftAndTheLearnedMtu() {
    Fixtures.Routed t = new Fixtures.Routed(1, LinkSpec.DEFAULT, LinkSpec.DEFAULT.withMtu(1400));
    t.client.ping(ip("10.0.2.2"), PingOptions.DEFAULT.withPayloadSize(1400));
    long learned = t.net.simulation().now();

    String fresh = Iproute2.ipRouteGet(t.client, ip("10.0.2.2"));
    t.net.simulation().runUntil(learned + 100 * SimTime.SECOND + SimTime.SECOND / 2);
    String later = Iproute2.ipRouteGet(t.client, ip("10.0.2.2"));
    t.net.simulation().runUntil(learned + IpStack.PMTU_EXPIRES + SimTime.SECOND);
    String expired = Iproute2.ipRouteGet(t.client, ip("10.0.2.2"));

    assertThat(fresh)
        .isEqualTo(
            "10.0.2.2 via 10.0.1.1 dev eth0 src 10.0.1.2 uid 0 \n"
                + "    cache expires 600sec mtu 1400 \n");
    assertThat(later)
        .as("whole seconds left, rounded down")
        .endsWith(" expires 499sec mtu 1400 \n");
    assertThat(expired).endsWith("    cache \n");
    assertThat(Iproute2.ipRouteGet(t.client, ip("10.0.1.1")))
        .as("learned for 10.0.2.2 only")
        .endsWith("    cache \n");
  }

  @Test
  void ipRouteGet_routeWithItsOwnMtu_cacheShowsIt() {
    Fixtures.Routed t = new Fixtures.Routed(1);
    t.client.addRoute(
        Route.to(io.podnet.core.addr.Cidr.parse("10.0.2.0/24"))
            .via(ip("10.0.1.1"))
            .dev(t.client.device("eth0"))
            .mtu(1450)
            .build());

    assertThat(Iproute2.ipRouteGet(t.client, ip("10.0.2.2")))
        .isEqualTo("10.0.2.2 via 10.0.1.1 dev eth0 src 10.0.1.2 uid 0 \n    cache mtu 1450 \n");
  }

  @Test
  void ipRouteGet_ownAddressLoopbackOrUnspecified_localByLoopback() {
    Fixtures.Routed t = new Fixtures.Routed(1);

    assertThat(Iproute2.ipRouteGet(t.client, ip("10.0.1.2")))
        .isEqualTo("local 10.0.1.2 dev lo table local src 10.0.1.2 uid 0 \n    cache <local> \n");
    assertThat(Iproute2.ipRouteGet(t.client, ip("127.0.0.2")))
        .isEqualTo("local 127.0.0.2 dev lo table local src 127.0.0.1 uid 0 \n    cache <local> \n");
    assertThat(Iproute2.ipRouteGet(t.client, ip("0.0.0.0")))
        .isEqualTo("local 0.0.0.0 dev lo table local src 127.0.0.1 uid 0 \n    cache <local> \n");
  }

  @Test
  void ipRouteGet_subnetBroadcast_broadcastOnItsDeviceFromTheLocalTable() {
    Fixtures.Routed t = new Fixtures.Routed(1);

    t.client.addAddress(t.client.device("eth0"), IfAddress.parse("10.0.5.0/31"));

    assertThat(Iproute2.ipRouteGet(t.client, ip("10.0.1.255")))
        .isEqualTo(
            "broadcast 10.0.1.255 dev eth0 table local src 10.0.1.2 uid 0 \n"
                + "    cache <local,brd> \n");
    assertThat(Iproute2.ipRouteGet(t.client, ip("10.0.5.1")))
        .as("a /31 has no broadcast address: its other address is a peer")
        .isEqualTo("10.0.5.1 dev eth0 src 10.0.5.0 uid 0 \n    cache \n");
  }

  @Test
  void ipRouteGet_noAddressToSendFrom_noSrc() {
    Network net = Network.create(Simulation.create(1));
    NetNamespace ns = net.addHost("bare").root();
    Nic eth0 = ns.addNic("eth0");
    eth0.up();
    ns.addRoute(Route.to(io.podnet.core.addr.Cidr.parse("10.9.0.0/16")).dev(eth0).build());

    assertThat(Iproute2.ipRouteGet(ns, ip("10.9.1.1")))
        .isEqualTo("10.9.1.1 dev eth0 uid 0 \n    cache \n");
  }

  @Test
  void ipRouteGet_noRouteOrARejectingRoute_rtnetlinkAnswersTheErrno() {
    Fixtures.Routed t = new Fixtures.Routed(1);
    t.client.removeRoute(t.client.routes().lookup(ip("10.0.2.2").toInt()));
    t.client.addRoute(
        Route.of(Route.Type.BLACKHOLE, io.podnet.core.addr.Cidr.parse("10.0.3.1/32")).build());
    t.client.addRoute(
        Route.of(Route.Type.UNREACHABLE, io.podnet.core.addr.Cidr.parse("10.0.3.2/32")).build());
    t.client.addRoute(
        Route.of(Route.Type.PROHIBIT, io.podnet.core.addr.Cidr.parse("10.0.3.3/32")).build());

    assertThat(Iproute2.ipRouteGet(t.client, ip("10.0.2.2")))
        .isEqualTo("RTNETLINK answers: Network is unreachable\n");
    assertThat(Iproute2.ipRouteGet(t.client, ip("10.0.3.1")))
        .isEqualTo("RTNETLINK answers: Invalid argument\n");
    assertThat(Iproute2.ipRouteGet(t.client, ip("10.0.3.2")))
        .isEqualTo("RTNETLINK answers: No route to host\n");
    assertThat(Iproute2.ipRouteGet(t.client, ip("10.0.3.3")))
        .isEqualTo("RTNETLINK answers: Permission denied\n");
    assertThat(t.client.ping(ip("10.0.3.3")).message())
        .as("a socket sees the same errno")
        .isEqualTo("ping: connect: Permission denied");
  }
}
