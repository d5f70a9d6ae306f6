package io.podnet.cni.contract;

import static io.podnet.cni.contract.ClusterAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Pod;
import io.podnet.core.addr.Cidr;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Route;
import org.junit.jupiter.api.Test;

class ContractCheckerTest {

  private static Cluster withPods(Cluster.Builder strategy, int nodes, String... pods) {
    Cluster cluster = strategy.nodes(nodes).seed(3).build();
    for (String pod : pods) {
      String[] parts = pod.split("@");
      Pod p = parts.length == 2 ? cluster.runPod(parts[0], parts[1]) : cluster.runPod(parts[0]);
      assertThat(p.isRunning()).as("%s is running: %s", p.key(), p.events()).isTrue();
    }
    return cluster;
  }

  @Test
  void check_duplicateIps_breaksOnlyRuleOne() {
    Cluster cluster = withPods(BrokenStrategies.duplicateIps(), 1, "web-1", "web-2");
    assertThat(cluster).violatesOnly(Rule.UNIQUE_IP);
    ContractReport report = ContractChecker.check(cluster);
    assertThat(report.of(Rule.UNIQUE_IP))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.subject()).isEqualTo("10.244.1.5");
              assertThat(v.message()).isEqualTo("held by 2 pods: [default/web-1, default/web-2]");
            });
  }

  @Test
  void check_natOnPodTraffic_breaksOnlyRuleTwoForCrossNodePairs() {
    Cluster cluster =
        withPods(
            BrokenStrategies.natOnPodTraffic(), 2, "web-1@node-1", "web-2@node-1", "web-3@node-2");
    assertThat(cluster).violatesOnly(Rule.NO_NAT);
    ContractReport report = ContractChecker.check(cluster);
    assertThat(report.of(Rule.NO_NAT)).hasSize(4);
    assertThat(report.of(Rule.NO_NAT))
        .anySatisfy(
            v -> {
              assertThat(v.subject()).isEqualTo("default/web-1 -> default/web-3");
              assertThat(v.message())
                  .isEqualTo(
                      "the receiver saw source 192.168.1.11, not the sender's pod IP 10.244.1.2"
                          + " (the traffic was NATed)");
            });
    assertThat(report.of(Rule.NO_NAT))
        .noneMatch(v -> v.subject().equals("default/web-1 -> default/web-2"));
  }

  @Test
  void check_noDefaultRoute_breaksOnlyRuleThree() {
    Cluster cluster = withPods(BrokenStrategies.noDefaultRoute(), 2, "web-1", "web-2");
    assertThat(cluster).violatesOnly(Rule.ROUTES);
    ContractReport report = ContractChecker.check(cluster);
    assertThat(report.of(Rule.ROUTES))
        .extracting(Violation::message)
        .contains(
            "no default route: traffic to 203.0.113.1 cannot leave the pod",
            "cannot reach its node node-1 at 192.168.1.11: ping: connect: Network is unreachable");
  }

  @Test
  void check_leakyDelete_breaksOnlyRuleFour() {
    Cluster cluster = withPods(BrokenStrategies.leakyDelete(), 1, "web-1", "web-2");
    cluster.deletePod("web-1");
    assertThat(cluster).violatesOnly(Rule.CLEANUP);
    assertThat(ContractChecker.check(cluster).of(Rule.CLEANUP))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.subject()).isEqualTo("default/web-1");
              assertThat(v.message())
                  .isEqualTo(
                      "IPAM reservation /var/lib/cni/networks/broken/10.244.1.2 is still held by its"
                          + " sandbox");
            });
  }

  @Test
  void check_leakyDelete_specPromisesStillHoldBecauseDelSucceeds() {
    Cluster cluster = withPods(BrokenStrategies.leakyDelete(), 1, "web-1");
    assertThat(ContractChecker.checkSpecPromises(cluster, "web-1")).isEmpty();
  }

  @Test
  void checkSpecPromises_afterDeliberateDrift_reportsTheFailedCheck() {
    Cluster cluster = withPods(Cluster.bridge(), 1, "web-1");
    NetNamespace ns = cluster.pod("web-1").orElseThrow().requireNetns();
    Route defaultRoute =
        ns.routes().routes().stream()
            .filter(r -> r.destination().equals(Cidr.parse("0.0.0.0/0")))
            .findFirst()
            .orElseThrow();
    ns.removeRoute(defaultRoute);
    assertThat(ContractChecker.checkSpecPromises(cluster, "web-1"))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.rule()).isEqualTo(Rule.SPEC);
              assertThat(v.message())
                  .startsWith("CHECK after ADD failed: plugin type=\"bridge\" failed (check): ");
            });
  }

  @Test
  void satisfiesCniContract_onABrokenCluster_failsListingTheViolations() {
    Cluster cluster = withPods(BrokenStrategies.duplicateIps(), 1, "web-1", "web-2");
    assertThatThrownBy(() -> assertThat(cluster).satisfiesCniContract())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Expected the cluster to satisfy the CNI contract, but:")
        .hasMessageContaining(
            "rule 1 (every pod gets a cluster-unique IP): 10.244.1.5: held by 2 pods");
  }

  @Test
  void render_healthyCluster_saysTheContractHolds() {
    Cluster cluster = withPods(Cluster.bridge(), 2, "web-1", "web-2", "web-3");
    assertThat(ContractChecker.check(cluster).render())
        .isEqualTo("CNI contract holds (3 pods, 6 pod pairs)\n");
  }
}
