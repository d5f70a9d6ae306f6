package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.engine.SimTime;
import io.podnet.core.trace.Trace;
import io.podnet.dataplane.service.RuleProgrammingCost;
import io.podnet.dataplane.service.ServicePort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When Service changes reach each node's dataplane: kube-proxy's syncs and the map updates. */
class ServiceProgrammingTest {

  private static final List<ServicePort> HTTP = List.of(ServicePort.of("", "TCP", 80, 8080));

  /**
   * A cluster whose nodes have made their first sync (of the API server's kubernetes Service, at
   * the start) and whose kube-proxies have their burst of syncs back, with one pod for Services to
   * select.
   */
  private static Cluster cluster(ServiceMode mode) {
    Cluster cluster = Cluster.bridge().nodes(2).seed(3).services(mode).build();
    cluster.runPod(PodSpec.named("web-1").label("app", "web").onNode("node-1"));
    cluster.run(10 * SimTime.SECOND);
    return cluster;
  }

  private static void bulk(Cluster cluster, String prefix, int count) {
    for (int i = 0; i < count; i++) {
      cluster.createService(prefix + i, Map.of("app", "web"), HTTP);
    }
  }

  /** A settled cluster with {@code services} Services, then one more, {@code probe}. */
  private static Cluster probed(ServiceMode mode, int services) {
    Cluster cluster = cluster(mode);
    bulk(cluster, "bulk-", services);
    cluster.run(10 * SimTime.SECOND);
    cluster.createService("probe", Map.of("app", "web"), HTTP);
    cluster.run(10 * SimTime.SECOND);
    return cluster;
  }

  @Test
  void programming_firstSync_isAFullRestoreOfEveryLine() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(3).build();
    bulk(cluster, "bulk-", 50);
    cluster.run(10 * SimTime.SECOND);

    ServiceProgramming p = cluster.programming("bulk-7").get(1);

    // kube-proxy starts with the cluster: its first sync writes every Service there is, the API
    // server's kubernetes Service with its endpoint and the 50, which select no pod yet
    ServiceSync sync = p.sync().orElseThrow();
    assertThat(p.node()).isEqualTo("node-2");
    assertThat(sync.started()).isZero();
    assertThat(sync.kind()).isEqualTo(ServiceSync.Kind.FULL_RESTORE);
    assertThat(sync.services()).isEqualTo(51);
    assertThat(sync.work())
        .isEqualTo(
            RuleProgrammingCost.fullSyncLines(1, 1) + 50 * RuleProgrammingCost.linesPerService(0));
    assertThat(sync.durationNanos())
        .isEqualTo(RuleProgrammingCost.MEASURED.restoreNanos(sync.work()));
    assertThat(p.latencyNanos()).isEqualTo(sync.durationNanos());
    assertThat(cluster.programming("kubernetes").get(1).sync()).contains(sync);
  }

  @Test
  void programming_oneMoreService_isAPartialRestoreThatGrowsWithTheServiceCount() {
    Cluster large = probed(ServiceMode.IPTABLES, 1000);

    ServiceProgramming fewer = probed(ServiceMode.IPTABLES, 100).programming("probe").get(0);
    ServiceProgramming more = large.programming("probe").get(0);

    assertThat(fewer.sync().orElseThrow().kind()).isEqualTo(ServiceSync.Kind.PARTIAL_RESTORE);
    assertThat(fewer.sync().orElseThrow().services()).isEqualTo(1);
    assertThat(more.sync().orElseThrow().work() - fewer.sync().orElseThrow().work()).isEqualTo(900);
    assertThat(more.latencyNanos()).isGreaterThan(fewer.latencyNanos());
    // with the API server's kubernetes Service
    assertThat(large.iptablesSave("node-1").lines().filter(l -> l.startsWith(":KUBE-SEP-")))
        .hasSize(1002);
  }

  @Test
  void programming_minimizeIptablesRestoreOff_oneMoreServiceIsAFullRestoreOfEveryLine() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(3).minimizeIptablesRestore(false).build();
    cluster.runPod(PodSpec.named("web-1").label("app", "web").onNode("node-1"));
    bulk(cluster, "bulk-", 100);
    cluster.run(10 * SimTime.SECOND);
    cluster.createService("probe", Map.of("app", "web"), HTTP);
    cluster.run(10 * SimTime.SECOND);

    ServiceSync sync = cluster.programming("probe").get(0).sync().orElseThrow();

    // as before Kubernetes 1.27: the sync that takes the new Service rewrites all 102 Services
    // (the API server's kubernetes Service too)
    assertThat(sync.kind()).isEqualTo(ServiceSync.Kind.FULL_RESTORE);
    assertThat(sync.work()).isEqualTo(RuleProgrammingCost.fullSyncLines(102, 1));
    assertThat(sync.durationNanos())
        .isEqualTo(RuleProgrammingCost.MEASURED.fullSyncNanos(102, 1))
        .isGreaterThan(
            probed(ServiceMode.IPTABLES, 100).programming("probe").get(0).latencyNanos());
  }

  @Test
  void build_minimizeIptablesRestoreOffWithTheHashMap_refusedAsThereIsNoKubeProxy() {
    Cluster.Builder builder =
        Cluster.bridge().services(ServiceMode.HASH_MAP).minimizeIptablesRestore(false);

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "minimizeIptablesRestore(false) is a kube-proxy feature gate, and HASH_MAP runs no"
                + " kube-proxy (expected services(ServiceMode.IPTABLES))");
  }

  @Test
  void programming_hashMap_oneUpdateWhateverTheServiceCount() {
    ServiceProgramming fewer = probed(ServiceMode.HASH_MAP, 10).programming("probe").get(0);
    ServiceProgramming more = probed(ServiceMode.HASH_MAP, 1000).programming("probe").get(0);

    assertThat(more.sync().orElseThrow().kind()).isEqualTo(ServiceSync.Kind.MAP_UPDATE);
    assertThat(more.sync().orElseThrow().describe()).isEqualTo("bpf map update, 1 Service");
    assertThat(more.latencyNanos())
        .isEqualTo(fewer.latencyNanos())
        .isEqualTo(RuleProgrammingCost.MEASURED.mapUpdateNanos());
  }

  @Test
  void programming_hashMapBatch_costsOneUpdatePerService() {
    Cluster cluster = cluster(ServiceMode.HASH_MAP);
    bulk(cluster, "bulk-", 30);
    cluster.run(SimTime.SECOND);

    ServiceSync sync = cluster.programming("bulk-0").get(0).sync().orElseThrow();

    assertThat(sync.services()).isEqualTo(30);
    assertThat(sync.durationNanos()).isEqualTo(30 * RuleProgrammingCost.MEASURED.mapUpdateNanos());
  }

  @Test
  void changed_whileASyncRuns_isBatchedIntoTheNextSyncWhichStartsWhenItEnds() {
    Cluster cluster = cluster(ServiceMode.IPTABLES);
    bulk(cluster, "bulk-", 200);
    cluster.run(SimTime.MILLISECOND);
    ServiceSync first = cluster.programming("bulk-0").get(0).sync().orElse(null);
    assertThat(first).as("the 200-Service restore takes longer than 1 ms").isNull();

    cluster.createService("late-a", Map.of("app", "web"), HTTP);
    cluster.run(SimTime.MILLISECOND);
    cluster.createService("late-b", Map.of("app", "web"), HTTP);
    cluster.run(10 * SimTime.SECOND);

    ServiceSync initial = cluster.programming("bulk-0").get(0).sync().orElseThrow();
    ServiceSync a = cluster.programming("late-a").get(0).sync().orElseThrow();
    ServiceSync b = cluster.programming("late-b").get(0).sync().orElseThrow();
    assertThat(a).isEqualTo(b);
    assertThat(a.started()).isEqualTo(initial.finished());
    assertThat(a.services()).isEqualTo(2);
  }

  @Test
  void changed_thirdSyncInABurst_waitsUntilTheMinSyncPeriodRefilledTheBucket() {
    Cluster cluster = cluster(ServiceMode.IPTABLES);
    long t0 = cluster.simulation().now();
    cluster.createService("a", Map.of("app", "web"), HTTP);
    cluster.run(10 * SimTime.MILLISECOND);
    ServiceSync a = cluster.programming("a").get(0).sync().orElseThrow();
    cluster.createService("b", Map.of("app", "web"), HTTP);
    cluster.run(10 * SimTime.MILLISECOND);
    ServiceSync b = cluster.programming("b").get(0).sync().orElseThrow();
    cluster.createService("c", Map.of("app", "web"), HTTP);
    cluster.run(2 * SimTime.SECOND);
    ServiceSync c = cluster.programming("c").get(0).sync().orElseThrow();

    assertThat(a.started()).isEqualTo(t0);
    assertThat(b.started()).isEqualTo(t0 + 10 * SimTime.MILLISECOND);
    assertThat(c.started()).isEqualTo(t0 + ServiceProxy.MIN_SYNC_PERIOD_NANOS);
  }

  @Test
  void programming_anHourAfterTheLastFullSync_restoresEverythingAgain() {
    Cluster cluster = cluster(ServiceMode.IPTABLES); // the full sync at 0 s, now 10 s
    cluster.createService("a", Map.of("app", "web"), HTTP);
    cluster.run(ServiceProxy.FULL_SYNC_PERIOD_NANOS - 12 * SimTime.SECOND);
    cluster.createService("b", Map.of("app", "web"), HTTP);
    cluster.run(4 * SimTime.SECOND);
    cluster.createService("c", Map.of("app", "web"), HTTP);
    cluster.run(SimTime.SECOND);

    assertThat(cluster.programming("kubernetes").get(0).sync().orElseThrow().kind())
        .isEqualTo(ServiceSync.Kind.FULL_RESTORE);
    assertThat(cluster.programming("a").get(0).sync().orElseThrow().kind())
        .isEqualTo(ServiceSync.Kind.PARTIAL_RESTORE);
    assertThat(cluster.programming("b").get(0).sync().orElseThrow().kind())
        .isEqualTo(ServiceSync.Kind.PARTIAL_RESTORE);
    assertThat(cluster.programming("c").get(0).sync().orElseThrow().kind())
        .isEqualTo(ServiceSync.Kind.FULL_RESTORE);
  }

  @Test
  void sync_isATraceRecordAtItsEnd() {
    List<String> lines = new ArrayList<>();
    Trace trace = Trace.digestOnly().addSink((record, line) -> lines.add(line));
    Cluster cluster = Cluster.bridge().nodes(1).trace(trace).build();
    cluster.createService("web", Map.of("app", "web"), HTTP);
    cluster.run(SimTime.SECOND);

    ServiceSync sync = cluster.programming("web").get(0).sync().orElseThrow();

    assertThat(lines)
        .contains(
            SimTime.format(sync.finished())
                + " service-sync node-1 iptables-restore --noflush, "
                + sync.work()
                + " lines (full) started "
                + SimTime.format(sync.started()));
  }

  @Test
  void programming_deletedService_isForgottenAndItsChainsDeleted() {
    Cluster cluster = cluster(ServiceMode.IPTABLES);
    bulk(cluster, "bulk-", 3);
    cluster.run(10 * SimTime.SECOND);

    cluster.deleteService("bulk-1");
    cluster.run(10 * SimTime.SECOND);

    assertThatThrownBy(() -> cluster.programming("bulk-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("service \"default/bulk-1\" does not exist");
    assertThat(cluster.iptablesSave("node-1").lines().filter(l -> l.startsWith(":KUBE-SVC-")))
        .hasSize(3); // bulk-0, bulk-2 and the API server's kubernetes Service
    assertThat(cluster.programming("bulk-2").get(1).isProgrammed()).isTrue();
  }

  @Test
  void programming_beforeAnySyncFinished_isEmptyAndHasNoLatency() {
    Cluster cluster = cluster(ServiceMode.IPTABLES);
    cluster.createService("web", Map.of("app", "web"), HTTP);

    ServiceProgramming p = cluster.programming("web").get(0);

    assertThat(p.isProgrammed()).isFalse();
    assertThatThrownBy(p::latencyNanos)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("default/web is not programmed on node-1");
  }
}
