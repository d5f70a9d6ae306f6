package io.podnet.core.net;

import static io.podnet.core.net.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.addr.Cidr;
import io.podnet.core.engine.SimTime;
import io.podnet.core.packet.IcmpMessage;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link Traceroute}: hops, marks, silent hops and local errors, as traceroute prints.
 */
class TracerouteTest {

  private static final String HEADER =
      "traceroute to 10.0.2.2 (10.0.2.2), 30 hops max, 60 byte packets\n";

  @Test
  void run_throughARouter_routerThenDestinationEachWithThreeRoundTrips() {
    Fixtures.Routed t = new Fixtures.Routed(1);

    Traceroute r = Traceroute.run(t.client, ip("10.0.2.2"));

    assertThat(r.output())
        .isEqualTo(
            HEADER
                + " 1  10.0.1.1 (10.0.1.1)  0.200 ms  0.200 ms  0.200 ms\n"
                + " 2  10.0.2.2 (10.0.2.2)  0.400 ms  0.400 ms  0.400 ms\n");
    assertThat(r.hops()).isEqualTo(2);
    assertThat(r.hop(1)).isEqualTo(ip("10.0.1.1"));
    assertThat(r.results().get(0).icmpError().type()).isEqualTo(IcmpMessage.TIME_EXCEEDED);
    assertThat(r.results().get(5).icmpError().code()).isEqualTo(IcmpMessage.PORT_UNREACHABLE);
  }

  @Test
  void run_slowerFirstLink_roundTripsInWholeMicrosecondsAsTheKernelStampsThem() {
    Fixtures.Routed t =
        new Fixtures.Routed(1, LinkSpec.DEFAULT.withLatency(1_234_600), LinkSpec.DEFAULT);

    Traceroute r = Traceroute.run(t.client, ip("10.0.2.2"));

    // The three first probes leave together and wait for the router's MAC: ARP request and reply,
    // probe and "time exceeded" each cross the link, 4 x 1234.6 us and 0.206 us on the wire. The
    // timestamps are whole microseconds, so 4938.606 us prints as 4.938 ms.
    assertThat(r.results().get(0).elapsedNanos()).isEqualTo(4_938_606);
    assertThat(r.output()).contains(" 1  10.0.1.1 (10.0.1.1)  4.938 ms  4.938 ms  4.938 ms\n");
  }

  @Test
  void run_routerBlackholesTheDestination_eachHopSilentUpToThirty() {
    Fixtures.Routed t = new Fixtures.Routed(1);
    t.router.addRoute(Route.of(Route.Type.BLACKHOLE, Cidr.parse("10.0.2.2/32")).build());
    long start = t.net.simulation().now();

    Traceroute r = Traceroute.run(t.client, ip("10.0.2.2"));

    assertThat(r.output()).startsWith(HEADER + " 1  * * *\n 2  * * *\n").endsWith("\n30  * * *\n");
    assertThat(r.output().lines()).hasSize(31);
    assertThat(r.hop(30)).isNull();
    // 90 probes, 16 at a time, each waiting its 5 s
    assertThat(t.net.simulation().now() - start).isEqualTo(30 * SimTime.SECOND);
  }

  @Test
  void run_routerAnswersHostUnreachable_hopMarkedAndTheTraceEndsThere() {
    Fixtures.Routed t = new Fixtures.Routed(1);
    t.router.addRoute(Route.of(Route.Type.UNREACHABLE, Cidr.parse("10.0.2.2/32")).build());

    Traceroute r = Traceroute.run(t.client, ip("10.0.2.2"));

    assertThat(r.output())
        .isEqualTo(HEADER + " 1  10.0.1.1 (10.0.1.1)  0.200 ms !H  0.200 ms !H  0.200 ms !H\n");
  }

  @Test
  void run_noRouteAtTheSource_sendProbeErrorAfterTheHeader() {
    Fixtures.Routed t = new Fixtures.Routed(1);
    t.client.removeRoute(t.client.routes().lookup(ip("10.0.2.2").toInt()));

    Traceroute r = Traceroute.run(t.client, ip("10.0.2.2"));

    assertThat(r.output()).isEqualTo(HEADER + "connect: Network is unreachable\n");
    assertThat(r.hops()).isZero();
  }

  @Test
  void run_aProbeReachesAListeningSocket_noAnswerSoAStarAndTheNextAnswerNamesItsAddress() {
    Fixtures.Routed t = new Fixtures.Routed(1);
    t.server.listenUdp(33437); // the first probe of hop 2

    Traceroute r = Traceroute.run(t.client, ip("10.0.2.2"));

    assertThat(r.output()).endsWith("\n 2  * 10.0.2.2 (10.0.2.2)  0.400 ms  0.400 ms\n");
    assertThat(t.server.udpReceived(33437)).isEqualTo(1);
  }

  @Test
  void run_destinationIsTheRoutersFarAddress_answeredFromThatAddress() {
    Fixtures.Routed t = new Fixtures.Routed(1);

    Traceroute r = Traceroute.run(t.client, ip("10.0.2.1"));

    // icmp_send answers a packet addressed to the host itself from the address it was sent to
    assertThat(r.output()).endsWith("\n 1  10.0.2.1 (10.0.2.1)  0.200 ms  0.200 ms  0.200 ms\n");
  }

  @Test
  void run_traceEnded_probesStillOutAreClosedAndTheirAnswersFindNoSocket() {
    Fixtures.Routed t = new Fixtures.Routed(1);

    Traceroute.run(t.client, ip("10.0.2.2"));
    t.net.simulation().runUntilIdle();

    // Probes 7 to 19 (TTL 3 to 7) were out when hop 2 ended the trace: ten left with the first
    // sixteen, three more when hop 1's answers made room. The server answers each of them.
    assertThat(t.sink.lines())
        .filteredOn(
            l -> l.contains("hop client eth0 drop") && l.contains("no socket for ICMP error"))
        .hasSize(13);
  }
}
