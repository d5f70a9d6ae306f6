package io.podnet.cni.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.cni.calico.CalicoNode;
import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Flanneld;
import io.podnet.cni.cluster.Node;
import io.podnet.cni.cluster.Pod;
import io.podnet.core.addr.Cidr;
import io.podnet.core.net.Link;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Route;
import io.podnet.core.net.Veth;
import io.podnet.core.trace.MemoryTraceSink;
import io.podnet.core.trace.Trace;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Compares {@link ContractChecker#checkByClasses} with the pair-by-pair {@link
 * ContractChecker#check} on small clusters, healthy and broken: both must report the same
 * violations in the same order and cover the same pairs, while the class check sends fewer
 * datagrams.
 */
class ContractCheckerByClassesTest {

  private static final int NODES = 4;
  private static final int PODS_PER_NODE = 3;

  /** Builds two identical clusters, breaks both the same way, and compares the two checks. */
  private static ContractReport compare(
      Supplier<Cluster.Builder> strategy, Consumer<Cluster> fault) {
    Cluster byPairs = populated(strategy.get());
    Cluster byClasses = populated(strategy.get());
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
    return report;
  }

  private static Cluster populated(Cluster.Builder strategy) {
    Cluster cluster = strategy.nodes(NODES).seed(11).build();
    for (int n = 1; n <= NODES; n++) {
      for (int i = 1; i <= PODS_PER_NODE; i++) {
        Pod pod = cluster.runPod("default/web-" + n + "-" + i, "node-" + n);
        assertThat(pod.isRunning()).as("%s: %s", pod.key(), pod.events()).isTrue();
      }
    }
    return cluster;
  }

  private static Supplier<Cluster.Builder> vxlan() {
    return () -> Cluster.flannel(Flanneld.Backend.VXLAN).racks(2);
  }

  @Test
  void checkByClasses_healthyVxlanAcrossRacks_holdsWithOneDatagramPerNodePair() {
    MemoryTraceSink sink = new MemoryTraceSink();
    Cluster cluster = populated(vxlan().get().trace(Trace.digestOnly().addSink(sink)));
    int before = sink.lines().size();
    ContractReport report = ContractChecker.checkByClasses(cluster);
    long datagrams =
        sink.lines().subList(before, sink.lines().size()).stream()
            .filter(l -> l.contains(" deliver #") && l.endsWith(" udp port 5201"))
            .count();
    assertThat(report.holds()).as(report.render()).isTrue();
    int pods = NODES * PODS_PER_NODE;
    assertThat(report.pairsChecked()).isEqualTo(pods * (pods - 1));
    int crossNode = NODES * (NODES - 1);
    int sameNode = NODES * (1 + PODS_PER_NODE); // pod-to-pod on a bridge resolves per address
    assertThat(datagrams).isEqualTo(crossNode + sameNode);
  }

  @Test
  void checkByClasses_healthyCalicoWithRouteReflector_equalsThePairCheck() {
    assertThat(
            compare(
                    () -> Cluster.calico(CalicoNode.withTorPeering(CalicoNode.Mode.BGP)).racks(2),
                    c -> {})
                .holds())
        .isTrue();
  }

  @Test
  void checkByClasses_missingRouteToOneNode_reportsEveryPairOfThatNodePair() {
    ContractReport report =
        compare(
            vxlan(),
            c -> {
              Node target = c.node("node-3");
              NetNamespace root = c.node("node-1").host().root();
              Route r =
                  root.routes().routes().stream()
                      .filter(x -> x.destination().equals(target.podCidr()))
                      .findFirst()
                      .orElseThrow();
              root.removeRoute(r);
            });
    assertThat(report.of(Rule.NO_NAT)).hasSize(PODS_PER_NODE * PODS_PER_NODE);
  }

  @Test
  void checkByClasses_blackholeForOnePodOfAnotherNode_findsThatOnePodsPairs() {
    ContractReport report =
        compare(
            vxlan(),
            c -> {
              Pod victim = c.pod("default/web-3-2").orElseThrow();
              c.node("node-1")
                  .host()
                  .root()
                  .addRoute(
                      Route.of(Route.Type.BLACKHOLE, Cidr.of(victim.requireIp(), 32)).build());
            });
    assertThat(report.of(Rule.NO_NAT)).hasSize(PODS_PER_NODE);
    assertThat(report.brokenRules()).containsExactly(Rule.NO_NAT);
  }

  @Test
  void checkByClasses_cutLink_equalsThePairCheck() {
    ContractReport report =
        compare(
            vxlan(),
            c -> {
              Link link =
                  c.network().links().stream()
                      .filter(l -> l.a().namespace() == c.node("node-2").host().root())
                      .findFirst()
                      .orElseThrow();
              link.setUp(false);
            });
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
}
