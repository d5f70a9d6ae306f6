package io.podnet.core.net;

import static io.podnet.core.net.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link Neighbours}: ARP resolution, NUD states and proxy ARP. */
class NeighboursTest {

  private static List<String> arpLines(List<String> lines, String what) {
    return lines.stream().filter(l -> l.contains(" arp #") && l.contains(what)).toList();
  }

  @Test
  void ping_coldNeighbour_exactlyOneArpRequestAndOneReply() {
    Fixtures.VethPair t = new Fixtures.VethPair(3);

    ProbeResult r = t.a.ping(ip("10.0.0.2"));

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.REPLY);
    assertThat(r.message()).startsWith("64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=");
    assertThat(arpLines(t.sink.lines(), "who-has")).hasSize(1);
    assertThat(arpLines(t.sink.lines(), "who-has").get(0))
        .contains("hop h/a eth0 arp")
        .endsWith("who-has 10.0.0.2");
    assertThat(arpLines(t.sink.lines(), "reply")).hasSize(1);
    assertThat(arpLines(t.sink.lines(), "reply").get(0))
        .contains("hop h/b eth0 arp")
        .endsWith("reply 10.0.0.2 is-at " + t.bEth0.mac());
    // the walk saw the request and the reply on the wire, once each
    assertThat(r.walk().hops())
        .filteredOn(h -> h.summary().startsWith("ARP, Request who-has 10.0.0.2"))
        .isNotEmpty();
    assertThat(r.walk().hops())
        .filteredOn(h -> h.hop().action() == HopAction.ARP && h.hop().detail().startsWith("reply"))
        .hasSize(1);
  }

  @Test
  void ping_secondPingWhileReachable_sendsNoArp() {
    Fixtures.VethPair t = new Fixtures.VethPair(3);
    t.a.ping(ip("10.0.0.2"));
    int before = arpLines(t.sink.lines(), "who-has").size();

    ProbeResult r = t.a.ping(ip("10.0.0.2"), PingOptions.DEFAULT.withSequence(2));

    assertThat(r.success()).isTrue();
    assertThat(r.message()).contains("icmp_seq=2");
    assertThat(arpLines(t.sink.lines(), "who-has")).hasSize(before);
  }

  @Test
  void neighbourEntry_afterReply_reachableThenStaleAfterReachableTime() {
    Fixtures.VethPair t = new Fixtures.VethPair(5);
    t.a.ping(ip("10.0.0.2"));
    long resolved = t.sim().now();

    assertThat(t.a.neighbourEntries())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.address()).isEqualTo(ip("10.0.0.2"));
              assertThat(e.device()).isSameAs(t.aEth0);
              assertThat(e.mac()).isEqualTo(t.bEth0.mac());
              assertThat(e.state()).isEqualTo(NeighbourState.REACHABLE);
            });

    // reachable time is uniform in [base/2, 3*base/2) = [15 s, 45 s)
    t.sim().runUntil(resolved + 15 * SimTime.SECOND - 1);
    assertThat(t.a.neighbourEntries().get(0).state()).isEqualTo(NeighbourState.REACHABLE);
    t.sim().runUntil(resolved + 45 * SimTime.SECOND);
    assertThat(t.a.neighbourEntries().get(0).state()).isEqualTo(NeighbourState.STALE);
    assertThat(t.a.neighbourEntries().get(0).mac()).isEqualTo(t.bEth0.mac());
  }

  @Test
  void ping_staleEntry_usedAgainGoesToDelay() {
    Fixtures.VethPair t = new Fixtures.VethPair(5);
    t.a.ping(ip("10.0.0.2"));
    t.sim().runUntil(t.sim().now() + 60 * SimTime.SECOND);
    assertThat(t.a.neighbourEntries().get(0).state()).isEqualTo(NeighbourState.STALE);

    ProbeResult r = t.a.ping(ip("10.0.0.2"), PingOptions.DEFAULT.withSequence(2));

    assertThat(r.success()).isTrue();
    assertThat(t.a.neighbourEntries().get(0).state()).isEqualTo(NeighbourState.DELAY);
  }

  @Test
  void ping_nonExistentNeighbour_threeRequestsOneSecondApartThenHostUnreachable() {
    Fixtures.VethPair t = new Fixtures.VethPair(9);
    long start = t.sim().now();

    ProbeResult r = t.a.ping(ip("10.0.0.99"), PingOptions.DEFAULT.withTimeout(10 * SimTime.SECOND));

    List<PacketHop> requests =
        Fixtures.hops(r.walk(), HopAction.ARP).stream()
            .filter(h -> h.detail().equals("who-has 10.0.0.99"))
            .toList();
    assertThat(requests)
        .extracting(PacketHop::time)
        .containsExactly(start, start + SimTime.SECOND, start + 2 * SimTime.SECOND);
    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.ICMP_ERROR);
    // the lab capture: "From 10.244.1.5 icmp_seq=1 Destination Host Unreachable" (own address)
    assertThat(r.message()).isEqualTo("From 10.0.0.1 icmp_seq=1 Destination Host Unreachable");
    assertThat(r.elapsedNanos()).isEqualTo(3 * SimTime.SECOND);
    assertThat(t.a.neighbourEntries())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.state()).isEqualTo(NeighbourState.FAILED);
              assertThat(e.mac()).isNull();
            });
    assertThat(Fixtures.hops(r.walk(), HopAction.DROP))
        .extracting(PacketHop::detail)
        .contains("neighbour resolution failed: 10.0.0.99");
  }

  @Test
  void addNeighbour_overAFailedEntryAndAfterIt_permanentInCreationOrderAndUsedWithoutArp() {
    Fixtures.VethPair t = new Fixtures.VethPair(9);
    t.a.ping(ip("10.0.0.99"), PingOptions.DEFAULT.withTimeout(10 * SimTime.SECOND));
    Device eth0 = t.a.device("eth0");
    t.a.addNeighbour(eth0, ip("10.0.0.7"), t.bEth0.mac());
    t.a.addNeighbour(eth0, ip("10.0.0.99"), t.bEth0.mac());
    int before = arpLines(t.sink.lines(), "who-has").size();

    ProbeResult r = t.a.sendUdp(ip("10.0.0.99"), 9, new byte[1], SimTime.SECOND);

    assertThat(t.a.neighbourEntries())
        .extracting(e -> e.address() + " " + e.state() + " " + e.mac())
        .containsExactly(
            "10.0.0.99 PERMANENT " + t.bEth0.mac(), "10.0.0.7 PERMANENT " + t.bEth0.mac());
    assertThat(arpLines(t.sink.lines(), "who-has")).hasSize(before);
    assertThat(Fixtures.hops(r.walk(), HopAction.RX)).isNotEmpty();
  }

  @Test
  void ping_nonExistentNeighbourWithDefaultOptions_reportsHostUnreachableLikeIputils() {
    // iputils waits 10 s for an answer by default, long enough to see the ARP failure at 3 s
    Fixtures.VethPair t = new Fixtures.VethPair(9);

    ProbeResult r = t.a.ping(ip("10.0.0.99"));

    assertThat(r.message()).isEqualTo("From 10.0.0.1 icmp_seq=1 Destination Host Unreachable");
  }

  /**
   * a (10.0.0.1/24) -- b, where b routes 10.0.0.128/25 to a second veth towards c (10.0.0.200), so
   * a believes 10.0.0.200 is on its link and ARPs for it.
   */
  private static Fixtures.VethPair proxyTopology(boolean proxyArp) {
    Fixtures.VethPair t = new Fixtures.VethPair(11);
    NetNamespace c = t.host.addNamespace("c");
    c.loopback().up();
    Veth bToC = t.b.addVethPair("toc", "tmp");
    Veth cEth0 = bToC.peer();
    t.b.moveDevice(cEth0, c, "eth0");
    t.b.addAddress(bToC, IfAddress.parse("10.9.0.1/24"));
    c.addAddress(cEth0, IfAddress.parse("10.0.0.200/24"));
    bToC.up();
    cEth0.up();
    t.b.addRoute(Route.to(Cidr.parse("10.0.0.128/25")).dev(bToC).build());
    t.b.setIpForward(true);
    bToC.setProxyArp(true); // so that c, which also takes a's subnet as on-link, reaches a
    t.bEth0.setProxyArp(proxyArp);
    return t;
  }

  @Test
  void arp_proxyArpOn_answersForAddressRoutedViaAnotherDevice() {
    Fixtures.VethPair t = proxyTopology(true);

    ProbeResult r = t.a.ping(ip("10.0.0.200"));

    assertThat(r.success()).isTrue();
    assertThat(r.from()).isEqualTo(ip("10.0.0.200"));
    assertThat(arpLines(t.sink.lines(), "reply 10.0.0.200 is-at " + t.bEth0.mac() + " (proxy)"))
        .hasSize(1);
    assertThat(t.a.neighbourEntries())
        .filteredOn(e -> e.address().equals(ip("10.0.0.200")))
        .singleElement()
        .extracting(NeighbourEntry::mac)
        .isEqualTo(t.bEth0.mac());
  }

  @Test
  void arp_proxyArpOff_requestForRoutedAddressUnanswered() {
    Fixtures.VethPair t = proxyTopology(false);

    ProbeResult r =
        t.a.ping(ip("10.0.0.200"), PingOptions.DEFAULT.withTimeout(10 * SimTime.SECOND));

    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.ICMP_ERROR);
    assertThat(r.message()).isEqualTo("From 10.0.0.1 icmp_seq=1 Destination Host Unreachable");
    assertThat(arpLines(t.sink.lines(), "(proxy)")).isEmpty();
    assertThat(t.sink.lines())
        .anyMatch(l -> l.contains("hop h/b eth0 drop") && l.endsWith("arp: not for us"));
  }

  @Test
  void arp_proxyArpOn_noAnswerForAddressRoutedBackOutTheSameDevice() {
    Fixtures.VethPair t = proxyTopology(true);

    ProbeResult r = t.a.ping(ip("10.0.0.77"), PingOptions.DEFAULT.withTimeout(10 * SimTime.SECOND));

    // 10.0.0.77 is routed by b via eth0 itself, so proxy ARP must not claim it
    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.ICMP_ERROR);
    assertThat(arpLines(t.sink.lines(), "(proxy)")).isEmpty();
  }

  @Test
  void arp_requestFromPeer_receiverLearnsSenderAsStale() {
    Fixtures.VethPair t = new Fixtures.VethPair(13);

    t.a.ping(ip("10.0.0.2"));

    assertThat(t.b.neighbourEntries())
        .filteredOn(e -> e.address().equals(ip("10.0.0.1")))
        .singleElement()
        .satisfies(e -> assertThat(e.mac()).isEqualTo(t.aEth0.mac()));
  }

  /** Attaches to a's eth0 a shared set holding 10.0.0.7 (excluded) and 10.0.0.99, both b's MAC. */
  private static SharedNeighbours attachSharedSet(Fixtures.VethPair t) {
    SharedNeighbours set = new SharedNeighbours();
    set.put(ip("10.0.0.7"), t.bEth0.mac());
    set.put(ip("10.0.0.99"), t.bEth0.mac());
    t.a.attachNeighbours(set, t.a.device("eth0"), ip("10.0.0.7"));
    return set;
  }

  @Test
  void neighbourStateAndMac_ownSharedAndMissingEntries_whatTheSnapshotShows() {
    Fixtures.VethPair t = new Fixtures.VethPair(9);
    Device eth0 = t.a.device("eth0");
    attachSharedSet(t);
    assertThat(t.a.neighbourState(eth0, ip("10.0.0.2"))).isNull();
    assertThat(t.a.neighbourMac(eth0, ip("10.0.0.2"))).isNull();

    t.a.ping(ip("10.0.0.2"));

    for (Ipv4Address address : List.of(ip("10.0.0.2"), ip("10.0.0.99"))) {
      NeighbourEntry snapshot = t.a.neighbour(eth0, address);
      assertThat(snapshot).isNotNull();
      assertThat(t.a.neighbourState(eth0, address)).isEqualTo(snapshot.state());
      assertThat(t.a.neighbourMac(eth0, address)).isEqualTo(snapshot.mac());
    }
    assertThat(t.a.neighbourState(eth0, ip("10.0.0.2"))).isEqualTo(NeighbourState.REACHABLE);
    assertThat(t.a.neighbourState(eth0, ip("10.0.0.99"))).isEqualTo(NeighbourState.PERMANENT);
    assertThat(t.a.neighbourMac(eth0, ip("10.0.0.2"))).isEqualTo(t.bEth0.mac());
  }

  @Test
  void attachNeighbours_sharedSet_resolvesWithoutArpListsPermanentAndGoesWithTheDevice() {
    Fixtures.VethPair t = new Fixtures.VethPair(9);
    Device eth0 = t.a.device("eth0");
    SharedNeighbours set = attachSharedSet(t);
    int before = arpLines(t.sink.lines(), "who-has").size();

    ProbeResult r = t.a.sendUdp(ip("10.0.0.99"), 9, new byte[1], SimTime.SECOND);

    assertThat(arpLines(t.sink.lines(), "who-has")).hasSize(before);
    assertThat(Fixtures.hops(r.walk(), HopAction.RX)).isNotEmpty();
    assertThat(t.a.neighbourEntries())
        .extracting(e -> e.address() + " " + e.state() + " " + e.mac())
        .containsExactly("10.0.0.99 PERMANENT " + t.bEth0.mac());
    eth0.down();
    assertThat(t.a.neighbourEntries()).isEmpty();
  }
}
