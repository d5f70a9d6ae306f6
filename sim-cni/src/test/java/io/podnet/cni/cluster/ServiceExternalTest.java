package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.net.Host;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.ProbeResult;
import io.podnet.core.net.Route;
import io.podnet.dataplane.service.Service;
import io.podnet.dataplane.service.ServiceOptions;
import io.podnet.dataplane.service.ServicePort;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Services reached from outside the cluster and their policies, in both service modes: NodePorts,
 * LoadBalancer IPs with source ranges, {@code externalTrafficPolicy: Local}, ClientIP affinity and
 * hairpin traffic. web-1 runs on node-1, web-2 on node-2, nothing on node-3.
 */
class ServiceExternalTest {

  private static final Ipv4Address LB_IP = Ipv4Address.parse("1.2.3.4");
  private static final int NODE_PORT = 30080;

  private Cluster cluster;
  private NetNamespace outside;

  private Service web(ServiceMode mode, ServiceOptions options) {
    cluster = Cluster.bridge().nodes(3).seed(11).services(mode).build();
    cluster.runPod(PodSpec.named("web-1").label("app", "web").onNode("node-1"));
    cluster.runPod(PodSpec.named("web-2").label("app", "web").onNode("node-2"));
    for (Pod p : cluster.pods()) {
      if (!p.hostNetwork()) {
        p.requireNetns().listenTcp(8080);
      }
    }
    Host client = cluster.addExternalHost("client");
    outside = client.root();
    outside.addRoute(
        Route.to(Cidr.of(LB_IP, 32))
            .via(cluster.node("node-1").internalIp())
            .dev(outside.device("eth0"))
            .build());
    Service svc =
        cluster.createService(
            "web",
            Map.of("app", "web"),
            List.of(ServicePort.of("http", "TCP", 80, 8080).withNodePort(NODE_PORT)),
            options);
    cluster.run(SimTime.SECOND);
    return svc;
  }

  /** Returns the name of the pod whose socket the connection reached. */
  private String pod(ProbeResult r) {
    assertThat(r.success()).as(r.message() + "\n" + r.walk().render()).isTrue();
    return cluster.pods().stream()
        .filter(p -> p.requireNetns() == r.receiver())
        .map(Pod::name)
        .findFirst()
        .orElseThrow();
  }

  @ParameterizedTest
  @EnumSource(ServiceMode.class)
  void connectTcp_outsideClientToNodePortOfANodeWithoutEndpoints_masqueradedToABackend(
      ServiceMode mode) {
    web(mode, ServiceOptions.NONE);
    Ipv4Address node3 = cluster.node("node-3").internalIp();

    ProbeResult r = outside.connectTcp(node3, NODE_PORT);

    assertThat(pod(r)).containsAnyOf("web-1", "web-2");
    assertThat(r.observedSource()).isEqualTo(node3);
    assertThat(r.from()).isEqualTo(node3);
  }

  @ParameterizedTest
  @EnumSource(ServiceMode.class)
  void connectTcp_localPolicyNodePort_onlyTheNodesOwnEndpointAndTheClientAddressKept(
      ServiceMode mode) {
    web(mode, ServiceOptions.NONE.withExternalTrafficPolicyLocal(0));
    Ipv4Address client = Ipv4Address.parse("192.168.0.201");

    for (int i = 0; i < 6; i++) {
      ProbeResult r = outside.connectTcp(cluster.node("node-2").internalIp(), NODE_PORT);
      assertThat(pod(r)).isEqualTo("web-2");
      assertThat(r.observedSource()).isEqualTo(client);
    }
    ProbeResult none = outside.connectTcp(cluster.node("node-3").internalIp(), NODE_PORT);
    assertThat(none.success()).as(none.walk().render()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(ServiceMode.class)
  void connectTcp_localPolicyFromAPod_usesEveryEndpoint(ServiceMode mode) {
    Service svc = web(mode, ServiceOptions.NONE.withExternalTrafficPolicyLocal(0));
    Pod client = cluster.runPod(PodSpec.named("client").onNode("node-3"));

    TreeSet<String> reached = new TreeSet<>();
    for (int i = 0; i < 12; i++) {
      reached.add(pod(client.requireNetns().connectTcp(svc.clusterIp(), 80)));
    }

    assertThat(reached).hasSize(2);
  }

  @ParameterizedTest
  @EnumSource(ServiceMode.class)
  void connectTcp_loadBalancerIpRoutedToANode_reachesTheService(ServiceMode mode) {
    web(mode, ServiceOptions.NONE.withLoadBalancerIngress(List.of(LB_IP)));

    ProbeResult r = outside.connectTcp(LB_IP, 80);

    assertThat(pod(r)).containsAnyOf("web-1", "web-2");
    assertThat(r.from()).isEqualTo(LB_IP);
  }

  @ParameterizedTest
  @EnumSource(ServiceMode.class)
  void connectTcp_clientOutsideLoadBalancerSourceRanges_dropped(ServiceMode mode) {
    web(
        mode,
        ServiceOptions.NONE
            .withLoadBalancerIngress(List.of(LB_IP))
            .withLoadBalancerSourceRanges(List.of(Cidr.parse("203.0.113.0/25"))));

    ProbeResult r = outside.connectTcp(LB_IP, 80);

    assertThat(r.success()).as(r.walk().render()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(ServiceMode.class)
  void connectTcp_clientIpAffinity_everyConnectionToTheSameEndpoint(ServiceMode mode) {
    Service svc =
        web(
            mode,
            ServiceOptions.NONE.withClientIpAffinity(ServiceOptions.DEFAULT_AFFINITY_SECONDS));
    Pod client = cluster.runPod(PodSpec.named("client").onNode("node-3"));

    TreeSet<String> reached = new TreeSet<>();
    for (int i = 0; i < 12; i++) {
      reached.add(pod(client.requireNetns().connectTcp(svc.clusterIp(), 80)));
    }

    assertThat(reached).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(ServiceMode.class)
  void connectTcp_podToItselfThroughItsService_answeredFromTheClusterIp(ServiceMode mode) {
    cluster = Cluster.bridge().nodes(1).seed(3).services(mode).build();
    Pod solo = cluster.runPod(PodSpec.named("solo").label("app", "solo").onNode("node-1"));
    solo.requireNetns().listenTcp(8080);
    Service svc =
        cluster.createService(
            "solo", Map.of("app", "solo"), List.of(ServicePort.of("", "TCP", 80, 8080)));
    cluster.run(SimTime.SECOND);

    ProbeResult r = solo.requireNetns().connectTcp(svc.clusterIp(), 80);

    assertThat(pod(r)).isEqualTo("solo");
    assertThat(r.from()).isEqualTo(svc.clusterIp());
  }
}
