package io.podnet.core.net;

import static io.podnet.core.net.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.packet.IpProtocol;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link IpStack}: forwarding, TTL, MTU and fragmentation, links. */
class IpStackTest {

  private static final PingOptions LONG_WAIT = PingOptions.DEFAULT.withTimeout(10 * SimTime.SECOND);

  @Test
  void ping_acrossRouter_replyTtlDecrementedOnce() {
    Fixtures.Routed t = new Fixtures.Routed(1);

    ProbeResult r = t.client.ping(ip("10.0.2.2"));

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.REPLY);
    assertThat(r.ttl()).isEqualTo(63);
    assertThat(r.message()).startsWith("64 bytes from 10.0.2.2: icmp_seq=1 ttl=63 time=");
    assertThat(Fixtures.hops(r.walk(), HopAction.ROUTE))
        .anyMatch(
            h ->
                h.location().equals("router")
                    && h.detail()
                        .equals("10.0.2.0/24 dev eth1 proto kernel scope link src 10.0.2.1"));
  }

  @Test
  void forward_ttlOne_timeExceededFromRouterAndDropped() {
    Fixtures.Routed t = new Fixtures.Routed(1);

    ProbeResult r = t.client.ping(ip("10.0.2.2"), PingOptions.DEFAULT.withTtl(1));

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.ICMP_ERROR);
    assertThat(r.message()).isEqualTo("From 10.0.1.1 icmp_seq=1 Time to live exceeded");
    assertThat(r.from()).isEqualTo(ip("10.0.1.1"));
    assertThat(Fixtures.hops(r.walk(), HopAction.DROP))
        .anyMatch(h -> h.location().equals("router") && h.detail().equals("TTL exceeded"));
    assertThat(r.walk().crosses("eth1")).as("never forwarded towards the server").isFalse();
  }

  @Test
  void forward_noRouteAtRouter_destinationNetUnreachable() {
    Fixtures.Routed t = new Fixtures.Routed(1);

    ProbeResult r = t.client.ping(ip("10.99.0.1"));

    assertThat(r.message()).isEqualTo("From 10.0.1.1 icmp_seq=1 Destination Net Unreachable");
    assertThat(Fixtures.hops(r.walk(), HopAction.DROP))
        .anyMatch(h -> h.location().equals("router") && h.detail().equals("no route to host"));
  }

  @Test
  void localOutput_noRoute_localErrorNetworkUnreachable() {
    Fixtures.Routed t = new Fixtures.Routed(1);
    long before = t.net.simulation().now();

    ProbeResult r = t.router.ping(ip("10.99.0.1"));

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.LOCAL_ERROR);
    assertThat(r.message()).isEqualTo("ping: connect: Network is unreachable");
    assertThat(r.localError()).isEqualTo("Network is unreachable");
    assertThat(r.messageTooLong()).isFalse();
    assertThat(r.elapsedNanos()).isZero();
    assertThat(t.net.simulation().now()).isEqualTo(before);
  }

  @Test
  void forward_ipForwardOff_droppedAndTimesOut() {
    Fixtures.Routed t = new Fixtures.Routed(1);
    t.router.setIpForward(false);

    ProbeResult r = t.client.ping(ip("10.0.2.2"), PingOptions.DEFAULT.withTimeout(SimTime.SECOND));

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.TIMEOUT);
    assertThat(r.elapsedNanos()).isEqualTo(SimTime.SECOND);
    assertThat(Fixtures.hops(r.walk(), HopAction.DROP))
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.location()).isEqualTo("router");
              assertThat(h.device()).isEqualTo("eth0");
              assertThat(h.detail()).isEqualTo("ip_forward disabled");
            });
  }

  /**
   * Sends one large segment of four 1,460-byte segments (the MSS of the client's 1,500-byte link)
   * from the client through the router to a stream of the server; returns the server's recorder.
   */
  private static TcpStreamTest.Recorder sendLargeSegment(Fixtures.Routed t) {
    TcpStreamTest.Recorder server = new TcpStreamTest.Recorder("server");
    t.server.listenStream(179, server);
    TcpStream s = t.client.openStream(ip("10.0.2.2"), 179, new TcpStreamTest.Recorder("client"));
    t.net.simulation().runUntilIdle();
    s.send(new byte[4 * 1460]);
    t.net.simulation().runUntilIdle();
    return server;
  }

  @Test
  void forward_largeSegmentWhoseSegmentsExceedNextHopMtu_fragNeededAtTheRouter() {
    Fixtures.Routed t = new Fixtures.Routed(1, LinkSpec.DEFAULT, LinkSpec.DEFAULT.withMtu(1400));

    // Each segment is 1,500 bytes, over the router's 1,400
    TcpStreamTest.Recorder server = sendLargeSegment(t);

    assertThat(t.sink.lines())
        .anyMatch(
            l ->
                l.contains(" hop router ")
                    && l.endsWith("fragmentation needed and DF set: mtu 1400"));
    assertThat(server.bytes.size()).isZero();
  }

  @Test
  void forward_largeSegmentWhoseSegmentsFitNextHopMtu_forwardedWholeWithoutFragNeeded() {
    Fixtures.Routed t = new Fixtures.Routed(1, LinkSpec.DEFAULT, LinkSpec.DEFAULT);

    // One large segment of 5,840 bytes: over the router's 1,500, but each of its segments is not
    TcpStreamTest.Recorder server = sendLargeSegment(t);

    assertThat(t.sink.lines()).noneMatch(l -> l.contains("fragmentation needed"));
    assertThat(server.bytes.size()).isEqualTo(4 * 1460);
    assertThat(server.events.stream().filter(e -> e.startsWith("server received"))).hasSize(1);
  }

  @Test
  void forward_packetAboveNextHopMtuWithDf_fragNeededCarryingMtu() {
    Fixtures.Routed t = new Fixtures.Routed(1, LinkSpec.DEFAULT, LinkSpec.DEFAULT.withMtu(1400));

    // 1400 + 8 + 20 = 1428 bytes: fits the client's 1500 link, not the router's 1400 one
    ProbeResult r = t.client.ping(ip("10.0.2.2"), PingOptions.DEFAULT.withPayloadSize(1400));

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.ICMP_ERROR);
    assertThat(r.message())
        .isEqualTo("From 10.0.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)");
    assertThat(Fixtures.hops(r.walk(), HopAction.DROP))
        .anyMatch(
            h ->
                h.location().equals("router")
                    && h.detail().equals("fragmentation needed and DF set: mtu 1400"));
    assertThat(Fixtures.hops(r.walk(), HopAction.ICMP))
        .extracting(PacketHop::detail)
        .containsExactly("need to frag (mtu 1400)");
  }

  @Test
  void forward_packetExactlyNextHopMtu_passes() {
    Fixtures.Routed t = new Fixtures.Routed(1, LinkSpec.DEFAULT, LinkSpec.DEFAULT.withMtu(1400));

    ProbeResult r = t.client.ping(ip("10.0.2.2"), PingOptions.DEFAULT.withPayloadSize(1372));

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.REPLY);
    assertThat(r.message()).startsWith("1380 bytes from 10.0.2.2: icmp_seq=1 ttl=63");
  }

  @Test
  void localOutput_packetAboveOwnMtuWithDf_localErrorLikeIputils() {
    Fixtures.Routed t = new Fixtures.Routed(1, LinkSpec.DEFAULT.withMtu(1450), LinkSpec.DEFAULT);

    ProbeResult r =
        t.client.ping(
            ip("10.0.2.2"), PingOptions.DEFAULT.withPayloadSize(1430).withDontFragment(true));

    // the lab capture: ping -M do -s 1430 over a 1450 MTU
    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.LOCAL_ERROR);
    assertThat(r.message()).isEqualTo("ping: local error: message too long, mtu=1450");
    assertThat(r.localError()).isEqualTo("Message too long, mtu=1450");
    assertThat(r.messageTooLong()).isTrue();
    assertThat(r.walk().crosses("eth0")).isTrue(); // the drop is recorded on eth0
    assertThat(Fixtures.hops(r.walk(), HopAction.TX)).isEmpty();
  }

  /**
   * A client behind a router whose link to the server takes 1400 bytes, and a 1428-byte ping with
   * DF always set ({@code ping -M do -s 1400}).
   */
  private static final PingOptions PAST_1400 =
      PingOptions.DEFAULT.withPayloadSize(1400).withDontFragment(true);

  @Test
  void ping_bigWithDfAfterFragNeeded_failsLocallyAtTheLearnedPathMtu() {
    Fixtures.Routed t = new Fixtures.Routed(1, LinkSpec.DEFAULT, LinkSpec.DEFAULT.withMtu(1400));

    ProbeResult first = t.client.ping(ip("10.0.2.2"), PAST_1400);
    ProbeResult second = t.client.ping(ip("10.0.2.2"), PAST_1400.withSequence(2));
    ProbeResult elsewhere = t.client.ping(ip("10.0.1.1"), PAST_1400.withSequence(3));

    assertThat(first.message())
        .isEqualTo("From 10.0.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)");
    assertThat(second.message()).isEqualTo("ping: local error: message too long, mtu=1400");
    assertThat(Fixtures.hops(second.walk(), HopAction.TX)).isEmpty();
    assertThat(elsewhere.outcome()).isEqualTo(ProbeResult.Outcome.REPLY);
  }

  @Test
  void ping_bigWithoutDfAfterFragNeeded_fragmentedByTheSenderToTheLearnedPathMtu() {
    Fixtures.Routed t = new Fixtures.Routed(1, LinkSpec.DEFAULT, LinkSpec.DEFAULT.withMtu(1400));
    t.client.ping(ip("10.0.2.2"), PAST_1400);

    ProbeResult r =
        t.client.ping(ip("10.0.2.2"), PAST_1400.withSequence(2).withDontFragment(false));

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.REPLY);
    // 1408 bytes of ICMP in pieces of at most 1400 - 20: 1376 and 32, cut by the client
    assertCutByClient(r, "fragment offset 0 queued", "fragment offset 1376 queued");
  }

  @Test
  void ping_defaultModeAfterFragNeeded_sentWithoutDfInFragmentsAndAnswered() {
    Fixtures.Routed t = new Fixtures.Routed(1, LinkSpec.DEFAULT, LinkSpec.DEFAULT.withMtu(1400));
    PingOptions want = PingOptions.DEFAULT.withPayloadSize(1400);

    ProbeResult first = t.client.ping(ip("10.0.2.2"), want);
    ProbeResult second = t.client.ping(ip("10.0.2.2"), want.withSequence(2));

    // ping without -M: the first fits the client's own 1500, so it leaves with DF and the router
    // refuses it; the second is above the 1400 learned from that, so it leaves without DF, cut.
    assertThat(first.message())
        .isEqualTo("From 10.0.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)");
    assertThat(second.outcome()).isEqualTo(ProbeResult.Outcome.REPLY);
    assertCutByClient(second, "fragment offset 0 queued", "fragment offset 1376 queued");
  }

  @Test
  void ping_defaultModeAboveTheOwnMtu_fragmentedByTheSenderNotALocalError() {
    Fixtures.Routed t = new Fixtures.Routed(1, LinkSpec.DEFAULT.withMtu(1450), LinkSpec.DEFAULT);

    ProbeResult r = t.client.ping(ip("10.0.2.2"), PingOptions.DEFAULT.withPayloadSize(1430));

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.REPLY);
    assertCutByClient(r, "fragment offset 0 queued", "fragment offset 1424 queued");
  }

  @Test
  void sendUdp_datagramAboveTheLearnedPathMtu_fragmentedByTheSenderAndDelivered() {
    Fixtures.Routed t = new Fixtures.Routed(1, LinkSpec.DEFAULT, LinkSpec.DEFAULT.withMtu(1400));
    t.client.ping(ip("10.0.2.2"), PAST_1400);
    t.server.listenUdp(53);

    ProbeResult r = t.client.sendUdp(ip("10.0.2.2"), 53, new byte[1420]);

    assertThat(r.outcome()).as(r.message()).isEqualTo(ProbeResult.Outcome.DELIVERED);
    assertThat(t.server.udpReceived(53)).isEqualTo(1);
    // 1428 bytes of UDP in pieces of at most 1400 - 20: 1376 and 52, cut by the client
    assertThat(r.walk().hops())
        .filteredOn(h -> h.hop().location().equals("client") && h.hop().action() == HopAction.TX)
        .extracting(Walk.Hop::summary)
        .satisfiesExactly(
            first -> assertThat(first).endsWith(" > 10.0.2.2.53: UDP, length 1420"),
            rest -> assertThat(rest).isEqualTo("IP 10.0.1.2 > 10.0.2.2: ip-proto-17"));
  }

  /**
   * The request of {@code r} left the client in as many frames as {@code fragments} names, and the
   * server queued them so and then took the echo request.
   */
  private static void assertCutByClient(ProbeResult r, String... fragments) {
    long request = Fixtures.hops(r.walk(), HopAction.SEND).get(0).packetId();
    assertThat(r.walk().hops())
        .filteredOn(
            h ->
                h.hop().packetId() == request
                    && h.hop().location().equals("client")
                    && h.hop().action() == HopAction.TX)
        .hasSize(fragments.length);
    List<String> delivered = new ArrayList<>(List.of(fragments));
    delivered.add("icmp echo request");
    assertThat(Fixtures.hops(r.walk(), HopAction.DELIVER))
        .filteredOn(h -> h.location().equals("server") && h.packetId() == request)
        .extracting(PacketHop::detail)
        .containsExactlyElementsOf(delivered);
  }

  @Test
  void fragNeeded_destinationBlackholedBeforeItArrives_nothingLearnedAndNoFailure() {
    Fixtures.Routed t = new Fixtures.Routed(1, LinkSpec.DEFAULT, LinkSpec.DEFAULT.withMtu(1400));
    Route blackhole =
        Route.of(Route.Type.BLACKHOLE, io.podnet.core.addr.Cidr.parse("10.0.2.2/32")).build();
    List<ProbeResult> first = new ArrayList<>();
    t.client.startPing(ip("10.0.2.2"), PAST_1400, first::add);
    t.client.addRoute(blackhole);

    t.net.simulation().runUntil(t.net.simulation().now() + SimTime.SECOND);
    t.client.removeRoute(blackhole);
    ProbeResult again = t.client.ping(ip("10.0.2.2"), PAST_1400.withSequence(2));

    assertThat(first)
        .extracting(ProbeResult::message)
        .containsExactly("From 10.0.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)");
    assertThat(again.message())
        .isEqualTo("From 10.0.1.1 icmp_seq=2 Frag needed and DF set (mtu = 1400)");
  }

  @Test
  void ping_routeToTheDestinationChangedAfterLearning_learnedMtuNoLongerApplies() {
    Fixtures.Routed t = new Fixtures.Routed(1, LinkSpec.DEFAULT, LinkSpec.DEFAULT.withMtu(1400));
    t.client.ping(ip("10.0.2.2"), PAST_1400);
    Device eth0 = t.client.device("eth0");
    t.client.addRoute(
        Route.to(io.podnet.core.addr.Cidr.parse("10.0.2.2/32"))
            .via(ip("10.0.1.9"))
            .dev(eth0)
            .build());

    ProbeResult r =
        t.client.ping(ip("10.0.2.2"), PAST_1400.withSequence(2).withTimeout(SimTime.SECOND));

    // Through another gateway the packet is not refused here: it waits for that gateway's address.
    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.TIMEOUT);
    assertThat(Fixtures.hops(r.walk(), HopAction.ARP))
        .anyMatch(h -> h.location().equals("client") && h.detail().equals("queued for 10.0.1.9"));
  }

  @Test
  void ping_learnedPathMtuTenMinutesOld_expiredAndTheRouterAnswersAgain() {
    Fixtures.Routed t = new Fixtures.Routed(1, LinkSpec.DEFAULT, LinkSpec.DEFAULT.withMtu(1400));
    t.client.ping(ip("10.0.2.2"), PAST_1400);
    long learned = t.net.simulation().now();

    t.net.simulation().runUntil(learned + IpStack.PMTU_EXPIRES - SimTime.SECOND);
    ProbeResult held = t.client.ping(ip("10.0.2.2"), PAST_1400.withSequence(2));
    t.net.simulation().runUntil(learned + IpStack.PMTU_EXPIRES + SimTime.SECOND);
    ProbeResult expired = t.client.ping(ip("10.0.2.2"), PAST_1400.withSequence(3));

    assertThat(held.message()).isEqualTo("ping: local error: message too long, mtu=1400");
    assertThat(expired.message())
        .isEqualTo("From 10.0.1.1 icmp_seq=3 Frag needed and DF set (mtu = 1400)");
  }

  @Test
  void output_largePingWithoutDf_fragmentedAndReassembled() {
    Fixtures.Routed t = new Fixtures.Routed(1);

    ProbeResult r =
        t.client.ping(
            ip("10.0.2.2"), PingOptions.DEFAULT.withPayloadSize(3000).withDontFragment(false));

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.REPLY);
    assertThat(r.message()).startsWith("3008 bytes from 10.0.2.2: icmp_seq=1 ttl=63");
    // 3008 bytes of ICMP in 1480-byte pieces: 1480 + 1480 + 48, each a frame of its own on the wire
    assertCutByClient(
        r,
        "fragment offset 0 queued",
        "fragment offset 1480 queued",
        "fragment offset 2960 queued");
  }

  @Test
  void ping_coldAndWarm_rttFollowsLatencyAndSerialisation() {
    long latency = 100 * SimTime.MICROSECOND;
    long bitsPerSecond = 1_000_000_000L; // 1 ns per bit
    Network net = Network.create(Simulation.create(4));
    NetNamespace a = net.addHost("a").root();
    NetNamespace b = net.addHost("b").root();
    Nic aEth0 = a.addNic("eth0");
    Nic bEth0 = b.addNic("eth0");
    net.connect(aEth0, bEth0, new LinkSpec(latency, bitsPerSecond, 1500));
    a.addAddress(aEth0, IfAddress.parse("10.0.0.1/24"));
    b.addAddress(bEth0, IfAddress.parse("10.0.0.2/24"));
    aEth0.up();
    bEth0.up();

    // Ethernet frames without FCS: ARP 14 + 28 = 42 bytes; echo 14 + 20 + 8 + 56 = 98 bytes
    long arp = latency + 42 * 8;
    long echo = latency + 98 * 8;

    ProbeResult cold = a.ping(ip("10.0.0.2"));
    assertThat(cold.elapsedNanos()).isEqualTo(2 * arp + 2 * echo); // 402,240 ns
    assertThat(cold.message()).endsWith("time=0.402 ms");

    ProbeResult warm = a.ping(ip("10.0.0.2"), PingOptions.DEFAULT.withSequence(2));
    assertThat(warm.elapsedNanos()).isEqualTo(2 * echo);
    assertThat(warm.message()).endsWith("time=0.201 ms");
  }

  @Test
  void link_cut_pingTimesOutWithNoCarrierDrop() {
    Fixtures.Routed t = new Fixtures.Routed(1);
    assertThat(t.client.ping(ip("10.0.2.2")).success()).isTrue();

    t.serverLink.setUp(false);
    ProbeResult r = t.client.ping(ip("10.0.2.2"), PingOptions.DEFAULT.withSequence(2));

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.TIMEOUT);
    assertThat(r.message()).isEqualTo("1 packets transmitted, 0 received, 100% packet loss");
    assertThat(r.elapsedNanos()).isEqualTo(PingOptions.DEFAULT.timeoutNanos());
    assertThat(Fixtures.hops(r.walk(), HopAction.DROP))
        .anyMatch(h -> h.location().equals("router") && h.detail().equals("no carrier"));

    t.serverLink.setUp(true);
    assertThat(t.client.ping(ip("10.0.2.2"), PingOptions.DEFAULT.withSequence(3)).success())
        .isTrue();
  }

  @Test
  void forward_unreachableRouteAtRouter_hostUnreachable() {
    Fixtures.Routed t = new Fixtures.Routed(1);
    t.router.addRoute(
        Route.of(Route.Type.UNREACHABLE, io.podnet.core.addr.Cidr.parse("10.50.0.0/16")).build());

    ProbeResult r = t.client.ping(ip("10.50.1.1"));

    assertThat(r.message()).isEqualTo("From 10.0.1.1 icmp_seq=1 Destination Host Unreachable");
  }

  /** A device without ARP that records the next hop of each routed frame it is given. */
  private static final class NextHopRecorder extends Device {
    final java.util.List<Ipv4Address> nextHops = new java.util.ArrayList<>();

    NextHopRecorder() {
      super("tun0", io.podnet.core.addr.MacAddress.ZERO, 1480);
    }

    @Override
    public boolean hasCarrier() {
      return true;
    }

    @Override
    public String kind() {
      return "test";
    }

    @Override
    protected boolean usesArp() {
      return false;
    }

    @Override
    protected void transmit(Frame frame) {
      throw new AssertionError("routed frames must come with their next hop");
    }

    @Override
    protected void transmit(Frame frame, int nextHop) {
      nextHops.add(Ipv4Address.of(nextHop));
    }
  }

  @Test
  void forward_nonArpDevice_receivesRouteGatewayOrDestinationAsNextHop() {
    Fixtures.Routed t = new Fixtures.Routed(1);
    NextHopRecorder tun = t.router.addDevice(new NextHopRecorder());
    tun.up();
    t.router.addRoute(
        Route.to(io.podnet.core.addr.Cidr.parse("10.9.0.0/16"))
            .via(ip("192.0.2.7"))
            .dev(tun)
            .onlink()
            .build());
    t.router.addRoute(Route.to(io.podnet.core.addr.Cidr.parse("10.8.0.0/16")).dev(tun).build());

    t.client.ping(ip("10.9.1.1"));
    t.client.ping(ip("10.8.3.4"));

    assertThat(tun.nextHops).containsExactly(ip("192.0.2.7"), ip("10.8.3.4"));
    assertThat(tun.txPackets()).isEqualTo(2);
  }

  @Test
  void localOutput_routeMtuBelowDeviceMtu_routeMtuWins() {
    Fixtures.Routed t = new Fixtures.Routed(1);
    Device eth0 = t.client.device("eth0");
    t.client.addRoute(
        Route.to(io.podnet.core.addr.Cidr.parse("10.0.2.0/24"))
            .via(ip("10.0.1.1"))
            .dev(eth0)
            .mtu(1450)
            .build());

    PingOptions dontFragment = PingOptions.DEFAULT.withDontFragment(true);
    ProbeResult fits = t.client.ping(ip("10.0.2.2"), dontFragment.withPayloadSize(1422));
    ProbeResult tooBig = t.client.ping(ip("10.0.2.2"), dontFragment.withPayloadSize(1423));

    assertThat(fits.outcome()).isEqualTo(ProbeResult.Outcome.REPLY);
    assertThat(tooBig.message()).isEqualTo("ping: local error: message too long, mtu=1450");
  }

  @Test
  void forward_routeMtuBelowDeviceMtu_fragNeededCarryingRouteMtu() {
    Fixtures.Routed t = new Fixtures.Routed(1);
    t.router.addRoute(
        Route.to(io.podnet.core.addr.Cidr.parse("10.0.2.2/32"))
            .dev(t.router.device("eth1"))
            .mtu(1400)
            .build());

    ProbeResult r = t.client.ping(ip("10.0.2.2"), PingOptions.DEFAULT.withPayloadSize(1400));

    assertThat(r.message())
        .isEqualTo("From 10.0.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)");
  }

  @Test
  void tcIngress_redirect_sendsTheFrameOutOfTheTargetWithoutRouting() {
    Fixtures.Routed t = new Fixtures.Routed(1);
    Device r0 = t.router.device("eth0");
    Device r1 = t.router.device("eth1");
    // a BPF-like program rewrites the MACs and redirects, so the router's routing (even its
    // forwarding switch) never sees the packet
    Ipv4Address server = ip("10.0.2.2");
    t.router.ping(server); // learn the server's MAC
    t.router.setIpForward(false);
    io.podnet.core.addr.MacAddress serverMac =
        t.router.neighbourEntries().stream()
            .filter(n -> n.address().equals(server))
            .findFirst()
            .orElseThrow()
            .mac();
    r0.attachTcIngress(
        (dev, frame) -> {
          if (io.podnet.core.packet.EthernetHeader.etherType(frame.buffer(), frame.offset())
              != io.podnet.core.packet.EtherType.IPV4) {
            return TcVerdict.ok();
          }
          io.podnet.core.packet.EthernetHeader.setDst(
              frame.buffer(), frame.offset(), serverMac.toLong());
          io.podnet.core.packet.EthernetHeader.setSrc(
              frame.buffer(), frame.offset(), r1.mac().toLong());
          return TcVerdict.redirect(r1);
        });

    ProbeResult r = t.client.ping(server);

    assertThat(Fixtures.hops(r.walk(), HopAction.TX))
        .anyMatch(h -> h.location().equals("router") && h.device().equals("eth1"));
    assertThat(Fixtures.hops(r.walk(), HopAction.ROUTE))
        .noneMatch(h -> h.location().equals("router"));
    assertThat(Fixtures.hops(r.walk(), HopAction.DELIVER))
        .anyMatch(h -> h.location().equals("server"));
  }

  @Test
  void tcIngress_shot_dropsWithTheProgramsReason() {
    Fixtures.Routed t = new Fixtures.Routed(1);
    Device r0 = t.router.device("eth0");
    r0.attachTcIngress((dev, frame) -> TcVerdict.shot(Drop.of(DropReason.FILTERED, "policy")));

    ProbeResult r = t.client.ping(ip("10.0.2.2"), PingOptions.DEFAULT.withTimeout(SimTime.SECOND));

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.TIMEOUT);
    assertThat(Fixtures.hops(r.walk(), HopAction.DROP))
        .anyMatch(h -> h.location().equals("router") && h.detail().equals("filtered: policy"));
    assertThat(r0.detachTcIngress()).isTrue();
    assertThat(t.client.ping(ip("10.0.2.2")).outcome()).isEqualTo(ProbeResult.Outcome.REPLY);
  }

  @Test
  void unbind_nothingEverBound_nothingHappensAndThePortStaysClosed() {
    Fixtures.Routed t = new Fixtures.Routed(1);

    t.server.unbindUdp(4789);
    t.server.unbindProtocol(IpProtocol.IPIP);

    ProbeResult r = t.client.sendUdp(ip("10.0.2.2"), 4789, new byte[1]);
    assertThat(r.message())
        .isEqualTo("From 10.0.2.2: Destination Port Unreachable (10.0.2.2:4789)");
  }

  @Test
  void bindUdp_afterTheOnlyHandlerIsUnbound_theNewHandlerGetsTheDatagram() {
    Fixtures.Routed t = new Fixtures.Routed(1);
    List<String> got = new ArrayList<>();
    t.server.bindUdp(4789, (in, frame, offset, length) -> got.add("first " + length));
    t.server.unbindUdp(4789);

    t.server.bindUdp(4789, (in, frame, offset, length) -> got.add("second " + length));
    t.client.sendUdp(ip("10.0.2.2"), 4789, new byte[3], SimTime.SECOND);

    assertThat(got).containsExactly("second 3");
  }
}
