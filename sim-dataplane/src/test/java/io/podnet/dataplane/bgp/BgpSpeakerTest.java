package io.podnet.dataplane.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.net.Host;
import io.podnet.core.net.LinkSpec;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Network;
import io.podnet.core.net.Nic;
import io.podnet.core.net.Route;
import io.podnet.core.net.StreamListener;
import io.podnet.core.net.TcpStream;
import io.podnet.core.trace.MemoryTraceSink;
import io.podnet.core.trace.PcapWriter;
import io.podnet.core.trace.Trace;
import io.podnet.core.trace.Tshark;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Tests for {@link BgpSpeaker}: sessions, route exchange, mesh, reflection, failure, determinism.
 */
class BgpSpeakerTest {

  static final long AS = 64512;

  static Ipv4Address ip(String s) {
    return Ipv4Address.parse(s);
  }

  /** Two nodes on one link, 192.168.1.11/24 and 192.168.1.12/24, each with a speaker. */
  static final class Pair {
    final MemoryTraceSink sink = new MemoryTraceSink();
    final Network net = Network.create(Simulation.create(11), Trace.digestOnly().addSink(sink));
    final Host node1 = net.addHost("node-1");
    final Host node2 = net.addHost("node-2");
    final Nic eth1 = node1.root().addNic("eth0");
    final Nic eth2 = node2.root().addNic("eth0");
    final BgpSpeaker s1;
    final BgpSpeaker s2;

    Pair(long as2) {
      net.connect(eth1, eth2, LinkSpec.DEFAULT);
      node1.root().addAddress(eth1, IfAddress.parse("192.168.1.11/24"));
      node2.root().addAddress(eth2, IfAddress.parse("192.168.1.12/24"));
      eth1.up();
      eth2.up();
      s1 = BgpSpeaker.builder(node1.root(), AS, ip("192.168.1.11")).build();
      s2 = BgpSpeaker.builder(node2.root(), as2, ip("192.168.1.12")).build();
      s1.addPeer(ip("192.168.1.12"), as2);
      s2.addPeer(ip("192.168.1.11"), AS);
      s1.originate(Cidr.parse("10.244.1.0/26"));
      s2.originate(Cidr.parse("10.244.2.0/26"));
    }

    Pair() {
      this(AS);
    }

    Simulation sim() {
      return net.simulation();
    }

    List<String> sessionLines(String node) {
      return sink.lines().stream()
          .filter(l -> l.contains(" bgp " + node + " session "))
          .map(l -> l.substring(l.indexOf(" session ") + 9))
          .toList();
    }
  }

  static List<String> birdRoutes(Host host) {
    return host.root().routes().routes().stream()
        .filter(r -> r.protocol().equals("bird"))
        .map(Route::toString)
        .toList();
  }

  @ParameterizedTest
  @CsvSource({
    "LOWER_ADDRESS, 11, 12, 11",
    "LOWER_ADDRESS, 9, 10, 9",
    "GREATER_ADDRESS_TEXT, 11, 12, 12",
    "GREATER_ADDRESS_TEXT, 9, 10, 9", // "192.168.1.9" > "192.168.1.10" as text
  })
  void start_activeEnd_thatEndConnectsAndTheSessionComesUp(
      BgpSpeaker.ActiveEnd end, int a, int b, int connecting) {
    MemoryTraceSink sink = new MemoryTraceSink();
    Network net = Network.create(Simulation.create(11), Trace.digestOnly().addSink(sink));
    BgpSpeaker[] speakers = new BgpSpeaker[2];
    Nic[] nics = new Nic[2];
    int[] octets = {a, b};
    for (int k = 0; k < 2; k++) {
      Host host = net.addHost("node-" + octets[k]);
      nics[k] = host.root().addNic("eth0");
      host.root().addAddress(nics[k], IfAddress.parse("192.168.1." + octets[k] + "/24"));
      nics[k].up();
      speakers[k] =
          BgpSpeaker.builder(host.root(), AS, ip("192.168.1." + octets[k])).activeEnd(end).build();
    }
    net.connect(nics[0], nics[1], LinkSpec.DEFAULT);
    speakers[0].addPeer(ip("192.168.1." + b));
    speakers[1].addPeer(ip("192.168.1." + a));

    speakers[0].start();
    speakers[1].start();
    net.simulation().runUntil(SimTime.SECOND);

    assertThat(speakers[0].state(ip("192.168.1." + b))).isEqualTo(BgpState.ESTABLISHED);
    assertThat(speakers[1].state(ip("192.168.1." + a))).isEqualTo(BgpState.ESTABLISHED);
    assertThat(sink.lines())
        .filteredOn(l -> l.contains(" -> Connect"))
        .singleElement()
        .asString()
        .contains(" bgp node-" + connecting + " session ");
  }

  @Test
  void start_twoSpeakers_sessionStatesInRfcOrder() {
    Pair t = new Pair();
    t.s1.start();
    t.s2.start();
    t.sim().runUntil(SimTime.SECOND);

    assertThat(t.s1.state(ip("192.168.1.12"))).isEqualTo(BgpState.ESTABLISHED);
    assertThat(t.s2.state(ip("192.168.1.11"))).isEqualTo(BgpState.ESTABLISHED);
    assertThat(t.sessionLines("node-1"))
        .containsExactly(
            "192.168.1.12 Idle -> Connect",
            "192.168.1.12 Connect -> OpenSent",
            "192.168.1.12 OpenSent -> OpenConfirm",
            "192.168.1.12 OpenConfirm -> Established");
    assertThat(t.sessionLines("node-2"))
        .containsExactly(
            "192.168.1.11 Idle -> Active",
            "192.168.1.11 Active -> OpenSent",
            "192.168.1.11 OpenSent -> OpenConfirm",
            "192.168.1.11 OpenConfirm -> Established");
  }

  @Test
  void start_twoSpeakers_exchangeRoutesAndInstallThemAsProtoBird() {
    Pair t = new Pair();
    t.s1.start();
    t.s2.start();
    t.sim().runUntil(SimTime.SECOND);

    assertThat(t.s1.locRib())
        .containsExactly(Cidr.parse("10.244.1.0/26"), Cidr.parse("10.244.2.0/26"));
    assertThat(t.s1.nextHop(Cidr.parse("10.244.2.0/26"))).contains(ip("192.168.1.12"));
    assertThat(birdRoutes(t.node1))
        .containsExactly("10.244.2.0/26 via 192.168.1.12 dev eth0 proto bird");
    assertThat(birdRoutes(t.node2))
        .containsExactly("10.244.1.0/26 via 192.168.1.11 dev eth0 proto bird");
    assertThat(t.s2.bestRoute(Cidr.parse("10.244.1.0/26")))
        .contains(
            "10.244.1.0/26 origin IGP as-path [] next-hop 192.168.1.11 local-pref 100 from 192.168.1.11");
  }

  /**
   * A node whose speaker is handed UPDATEs with next hop 10.9.9.9, reached through a static route,
   * for its own /32 and a pod block: in one UPDATE, or one each; returns the digest and the routes.
   */
  private static List<String> updatesThroughStaticRoute(boolean oneUpdate, boolean hopFirst) {
    Network net = Network.create(Simulation.create(5), Trace.digestOnly());
    Host node = net.addHost("node-1");
    Nic eth0 = node.root().addNic("eth0");
    node.root().addAddress(eth0, IfAddress.parse("192.168.1.11/24"));
    eth0.up();
    node.root()
        .addRoute(
            Route.to(Cidr.parse("10.9.0.0/16")).via(ip("192.168.1.1")).dev(eth0).metric(5).build());
    BgpSpeaker speaker = BgpSpeaker.builder(node.root(), AS, ip("192.168.1.11")).build();
    BgpPeer peer = new BgpPeer(speaker, ip("192.168.1.12").toInt(), AS, false);
    PathAttributes attrs = PathAttributes.local(ip("10.9.9.9").toInt(), 100);
    long hop = Prefixes.pack(Cidr.parse("10.9.9.9/32"));
    long block = Prefixes.pack(Cidr.parse("10.244.5.0/26"));
    long[] nlri = hopFirst ? new long[] {hop, block} : new long[] {block, hop};
    if (oneUpdate) {
      receive(speaker, peer, attrs, nlri);
    } else {
      for (long prefix : nlri) {
        receive(speaker, peer, attrs, new long[] {prefix});
      }
    }
    List<String> out = new ArrayList<>(birdRoutes(node));
    out.add(net.trace().digest());
    return out;
  }

  /**
   * Hands {@code speaker} an UPDATE from {@code peer} announcing {@code nlri} with {@code attrs}.
   */
  private static void receive(BgpSpeaker speaker, BgpPeer peer, PathAttributes attrs, long[] nlri) {
    byte[] m = BgpCodec.update(new long[0], attrs, nlri, false);
    speaker.receiveUpdate(peer, m, new BgpCodec.UpdateView().wrapMessage(m, 0, m.length));
  }

  @Test
  void receiveUpdate_prefixesInOneUpdateOrOneEach_sameRoutesAndDigest() {
    for (boolean hopFirst : new boolean[] {true, false}) {
      List<String> oneEach = updatesThroughStaticRoute(false, hopFirst);

      assertThat(updatesThroughStaticRoute(true, hopFirst)).isEqualTo(oneEach);
      assertThat(oneEach.subList(0, 2))
          .containsExactlyInAnyOrder(
              "10.9.9.9 via 192.168.1.1 dev eth0 proto bird",
              "10.244.5.0/26 via 192.168.1.1 dev eth0 proto bird");
    }
  }

  /** The {@code i}th /26 from 10.245.0.0. */
  private static Cidr block(int i) {
    return Cidr.of(Ipv4Address.of(ip("10.245.0.0").toInt() + 64 * i), 26);
  }

  /** Steps the simulation until node-2's session with node-1 is established. */
  private static void stepUntilEstablished(Pair t) {
    while (t.s2.state(ip("192.168.1.11")) != BgpState.ESTABLISHED) {
      assertThat(t.sim().step()).as("events left").isTrue();
    }
  }

  @Test
  void established_tableLargerThanTheSendBuffer_sentAsTheStreamDrains() {
    Pair t = new Pair();
    for (int i = 0; i < 2000; i++) {
      t.s2.originate(block(i));
    }
    t.s1.start();
    t.s2.start();

    stepUntilEstablished(t);
    // 2,001 UPDATEs of 48 bytes are 96 KB; BIRD writes what the 16 KiB buffer takes, then waits.
    long atOnce = t.s2.messagesSent();
    t.sim().runUntil(SimTime.SECOND);

    assertThat(atOnce).isLessThan(2 + TcpStream.SEND_BUFFER / 48 + 1);
    assertThat(t.s2.messagesSent()).isGreaterThanOrEqualTo(2 + 2001);
    assertThat(t.s1.locRib()).hasSize(2002);
  }

  @Test
  void originate_manyPrefixesAtOnceOnAnEstablishedSession_journalledAndAllArrive() {
    Pair t = new Pair();
    t.s1.start();
    t.s2.start();
    t.sim().runUntil(SimTime.SECOND);
    long before = t.s2.messagesSent();

    for (int i = 0; i < 2000; i++) {
      t.s2.originate(block(i));
    }
    long atOnce = t.s2.messagesSent() - before;
    t.s2.withdraw(block(0));
    t.sim().runUntil(2 * SimTime.SECOND);

    assertThat(atOnce).isLessThan(TcpStream.SEND_BUFFER / 48 + 1);
    assertThat(t.s1.locRib()).hasSize(2 + 1999).doesNotContain(block(0));
    assertThat(birdRoutes(t.node1))
        .hasSize(2000)
        .contains(block(1999) + " via 192.168.1.12 dev eth0 proto bird");
  }

  /** OPEN, KEEPALIVE and UPDATEs of 10.244.1.0/26 to 10.244.3.0/26, as node-2 (192.168.1.12). */
  private static byte[] openAndThreeUpdates() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(BgpCodec.open(AS, 240, ip("192.168.1.12").toInt()));
    out.writeBytes(BgpCodec.keepalive());
    PathAttributes a = PathAttributes.local(ip("192.168.1.12").toInt(), 100);
    for (int i = 1; i <= 3; i++) {
      long prefix = Prefixes.pack(Cidr.parse("10.244." + i + ".0/26"));
      out.writeBytes(BgpCodec.update(new long[0], a, new long[] {prefix}, true));
    }
    return out.toByteArray();
  }

  /**
   * node-1's speaker against a hand-driven peer on node-2 that writes {@code bytes} in pieces of
   * {@code chunk} bytes, each piece its own segment; the trace goes to {@code sink}.
   */
  private static BgpSpeaker receiveInPieces(byte[] bytes, int chunk, MemoryTraceSink sink) {
    Network net = Network.create(Simulation.create(3), Trace.digestOnly().addSink(sink));
    Host node1 = net.addHost("node-1");
    Host node2 = net.addHost("node-2");
    Nic eth1 = node1.root().addNic("eth0");
    Nic eth2 = node2.root().addNic("eth0");
    net.connect(eth1, eth2, LinkSpec.DEFAULT);
    node1.root().addAddress(eth1, IfAddress.parse("192.168.1.11/24"));
    node2.root().addAddress(eth2, IfAddress.parse("192.168.1.12/24"));
    eth1.up();
    eth2.up();
    List<TcpStream> accepted = new ArrayList<>();
    node2
        .root()
        .listenStream(
            BgpSpeaker.PORT,
            new StreamListener() {
              @Override
              public void connected(TcpStream stream) {
                accepted.add(stream);
              }

              @Override
              public void received(TcpStream stream, byte[] buffer, int offset, int length) {}

              @Override
              public void closed(TcpStream stream, String reason) {}
            });
    BgpSpeaker s1 = BgpSpeaker.builder(node1.root(), AS, ip("192.168.1.11")).build();
    s1.addPeer(ip("192.168.1.12"));
    s1.start();
    net.simulation().runUntil(SimTime.MILLISECOND);
    for (int at = 0; at < bytes.length; at += chunk) {
      accepted.get(0).send(Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + chunk)));
      net.simulation().runUntil(net.simulation().now() + SimTime.MILLISECOND);
    }
    return s1;
  }

  @Test
  void receive_messagesSplitAcrossSegmentsAtEveryOffset_allHandled() {
    for (int chunk : new int[] {1, 2, 7, 18, 19, 20, 33, 50, 64}) {
      BgpSpeaker s1 = receiveInPieces(openAndThreeUpdates(), chunk, new MemoryTraceSink());

      assertThat(s1.state(ip("192.168.1.12")))
          .as("chunk %d", chunk)
          .isEqualTo(BgpState.ESTABLISHED);
      assertThat(s1.locRib())
          .as("chunk %d", chunk)
          .containsExactly(
              Cidr.parse("10.244.1.0/26"),
              Cidr.parse("10.244.2.0/26"),
              Cidr.parse("10.244.3.0/26"));
    }
  }

  @Test
  void receive_updateWithdrawingWithBadAttributes_sessionEndsBeforeTheWithdrawal() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(openAndThreeUpdates());
    // Withdraws 10.244.1.0/26 and announces 10.244.4.0/26 without ORIGIN: the whole UPDATE is an
    // error (NOTIFICATION 3/3), so the withdrawal is not applied before the session ends.
    byte[] bad =
        BgpCodec.update(
            new long[] {Prefixes.pack(Cidr.parse("10.244.1.0/26"))},
            PathAttributes.local(ip("192.168.1.12").toInt(), 100),
            new long[] {Prefixes.pack(Cidr.parse("10.244.4.0/26"))},
            true);
    int origin = new BgpCodec.UpdateView().wrapMessage(bad, 0, bad.length).attrStart;
    assertThat(bad[origin + 1]).as("the first attribute's type code").isEqualTo((byte) 1);
    bad[origin] = (byte) 0xC0; // optional attribute 99, which is ignored: ORIGIN is missing
    bad[origin + 1] = 99;
    out.writeBytes(bad);
    byte[] bytes = out.toByteArray();
    MemoryTraceSink sink = new MemoryTraceSink();

    BgpSpeaker s1 = receiveInPieces(bytes, bytes.length, sink);

    assertThat(s1.state(ip("192.168.1.12"))).isEqualTo(BgpState.IDLE);
    assertThat(s1.locRib()).isEmpty();
    List<String> lines = sink.lines();
    int down = indexOfEnding(lines, "Established -> Idle (missing ORIGIN (NOTIFICATION 3/3))");
    int withdrawn = indexOfEnding(lines, "route withdraw 10.244.1.0/26");
    assertThat(down).isNotNegative().isLessThan(withdrawn);
  }

  @Test
  void receive_updateWithBadWithdrawnLength_sessionEndsNamingItUncounted() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(openAndThreeUpdates());
    byte[] bad = BgpCodec.withdrawal(new long[] {Prefixes.pack(Cidr.parse("10.244.1.0/26"))});
    bad[BgpCodec.HEADER_LENGTH + 1] = 16; // withdrawn routes length 16, past the message's end
    out.writeBytes(bad);
    MemoryTraceSink sink = new MemoryTraceSink();

    BgpSpeaker s1 = receiveInPieces(out.toByteArray(), 33, sink);

    assertThat(s1.state(ip("192.168.1.12"))).isEqualTo(BgpState.IDLE);
    assertThat(s1.messagesReceived()).as("OPEN, KEEPALIVE, three UPDATEs").isEqualTo(5);
    assertThat(sink.lines())
        .anyMatch(
            l -> l.endsWith("Established -> Idle (withdrawn routes length 16 (NOTIFICATION 3/1))"));
  }

  /** The index of the first line ending with {@code end}, or -1. */
  private static int indexOfEnding(List<String> lines, String end) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).endsWith(end)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void receive_badLengthInAHeaderSplitAcrossSegments_sessionEndsNamingIt() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(BgpCodec.open(AS, 240, ip("192.168.1.12").toInt()));
    out.writeBytes(BgpCodec.keepalive());
    byte[] bad = BgpCodec.keepalive().clone(); // the codec hands out one shared array
    bad[17] = 3; // a length under the header's 19 bytes
    out.writeBytes(bad);
    MemoryTraceSink sink = new MemoryTraceSink();

    BgpSpeaker s1 = receiveInPieces(out.toByteArray(), 7, sink);

    assertThat(s1.state(ip("192.168.1.12"))).isEqualTo(BgpState.IDLE);
    assertThat(sink.lines())
        .anyMatch(
            l ->
                l.endsWith(
                    "session 192.168.1.12 Established -> Idle (bad message length: 3 (NOTIFICATION 1/2))"));
  }

  @Test
  void withdraw_originatedPrefix_peerRemovesRoute() {
    Pair t = new Pair();
    t.s1.start();
    t.s2.start();
    t.sim().runUntil(SimTime.SECOND);

    t.s2.withdraw(Cidr.parse("10.244.2.0/26"));
    t.sim().runUntil(2 * SimTime.SECOND);

    assertThat(t.s1.locRib()).containsExactly(Cidr.parse("10.244.1.0/26"));
    assertThat(birdRoutes(t.node1)).isEmpty();
  }

  @Test
  void start_ebgpPeer_asPathPrependedAndNextHopSelf() {
    Pair t = new Pair(65001);
    t.s1.start();
    t.s2.start();
    t.sim().runUntil(SimTime.SECOND);

    assertThat(t.s1.bestRoute(Cidr.parse("10.244.2.0/26")))
        .contains(
            "10.244.2.0/26 origin IGP as-path [65001] next-hop 192.168.1.12 local-pref 100 from 192.168.1.12");
  }

  @Test
  void start_wrongPeerAs_neverEstablishes() {
    Pair t = new Pair();
    BgpSpeaker wrong = BgpSpeaker.builder(t.node2.root(), 65001, ip("192.168.1.12")).build();
    wrong.addPeer(ip("192.168.1.11"), AS);
    t.s1.start();
    wrong.start();
    t.sim().runUntil(3 * SimTime.SECOND);

    assertThat(t.s1.state(ip("192.168.1.12"))).isNotEqualTo(BgpState.ESTABLISHED);
    assertThat(t.sessionLines("node-1")).anyMatch(l -> l.contains("bad peer AS 65001"));
  }

  @Test
  void linkCut_holdTimerExpires_routeWithdrawnAfterHoldTime() {
    Pair t = new Pair();
    t.s1.start();
    t.s2.start();
    t.sim().runUntil(SimTime.SECOND);
    long cut = t.sim().now();
    t.net.links().get(0).setUp(false);

    long took = Convergence.untilQuiet(t.sim(), List.of(t.s1), 300 * SimTime.SECOND);

    assertThat(took).isBetween(160 * SimTime.SECOND, 240 * SimTime.SECOND);
    assertThat(t.s1.locRib()).containsExactly(Cidr.parse("10.244.1.0/26"));
    assertThat(birdRoutes(t.node1)).isEmpty();
    assertThat(t.sessionLines("node-1"))
        .contains("192.168.1.12 Established -> Idle (hold timer expired)");
    assertThat(cut).isPositive();
  }

  @Test
  void untilEstablished_firstConnectLost_waitsForConnectRetry() {
    Pair t = new Pair();
    t.net.links().get(0).setUp(false);
    t.s1.start();
    t.s2.start();
    t.sim().runUntil(SimTime.SECOND);
    t.net.links().get(0).setUp(true);
    assertThat(Convergence.untilQuiet(t.sim(), List.of(t.s1, t.s2), SimTime.SECOND)).isZero();
    assertThat(t.s1.establishedSessions()).isZero();

    long took =
        Convergence.untilEstablished(
            t.sim(), List.of(t.s1, t.s2), 100 * SimTime.MILLISECOND, 60 * SimTime.SECOND);
    Convergence.untilQuiet(t.sim(), List.of(t.s1, t.s2), SimTime.SECOND);

    // The first connects failed at 0 s, the retry comes up at 5 s: the 100 ms slice from 2 s ending
    // after it is the one ending at 5.1 s.
    assertThat(took).isEqualTo(3_100 * SimTime.MILLISECOND);
    assertThat(t.s1.establishedSessions()).isEqualTo(t.s1.sessions()).isEqualTo(1);
    assertThat(t.s2.establishedSessions()).isEqualTo(1);
    assertThat(t.s1.locRib())
        .containsExactly(Cidr.parse("10.244.1.0/26"), Cidr.parse("10.244.2.0/26"));
  }

  @Test
  void untilEstablished_peerNeverStarts_throwsNamingSpeaker() {
    Pair t = new Pair();
    t.s1.start();

    assertThatThrownBy(
            () ->
                Convergence.untilEstablished(
                    t.sim(), List.of(t.s1, t.s2), SimTime.SECOND, 10 * SimTime.SECOND))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(t.s1 + " has 0 of 1 sessions Established after 10000000000 ns");
    assertThat(t.sim().now()).isEqualTo(10 * SimTime.SECOND);
  }

  @Test
  void builder_badAsNumber_throwsNamingKeyAndValue() {
    Pair t = new Pair();
    assertThatThrownBy(() -> BgpSpeaker.builder(t.node1.root(), 0, ip("1.1.1.1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("asn must be in [1, 4294967295]: 0");
    assertThatThrownBy(() -> BgpSpeaker.builder(t.node1.root(), 4294967296L, ip("1.1.1.1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("asn must be in [1, 4294967295]: 4294967296");
    assertThatThrownBy(() -> t.s1.addPeer(ip("192.168.1.13"), -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("remoteAs must be in [1, 4294967295]: -1");
    assertThatThrownBy(() -> t.s1.addPeer(ip("192.168.1.12")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("peer 192.168.1.12 is already configured");
    assertThatThrownBy(() -> t.s1.addRouteReflectorClient(ip("192.168.1.13")))
        .isInstanceOf(IllegalStateException.class);
  }

  // ---------------------------------------------------------------- fabric

  /** Speakers on a routed fabric, each originating its node's /26. */
  static List<BgpSpeaker> speakers(Fabric f) {
    List<BgpSpeaker> out = new ArrayList<>();
    for (int i = 0; i < f.size(); i++) {
      BgpSpeaker s = BgpSpeaker.builder(f.node(i).root(), AS, f.nodeAddress(i)).build();
      s.originate(f.podCidr(i));
      out.add(s);
    }
    return out;
  }

  static List<BgpSpeaker> fullMesh(Fabric f) {
    List<BgpSpeaker> s = speakers(f);
    for (int i = 0; i < f.size(); i++) {
      for (int j = 0; j < f.size(); j++) {
        if (i != j) {
          s.get(i).addPeer(f.nodeAddress(j));
        }
      }
    }
    s.forEach(BgpSpeaker::start);
    return s;
  }

  /**
   * Node 0 of a star of three peering with nodes 1 and 2, which both originate {@link #ANYCAST},
   * its kernel routes to them at the given metrics (its IGP costs), started.
   */
  private record TwoOrigins(Network net, Fabric f, List<BgpSpeaker> s, int[] costs) {

    static TwoOrigins withCosts(int costToOne, int costToTwo) {
      Network net = Network.create(Simulation.create(1));
      Fabric f = Fabric.star(net, 3, LinkSpec.DEFAULT);
      TwoOrigins t = new TwoOrigins(net, f, new ArrayList<>(), new int[3]);
      t.setCost(1, costToOne);
      t.setCost(2, costToTwo);
      for (int i = 0; i < 3; i++) {
        t.s.add(BgpSpeaker.builder(f.node(i).root(), AS, f.nodeAddress(i)).build());
      }
      for (int i = 1; i <= 2; i++) {
        t.s.get(i).originate(ANYCAST);
        t.s.get(i).addPeer(f.nodeAddress(0));
        t.s.get(0).addPeer(f.nodeAddress(i));
      }
      t.s.forEach(BgpSpeaker::start);
      return t;
    }

    /** Node 0's route to node {@code i}'s address, through the ToR, at metric {@code cost}. */
    void setCost(int i, int cost) {
      NetNamespace zero = f.node(0).root();
      Cidr host = Cidr.of(f.nodeAddress(i), 32);
      Route viaTor = zero.routes().lookup(f.nodeAddress(i).toInt());
      if (costs[i] != 0) {
        zero.removeRoute(zero.routes().route(host, costs[i]));
      }
      zero.addRoute(Route.to(host).via(viaTor.gateway()).dev(viaTor.device()).metric(cost).build());
      costs[i] = cost;
    }
  }

  private static final Cidr ANYCAST = Cidr.parse("10.96.0.0/24");

  @ParameterizedTest
  @CsvSource({"20, 10, 2", "10, 20, 1"})
  void decide_samePrefixFromTwoPeers_lowerIgpCostToItsNextHopWins(
      int costToOne, int costToTwo, int winner) {
    TwoOrigins t = TwoOrigins.withCosts(costToOne, costToTwo);

    t.net().simulation().runUntil(10 * SimTime.SECOND);

    // Without the costs node-1 would win on its lower router id.
    assertThat(t.s().get(0).nextHop(ANYCAST)).contains(t.f().nodeAddress(winner));
  }

  @Test
  void decide_costRaisedAfterTheRoutesWereLearned_selectionAsksTheCostNow() {
    TwoOrigins t = TwoOrigins.withCosts(20, 10);
    t.net().simulation().runUntil(10 * SimTime.SECOND);
    assertThat(t.s().get(0).nextHop(ANYCAST)).contains(t.f().nodeAddress(2));

    t.setCost(2, 30);
    t.s().get(1).withdraw(ANYCAST);
    t.net().simulation().runUntil(11 * SimTime.SECOND);
    assertThat(t.s().get(0).nextHop(ANYCAST)).contains(t.f().nodeAddress(2));
    t.s().get(1).originate(ANYCAST);
    t.net().simulation().runUntil(12 * SimTime.SECOND);

    // Node 2's path, learned while its cost was 10, is still held: a cost remembered from then
    // (when the path was learned or first selected) would keep node 2.
    assertThat(t.s().get(0).nextHop(ANYCAST)).contains(t.f().nodeAddress(1));
  }

  @Test
  void fullMesh_fiveNodes_everyNodeHasEveryPrefixViaTheRouter() {
    Network net = Network.create(Simulation.create(1));
    Fabric f = Fabric.star(net, 5, LinkSpec.DEFAULT);
    List<BgpSpeaker> s = fullMesh(f);

    long took =
        Convergence.untilLocRibSize(
            net.simulation(), s, 5, SimTime.MILLISECOND, 10 * SimTime.SECOND);

    assertThat(took).isPositive().isLessThan(10 * SimTime.MILLISECOND);
    for (BgpSpeaker sp : s) {
      assertThat(sp.establishedSessions()).isEqualTo(4);
    }
    assertThat(birdRoutes(f.node(0)))
        .containsExactly(
            "10.244.0.64/26 via 192.168.0.0 dev eth0 proto bird",
            "10.244.0.128/26 via 192.168.0.0 dev eth0 proto bird",
            "10.244.0.192/26 via 192.168.0.0 dev eth0 proto bird",
            "10.244.1.0/26 via 192.168.0.0 dev eth0 proto bird");
    assertThat(s.get(0).nextHop(f.podCidr(3))).contains(f.nodeAddress(3));
  }

  /** Two reflectors (nodes 1 and 2, cluster id 10.255.255.1) and six clients, started. */
  static List<BgpSpeaker> reflected(Fabric f) {
    List<BgpSpeaker> s = new ArrayList<>();
    for (int i = 0; i < f.size(); i++) {
      BgpSpeaker.Builder b = BgpSpeaker.builder(f.node(i).root(), AS, f.nodeAddress(i));
      if (i < 2) {
        b.routeReflector(ip("10.255.255.1"));
      }
      BgpSpeaker sp = b.build();
      sp.originate(f.podCidr(i));
      s.add(sp);
    }
    s.get(0).addPeer(f.nodeAddress(1));
    s.get(1).addPeer(f.nodeAddress(0));
    for (int c = 2; c < f.size(); c++) {
      for (int rr = 0; rr < 2; rr++) {
        s.get(rr).addRouteReflectorClient(f.nodeAddress(c));
        s.get(c).addPeer(f.nodeAddress(rr));
      }
    }
    s.forEach(BgpSpeaker::start);
    return s;
  }

  /** {@link #reflected} run until every speaker has all eight prefixes and all is quiet. */
  static List<BgpSpeaker> convergedReflected(Fabric f) {
    List<BgpSpeaker> s = reflected(f);
    Simulation sim = f.node(0).network().simulation();
    Convergence.untilLocRibSize(sim, s, 8, SimTime.MILLISECOND, 10 * SimTime.SECOND);
    Convergence.untilQuiet(sim, s, SimTime.SECOND);
    return s;
  }

  @Test
  void routeReflectors_twoReflectorsSixClients_sameRoutesWithFewerSessions() {
    Fabric f = Fabric.star(Network.create(Simulation.create(1)), 8, LinkSpec.DEFAULT);

    List<BgpSpeaker> s = convergedReflected(f);

    int sessions = s.stream().mapToInt(BgpSpeaker::establishedSessions).sum() / 2;
    assertThat(sessions).isEqualTo(1 + 2 * 6).isLessThan(8 * 7 / 2);
    for (int i = 0; i < f.size(); i++) {
      assertThat(s.get(i).locRib()).hasSize(8);
      assertThat(birdRoutes(f.node(i))).hasSize(7);
    }
    // A client learns node-8's block through a reflector, with the originator's next hop intact.
    assertThat(s.get(2).nextHop(f.podCidr(7))).contains(f.nodeAddress(7));
    assertThat(s.get(2).bestRoute(f.podCidr(7)).orElseThrow())
        .contains("originator " + f.nodeAddress(7))
        .contains("cluster-list [10.255.255.1]");
  }

  @Test
  void routeReflectors_clientsLearnTheSameRoute_holdOneSharedPath() {
    Fabric f = Fabric.star(Network.create(Simulation.create(1)), 8, LinkSpec.DEFAULT);

    List<BgpSpeaker> s = convergedReflected(f);

    io.podnet.dataplane.bgp.Path atClient3 = s.get(2).best(f.podCidr(7));
    for (int c = 3; c < 7; c++) {
      assertThat(s.get(c).best(f.podCidr(7))).isSameAs(atClient3);
    }
    assertThat(atClient3.attrs.originatorId).isEqualTo(f.nodeAddress(7).toInt());
    // The two reflectors' copies differ only in the reflector they came from.
    assertThat(s.get(0).best(f.podCidr(7))).isNotSameAs(atClient3);
  }

  @Test
  void routeReflectors_withOrWithoutSink_sameDigest() {
    MemoryTraceSink sink = new MemoryTraceSink();
    Network withSink = Network.create(Simulation.create(4), Trace.digestOnly().addSink(sink));
    Network digestOnly = Network.create(Simulation.create(4));
    for (Network n : List.of(withSink, digestOnly)) {
      Fabric f = Fabric.star(n, 8, LinkSpec.DEFAULT);
      List<BgpSpeaker> s = reflected(f);
      n.simulation().runUntil(SimTime.SECOND);
      s.get(7).withdraw(f.podCidr(7));
      n.simulation().runUntil(2 * SimTime.SECOND);
    }

    assertThat(digestOnly.trace().digest()).isEqualTo(withSink.trace().digest());
    assertThat(sink.lines())
        .anyMatch(l -> l.contains(" bgp node-3 route best 10.244.1.192/26 via 192.168.0.15 from "))
        .anyMatch(l -> l.contains(" route node-3 add 10.244.1.192/26 via 192.168.0.4 dev eth0"))
        .anyMatch(l -> l.contains(" bgp node-3 route withdraw 10.244.1.192/26"));
  }

  @Test
  void nodeCrash_fullMesh_peersWithdrawItsRoutesAfterHoldTime() {
    Network net = Network.create(Simulation.create(1));
    Fabric f = Fabric.star(net, 5, LinkSpec.DEFAULT);
    List<BgpSpeaker> s = fullMesh(f);
    Convergence.untilLocRibSize(net.simulation(), s, 5, SimTime.MILLISECOND, 10 * SimTime.SECOND);
    net.simulation().runUntil(100 * SimTime.SECOND);

    f.link(4).setUp(false);
    long took = Convergence.untilQuiet(net.simulation(), s.subList(0, 4), 300 * SimTime.SECOND);

    // The hold timer runs from the last KEEPALIVE heard, at most a keepalive time before the crash.
    assertThat(took)
        .isGreaterThan((240 - 80) * SimTime.SECOND)
        .isLessThanOrEqualTo(240 * SimTime.SECOND + SimTime.MILLISECOND);
    for (int i = 0; i < 4; i++) {
      assertThat(s.get(i).locRib()).hasSize(4).doesNotContain(f.podCidr(4));
      assertThat(birdRoutes(f.node(i))).hasSize(3);
    }
  }

  @Test
  void fullMesh_sameSeed_sameDigest() {
    assertThat(meshDigest(9)).isEqualTo(meshDigest(9));
  }

  private static String meshDigest(long seed) {
    Network net = Network.create(Simulation.create(seed));
    Fabric f = Fabric.star(net, 6, LinkSpec.DEFAULT);
    fullMesh(f);
    net.simulation().runUntil(300 * SimTime.SECOND);
    return net.trace().digest();
  }

  // ---------------------------------------------------------------- wire

  @TempDir Path dir;

  /** Starts both speakers of {@code t}, captures node-1's eth0 until {@code until}: the file. */
  private Path capture(Pair t, long until) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PcapWriter pcap = PcapWriter.to(bytes);
    t.eth1.capture(pcap);
    t.s1.start();
    t.s2.start();
    t.sim().runUntil(until);
    pcap.close();
    Path file = dir.resolve("bgp.pcap");
    Files.write(file, bytes.toByteArray());
    return file;
  }

  @Test
  void tshark_sessionCapture_openKeepaliveUpdateDecodeAsBgp() throws Exception {
    Path file = capture(new Pair(), 100 * SimTime.SECOND);

    assertThat(Tshark.run(file, "-Y", "_ws.malformed || _ws.expert.severity >= error")).isEmpty();
    List<String> types = Tshark.run(file, "-Y", "bgp", "-T", "fields", "-e", "bgp.type");
    assertThat(types).contains("1", "4", "2");
    assertThat(
            Tshark.run(
                file,
                "-Y",
                "bgp.type == 1",
                "-T",
                "fields",
                "-e",
                "bgp.open.myas",
                "-e",
                "bgp.open.holdtime"))
        .containsExactly("64512\t240", "64512\t240");
    assertThat(Tshark.run(file, "-Y", "bgp.type == 2", "-T", "fields", "-e", "bgp.nlri_prefix"))
        .contains("10.244.1.0", "10.244.2.0");
  }

  @Test
  void tshark_hundredUpdatesAtOnce_fewSegmentsManyMessagesOneSplitAcrossTwo() throws Exception {
    Pair t = new Pair();
    for (int i = 0; i < 100; i++) {
      t.s2.originate(Cidr.parse("10.245." + i + ".0/26"));
    }
    Path file = capture(t, SimTime.SECOND);

    assertThat(t.s1.locRib()).hasSize(102);
    assertThat(Tshark.run(file, "-Y", "_ws.malformed || _ws.expert.severity >= error")).isEmpty();
    // node-2's 101 UPDATEs, written back to back when the session comes up, leave as one small
    // segment and then segments of the MSS, each carrying many messages.
    List<String> updateFrames =
        Tshark.run(
            file,
            "-Y",
            "bgp.type == 2 && ip.src == 192.168.1.12",
            "-T",
            "fields",
            "-e",
            "bgp.nlri_prefix");
    List<String> prefixes =
        updateFrames.stream().flatMap(l -> List.of(l.split(",")).stream()).toList();
    assertThat(prefixes).hasSize(101).doesNotHaveDuplicates().contains("10.245.99.0");
    assertThat(updateFrames).hasSizeLessThanOrEqualTo(6);
    assertThat(updateFrames.stream().filter(l -> l.split(",").length > 20)).isNotEmpty();
    // An UPDATE that did not fit in one segment is reassembled from two.
    assertThat(Tshark.run(file, "-Y", "tcp.segments && ip.src == 192.168.1.12")).isNotEmpty();
  }
}
