package io.podnet.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import org.junit.jupiter.api.Test;

/** {@link Ping}: iputils' output and statistics for replies, losses and silence. */
class PingTest {

  @Test
  void run_noRouteToTheDestination_onlyTheConnectErrorAsIputilsFailsBeforeItsHeader() {
    Fixtures.Routed t = new Fixtures.Routed(1);
    t.client.removeRoute(t.client.routes().lookup(Ipv4Address.parse("10.0.2.2").toInt()));

    long start = t.net.simulation().now();

    Ping ping = Ping.run(t.client, Ipv4Address.parse("10.0.2.2"), 3, PingOptions.DEFAULT);

    assertThat(ping.output()).isEqualTo("ping: connect: Network is unreachable\n");
    assertThat(ping.results()).hasSize(1);
    assertThat(t.net.simulation().now()).as("no second request, no waiting").isEqualTo(start);
  }

  @Test
  void run_routeGoneAfterTheFirstRequest_laterRequestsAreSendErrorsAndTheRunGoesOn() {
    Fixtures.Routed t = new Fixtures.Routed(1);
    Route route = t.client.routes().lookup(Ipv4Address.parse("10.0.2.2").toInt());
    t.net.simulation().schedule(SimTime.SECOND / 2, () -> t.client.removeRoute(route));

    Ping ping = Ping.run(t.client, Ipv4Address.parse("10.0.2.2"), 3, PingOptions.DEFAULT);

    assertThat(ping.output())
        .contains("icmp_seq=1 ttl=63")
        .contains(
            "\nping: sendmsg: Network is unreachable\nping: sendmsg: Network is unreachable\n")
        .contains("3 packets transmitted, 1 received, +2 errors, 66.6667% packet loss");
  }

  @Test
  void run_threeRequests_oneEchoIdentifierForTheWholeRunAndANewOneForTheNext() {
    BridgeTopology t = twoNodesArpDone();
    Ipv4Address dst = t.podAddress(1, 0);

    Ping first = Ping.run(t.pod(0, 0), dst, 3, PingOptions.DEFAULT);
    Ping second = Ping.run(t.pod(0, 0), dst, 1, PingOptions.DEFAULT);

    // a ping process's requests share its socket's identifier, as iputils' do
    assertThat(first.results())
        .hasSize(3)
        .extracting(r -> echoId(r))
        .containsOnly(echoId(first.results().get(0)));
    assertThat(echoId(second.results().get(0))).isNotEqualTo(echoId(first.results().get(0)));
  }

  /** The identifier in the summary of a ping's echo request ({@code ..., id 7, seq 1, ...}). */
  private static String echoId(ProbeResult r) {
    String summary =
        r.walk().hops().stream()
            .map(Walk.Hop::summary)
            .filter(x -> x.contains("ICMP echo request"))
            .findFirst()
            .orElseThrow();
    return summary.replaceAll(".*, id (\\d+), seq .*", "$1");
  }

  @Test
  void run_threeRepliesOneSecondApart_printsIputilsOutputAndStatistics() {
    BridgeTopology t = twoNodesArpDone();
    Ipv4Address dst = t.podAddress(1, 0);

    Ping ping = Ping.run(t.pod(0, 0), dst, 3, PingOptions.DEFAULT);

    assertThat(ping.transmitted()).isEqualTo(3);
    assertThat(ping.received()).isEqualTo(3);
    assertThat(ping.results())
        .extracting(r -> r.message().split(" ")[4])
        .containsExactly("icmp_seq=1", "icmp_seq=2", "icmp_seq=3");
    assertThat(ping.output())
        .startsWith("PING " + dst + " (" + dst + ") 56(84) bytes of data.\n64 bytes from " + dst)
        .contains("\n\n--- " + dst + " ping statistics ---\n")
        .containsPattern(
            "3 packets transmitted, 3 received, 0% packet loss, time 2000ms\n"
                + "rtt min/avg/max/mdev = \\d+\\.\\d{3}/\\d+\\.\\d{3}/\\d+\\.\\d{3}/\\d+\\.\\d{3} ms\n$");
  }

  @Test
  void run_lossyLink_countsTheLostRequestsAsIputilsDoes() {
    BridgeTopology t = twoNodesArpDone();
    Ipv4Address dst = t.podAddress(1, 0);
    Link link = ((Nic) t.node(1).root().device("eth0")).link();
    link.setLossRate(0.5);

    Ping ping = Ping.run(t.pod(0, 0), dst, 10, PingOptions.DEFAULT);

    int lost = ping.transmitted() - ping.received();
    assertThat(lost).isBetween(1, 9);
    assertThat(ping.output())
        .contains(
            "10 packets transmitted, "
                + ping.received()
                + " received, "
                + lost * 10
                + "% packet loss");
  }

  @Test
  void run_noAnswerAtAll_printsNoRttLine() {
    BridgeTopology t = twoNodesArpDone();
    Ipv4Address dst = t.podAddress(1, 0);
    ((Nic) t.node(1).root().device("eth0")).link().setUp(false);

    Ping ping = Ping.run(t.pod(0, 0), dst, 3, PingOptions.DEFAULT.withTimeout(SimTime.SECOND));

    assertThat(ping.output())
        .endsWith(
            "--- "
                + dst
                + " ping statistics ---\n"
                + "3 packets transmitted, 0 received, 100% packet loss, time 2000ms\n");
  }

  @Test
  void run_countOutOfRange_isRefused() {
    BridgeTopology t = BridgeTopology.build(Network.create(Simulation.create(7)), 1, 1);

    assertThatThrownBy(() -> Ping.run(t.pod(0, 0), t.podAddress(0, 0), 0, PingOptions.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("count must be in [1, 65535]: 0");
  }

  /** Two nodes of one pod each, the first pod's neighbour entries already resolved. */
  private static BridgeTopology twoNodesArpDone() {
    BridgeTopology t = BridgeTopology.build(Network.create(Simulation.create(7)), 2, 1);
    t.pod(0, 0).ping(t.podAddress(1, 0));
    return t;
  }
}
