package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.podnet.core.engine.SimTime;
import io.podnet.core.net.HopAction;
import io.podnet.core.net.ProbeResult;
import io.podnet.dataplane.service.Service;
import io.podnet.dataplane.service.ServicePort;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Services on the simulated cluster, through kube-proxy's iptables rules or the hash map. */
class ServiceTest {

  private Cluster cluster = Cluster.bridge().nodes(2).seed(8).build();

  private Service webService(ServiceMode mode) {
    cluster = Cluster.bridge().nodes(2).seed(8).services(mode).build();
    return webService();
  }

  private Service webService() {
    cluster.runPod(PodSpec.named("web-1").label("app", "web").onNode("node-1"));
    cluster.runPod(PodSpec.named("web-2").label("app", "web").onNode("node-2"));
    for (Pod p : cluster.pods()) {
      if (!p.hostNetwork()) {
        p.requireNetns().listenTcp(8080);
      }
    }
    Service svc =
        cluster.createService(
            "web", Map.of("app", "web"), List.of(ServicePort.of("http", "TCP", 80, 8080)));
    cluster.run(SimTime.SECOND);
    return svc;
  }

  @ParameterizedTest
  @EnumSource(ServiceMode.class)
  void createService_clusterIpFromTheServiceCidrAndEndpointsFromSelectedRunningPods(
      ServiceMode mode) {
    Service svc = webService(mode);

    assertThat(svc.clusterIp().toInt() >>> 20).isEqualTo((10 << 4) | 6);
    assertThat(cluster.endpoints(svc))
        .extracting(e -> e.ip().toString())
        .containsExactly("10.244.1.2", "10.244.2.2");
  }

  @Test
  void iptablesSave_showsKubeProxysChainsForTheService() {
    Service svc = webService();

    String save = cluster.iptablesSave("node-1");

    assertThat(save)
        .contains(
            "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES")
        .contains(
            "-A KUBE-SERVICES -d "
                + svc.clusterIp()
                + "/32 -p tcp -m comment --comment \"default/web:http cluster IP\" -m tcp --dport 80"
                + " -j KUBE-SVC-")
        .contains("-m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-")
        .contains("-j DNAT --to-destination 10.244.2.2:8080");
  }

  @ParameterizedTest
  @EnumSource(ServiceMode.class)
  void connectTcp_toTheClusterIp_reachesABackendAndTheToolSeesTheVip(ServiceMode mode) {
    Service svc = webService(mode);
    Pod client = cluster.runPod(PodSpec.named("client").onNode("node-1"));

    for (int i = 0; i < 6; i++) {
      ProbeResult r = client.requireNetns().connectTcp(svc.clusterIp(), 80);
      assertThat(r.success()).as(r.message() + "\n" + r.walk().render()).isTrue();
      assertThat(r.from()).isEqualTo(svc.clusterIp());
      assertThat(r.message())
          .isEqualTo("Connection to " + svc.clusterIp() + " 80 port [tcp/http] succeeded!");
      if (mode == ServiceMode.IPTABLES) {
        // kube-proxy's DNAT on node-1, and conntrack's reverse NAT on the reply
        assertThat(r.walk().hops()).anyMatch(h -> h.hop().action() == HopAction.NAT);
      } else {
        // socket-LB: the SYN leaves the pod addressed to the backend; nothing is NATed
        assertThat(r.walk().hops().get(0).hop().detail())
            .startsWith("socket-lb " + svc.clusterIp() + ":80 -> 10.244.");
        assertThat(r.walk().hops()).noneMatch(h -> h.hop().action() == HopAction.NAT);
      }
    }
    cluster.run(SimTime.MILLISECOND);
    int accepted =
        cluster.pod("web-1").orElseThrow().requireNetns().tcpAccepted(8080)
            + cluster.pod("web-2").orElseThrow().requireNetns().tcpAccepted(8080);
    assertThat(accepted).isEqualTo(6);
    if (mode == ServiceMode.IPTABLES) {
      assertThat(cluster.rulesEvaluated("node-1")).isPositive();
      assertThat(cluster.serviceMapProbes("node-1")).isZero();
    } else {
      assertThat(cluster.serviceMapProbes("node-1")).isPositive();
      assertThat(cluster.iptablesSave("node-1"))
          .doesNotContain("KUBE-SERVICES", "KUBE-SVC-", "KUBE-SEP-", "KUBE-PROXY-");
    }
  }

  @ParameterizedTest
  @EnumSource(ServiceMode.class)
  void connectTcp_manyFlows_spreadEvenlyOverTheEndpointsInBothModes(ServiceMode mode) {
    Service svc = webService(mode);
    Pod client = cluster.runPod(PodSpec.named("client").onNode("node-1"));

    int flows = 400;
    for (int i = 0; i < flows; i++) {
      assertThat(client.requireNetns().connectTcp(svc.clusterIp(), 80).success()).isTrue();
    }
    cluster.run(SimTime.MILLISECOND);

    int toWeb1 = cluster.pod("web-1").orElseThrow().requireNetns().tcpAccepted(8080);
    int toWeb2 = cluster.pod("web-2").orElseThrow().requireNetns().tcpAccepted(8080);
    assertThat(toWeb1 + toWeb2).isEqualTo(flows);
    assertThat(toWeb1).isBetween(flows / 2 - 50, flows / 2 + 50);
  }

  @Test
  void connectTcp_hashMapMode_socketLbPicksTheBackendAtConnectAndConntrackSeesNoNat() {
    Service svc = webService(ServiceMode.HASH_MAP);
    Pod client = cluster.runPod(PodSpec.named("client").onNode("node-1"));

    ProbeResult r = client.requireNetns().connectTcp(svc.clusterIp(), 80);

    assertThat(r.success()).isTrue();
    assertThat(r.walk().render())
        .contains("socket-lb " + svc.clusterIp() + ":80 -> 10.244.")
        .doesNotContain("service map " + svc.clusterIp());
    assertThat(r.walk().hops()).noneMatch(h -> h.hop().action() == HopAction.RULE);
    assertThat(cluster.conntrackList("node-1"))
        .contains("tcp      6 ")
        .contains("src=" + client.requireIp() + " dst=10.244.")
        .contains("dport=8080 src=10.244.")
        .doesNotContain(svc.clusterIp().toString());
  }

  @Test
  void connectTcp_hashMapModeServiceWithoutEndpoints_failsAtConnectWithNoRouteToHost() {
    cluster = Cluster.bridge().nodes(1).seed(8).services(ServiceMode.HASH_MAP).build();
    Pod client = cluster.runPod("client");
    Service svc =
        cluster.createService(
            "empty", Map.of("app", "none"), List.of(ServicePort.of("http", "TCP", 80, 8080)));
    cluster.run(SimTime.SECOND);

    ProbeResult r = client.requireNetns().connectTcp(svc.clusterIp(), 80);

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.LOCAL_ERROR);
    assertThat(r.localError()).isEqualTo("No route to host");
    assertThat(r.message())
        .isEqualTo("nc: connect to " + svc.clusterIp() + " port 80 (tcp) failed: No route to host");
    assertThat(r.elapsedNanos()).isZero();
  }

  @ParameterizedTest
  @EnumSource(ServiceMode.class)
  void deletePod_udpEndpoint_itsNatedEntriesGoAndNewQueriesReachTheEndpointThatStays(
      ServiceMode mode) {
    cluster = Cluster.bridge().nodes(1).seed(8).services(mode).build();
    Pod dns1 = cluster.runPod(PodSpec.named("dns-1").label("app", "dns"));
    Pod dns2 = cluster.runPod(PodSpec.named("dns-2").label("app", "dns"));
    dns1.requireNetns().listenUdp(5353);
    dns2.requireNetns().listenUdp(5353);
    Pod client = cluster.runPod("client");
    Service svc =
        cluster.createService(
            "dns", Map.of("app", "dns"), List.of(ServicePort.of("dns", "UDP", 53, 5353)));
    cluster.run(SimTime.SECOND);
    byte[] query = "query".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 8; i++) {
      assertThat(client.requireNetns().sendUdp(svc.clusterIp(), 53, query).success()).isTrue();
    }
    String dns1Reply = "src=" + dns1.requireIp() + " dst=" + client.requireIp();
    String dns2Reply = "src=" + dns2.requireIp() + " dst=" + client.requireIp();
    assertThat(cluster.conntrackList("node-1")).contains(dns1Reply).contains(dns2Reply);

    cluster.deletePod("dns-1");
    cluster.run(SimTime.SECOND);

    if (mode == ServiceMode.IPTABLES) {
      // kube-proxy deletes the entries DNATed to an endpoint that is gone
      assertThat(cluster.conntrackList("node-1")).doesNotContain(dns1Reply).contains(dns2Reply);
    } else {
      // socket-LB sent the datagrams to the pods themselves: no entry is NATed, and one to a
      // pod that is gone waits out its UDP timeout like any other flow
      assertThat(cluster.conntrackList("node-1"))
          .doesNotContain("dst=" + svc.clusterIp())
          .contains(dns1Reply)
          .contains(dns2Reply);
    }
    // either way the Service now sends every new query to the endpoint that stays
    int before = dns2.requireNetns().udpReceived(5353);
    for (int i = 0; i < 8; i++) {
      assertThat(client.requireNetns().sendUdp(svc.clusterIp(), 53, query).success()).isTrue();
    }
    assertThat(dns2.requireNetns().udpReceived(5353)).isEqualTo(before + 8);
  }

  @ParameterizedTest
  @EnumSource(ServiceMode.class)
  void deletePod_itsEndpointIsNoLongerChosen(ServiceMode mode) {
    Service svc = webService(mode);
    Pod client = cluster.runPod(PodSpec.named("client").onNode("node-1"));

    cluster.deletePod("web-2");
    cluster.run(SimTime.SECOND);

    for (int i = 0; i < 8; i++) {
      ProbeResult r = client.requireNetns().connectTcp(svc.clusterIp(), 80);
      assertThat(r.success()).isTrue();
    }
    assertThat(cluster.pod("web-1").orElseThrow().requireNetns().tcpAccepted(8080))
        .isGreaterThanOrEqualTo(7);
  }

  @Test
  void deletePod_itsEndpointLeavesTheRulesAfterTheNextSync() {
    Service svc = webService();

    cluster.deletePod("web-2");
    cluster.run(SimTime.SECOND);

    assertThat(cluster.endpoints(svc))
        .extracting(e -> e.ip().toString())
        .containsExactly("10.244.1.2");
    assertThat(cluster.iptablesSave("node-1")).doesNotContain("--to-destination 10.244.2.2:8080");
  }

  @ParameterizedTest
  @EnumSource(ServiceMode.class)
  void nodePort_reachesTheServiceThroughAnyNodesAddress(ServiceMode mode) {
    cluster = Cluster.bridge().nodes(2).seed(8).services(mode).build();
    cluster.runPod(PodSpec.named("web-1").label("app", "web").onNode("node-1"));
    cluster.pod("web-1").orElseThrow().requireNetns().listenTcp(8080);
    cluster.createService(
        "web",
        Map.of("app", "web"),
        List.of(ServicePort.of("http", "TCP", 80, 8080).withNodePort(30080)));
    cluster.run(SimTime.SECOND);
    Pod client = cluster.runPod(PodSpec.named("client").onNode("node-2"));

    ProbeResult r = client.requireNetns().connectTcp(cluster.node("node-1").internalIp(), 30080);

    assertThat(r.success()).as(r.message() + "\n" + r.walk().render()).isTrue();
    assertThat(r.message()).isEqualTo("Connection to 192.168.1.11 30080 port [tcp/*] succeeded!");
    if (mode == ServiceMode.IPTABLES) {
      assertThat(cluster.iptablesSave("node-1")).contains("--dport 30080 -j KUBE-EXT-");
    } else {
      // the client's socket on node-2 is balanced for another node's address as well
      assertThat(r.walk().hops().get(0).hop().detail())
          .isEqualTo("socket-lb 192.168.1.11:30080 -> 10.244.1.2:8080");
    }
  }

  @Test
  void createService_nodePortAnotherServiceHolds_refusedWithTheApiServersText() {
    cluster.createService(
        "web",
        Map.of("app", "web"),
        List.of(ServicePort.of("", "TCP", 80, 80).withNodePort(30080)));

    assertThatThrownBy(
            () ->
                cluster.createService(
                    "api",
                    Map.of("app", "api"),
                    List.of(
                        ServicePort.of("a", "TCP", 81, 81),
                        ServicePort.of("b", "TCP", 82, 82).withNodePort(30080))))
        .hasMessage(
            "The Service \"api\" is invalid: spec.ports[1].nodePort: Invalid value: 30080:"
                + " provided port is already allocated");
    assertThat(cluster.services()).extracting(Service::name).containsExactly("kubernetes", "web");
  }

  @Test
  void createService_refusedPorts_releasesTheClusterIpItDrew() {
    // A /29 has five ClusterIPs; a leaked one made the fifth Service spin forever looking for one.
    cluster = Cluster.bridge().nodes(1).seed(8).serviceCidr("10.96.0.0/29").build();
    assertThatThrownBy(
            () ->
                cluster.createService(
                    "bad",
                    Map.of("app", "web"),
                    List.of(ServicePort.of("", "TCP", 80, 80), ServicePort.of("", "TCP", 81, 81))))
        .isInstanceOf(IllegalArgumentException.class);

    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          for (int i = 0; i < 5; i++) {
            cluster.createService(
                "ok" + i, Map.of("app", "web"), List.of(ServicePort.of("", "TCP", 80, 80)));
          }
        });

    // the API server's kubernetes Service holds the first address, 10.96.0.1
    assertThat(cluster.services())
        .extracting(Service::name)
        .containsExactly("kubernetes", "ok0", "ok1", "ok2", "ok3", "ok4");
    assertThatThrownBy(
            () ->
                cluster.createService(
                    "more", Map.of("app", "web"), List.of(ServicePort.of("", "TCP", 80, 80))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is full");
  }

  @Test
  void createService_sameNodePortTwiceInOneService_refusedAsADuplicate() {
    assertThatThrownBy(
            () ->
                cluster.createService(
                    "api",
                    Map.of("app", "api"),
                    List.of(
                        ServicePort.of("a", "TCP", 81, 81).withNodePort(30081),
                        ServicePort.of("b", "TCP", 82, 82).withNodePort(30081))))
        .hasMessage(
            "The Service \"api\" is invalid: spec.ports[1].nodePort: Duplicate value: 30081");
    assertThat(cluster.services()).extracting(Service::name).containsExactly("kubernetes");
  }

  @Test
  void allocateNodePort_manyServices_distinctPortsInTheNodePortRange() {
    Set<Integer> seen = new TreeSet<>();
    for (int i = 0; i < 50; i++) {
      int port = cluster.allocateNodePort();
      assertThat(port).isBetween(30000, 32767);
      cluster.createService(
          "s" + i,
          Map.of("app", "s"),
          List.of(ServicePort.of("", "TCP", 80, 80).withNodePort(port)));
      seen.add(port);
    }

    assertThat(seen).hasSize(50);
  }

  @Test
  void serviceWithoutEndpoints_isRejectedLikeKubeProxyDoes() {
    Service svc =
        cluster.createService(
            "db", Map.of("app", "db"), List.of(ServicePort.of("", "TCP", 5432, 5432)));
    cluster.run(SimTime.SECOND);
    Pod client = cluster.runPod(PodSpec.named("client").onNode("node-1"));

    assertThat(cluster.iptablesSave("node-1")).contains("\"default/db has no endpoints\"");
    ProbeResult r = client.requireNetns().connectTcp(svc.clusterIp(), 5432);
    assertThat(r.success()).isFalse();
  }

  @Test
  void createService_badInput_rejectedNamingTheValue() {
    assertThatThrownBy(
            () ->
                cluster.createService("web", Map.of(), List.of(ServicePort.of("", "TCP", 80, 80))))
        .hasMessage("service \"default/web\" needs a selector (expected at least one label)");
    assertThatThrownBy(() -> ServicePort.of("", "ICMP", 80, 80))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ServicePort.of("", "TCP", 70000, 80))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(cluster.services()).extracting(Service::name).containsExactly("kubernetes");
  }
}
