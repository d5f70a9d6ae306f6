package io.podnet.core.net;

import static io.podnet.core.net.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.packet.Frames;
import io.podnet.core.packet.TcpHeader;
import io.podnet.core.trace.PcapWriter;
import io.podnet.core.trace.Tshark;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link TcpStream}: handshake, ordered data both ways, close, refusal, wire bytes. */
class TcpStreamTest {

  /** Records every callback as a line, and the bytes received per stream. */
  static final class Recorder implements StreamListener {
    final String name;
    final List<String> events = new ArrayList<>();
    final List<TcpStream> streams = new ArrayList<>();
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Recorder(String name) {
      this.name = name;
    }

    @Override
    public void connected(TcpStream stream) {
      streams.add(stream);
      events.add(name + " connected " + stream);
    }

    @Override
    public void received(TcpStream stream, byte[] buffer, int offset, int length) {
      events.add(
          name + " received " + new String(buffer, offset, length, StandardCharsets.US_ASCII));
      bytes.write(buffer, offset, length);
    }

    @Override
    public void closed(TcpStream stream, String reason) {
      events.add(name + " closed " + reason);
    }

    @Override
    public void writable(TcpStream stream) {
      events.add(name + " writable");
    }
  }

  /** A client stream connected to a recording server on port 179 of {@link Fixtures.Routed}. */
  static final class Connected {
    final Fixtures.Routed t = new Fixtures.Routed(5);
    final Recorder server = new Recorder("server");
    final TcpStream s;

    Connected() {
      t.server.listenStream(179, server);
      s = t.client.openStream(ip("10.0.2.2"), 179, new Recorder("client"));
      t.net.simulation().runUntilIdle();
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void openStream_listeningPort_bothEndsConnected() {
    Fixtures.Routed t = new Fixtures.Routed(5);
    Recorder server = new Recorder("server");
    Recorder client = new Recorder("client");
    t.server.listenStream(179, server);

    TcpStream s = t.client.openStream(ip("10.0.2.2"), 179, client);
    assertThat(s.isOpen()).isFalse();
    t.net.simulation().runUntilIdle();

    assertThat(s.isOpen()).isTrue();
    assertThat(s.localAddress()).isEqualTo(ip("10.0.1.2"));
    assertThat(s.remoteAddress()).isEqualTo(ip("10.0.2.2"));
    assertThat(s.remotePort()).isEqualTo(179);
    assertThat(s.localPort()).isBetween(Sockets.EPHEMERAL_LOW, Sockets.EPHEMERAL_HIGH);
    assertThat(client.events).containsExactly("client connected " + s);
    assertThat(server.streams).hasSize(1);
    TcpStream accepted = server.streams.get(0);
    assertThat(accepted.isOpen()).isTrue();
    assertThat(accepted.localPort()).isEqualTo(179);
    assertThat(accepted.remotePort()).isEqualTo(s.localPort());
    assertThat(accepted.namespace()).isSameAs(t.server);
  }

  @Test
  void send_bothWays_deliveredInOrder() {
    Fixtures.Routed t = new Fixtures.Routed(5);
    Recorder server = new Recorder("server");
    Recorder client = new Recorder("client");
    t.server.listenStream(179, server);
    TcpStream s = t.client.openStream(ip("10.0.2.2"), 179, client);
    t.net.simulation().runUntilIdle();
    TcpStream accepted = server.streams.get(0);

    s.send(ascii("one"));
    s.send(ascii("two"));
    accepted.send(ascii("three"));
    s.send(ascii("four"));
    t.net.simulation().runUntilIdle();

    // "two" and "four" were written while "one" was still leaving the NIC: they travel together.
    assertThat(server.events)
        .containsExactly(
            "server connected " + accepted, "server received one", "server received twofour");
    assertThat(client.events).containsExactly("client connected " + s, "client received three");
  }

  private static long dataSegments(Fixtures.Routed t, String receiver) {
    return t.sink.lines().stream()
        .filter(l -> l.contains("hop " + receiver + " eth0 deliver") && l.endsWith("tcp data"))
        .count();
  }

  @Test
  void send_manySmallWritesAtOnce_firstAloneThenTheRestAsOneLargeSegment() {
    Connected c = new Connected();
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    for (int i = 0; i < 50; i++) {
      byte[] message = ascii(String.format(Locale.ROOT, "message %021d\n", i));
      sent.writeBytes(message);
      c.s.send(message);
    }
    c.t.net.simulation().runUntilIdle();

    // 50 writes of 30 bytes: the first leaves at once, the other 1,470 bytes wait for it to leave
    // the NIC and follow as one large segment, which the wire carries as 1,460 + 10.
    assertThat(dataSegments(c.t, "server")).isEqualTo(2);
    assertThat(c.server.events.subList(1, 3))
        .extracting(String::length)
        .containsExactly("server received ".length() + 30, "server received ".length() + 1470);
    assertThat(c.server.bytes.toByteArray()).isEqualTo(sent.toByteArray());
  }

  @Test
  void receive_segmentFromElsewhereWithBadChecksum_droppedThenGoodOneDelivered() {
    Connected c = new Connected();
    Nic serverNic = (Nic) c.t.server.device("eth0");
    Nic routerNic = (Nic) c.t.router.device("eth1");

    byte[] good = segmentFromClient(c, serverNic, routerNic, ascii("hello"));
    byte[] bad = good.clone();
    bad[bad.length - 1] ^= 1; // the payload changed, the checksum not
    serverNic.arrive(Frame.of(901, bad, null));
    serverNic.arrive(Frame.of(902, good, null));
    c.t.net.simulation().runUntilIdle();

    assertThat(c.t.sink.lines())
        .anyMatch(l -> l.contains("hop server eth0 drop #901") && l.endsWith("bad TCP checksum"));
    assertThat(c.server.events).containsSubsequence("server received hello");
    assertThat(c.server.bytes.toByteArray()).isEqualTo(ascii("hello"));
  }

  /** A data segment of the client's stream, built outside any stack, as the router would send. */
  private static byte[] segmentFromClient(Connected c, Nic serverNic, Nic routerNic, byte[] data) {
    return Frames.tcp(
        serverNic.mac(),
        routerNic.mac(),
        ip("10.0.1.2"),
        ip("10.0.2.2"),
        63,
        4242,
        c.s.localPort(),
        179,
        Integer.toUnsignedLong(c.s.sndNxt),
        Integer.toUnsignedLong(c.s.rcvNxt),
        TcpHeader.PSH | TcpHeader.ACK,
        64240,
        data,
        0,
        data.length);
  }

  @Test
  void send_afterTheEarlierSegmentLeft_goesAloneAtOnce() {
    Connected c = new Connected();

    c.s.send(ascii("one"));
    c.t.net.simulation().runUntil(c.t.net.simulation().now() + SimTime.MICROSECOND);
    c.s.send(ascii("two"));
    c.t.net.simulation().runUntilIdle();

    assertThat(c.server.events)
        .containsExactly(
            "server connected " + c.server.streams.get(0),
            "server received one",
            "server received two");
  }

  @Test
  void writable_writerFillsTheSendBuffer_falseThenToldWhenHalfHasLeft() {
    Connected c = new Connected();
    Recorder client = new Recorder("client");
    c.s.setListener(client);
    Simulation sim = c.t.net.simulation();

    int written = 0;
    while (c.s.writable()) {
      c.s.send(new byte[100]);
      written += 100;
    }
    long full = sim.now();
    sim.runUntil(full + 5 * SimTime.MICROSECOND);
    assertThat(client.events).isEmpty();
    sim.runUntilIdle();

    // 16 KiB queue at most; room again once half of it is on the wire, some 7 us at 10 Gbit/s.
    assertThat(written).isBetween(TcpStream.SEND_BUFFER, TcpStream.SEND_BUFFER + 100);
    assertThat(client.events).containsExactly("client writable");
    assertThat(c.s.writable()).isTrue();
    assertThat(c.server.bytes.size()).isEqualTo(written);
  }

  @Test
  void queuedBytesAtMost_whileSegmentsLeaveTheNic_neverBelowTheCountAndExactOnceLookedAt() {
    Connected c = new Connected();
    Simulation sim = c.t.net.simulation();
    for (int i = 0; i < 60; i++) {
      c.s.send(new byte[100]);
    }
    long start = sim.now();
    int stepsAbove = 0;

    for (int step = 0; step <= 40; step++) {
      sim.runUntil(start + step * 100L);
      int atMost = c.s.queuedBytesAtMost();
      int exact = c.s.queuedBytes(sim.now());

      assertThat(atMost).as("at %d ns", step * 100).isGreaterThanOrEqualTo(exact);
      stepsAbove += atMost > exact ? 1 : 0;
    }
    // The bound is only worth having if it lags the exact count until the ring is looked at.
    assertThat(stepsAbove).isPositive();
    sim.runUntilIdle();
    assertThat(c.s.queuedBytes(sim.now())).isZero();
    assertThat(c.s.queuedBytesAtMost()).isZero();
  }

  @Test
  void close_withCorkedData_dataLeavesBeforeTheFin() {
    Connected c = new Connected();

    c.s.send(ascii("one"));
    c.s.send(ascii("two"));
    c.s.close();
    c.t.net.simulation().runUntilIdle();

    assertThat(c.server.events)
        .containsExactly(
            "server connected " + c.server.streams.get(0),
            "server received one",
            "server received two",
            "server closed Connection closed by peer");
  }

  @Test
  void send_writesOfVaryingSizeBackToBack_largeSegmentCarriesTheExactBytes() {
    Connected c = new Connected();
    ByteArrayOutputStream sent = new ByteArrayOutputStream();

    // Writes of 1 to 211 bytes: the unsent tail keeps moving to the front of its buffer.
    for (int i = 0; i < 300; i++) {
      byte[] message = new byte[1 + (i * 37) % 211];
      for (int k = 0; k < message.length; k++) {
        message[k] = (byte) (i + k);
      }
      sent.writeBytes(message);
      c.s.send(message);
    }
    c.t.net.simulation().runUntilIdle();

    // The first write leaves alone, the other 31,673 bytes as one large segment.
    assertThat(sent.size()).isEqualTo(1 + 31_673);
    assertThat(dataSegments(c.t, "server")).isEqualTo(2);
    assertThat(c.server.bytes.toByteArray()).isEqualTo(sent.toByteArray());
  }

  @Test
  void send_corkedBurstsOnTwoStreamsInTurn_eachGetsItsOwnBytesAndTheBuffersAreReused() {
    Connected c = new Connected();
    Recorder other = new Recorder("other");
    c.t.server.listenStream(180, other);
    TcpStream s2 = c.t.client.openStream(ip("10.0.2.2"), 180, new Recorder("client2"));
    c.t.net.simulation().runUntilIdle();
    SendBuffers buffers = SendBuffers.of(c.t.net);
    List<byte[]> used = new ArrayList<>();
    ByteArrayOutputStream sent1 = new ByteArrayOutputStream();
    ByteArrayOutputStream sent2 = new ByteArrayOutputStream();

    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 40; i++) {
        byte[] one =
            ascii(String.format(Locale.ROOT, "round %d stream 1 message %02d\n", round, i));
        byte[] two =
            ascii(String.format(Locale.ROOT, "round %d stream 2 message %02d\n", round, i));
        sent1.writeBytes(one);
        sent2.writeBytes(two);
        c.s.send(one);
        s2.send(two);
      }
      // Both streams cork behind their first segment, each in a buffer of the network's.
      assertThat(c.s.unsent).isNotNull().isNotSameAs(s2.unsent);
      if (round == 0) {
        used.add(c.s.unsent);
        used.add(s2.unsent);
      } else {
        assertThat(used).anySatisfy(b -> assertThat(b).isSameAs(c.s.unsent));
        assertThat(used).anySatisfy(b -> assertThat(b).isSameAs(s2.unsent));
      }
      c.t.net.simulation().runUntilIdle();
      assertThat(buffers.free()).isEqualTo(2);
    }

    assertThat(c.server.bytes.toByteArray()).isEqualTo(sent1.toByteArray());
    assertThat(other.bytes.toByteArray()).isEqualTo(sent2.toByteArray());
  }

  @Test
  void send_largerThanMss_deliveredWholeAtOnce() {
    Connected c = new Connected();
    byte[] big = new byte[5000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 7);
    }

    c.s.send(big);
    c.t.net.simulation().runUntilIdle();

    assertThat(c.server.events.stream().filter(e -> e.startsWith("server received"))).hasSize(1);
    assertThat(c.server.bytes.toByteArray()).isEqualTo(big);
  }

  @Test
  void close_openStream_peerHearsClosedAndBothEndsForgetIt() {
    Fixtures.Routed t = new Fixtures.Routed(5);
    Recorder server = new Recorder("server");
    Recorder client = new Recorder("client");
    t.server.listenStream(179, server);
    TcpStream s = t.client.openStream(ip("10.0.2.2"), 179, client);
    t.net.simulation().runUntilIdle();

    s.close();
    t.net.simulation().runUntilIdle();

    assertThat(s.isOpen()).isFalse();
    assertThat(server.streams.get(0).isOpen()).isFalse();
    assertThat(server.events).last().isEqualTo("server closed Connection closed by peer");
    assertThat(client.events).noneMatch(e -> e.contains("closed"));
    assertThat(t.client.streamCount()).isZero();
    assertThat(t.server.streamCount()).isZero();
    assertThat(t.sink.lines())
        .anyMatch(l -> l.contains("hop server eth0 deliver") && l.endsWith("tcp fin"));
  }

  @Test
  void close_linkCut_halfClosedStreamReapedAfterFinTimeout() {
    Connected c = new Connected();
    c.t.serverLink.setUp(false);

    c.s.close();
    c.t.net.simulation().runUntil(Sockets.FIN_TIMEOUT - SimTime.SECOND);
    assertThat(c.t.client.streamCount()).isEqualTo(1);
    c.t.net.simulation().runUntilIdle();

    assertThat(c.t.client.streamCount()).isZero();
    assertThat(c.server.streams.get(0).isOpen()).isTrue();
  }

  @Test
  void send_linkCut_nothingArrivesAndNoError() {
    Connected c = new Connected();
    c.t.serverLink.setUp(false);

    c.s.send(ascii("lost"));
    c.t.net.simulation().runUntilIdle();

    assertThat(c.server.events).noneMatch(e -> e.contains("received"));
    assertThat(c.s.isOpen()).isTrue();
  }

  @Test
  void send_toAStreamClosedWhileItsFinWasLost_answeredWithAResetAndBothEndsForgetIt() {
    Connected c = new Connected();
    TcpStream accepted = c.server.streams.get(0);
    c.t.serverLink.setUp(false);
    c.s.close();
    c.t.net.simulation().runUntil(c.t.net.simulation().now() + SimTime.SECOND);
    c.t.serverLink.setUp(true);

    accepted.send(ascii("late"));
    c.t.net.simulation().runUntil(c.t.net.simulation().now() + SimTime.SECOND);

    assertThat(c.server.events).last().isEqualTo("server closed Connection reset by peer");
    assertThat(accepted.isOpen()).isFalse();
    assertThat(c.t.client.streamCount()).isZero();
    assertThat(c.t.server.streamCount()).isZero();
    assertThat(c.t.sink.lines())
        .anyMatch(l -> l.contains("hop client eth0 deliver") && l.endsWith("tcp data after close"));
  }

  @Test
  void openStream_closedPort_closedConnectionRefused() {
    Fixtures.Routed t = new Fixtures.Routed(5);
    Recorder client = new Recorder("client");

    TcpStream s = t.client.openStream(ip("10.0.2.2"), 179, client);
    t.net.simulation().runUntilIdle();

    assertThat(client.events).containsExactly("client closed Connection refused");
    assertThat(s.isOpen()).isFalse();
    assertThat(t.client.streamCount()).isZero();
  }

  @Test
  void openStream_noRoute_closedNetworkUnreachable() {
    Fixtures.Routed t = new Fixtures.Routed(5);
    Recorder router = new Recorder("router");

    t.router.openStream(ip("10.77.0.1"), 179, router);
    t.net.simulation().runUntilIdle();

    assertThat(router.events).containsExactly("router closed Network is unreachable");
    assertThat(t.router.streamCount()).isZero();
  }

  @Test
  void send_beforeConnected_throwsIllegalState() {
    Fixtures.Routed t = new Fixtures.Routed(5);
    t.server.listenStream(179, new Recorder("server"));
    TcpStream s = t.client.openStream(ip("10.0.2.2"), 179, new Recorder("client"));

    assertThatThrownBy(() -> s.send(ascii("early")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is not open (SYN-SENT)");
  }

  @Test
  void listenStream_portTaken_throwsIllegalState() {
    Fixtures.Routed t = new Fixtures.Routed(5);
    t.server.listenStream(179, new Recorder("a"));

    assertThatThrownBy(() -> t.server.listenStream(179, new Recorder("b")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("TCP port 179 is already listening in server");
    assertThatThrownBy(() -> t.server.listenStream(0, new Recorder("b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port must be in [1, 65535]: 0");
  }

  @Test
  void setListener_afterAccept_laterCallbacksGoToTheNewListener() {
    Fixtures.Routed t = new Fixtures.Routed(5);
    Recorder server = new Recorder("server");
    Recorder session = new Recorder("session");
    t.server.listenStream(179, server);
    TcpStream s = t.client.openStream(ip("10.0.2.2"), 179, new Recorder("client"));
    t.net.simulation().runUntilIdle();
    server.streams.get(0).setListener(session);

    s.send(ascii("hi"));
    t.net.simulation().runUntilIdle();

    assertThat(session.events).containsExactly("session received hi");
  }

  @TempDir Path dir;

  @Test
  void tshark_streamCapture_decodesAsTcpWithoutMalformedPackets() throws Exception {
    Fixtures.Routed t = new Fixtures.Routed(5);
    ByteArrayOutputStream pcap = new ByteArrayOutputStream();
    PcapWriter writer = PcapWriter.to(pcap);
    t.server.device("eth0").capture(writer);
    Recorder server = new Recorder("server");
    t.server.listenStream(179, server);
    TcpStream s = t.client.openStream(ip("10.0.2.2"), 179, new Recorder("client"));
    t.net.simulation().runUntilIdle();
    s.send(ascii("hello"));
    server.streams.get(0).send(ascii("world!"));
    s.send(new byte[3000]);
    t.net.simulation().runUntilIdle();
    s.close();
    t.net.simulation().runUntilIdle();
    writer.close();
    Path file = dir.resolve("stream.pcap");
    Files.write(file, pcap.toByteArray());

    assertThat(Tshark.run(file, "-Y", "_ws.malformed || _ws.expert.severity >= error")).isEmpty();
    List<String> segments =
        Tshark.run(
            file,
            "-o",
            "tcp.relative_sequence_numbers:TRUE",
            "-o",
            "tcp.check_checksum:TRUE",
            "-Y",
            "tcp",
            "-T",
            "fields",
            "-e",
            "tcp.flags.str",
            "-e",
            "tcp.seq",
            "-e",
            "tcp.ack",
            "-e",
            "tcp.len",
            "-e",
            "tcp.checksum.status");
    // flags, relative seq, relative ack, payload length, checksum status (1 = good); the 3,000
    // bytes leave as one large segment, which the wire carries with PSH on its last segment only
    assertThat(segments)
        .extracting(l -> l.replace('\u00b7', '.'))
        .containsExactly(
            "..........S.\t0\t0\t0\t1",
            ".......A..S.\t0\t1\t0\t1",
            ".......A....\t1\t1\t0\t1",
            ".......AP...\t1\t1\t6\t1",
            ".......AP...\t1\t1\t5\t1",
            ".......A....\t6\t1\t1460\t1",
            ".......A....\t1466\t1\t1460\t1",
            ".......AP...\t2926\t1\t80\t1",
            ".......A...F\t3006\t7\t0\t1",
            ".......A...F\t7\t3007\t0\t1",
            ".......A....\t3007\t8\t0\t1");
  }
}
