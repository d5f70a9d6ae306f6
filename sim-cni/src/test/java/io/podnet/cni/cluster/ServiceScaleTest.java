package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Ping;
import io.podnet.core.net.PingOptions;
import io.podnet.core.net.ProbeResult;
import io.podnet.dataplane.netfilter.Netfilter;
import io.podnet.dataplane.service.Endpoint;
import io.podnet.dataplane.service.Service;
import io.podnet.dataplane.service.ServicePort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Generated Services of {@link EndpointCounts#THRESHOLDS} on a small flannel VXLAN cluster, as the
 * scale benchmark and {@code thresholds.yaml} make them at full size: created before the pods run,
 * so their endpoints follow the pods as they come up, in both service modes.
 */
class ServiceScaleTest {

  private static final int NODES = 6;
  private static final int PODS_PER_NODE = 30;
  private static final int SERVICES = 200;

  private Cluster cluster;
  private final List<Service> services = new ArrayList<>();
  private EndpointCounts.Layout layout;

  private void build(ServiceMode mode) {
    cluster = Cluster.flannel(Flanneld.Backend.VXLAN).nodes(NODES).services(mode).seed(3).build();
    layout =
        EndpointCounts.THRESHOLDS.layout(
            SERVICES, NODES * PODS_PER_NODE, cluster.simulation().random().stream("bulk"));
    int index = 0;
    for (Node node : cluster.nodes()) {
      for (int i = 1; i <= PODS_PER_NODE; i++) {
        PodSpec spec = PodSpec.named(node.name() + "-" + i).onNode(node.name());
        int app = layout.appOfPod(index++);
        cluster.createPod(app < 0 ? spec : spec.label("app", "app-" + app));
      }
    }
    for (int s = 0; s < SERVICES; s++) {
      services.add(
          cluster.createService(
              "svc-" + s,
              Map.of("app", "app-" + layout.appOfService(s)),
              List.of(ServicePort.of("http", "TCP", 80, 8080))));
    }
    for (int second = 0; second < 60 && !settled(); second++) {
      cluster.run(SimTime.SECOND);
    }
    for (Pod pod : cluster.pods()) {
      if (!pod.hostNetwork()) {
        pod.requireNetns().listenTcp(8080);
      }
    }
  }

  private boolean settled() {
    return cluster.pods().stream().allMatch(Pod::isRunning) && cluster.servicesInSync();
  }

  private int appSize(int app) {
    int n = 0;
    for (int pod = 0; pod < NODES * PODS_PER_NODE; pod++) {
      n += layout.appOfPod(pod) == app ? 1 : 0;
    }
    return n;
  }

  @ParameterizedTest
  @EnumSource(ServiceMode.class)
  void build_generatedServices_settleWithEveryAppPodAsAnEndpoint(ServiceMode mode) {
    build(mode);

    assertThat(settled()).isTrue();
    assertThat(layout.apps()).isLessThan(SERVICES);
    for (int s = 0; s < SERVICES; s++) {
      assertThat(cluster.endpoints(services.get(s)))
          .as("svc-%d", s)
          .hasSize(appSize(layout.appOfService(s)));
      assertThat(cluster.programming("svc-" + s)).allMatch(ServiceProgramming::isProgrammed);
    }
  }

  @ParameterizedTest
  @EnumSource(ServiceMode.class)
  void connectTcp_fromAPodToSeveralVips_reachesOneOfEachServicesEndpoints(ServiceMode mode) {
    build(mode);
    Pod client = cluster.pod("node-6-30").orElseThrow();

    for (int s = 0; s < SERVICES; s += 23) {
      Service service = services.get(s);
      Set<NetNamespace> backends =
          cluster.endpoints(service).stream()
              .map(Endpoint::ip)
              .map(
                  ip ->
                      cluster.pods().stream()
                          .filter(p -> p.requireIp().equals(ip))
                          .findFirst()
                          .orElseThrow()
                          .requireNetns())
              .collect(Collectors.toSet());

      ProbeResult r = client.requireNetns().connectTcp(service.clusterIp(), 80);

      assertThat(r.success()).as("svc-%d: %s%n%s", s, r.message(), r.walk().render()).isTrue();
      assertThat(r.from()).isEqualTo(service.clusterIp());
      assertThat(backends).contains(r.receiver());
    }
  }

  @ParameterizedTest
  @EnumSource(ServiceMode.class)
  void ping_newFlowToAPodOnAnotherNode_waitsOutKubeServicesOnBothNodesOnlyInIptablesMode(
      ServiceMode mode) {
    build(mode);
    NetNamespace from = cluster.pod("node-1-1").orElseThrow().requireNetns();
    Ipv4Address to = cluster.pod("node-2-1").orElseThrow().requireIp();
    from.ping(to); // neighbours and the VXLAN forwarding entries resolved
    long before = rulesEvaluated();
    long[] between = new long[1];
    cluster.simulation().schedule(Ping.INTERVAL_NANOS / 2, () -> between[0] = rulesEvaluated());

    List<ProbeResult> requests = Ping.run(from, to, 2, PingOptions.DEFAULT).results();

    long first = between[0] - before;
    long second = rulesEvaluated() - between[0];
    long walk = requests.get(0).elapsedNanos() - requests.get(1).elapsedNanos();
    assertThat(walk).isEqualTo((first - second) * Netfilter.NANOS_PER_RULE);
    long natKubeServices =
        cluster
            .iptablesSave("node-1")
            .lines()
            .dropWhile(l -> !l.equals("*nat"))
            .filter(l -> l.startsWith("-A KUBE-SERVICES "))
            .count();
    if (mode == ServiceMode.IPTABLES) {
      assertThat(natKubeServices).isGreaterThan(layout.apps());
      assertThat(first - second).isGreaterThanOrEqualTo(2 * natKubeServices);
    } else {
      assertThat(natKubeServices).isZero();
      assertThat(walk).isZero();
    }
  }

  /** The rules every node's netfilter has compared packets with so far. */
  private long rulesEvaluated() {
    return cluster.nodes().stream().mapToLong(n -> cluster.rulesEvaluated(n.name())).sum();
  }

  @ParameterizedTest
  @EnumSource(ServiceMode.class)
  void deletePod_ofAnApp_leavesTheEndpointsOfEveryServiceSelectingIt(ServiceMode mode) {
    build(mode);
    int app = layout.appOfPod(0);
    List<Service> selecting = new ArrayList<>();
    for (int s = 0; s < SERVICES; s++) {
      if (layout.appOfService(s) == app) {
        selecting.add(services.get(s));
      }
    }
    Ipv4Address gone = cluster.pod("node-1-1").orElseThrow().requireIp();

    cluster.deletePod("node-1-1");
    cluster.run(5 * SimTime.SECOND);

    assertThat(selecting).hasSizeGreaterThan(1);
    for (Service service : selecting) {
      assertThat(cluster.endpoints(service))
          .hasSize(appSize(app) - 1)
          .noneMatch(e -> e.ip().equals(gone));
    }
    assertThat(cluster.servicesInSync()).isTrue();
  }
}
