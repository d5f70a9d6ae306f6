package io.podnet.cni.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.cni.calico.CalicoNode;
import io.podnet.cni.cilium.CiliumAgent;
import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Flanneld;
import io.podnet.cni.cluster.Pod;
import io.podnet.cni.cluster.ServiceMode;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.engine.SimTime;
import io.podnet.core.net.Link;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Route;
import io.podnet.core.net.Veth;
import io.podnet.dataplane.overlay.VxlanDevice;
import io.podnet.dataplane.service.ServiceOptions;
import io.podnet.dataplane.service.ServicePort;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compares {@link ContractChecker#checkByClasses} with the pair-by-pair {@link
 * ContractChecker#check} on small clusters of every strategy, healthy and broken: both must report
 * the same violations in the same order and cover the same pods and pairs, while the class check
 * sends fewer datagrams. The broken clusters break one node pair, one pod or one pod pair in the
 * tables the class check reads instead of probing, so each fault must be found there.
 */
class ContractCheckerByClassesTest {

  private static final int NODES = 4;
  private static final int PODS_PER_NODE = 3;

  /** Builds two identical clusters, breaks both the same way, and compares the two checks. */
  private static ContractReport compare(
      Supplier<Cluster.Builder> strategy, Consumer<Cluster> fault) {
    return compare(strategy, NODES, PODS_PER_NODE, fault);
  }

  private static ContractReport compare(
      Supplier<Cluster.Builder> strategy, int nodes, int pods, Consumer<Cluster> fault) {
    Cluster byPairs = populated(strategy.get(), nodes, pods);
    Cluster byClasses = populated(strategy.get(), nodes, pods);
    fault.accept(byPairs);
    fault.accept(byClasses);
    ContractReport expected = ContractChecker.check(byPairs);
    ContractReport report = ContractChecker.checkByClasses(byClasses);
    assertThat(report.violations())
        .extracting(v -> v.rule() + " " + v.subject())
        .containsExactlyElementsOf(
            expected.violations().stream().map(v -> v.rule() + " " + v.subject()).toList());
    assertThat(report.podsChecked()).isEqualTo(expected.podsChecked());
    assertThat(report.pairsChecked()).isEqualTo(expected.pairsChecked());
    assertThat(report.datagramsSent()).isLessThanOrEqualTo(expected.datagramsSent());
    return report;
  }

  private static Cluster populated(Cluster.Builder strategy, int nodes, int pods) {
    Cluster cluster = strategy.nodes(nodes).seed(11).build();
    for (int n = 1; n <= nodes; n++) {
      for (int i = 1; i <= pods; i++) {
        Pod pod = cluster.runPod("default/web-" + n + "-" + i, "node-" + n);
        assertThat(pod.isRunning()).as("%s: %s", pod.key(), pod.events()).isTrue();
      }
    }
    return cluster;
  }

  private static Supplier<Cluster.Builder> vxlan() {
    return () -> Cluster.flannel(Flanneld.Backend.VXLAN).racks(2);
  }

  /** Every strategy, with racks behind a router where it can cross them. */
  static Stream<Arguments> strategies() {
    return Stream.of(
        strategy("bridge", Cluster::bridge),
        strategy("ptp", Cluster::ptp),
        strategy("flannel host-gw", () -> Cluster.flannel(Flanneld.Backend.HOST_GW)),
        strategy("flannel vxlan", vxlan()),
        strategy(
            "flannel DirectRouting",
            () -> Cluster.flannel(Flanneld.Backend.VXLAN_DIRECT_ROUTING).racks(2)),
        strategy("calico bgp", Cluster::calico),
        strategy(
            "calico route reflector",
            () -> Cluster.calico(CalicoNode.withRouteReflectors(CalicoNode.Mode.BGP, 1))),
        strategy(
            "calico ToR",
            () -> Cluster.calico(CalicoNode.withTorPeering(CalicoNode.Mode.BGP)).racks(2)),
        strategy("calico ipip", calicoIpip()),
        strategy("calico vxlan", calicoVxlan()),
        strategy("cilium vxlan", () -> Cluster.cilium().racks(2)),
        strategy("cilium geneve", () -> Cluster.cilium("geneve").racks(2)),
        strategy(
            "cilium native",
            () -> Cluster.cilium(CiliumAgent.with(CiliumAgent.RoutingMode.NATIVE))));
  }

  private static Arguments strategy(String name, Supplier<Cluster.Builder> strategy) {
    return Arguments.of(name, strategy);
  }

  private static Supplier<Cluster.Builder> calicoIpip() {
    return () -> Cluster.calico(CalicoNode.of(CalicoNode.Mode.IPIP)).racks(2);
  }

  private static Supplier<Cluster.Builder> calicoVxlan() {
    return () -> Cluster.calico(CalicoNode.of(CalicoNode.Mode.VXLAN)).racks(2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("strategies")
  void checkByClasses_healthyCluster_holdsWithAFewDatagramsPerNode(
      String name, Supplier<Cluster.Builder> strategy) {
    int nodes = 6;
    int pods = 6;
    ContractReport report = compare(strategy, nodes, pods, c -> {});
    assertThat(report.holds()).as(report.render()).isTrue();
    assertThat(report.pairsChecked()).isEqualTo(nodes * pods * (nodes * pods - 1));
    assertThat(report.datagramsSent()).isLessThanOrEqualTo(6 * nodes);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("strategies")
  void checkByClasses_nodeMissingTheRouteToOnePeer_reportsEveryPairOfThatNodePair(
      String name, Supplier<Cluster.Builder> strategy) {
    ContractReport report =
        compare(
            strategy,
            c -> {
              Pod target = c.pod("default/web-3-1").orElseThrow();
              NetNamespace root = root(c, "node-1");
              root.removeRoute(root.routes().lookup(target.requireIp().toInt()));
            });
    // with ToR peering the node's default route leads to the router, which holds every block
    assertThat(report.of(Rule.NO_NAT))
        .hasSize(name.equals("calico ToR") ? 0 : PODS_PER_NODE * PODS_PER_NODE)
        .allMatch(v -> v.subject().matches("default/web-1-\\d -> default/web-3-\\d"));
  }

  /** A fault: node-1's neighbour entry for node-3's flannel gateway holds the MAC {@code mac}. */
  private static Consumer<Cluster> gatewayMac(Function<Cluster, MacAddress> mac) {
    return c -> {
      NetNamespace root = root(c, "node-1");
      Ipv4Address gateway = c.node("node-3").podCidr().network();
      root.addNeighbour(root.device(Flanneld.VXLAN_DEVICE), gateway, mac.apply(c));
    };
  }

  private static MacAddress vtepMac(Cluster c, String node) {
    return c.node(node).host().root().device(Flanneld.VXLAN_DEVICE).mac();
  }

  @Test
  void checkByClasses_neighbourOfOnePeersGatewayWithWrongMac_reportsThatNodePair() {
    ContractReport report =
        compare(vxlan(), gatewayMac(c -> MacAddress.parse("02:00:00:00:00:99")));
    assertThat(report.of(Rule.NO_NAT)).hasSize(PODS_PER_NODE * PODS_PER_NODE);
  }

  @Test
  void checkByClasses_neighbourOfOnePeersGatewayWithAnotherPeersMac_holdsAsThePairCheck() {
    ContractReport report = compare(vxlan(), gatewayMac(c -> vtepMac(c, "node-4")));
    assertThat(report.holds()).as(report.render()).isTrue();
  }

  @Test
  void checkByClasses_vxlanFdbOfOnePeerToAnotherNode_reportsThatNodePair() {
    ContractReport report =
        compare(
            vxlan(),
            c -> {
              VxlanDevice flannel = (VxlanDevice) root(c, "node-1").device(Flanneld.VXLAN_DEVICE);
              flannel.addFdb(vtepMac(c, "node-3"), c.node("node-4").internalIp());
            });
    assertThat(report.of(Rule.NO_NAT)).hasSize(PODS_PER_NODE * PODS_PER_NODE);
  }

  @Test
  void checkByClasses_calicoVxlanNeighbourWithWrongMac_reportsThatNodePair() {
    ContractReport report =
        compare(
            calicoVxlan(),
            c -> {
              NetNamespace root = root(c, "node-2");
              Ipv4Address vtep =
                  root(c, "node-4").device("vxlan.calico").addresses().get(0).address();
              root.addNeighbour(
                  root.device("vxlan.calico"), vtep, MacAddress.parse("02:00:00:00:00:98"));
            });
    assertThat(report.of(Rule.NO_NAT)).hasSize(PODS_PER_NODE * PODS_PER_NODE);
  }

  /** A fault: {@code node} drops in its FORWARD chain what matches ({@code match}) a pod's IP. */
  private static Consumer<Cluster> forwardDrop(String node, String match, String pod) {
    return c -> {
      Ipv4Address ip = c.pod(pod).orElseThrow().requireIp();
      c.iptablesRestore(
          node,
          "*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD "
              + match
              + " "
              + ip
              + "/32 -j DROP\nCOMMIT\n",
          "drop.rules");
    };
  }

  @Test
  void checkByClasses_forwardDropOfOneSourcePod_reportsThatPodsPairsThroughTheNode() {
    ContractReport report = compare(vxlan(), forwardDrop("node-2", "-s", "default/web-1-2"));
    assertThat(report.of(Rule.NO_NAT))
        .hasSize(PODS_PER_NODE)
        .allMatch(v -> v.subject().startsWith("default/web-1-2 -> default/web-2-"));
  }

  @Test
  void checkByClasses_forwardDropOfOneDestinationPod_reportsEveryPairToIt() {
    ContractReport report = compare(calicoIpip(), forwardDrop("node-4", "-d", "default/web-4-3"));
    assertThat(report.of(Rule.NO_NAT))
        .hasSize(NODES * PODS_PER_NODE - 1)
        .allMatch(v -> v.subject().endsWith(" -> default/web-4-3"));
  }

  @Test
  void checkByClasses_forwardDropOfOneDestinationPodOnABridge_reportsWhatThePairCheckReports() {
    ContractReport report = compare(vxlan(), forwardDrop("node-4", "-d", "default/web-4-3"));
    assertThat(report.of(Rule.NO_NAT))
        .hasSizeGreaterThanOrEqualTo((NODES - 1) * PODS_PER_NODE)
        .allMatch(v -> v.subject().endsWith(" -> default/web-4-3"));
  }

  @Test
  void
      checkByClasses_routerNeighbourOfOneNodeWithWrongMac_reportsEveryPairIntoItFromTheOtherRack() {
    ContractReport report =
        compare(
            vxlan(),
            c -> {
              NetNamespace router = c.underlayRouter().orElseThrow().root();
              router.addNeighbour(
                  router.device("eth2"),
                  c.node("node-3").internalIp(),
                  MacAddress.parse("02:00:00:00:00:97"));
            });
    assertThat(report.of(Rule.NO_NAT))
        .hasSize(2 * PODS_PER_NODE * PODS_PER_NODE)
        .allMatch(v -> v.subject().matches("default/web-[12]-\\d -> default/web-3-\\d"));
  }

  @Test
  void checkByClasses_slowLinkToOneNode_reportsWhatThePairCheckReports() {
    ContractReport report = compare(vxlan(), c -> link(c, "node-2").setLatency(3 * SimTime.SECOND));
    assertThat(report.of(Rule.NO_NAT)).isNotEmpty();
  }

  /** A fault: node-1 sends node-3's block through the IPIP tunnel to node-4 instead. */
  private static void ipipThroughNode4(Cluster c) {
    NetNamespace root = root(c, "node-1");
    Route old = root.routes().lookup(c.pod("default/web-3-1").orElseThrow().requireIp().toInt());
    root.removeRoute(old);
    root.addRoute(
        Route.to(old.destination())
            .via(c.node("node-4").internalIp())
            .dev(root.device("tunl0"))
            .onlink()
            .proto("bird")
            .build());
  }

  @Test
  void checkByClasses_ipipRouteThroughAnotherNode_holdsAsThePairCheck() {
    ContractReport report = compare(calicoIpip(), ContractCheckerByClassesTest::ipipThroughNode4);
    assertThat(report.holds()).as(report.render()).isTrue();
  }

  @Test
  void checkByClasses_ciliumTunnelMapOfOnePeerToAnotherNode_reportsWhatThePairCheckReports() {
    compare(
        () -> Cluster.cilium().racks(2),
        c -> {
          VxlanDevice tunnel = (VxlanDevice) root(c, "node-1").device("cilium_vxlan");
          tunnel.setTunnelEndpoint(c.node("node-3").podCidr(), c.node("node-4").internalIp());
        });
  }

  /** A fault: a Service without endpoints on {@code port}, with options, synced to every node. */
  private static Consumer<Cluster> withService(
      ServicePort port, Function<Cluster, ServiceOptions> options) {
    return c -> {
      c.createService("default/svc", Map.of("app", "none"), List.of(port), options.apply(c));
      c.run(5 * SimTime.SECOND);
    };
  }

  /** A node's root namespace. */
  private static NetNamespace root(Cluster c, String node) {
    return c.node(node).host().root();
  }

  /** The link of a node's NIC. */
  private static Link link(Cluster c, String node) {
    return c.network().links().stream()
        .filter(l -> l.a().namespace() == root(c, node))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void checkByClasses_externalIpOfAServiceOnAPod_reportsEveryPairToThatPod() {
    ContractReport report =
        compare(
            () -> Cluster.flannel(Flanneld.Backend.VXLAN).racks(2).services(ServiceMode.HASH_MAP),
            withService(
                ServicePort.of("", "UDP", ContractChecker.PROBE_PORT, 80),
                c ->
                    ServiceOptions.NONE.withExternalIps(
                        List.of(c.pod("default/web-2-2").orElseThrow().requireIp()))));
    assertThat(report.of(Rule.NO_NAT))
        .isNotEmpty()
        .allMatch(v -> v.subject().endsWith(" -> default/web-2-2"));
  }

  @Test
  void checkByClasses_servicesInIptablesMode_holdsWithFewDatagrams() {
    ContractReport report =
        compare(
            vxlan(), withService(ServicePort.of("", "TCP", 80, 8080), c -> ServiceOptions.NONE));
    assertThat(report.holds()).as(report.render()).isTrue();
    assertThat(report.datagramsSent()).isLessThan(NODES * PODS_PER_NODE * 2);
  }

  @Test
  void checkByClasses_blackholeForOnePodOfAnotherNode_findsThatOnePodsPairs() {
    ContractReport report =
        compare(
            vxlan(),
            c -> {
              Pod victim = c.pod("default/web-3-2").orElseThrow();
              root(c, "node-1")
                  .addRoute(
                      Route.of(Route.Type.BLACKHOLE, Cidr.of(victim.requireIp(), 32)).build());
            });
    assertThat(report.of(Rule.NO_NAT)).hasSize(PODS_PER_NODE);
    assertThat(report.brokenRules()).containsExactly(Rule.NO_NAT);
  }

  @Test
  void checkByClasses_cutLink_equalsThePairCheck() {
    ContractReport report = compare(vxlan(), c -> link(c, "node-2").setUp(false));
    assertThat(report.of(Rule.NO_NAT)).hasSize(2 * PODS_PER_NODE * (NODES - 1) * PODS_PER_NODE);
  }

  @Test
  void checkByClasses_crashedNode_equalsThePairCheck() {
    ContractReport report = compare(vxlan(), c -> c.crashNode("node-4"));
    assertThat(report.holds()).as(report.render()).isTrue();
    int pods = (NODES - 1) * PODS_PER_NODE;
    assertThat(report.pairsChecked()).isEqualTo(pods * (pods - 1));
  }

  @Test
  void checkByClasses_oneHostVethDown_reportsThatPodAlone() {
    ContractReport report =
        compare(
            vxlan(),
            c -> {
              Veth eth0 =
                  (Veth) c.pod("default/web-2-3").orElseThrow().requireNetns().device("eth0");
              eth0.peer().down();
            });
    assertThat(report.of(Rule.ROUTES)).isNotEmpty();
    assertThat(report.of(Rule.NO_NAT)).hasSize(2 * (NODES * PODS_PER_NODE - 1));
  }

  @Test
  void checkByClasses_natOnPodTraffic_equalsThePairCheck() {
    ContractReport report = compare(BrokenStrategies::natOnPodTraffic, c -> {});
    assertThat(report.brokenRules()).containsExactly(Rule.NO_NAT);
  }

  @Test
  void checkByClasses_duplicateIps_equalsThePairCheck() {
    ContractReport report = compare(BrokenStrategies::duplicateIps, c -> {});
    assertThat(report.brokenRules()).contains(Rule.UNIQUE_IP);
  }

  @Test
  void checkByClasses_routeToAnAddressBesideAClass_splitsTheClassInsteadOfProbingIt() {
    Cluster cluster = populated(Cluster.flannel(Flanneld.Backend.VXLAN), 2, 10);
    for (int i = 1; i <= 7; i++) {
      cluster.deletePod("default/web-2-" + i); // leaves 10.244.2.9 to .11, whose block is .8/30
    }
    root(cluster, "node-1")
        .addRoute(Route.of(Route.Type.BLACKHOLE, Cidr.parse("10.244.2.8/32")).build());

    ContractReport report = ContractChecker.checkByClasses(cluster);

    assertThat(report.holds()).as(report.render()).isTrue();
    assertThat(report.datagramsSent()).isLessThanOrEqualTo(6);
  }

  @Test
  void checkByClasses_healthyVxlanAcrossRacks_sendsAFewDatagramsPerNode() {
    int nodes = 8;
    Cluster cluster = populated(vxlan().get(), nodes, 4);
    ContractReport report = ContractChecker.checkByClasses(cluster);
    assertThat(report.holds()).as(report.render()).isTrue();
    assertThat(report.pairsChecked()).isEqualTo(nodes * 4 * (nodes * 4 - 1));
    assertThat(report.datagramsSent()).isLessThanOrEqualTo(6 * nodes);
  }
}
