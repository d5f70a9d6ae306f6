package io.podnet.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.Simulation;
import org.junit.jupiter.api.Test;

/**
 * A socket load balancer on node-1 of the two-node bridge topology, standing in front of the
 * frontend 10.96.0.10:80 with the backend web (10.244.2.2:8080) on node-2, as Cilium's socket-LB
 * does for a ClusterIP.
 */
class SocketLoadBalancerTest {

  private static final Ipv4Address VIP = Ipv4Address.parse("10.96.0.10");
  private static final Ipv4Address EMPTY = Ipv4Address.parse("10.96.0.11");

  private final Simulation sim = Simulation.create(5);
  private final BridgeTopology t = BridgeTopology.build(Network.create(sim), 2, 1);
  private final NetNamespace client = t.pod(0, 0);
  private final NetNamespace web = t.pod(1, 0);
  private final Ipv4Address webIp = t.podAddress(1, 0);

  SocketLoadBalancerTest() {
    t.node(0)
        .setSocketLoadBalancer(
            (source, dst, port, protocol) -> {
              if (dst == VIP.toInt() && port == 80) {
                return SocketLoadBalancer.backend(webIp.toInt(), 8080);
              }
              return dst == EMPTY.toInt()
                  ? SocketLoadBalancer.NO_BACKEND
                  : SocketLoadBalancer.NOT_A_SERVICE;
            });
    web.listenTcp(8080);
    web.listenUdp(8080);
  }

  @Test
  void connectTcp_toAFrontend_leavesForTheBackendAndTheToolPrintsTheFrontend() {
    ProbeResult r = client.connectTcp(VIP, 80);

    assertThat(r.success()).isTrue();
    assertThat(r.message()).isEqualTo("Connection to 10.96.0.10 80 port [tcp/http] succeeded!");
    assertThat(r.from()).isEqualTo(VIP);
    assertThat(r.receiver()).isSameAs(web);
    assertThat(r.walk().hops().get(0).hop().detail())
        .isEqualTo("socket-lb 10.96.0.10:80 -> 10.244.2.2:8080");
    assertThat(r.walk().render()).doesNotContain("10.96.0.10 >");
    sim.runUntilIdle(); // the handshake's last ACK
    assertThat(web.tcpAccepted(8080)).isEqualTo(1);
  }

  @Test
  void connectTcp_frontendWithoutBackends_failsAtOnceWithNoRouteToHost() {
    ProbeResult r = client.connectTcp(EMPTY, 80);

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.LOCAL_ERROR);
    assertThat(r.localError()).isEqualTo("No route to host");
    assertThat(r.message())
        .isEqualTo("nc: connect to 10.96.0.11 port 80 (tcp) failed: No route to host");
    assertThat(r.walk().hops()).isEmpty();
  }

  @Test
  void connectTcp_notAFrontend_leavesAsAddressed() {
    ProbeResult r = client.connectTcp(webIp, 8080);

    assertThat(r.success()).isTrue();
    assertThat(r.walk().hops().get(0).hop().detail()).isEmpty();
  }

  @Test
  void sendUdp_toAFrontend_isDeliveredToTheBackendsPort() {
    ProbeResult r = client.sendUdp(VIP, 80, new byte[] {1});

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.DELIVERED);
    assertThat(r.message()).isEqualTo("delivered to 10.244.2.2:8080 (udp)");
    assertThat(web.udpReceived(8080)).isEqualTo(1);
    assertThat(r.walk().hops().get(0).hop().detail())
        .isEqualTo("socket-lb 10.96.0.10:80 -> 10.244.2.2:8080");
  }

  @Test
  void connectTcp_fromAnotherHost_isNotBalanced() {
    ProbeResult r = web.connectTcp(VIP, 80);

    assertThat(r.success()).isFalse();
    assertThat(r.walk().hops().get(0).hop().detail()).isEmpty();
    assertThat(r.walk().render()).contains("> 10.96.0.10.80:");
  }
}
