package io.podnet.core.net;

import static io.podnet.core.net.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.packet.Frames;
import io.podnet.core.packet.TcpHeader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link Sockets}: UDP delivery and port unreachable, TCP connect and refusal. */
class SocketsTest {

  private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

  @Test
  void sendUdp_listeningPort_delivered() {
    Fixtures.Routed t = new Fixtures.Routed(2);
    t.server.listenUdp(5353);

    ProbeResult r = t.client.sendUdp(ip("10.0.2.2"), 5353, HELLO);

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.DELIVERED);
    assertThat(r.message()).isEqualTo("delivered to 10.0.2.2:5353 (udp)");
    assertThat(r.ttl()).isEqualTo(63);
    assertThat(t.server.udpReceived(5353)).isEqualTo(1);
    assertThat(Fixtures.hops(r.walk(), HopAction.DELIVER))
        .anyMatch(h -> h.location().equals("server") && h.detail().equals("udp port 5353"));
  }

  @Test
  void sendUdp_closedPort_icmpPortUnreachable() {
    Fixtures.Routed t = new Fixtures.Routed(2);
    t.server.listenUdp(5353);

    ProbeResult r = t.client.sendUdp(ip("10.0.2.2"), 5354, HELLO);

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.ICMP_ERROR);
    assertThat(r.from()).isEqualTo(ip("10.0.2.2"));
    assertThat(r.message())
        .isEqualTo("From 10.0.2.2: Destination Port Unreachable (10.0.2.2:5354)");
    assertThat(t.server.udpReceived(5353)).isZero();
    assertThat(Fixtures.hops(r.walk(), HopAction.DROP))
        .anyMatch(
            h -> h.location().equals("server") && h.detail().equals("port unreachable: udp 5354"));
  }

  @Test
  void connectTcp_listeningPort_connectedAndAcceptedOnce() {
    Fixtures.Routed t = new Fixtures.Routed(2);
    t.server.listenTcp(8080);

    ProbeResult r = t.client.connectTcp(ip("10.0.2.2"), 8080);
    t.net.simulation().runUntil(t.net.simulation().now() + 1_000_000); // the final ACK lands

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.CONNECTED);
    assertThat(r.message()).isEqualTo("Connection to 10.0.2.2 8080 port [tcp/http-alt] succeeded!");
    t.server.listenTcp(30080);
    assertThat(t.client.connectTcp(ip("10.0.2.2"), 30080).message())
        .as("a port /etc/services does not name")
        .isEqualTo("Connection to 10.0.2.2 30080 port [tcp/*] succeeded!");
    assertThat(t.server.tcpAccepted(8080)).isEqualTo(1);
  }

  @Test
  void connectTcp_listeningPort_ncClosesAtOnceAndTheServerClosesItsEnd() {
    Fixtures.Routed t = new Fixtures.Routed(2);
    t.server.listenTcp(8080);

    ProbeResult first = t.client.connectTcp(ip("10.0.2.2"), 8080);
    t.net.simulation().runUntil(t.net.simulation().now() + 1_000_000);

    List<String> delivered =
        t.sink.lines().stream()
            .filter(l -> l.contains(" deliver #") && l.contains(" tcp"))
            .map(l -> l.replaceFirst("^\\S+ hop (\\S+) eth0 deliver #\\d+ ", "$1 "))
            .toList();
    assertThat(delivered)
        .as("SYN, SYN-ACK, ACK; nc's FIN, the server's FIN with the ACK of it; the last ACK")
        .hasSize(6);
    assertThat(delivered)
        .containsExactly(
            "server tcp port 8080 syn",
            "client tcp syn-ack",
            "server tcp port 8080 established",
            "server tcp port 8080 fin",
            "client tcp fin",
            "server tcp port 8080 closed");
    assertThat(t.server.tcpAccepted(8080)).isEqualTo(1);
    assertThat(first.success()).isTrue();
    ProbeResult again = t.client.connectTcp(ip("10.0.2.2"), 8080);
    t.net.simulation().runUntil(t.net.simulation().now() + 1_000_000);
    assertThat(again.success()).isTrue();
    assertThat(t.server.tcpAccepted(8080)).isEqualTo(2);
  }

  @Test
  void connectTcp_closed_portTakenThroughTimeWaitThenFree() {
    Fixtures.Routed t = new Fixtures.Routed(2);
    t.server.listenTcp(8080);
    Simulation sim = t.net.simulation();

    t.client.connectTcp(ip("10.0.2.2"), 8080);
    sim.runUntil(sim.now() + SimTime.MILLISECOND);

    assertThat(t.client.sockets().tcpPortsClosing()).isEqualTo(1);
    assertThat(t.server.sockets().tcpConnectionsOpen()).isZero();
    sim.runUntil(sim.now() + Sockets.TIME_WAIT - 2 * SimTime.MILLISECOND);
    assertThat(t.client.sockets().tcpPortsClosing()).as("TIME_WAIT lasts 60 s").isEqualTo(1);
    sim.runUntil(sim.now() + 2 * SimTime.MILLISECOND);
    assertThat(t.client.sockets().tcpPortsClosing()).isZero();
  }

  @Test
  void connectTcp_manyOverALossyLink_everyConnectionEndsOrIsForgotten() {
    Fixtures.Routed t = new Fixtures.Routed(2);
    t.server.listenTcp(8080);
    t.serverLink.setLossRate(0.3);
    Simulation sim = t.net.simulation();

    int connected = 0;
    for (int i = 0; i < 100; i++) {
      connected += t.client.connectTcp(ip("10.0.2.2"), 8080).success() ? 1 : 0;
    }
    sim.runUntil(sim.now() + 200 * SimTime.SECOND);

    assertThat(connected).isPositive();
    assertThat(t.server.tcpAccepted(8080)).isPositive();
    assertThat(t.server.sockets().tcpConnectionsOpen()).isZero();
    assertThat(t.client.sockets().tcpPortsClosing()).isZero();
  }

  @Test
  void connectTcp_everyPortTakenTowardsOnePeer_cannotAssignRequestedAddressThere() {
    Fixtures.Routed t = new Fixtures.Routed(2);
    t.server.listenTcp(8080);
    int ports = Sockets.EPHEMERAL_HIGH - Sockets.EPHEMERAL_LOW + 1;

    for (int i = 0; i < ports; i++) {
      assertThat(t.client.connectTcp(ip("10.0.2.2"), 8080).success()).isTrue();
    }
    ProbeResult r = t.client.connectTcp(ip("10.0.2.2"), 8080);

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.LOCAL_ERROR);
    assertThat(r.message())
        .isEqualTo(
            "nc: connect to 10.0.2.2 port 8080 (tcp) failed: Cannot assign requested address");
    assertThat(t.client.sockets().tcpPortsClosing()).isEqualTo(ports);
    t.server.listenTcp(8081);
    assertThat(t.client.connectTcp(ip("10.0.2.2"), 8081).success())
        .as("only the four-tuple is taken: the same ports reach another peer port")
        .isTrue();
  }

  @Test
  void connectTcp_toAStreamListener_itsStreamOpensAndClosesWithoutReset() {
    Fixtures.Routed t = new Fixtures.Routed(2);
    TcpStreamTest.Recorder bgp = new TcpStreamTest.Recorder("bgp");
    t.server.listenStream(179, bgp);

    ProbeResult r = t.client.connectTcp(ip("10.0.2.2"), 179);
    t.net.simulation().runUntil(t.net.simulation().now() + SimTime.MILLISECOND);

    assertThat(r.success()).isTrue();
    assertThat(bgp.events).hasSize(2);
    assertThat(bgp.events.get(0)).startsWith("bgp connected ");
    assertThat(bgp.events.get(1)).startsWith("bgp closed ");
    assertThat(t.sink.lines()).noneMatch(l -> l.contains("reset"));
    assertThat(t.client.sockets().tcpPortsClosing()).isEqualTo(1);
  }

  @Test
  void listenTcp_resetAndReusedTuple_endOrStartAcceptedConnections() {
    Fixtures.Routed t = new Fixtures.Routed(2);
    t.server.listenTcp(8080);
    Nic serverNic = (Nic) t.server.device("eth0");
    Nic routerNic = (Nic) t.router.device("eth1");
    Sockets server = t.server.sockets();

    arrive(t, serverNic, routerNic, 100, 0, TcpHeader.SYN);
    arrive(t, serverNic, routerNic, 101, 1, TcpHeader.ACK);
    assertThat(server.tcpConnectionsOpen()).isEqualTo(1);
    arrive(t, serverNic, routerNic, 101, 1, TcpHeader.RST);
    assertThat(server.tcpConnectionsOpen()).as("a reset ends it").isZero();

    arrive(t, serverNic, routerNic, 500, 0, TcpHeader.SYN);
    arrive(t, serverNic, routerNic, 501, 1, TcpHeader.ACK);
    arrive(t, serverNic, routerNic, 501, 1, TcpHeader.FIN | TcpHeader.ACK);
    arrive(t, serverNic, routerNic, 900, 0, TcpHeader.SYN);
    arrive(t, serverNic, routerNic, 901, 1, TcpHeader.ACK);

    assertThat(t.server.tcpAccepted(8080))
        .as("the SYN on the tuple left in LAST_ACK starts a new connection, accepted once more")
        .isEqualTo(3);
    assertThat(server.tcpConnectionsOpen()).isEqualTo(1);
    assertThat(t.sink.lines()).anyMatch(l -> l.endsWith("tcp port 8080 reset"));
  }

  /** A segment from 10.0.1.2:4000 to the server's port 8080, as the router hands it over. */
  private static void arrive(
      Fixtures.Routed t, Nic serverNic, Nic routerNic, long seq, long ack, int flags) {
    byte[] segment =
        Frames.tcp(
            serverNic.mac(),
            routerNic.mac(),
            ip("10.0.1.2"),
            ip("10.0.2.2"),
            63,
            7,
            4000,
            8080,
            seq,
            ack,
            flags,
            64240);
    serverNic.arrive(Frame.of(900 + seq, segment, null));
    t.net.simulation().runUntil(t.net.simulation().now() + SimTime.MILLISECOND);
  }

  @Test
  void connectTcp_closedPort_refusedByReset() {
    Fixtures.Routed t = new Fixtures.Routed(2);

    ProbeResult r = t.client.connectTcp(ip("10.0.2.2"), 8080);

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.REFUSED);
    assertThat(r.message())
        .isEqualTo("nc: connect to 10.0.2.2 port 8080 (tcp) failed: Connection refused");
    assertThat(t.server.tcpAccepted(8080)).isZero();
  }

  @Test
  void connectTcp_noRoute_localError() {
    Fixtures.Routed t = new Fixtures.Routed(2);

    ProbeResult r = t.router.connectTcp(ip("10.77.0.1"), 80);

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.LOCAL_ERROR);
    assertThat(r.message())
        .isEqualTo("nc: connect to 10.77.0.1 port 80 (tcp) failed: Network is unreachable");
  }

  @Test
  void listenUdp_portOutOfRange_rejected() {
    Fixtures.Routed t = new Fixtures.Routed(2);

    assertThatThrownBy(() -> t.server.listenUdp(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port must be in [1, 65535]: 0");
    assertThatThrownBy(() -> t.server.listenTcp(65536))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port must be in [1, 65535]: 65536");
  }

  @Test
  void pingTime_iputilsRounding() {
    assertThat(Sockets.pingTime(80)).isEqualTo("0.080");
    assertThat(Sockets.pingTime(1234)).isEqualTo("1.23");
    assertThat(Sockets.pingTime(12_345)).isEqualTo("12.3");
    assertThat(Sockets.pingTime(123_456)).isEqualTo("123");
  }

  @Test
  void pingTime_smallFraction_zeroPaddedToItsDigits() {
    assertThat(Sockets.pingTime(5)).isEqualTo("0.005");
    assertThat(Sockets.pingTime(1_004)).isEqualTo("1.00");
    assertThat(Sockets.pingTime(2_060)).isEqualTo("2.06");
    assertThat(Sockets.pingTime(10_049)).isEqualTo("10.0");
    assertThat(Sockets.pingTime(9_996)).isEqualTo("10.0");
  }
}
