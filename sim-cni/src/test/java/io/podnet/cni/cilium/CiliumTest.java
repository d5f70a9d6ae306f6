package io.podnet.cni.cilium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Pod;
import io.podnet.cni.cluster.ServiceMode;
import io.podnet.cni.spec.CniConfigException;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.HopAction;
import io.podnet.core.net.Iproute2;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.PacketHop;
import io.podnet.core.net.PingOptions;
import io.podnet.core.net.ProbeResult;
import io.podnet.core.net.Walk;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cilium preset renders and forwards like a real Cilium node (FACTS section 4). */
class CiliumTest {

  private final CiliumAgent agent = CiliumAgent.vxlan();
  private final Cluster cluster = Cluster.cilium(agent).nodes(2).seed(11).build();
  private final NetNamespace node1 = cluster.node("node-1").host().root();

  private Ipv4Address router(String node) {
    return agent.routerIp(cluster.node(node));
  }

  private ClusterPoolIpam ipam() {
    return cluster.network().shared(ClusterPoolIpam.class, ClusterPoolIpam::new);
  }

  private static List<PacketHop> hops(Walk walk, HopAction action) {
    return walk.hops().stream().map(Walk.Hop::hop).filter(h -> h.action() == action).toList();
  }

  @Test
  void vethName_isLxcPlusTwelveHexDigitsOfSha256OfContainerIdColonIfName() {
    // printf 'abc123:eth0' | sha256sum -> c69fce2d24302fe5...
    assertThat(CiliumPlugin.vethName("abc123", "eth0")).isEqualTo("lxcc69fce2d2430");
  }

  @Test
  void build_ciliumHostAndNetArePairedAndTheRouterIpIsAllocatedFromThePodCidr() {
    Ipv4Address router = router("node-1");

    assertThat(cluster.node("node-1").podCidr().toString()).isEqualTo("10.0.1.0/24");
    assertThat(ipam().allocations("node-1")).containsExactly(java.util.Map.entry(router, "router"));
    assertThat(router).isNotIn(Ipv4Address.parse("10.0.1.0"), Ipv4Address.parse("10.0.1.255"));
    assertThat(Iproute2.ipLinkShow(node1))
        .contains("cilium_net@cilium_host: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 ")
        .contains("cilium_host@cilium_net: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 ")
        .contains("cilium_vxlan: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 ");
    assertThat(Iproute2.ipAddrShow(node1))
        .contains("    inet " + router + "/32 scope global cilium_host\n");
    assertThat(node1.ipForward()).isTrue();
  }

  @Test
  void build_ciliumVxlanIsAnExternalDeviceOnPort8472() {
    assertThat(Iproute2.ipDetailedLinkShow(node1, "cilium_vxlan"))
        .contains("minmtu 68 maxmtu 65535")
        .contains(
            "vxlan external id 0 srcport 0 0 dstport 8472 nolearning ttl auto ageing 300 udpcsum"
                + " noudp6zerocsumtx noudp6zerocsumrx");
  }

  @Test
  void build_hostRoutesGoThroughCiliumHostWithTheTunnelMtuToOtherNodes() {
    Ipv4Address r = router("node-1");

    assertThat(Iproute2.ipRouteShow(node1))
        .contains("10.0.1.0/24 via " + r + " dev cilium_host proto kernel src " + r + " \n")
        .contains(r + " dev cilium_host proto kernel scope link \n")
        .contains(
            "10.0.2.0/24 via " + r + " dev cilium_host proto kernel src " + r + " mtu 1450 \n");
  }

  @Test
  void runPod_podHasASlash32RoutedThroughTheRouterIpWithRouteMtu1450() {
    Pod pod = cluster.runPod("web-1", "node-1");
    NetNamespace ns = pod.requireNetns();
    Ipv4Address r = router("node-1");

    assertThat(Iproute2.ipRouteShow(ns))
        .isEqualTo("default via " + r + " dev eth0 mtu 1450 \n" + r + " dev eth0 scope link \n");
    assertThat(Iproute2.ipAddrShow(ns))
        .contains("    inet " + pod.requireIp() + "/32 scope global eth0\n");
    assertThat(ns.device("eth0").mtu()).isEqualTo(1500);
  }

  @Test
  void runPod_hostVethIsLxcOfTheAttachmentWithAHostRoute() {
    Pod pod = cluster.runPod("web-1", "node-1");
    String lxc = CiliumPlugin.vethName(pod.sandboxId().orElseThrow(), "eth0");

    assertThat(lxc).matches("lxc[0-9a-f]{12}");
    assertThat(Iproute2.ipLinkShow(node1)).containsPattern(lxc + "@if\\d+: <BROADCAST");
    assertThat(Iproute2.ipRouteShow(node1))
        .contains(pod.requireIp() + " dev " + lxc + " scope link \n");
  }

  @Test
  void runPod_addressesComeFromTheAgentsRandomScanAndRepeatWithTheSeed() {
    Pod first = cluster.runPod("web-1", "node-1");
    Pod second = cluster.runPod("web-2", "node-1");
    Cluster again = Cluster.cilium().nodes(2).seed(11).build();

    assertThat(ipam().allocations("node-1")).hasSize(3).containsKey(first.requireIp());
    assertThat(cluster.node("node-1").podCidr().contains(first.requireIp())).isTrue();
    assertThat(first.requireIp()).isNotEqualTo(router("node-1"));
    assertThat(again.runPod("web-1", "node-1").requireIp()).isEqualTo(first.requireIp());
    assertThat(again.runPod("web-2", "node-1").requireIp()).isEqualTo(second.requireIp());
  }

  @Test
  void ping_acrossNodes_crossesCiliumHostNetAndVxlanWithEncapAndDecap() {
    Pod a = cluster.runPod("web-1", "node-1");
    Pod b = cluster.runPod("web-2", "node-2");

    ProbeResult r = a.requireNetns().ping(b.requireIp());

    assertThat(r.success()).as(r.walk().render()).isTrue();
    assertThat(r.message()).startsWith("64 bytes from " + b.requireIp() + ": icmp_seq=1 ttl=62 ");
    List<PacketHop> encaps = hops(r.walk(), HopAction.ENCAP);
    assertThat(encaps).extracting(PacketHop::location).containsExactly("node-1", "node-2");
    assertThat(encaps).allMatch(h -> h.device().equals("cilium_vxlan"));
    assertThat(encaps.get(0).detail())
        .startsWith("vxlan vni 0 remote 192.168.1.12 srcport ")
        .endsWith(" dstport 8472");
    assertThat(hops(r.walk(), HopAction.DECAP))
        .extracting(PacketHop::detail)
        .containsExactly("vxlan vni 0 from 192.168.1.11", "vxlan vni 0 from 192.168.1.12");
    assertThat(r.walk().crosses("cilium_host")).isTrue();
    assertThat(r.walk().crosses("cilium_net")).isTrue();
  }

  @Test
  void ping_fullSizeWithDf_fitsTheRouteMtuAndOneMoreByteIsALocalError() {
    Pod a = cluster.runPod("web-1", "node-1");
    Pod b = cluster.runPod("web-2", "node-2");

    ProbeResult fits =
        a.requireNetns()
            .ping(b.requireIp(), PingOptions.DEFAULT.withDontFragment(true).withPayloadSize(1422));
    ProbeResult tooBig =
        a.requireNetns()
            .ping(b.requireIp(), PingOptions.DEFAULT.withDontFragment(true).withPayloadSize(1423));

    assertThat(fits.success()).as(fits.walk().render()).isTrue();
    assertThat(tooBig.message()).isEqualTo("ping: local error: message too long, mtu=1450");
  }

  @Test
  void ping_sameNode_goesThroughTheHostRoutesWithoutTheTunnel() {
    Pod a = cluster.runPod("web-1", "node-1");
    Pod b = cluster.runPod("web-2", "node-1");

    ProbeResult r = a.requireNetns().ping(b.requireIp());

    assertThat(r.success()).isTrue();
    assertThat(r.message()).contains("ttl=63");
    assertThat(hops(r.walk(), HopAction.ENCAP)).isEmpty();
  }

  @Test
  void deletePod_freesTheAddressTheLxcVethAndItsRoute() {
    Pod pod = cluster.runPod("web-1", "node-1");
    Ipv4Address ip = pod.requireIp();
    String lxc = CiliumPlugin.vethName(pod.sandboxId().orElseThrow(), "eth0");

    cluster.deletePod("web-1");

    assertThat(ipam().allocations("node-1")).containsOnlyKeys(router("node-1"));
    assertThat(node1.findDevice(lxc)).isEmpty();
    assertThat(Iproute2.ipRouteShow(node1)).doesNotContain(ip + " dev ");
  }

  @Test
  void status_rendersKubeProxyReplacementIpamAndRoutingLikeCiliumDbg() {
    cluster.runPod("web-1", "node-1");

    assertThat(CiliumStatus.render(cluster, "node-1"))
        .isEqualTo(
            "KubeProxyReplacement:    False\n"
                + "IPAM:                    IPv4: 2/254 allocated from 10.0.1.0/24, \n"
                + "Routing:                 Network: Tunnel [vxlan]   Host: Legacy\n");
  }

  @Test
  void status_hashMapServices_reportKubeProxyReplacementTrue() {
    Cluster kpr = Cluster.cilium().services(ServiceMode.HASH_MAP).nodes(2).seed(3).build();

    assertThat(CiliumStatus.render(kpr, "node-1"))
        .as("the device it serves, with the node's address and eth0's link-local one")
        .startsWith(
            "KubeProxyReplacement:    True   [eth0   192.168.1.11 fe80::c9b:e1ff:feb1:6e31 (Direct Routing)]\n");
  }

  @Test
  void geneve_ciliumGeneveOn6081CarriesTheCrossNodePing() {
    Cluster geneve = Cluster.cilium("geneve").nodes(2).seed(3).build();
    NetNamespace root = geneve.node("node-1").host().root();
    Pod a = geneve.runPod("web-1", "node-1");
    Pod b = geneve.runPod("web-2", "node-2");

    ProbeResult r = a.requireNetns().ping(b.requireIp());

    assertThat(root.findDevice("cilium_vxlan")).isEmpty();
    assertThat(Iproute2.ipDetailedLinkShow(root, "cilium_geneve"))
        .contains("geneve external id 0 ttl auto dstport 6081 noudpcsum udp6zerocsumrx");
    assertThat(r.success()).as(r.walk().render()).isTrue();
    assertThat(hops(r.walk(), HopAction.ENCAP).get(0).detail())
        .startsWith("geneve vni 0 remote 192.168.1.12 ")
        .endsWith(" dstport 6081");
    assertThat(CiliumStatus.render(geneve, "node-1"))
        .contains("Routing:                 Network: Tunnel [geneve]   Host: Legacy\n");
  }

  @Test
  void nativeRouting_directRoutesViaTheNodeIpsAndFullMtu() {
    Cluster nat =
        Cluster.cilium(CiliumAgent.with(CiliumAgent.RoutingMode.NATIVE)).nodes(2).seed(3).build();
    NetNamespace root = nat.node("node-1").host().root();
    Pod a = nat.runPod("web-1", "node-1");
    Pod b = nat.runPod("web-2", "node-2");

    ProbeResult r = a.requireNetns().ping(b.requireIp());

    assertThat(Iproute2.ipRouteShow(root))
        .contains("10.0.2.0/24 via 192.168.1.12 dev eth0 proto kernel \n");
    assertThat(Iproute2.ipRouteShow(a.requireNetns())).contains(" dev eth0 mtu 1500 \n");
    assertThat(root.findDevice("cilium_vxlan")).isEmpty();
    assertThat(r.success()).as(r.walk().render()).isTrue();
    assertThat(hops(r.walk(), HopAction.ENCAP)).isEmpty();
  }

  @Test
  void tunnel_unknownProtocol_iaeNamingTheKeyAndValue() {
    assertThatThrownBy(() -> Cluster.cilium("gre"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tunnel-protocol must be \"vxlan\" or \"geneve\": \"gre\"");
    assertThat(CiliumAgent.tunnel("Geneve").mode()).isEqualTo(CiliumAgent.RoutingMode.GENEVE);
  }

  @Test
  void build_enableDebugNotABoolean_configErrorNamingKeyAndValue() {
    String conflist =
        """
        {"cniVersion": "0.3.1", "name": "cilium", "plugins": [
          {"type": "cilium-cni", "enable-debug": "yes"}
        ]}
        """;

    assertThatThrownBy(
            () -> Cluster.builder().cni("05-cilium.conflist", conflist).agent(agent).build())
        .isInstanceOf(CniConfigException.class)
        .hasMessageContaining("\"enable-debug\" must be a boolean, got \"yes\"");
  }

  @Test
  void runPod_withoutTheAgent_sandboxFailsBecauseTheAgentSocketIsMissing() {
    String conflist =
        """
        {"cniVersion": "0.3.1", "name": "cilium", "plugins": [{"type": "cilium-cni"}]}
        """;
    Cluster noAgent = Cluster.builder().cni("05-cilium.conflist", conflist).build();

    Pod pod = noAgent.runPod("web-1");

    assertThat(pod.isRunning()).isFalse();
    assertThat(pod.events())
        .anySatisfy(
            e ->
                assertThat(e.message())
                    .contains("unable to connect to Cilium agent")
                    .contains("/var/run/cilium/cilium.sock"));
  }
}
