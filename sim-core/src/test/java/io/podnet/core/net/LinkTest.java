package io.podnet.core.net;

import static io.podnet.core.net.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.MacAddress;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.packet.Frames;
import io.podnet.core.packet.TcpHeader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinkTest {

  private static final int PINGS = 2000;

  @Test
  void setLatency_longerLatency_rttGrowsByTwiceTheChange() {
    Fixtures.Routed t = new Fixtures.Routed(1);
    t.client.ping(ip("10.0.2.2")); // resolve neighbours first
    long before = t.client.ping(ip("10.0.2.2")).elapsedNanos();

    t.serverLink.setLatency(5 * SimTime.MILLISECOND);
    long after = t.client.ping(ip("10.0.2.2")).elapsedNanos();

    long change = 5 * SimTime.MILLISECOND - LinkSpec.DEFAULT.latencyNanos();
    assertThat(after - before).isEqualTo(2 * change);
    assertThat(t.serverLink.spec().latencyNanos()).isEqualTo(5 * SimTime.MILLISECOND);
  }

  @Test
  void setLatency_negative_rejected() {
    Fixtures.Routed t = new Fixtures.Routed(1);

    assertThatThrownBy(() -> t.serverLink.setLatency(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("latency must be >= 0 ns: -1");
  }

  @Test
  void setLossRate_outsideZeroOne_rejected() {
    Fixtures.Routed t = new Fixtures.Routed(1);

    assertThatThrownBy(() -> t.serverLink.setLossRate(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("loss rate must be in [0, 1]: 1.5");
  }

  @Test
  void setLossRate_tenPercent_dropsNearTheRateAsLinkLoss() {
    Fixtures.Routed t = new Fixtures.Routed(3);
    t.client.ping(ip("10.0.2.2"));
    t.serverLink.setLossRate(0.1);

    List<Boolean> replies = pings(t);
    long lost = replies.stream().filter(ok -> !ok).count();

    // each ping crosses the lossy link twice: it survives with probability 0.9 * 0.9 = 0.81
    assertThat((double) lost / PINGS).isBetween(0.15, 0.23);
    long drops = t.sink.lines().stream().filter(l -> l.contains("lost on the link")).count();
    assertThat(drops).isGreaterThanOrEqualTo(lost); // plus any lost ARP
  }

  @Test
  void setLossRate_sameSeed_sameDrops() {
    Fixtures.Routed first = new Fixtures.Routed(5);
    Fixtures.Routed second = new Fixtures.Routed(5);
    Fixtures.Routed other = new Fixtures.Routed(6);
    for (Fixtures.Routed t : List.of(first, second, other)) {
      t.serverLink.setLossRate(0.3);
    }

    assertThat(pings(first)).isEqualTo(pings(second)).isNotEqualTo(pings(other));
    assertThat(first.net.trace().digest()).isEqualTo(second.net.trace().digest());
  }

  @Test
  void setLossRate_zero_nothingLost() {
    Fixtures.Routed t = new Fixtures.Routed(3);
    t.serverLink.setLossRate(0.2);
    t.serverLink.setLossRate(0);

    assertThat(pings(t)).doesNotContain(false);
  }

  /** Simulated times of the trace lines with {@code text} about TCP data, in order. */
  private static List<Long> times(Fixtures.Routed t, String text) {
    return t.sink.lines().stream()
        .filter(l -> l.contains(text) && l.endsWith("tcp data"))
        .map(l -> SimTime.parse(l.substring(0, l.indexOf(' ')) + "s"))
        .toList();
  }

  @Test
  void carry_burstOfFrames_oneEventPendingAndArrivalsOneSerialisationApart() {
    Fixtures.Routed t = new Fixtures.Routed(5);
    Simulation sim = t.net.simulation();
    int before = sim.pendingEvents();

    long sent = sim.now();
    for (int i = 0; i < 20; i++) {
      carryDatagram(t, 1000 + i);
    }

    // The 20 frames on the client's link wait behind one event.
    assertThat(sim.pendingEvents() - before).isEqualTo(1);
    sim.runUntilIdle();
    List<Long> arrivals = arrivals(t, 1000, 20);
    long frame = LinkSpec.DEFAULT.serializationNanos(DATAGRAM);
    for (int i = 0; i < arrivals.size(); i++) {
      assertThat(arrivals.get(i) - sent)
          .isEqualTo((i + 1) * frame + LinkSpec.DEFAULT.latencyNanos());
    }
  }

  @Test
  void setLatency_lowerWhileFramesAreOnTheWire_laterFramesDoNotOvertakeThem() {
    TcpStreamTest.Connected c = new TcpStreamTest.Connected();
    byte[] data = new byte[21 * 1460];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i / 1460);
    }

    c.s.send(Arrays.copyOf(data, 20 * 1460));
    c.t.clientLink.setLatency(0);
    c.s.send(Arrays.copyOfRange(data, 20 * 1460, data.length));
    c.t.net.simulation().runUntilIdle();

    assertThat(c.server.bytes.toByteArray()).isEqualTo(data);
    assertThat(c.t.sink.lines()).noneMatch(l -> l.contains("out of order"));
  }

  @Test
  void carry_ringWrappedWhenItGrows_framesArriveInOrder() {
    Fixtures.Routed t = new Fixtures.Routed(5);
    Simulation sim = t.net.simulation();

    for (int i = 0; i < 3; i++) {
      carryDatagram(t, 1000 + i); // three frames in a ring of four
    }
    while (t.sink.lines().stream().filter(l -> l.contains("hop router eth0 rx #100")).count() < 2) {
      assertThat(sim.step()).as("events left").isTrue();
    }
    // Two arrived: the ring's head is at its third slot, so these six wrap and then grow it.
    for (int i = 3; i < 9; i++) {
      carryDatagram(t, 1000 + i);
    }
    sim.runUntilIdle();

    assertThat(arrivals(t, 1000, 9)).hasSize(9).isSorted();
  }

  @Test
  void carry_largeSegment_crossesAsItsSegmentsWould() {
    TcpStreamTest.Connected c = new TcpStreamTest.Connected();
    Simulation sim = c.t.net.simulation();
    sim.runUntilIdle();
    long sent = sim.now();

    Nic c0 = (Nic) c.t.client.device("eth0");
    Nic r0 = (Nic) c.t.router.device("eth0");
    long sentBefore = c0.txPackets();
    long receivedBefore = r0.rxPackets();

    c.s.send(new byte[20 * 1460]); // nothing waits to leave: one large segment, 20 on the wire

    long wire = 20 * LinkSpec.DEFAULT.serializationNanos(1460 + 40 + 14);
    sim.runUntil(sent + wire + LinkSpec.DEFAULT.latencyNanos());
    assertThat(c0.txPackets() - sentBefore).isEqualTo(20);
    assertThat(r0.rxPackets() - receivedBefore).isEqualTo(20);
    sim.runUntilIdle();
    // Both links take as long as for 20 separate segments; the server gets the data at once.
    assertThat(times(c.t, "hop server eth0 deliver"))
        .containsExactly(sent + 2 * (wire + LinkSpec.DEFAULT.latencyNanos()));
    assertThat(c.server.bytes.size()).isEqualTo(20 * 1460);
  }

  @Test
  void carry_largeSegmentOnALossyLink_eachSegmentLostOnItsOwnAndTheStreamHearsTheRest() {
    TcpStreamTest.Connected c = new TcpStreamTest.Connected();
    c.t.net.simulation().runUntilIdle();
    c.t.clientLink.setLossRate(0.5);
    long sent = c.t.net.simulation().now();
    int before = c.t.sink.lines().size();

    c.s.send(new byte[SEGMENTS * 1460]);

    String send = c.t.sink.lines().get(before); // the segment's first hop: "... send #<id>"
    String id = send.substring(send.indexOf('#'));
    c.t.net.simulation().runUntilIdle();
    long lost = c.t.sink.lines().stream().filter(l -> l.contains(id + " lost on the link")).count();
    assertThat(lost).isBetween(5L, SEGMENTS - 5L);
    // With this seed the last segment is among the lost; the stream still hears when the last
    // segment carried has left.
    long carried = SEGMENTS - lost;
    assertThat(c.s.txDoneAt)
        .isEqualTo(sent + carried * LinkSpec.DEFAULT.serializationNanos(1460 + 40 + 14));
  }

  private static final int SEGMENTS = 38;

  @Test
  void carry_largeSegmentWhoseSegmentsExceedTheMtu_dropped() {
    Fixtures.Routed t = new Fixtures.Routed(5);
    Nic c0 = (Nic) t.client.device("eth0");
    Frame frame = Frame.of(7, tcpData(3000), null);
    frame.setGsoSize(1600);

    t.clientLink.carry(c0, frame);
    t.net.simulation().runUntilIdle();

    assertThat(t.sink.lines()).anyMatch(l -> l.contains("#7") && l.contains("1640 > 1500"));
  }

  /** A UDP datagram of {@link #DATAGRAM} bytes from client to server, put on the client's link. */
  private static void carryDatagram(Fixtures.Routed t, long id) {
    Nic c0 = (Nic) t.client.device("eth0");
    Nic r0 = (Nic) t.router.device("eth0");
    byte[] bytes =
        Frames.udp(
            r0.mac(),
            c0.mac(),
            ip("10.0.1.2"),
            ip("10.0.2.2"),
            64,
            true,
            (int) id,
            40000,
            9,
            new byte[DATAGRAM - 42]);
    t.clientLink.carry(c0, Frame.of(id, bytes, null));
  }

  /** A TCP data segment from client to server with {@code payload} zero bytes. */
  private static byte[] tcpData(int payload) {
    return Frames.tcp(
        MacAddress.ZERO,
        MacAddress.ZERO,
        ip("10.0.1.2"),
        ip("10.0.2.2"),
        64,
        1,
        40000,
        179,
        1,
        1,
        TcpHeader.PSH | TcpHeader.ACK,
        64240,
        new byte[payload],
        0,
        payload);
  }

  private static final int DATAGRAM = 1514;

  /** When the frames with ids {@code first} on arrived at the router, in the order they did. */
  private static List<Long> arrivals(Fixtures.Routed t, long first, int count) {
    List<Long> out = new ArrayList<>();
    for (String l : t.sink.lines()) {
      if (l.contains("hop router eth0 rx #")) {
        long id = Long.parseLong(l.substring(l.indexOf('#') + 1).split(" ")[0]);
        if (id >= first && id < first + count) {
          assertThat(id).as("arrival order").isEqualTo(first + out.size());
          out.add(SimTime.parse(l.substring(0, l.indexOf(' ')) + "s"));
        }
      }
    }
    return out;
  }

  private static List<Boolean> pings(Fixtures.Routed t) {
    List<Boolean> replies = new ArrayList<>();
    PingOptions options = PingOptions.DEFAULT.withTimeout(SimTime.SECOND).withRecordWalk(false);
    for (int i = 0; i < PINGS; i++) {
      replies.add(t.client.ping(ip("10.0.2.2"), options.withSequence(i % 65536)).success());
    }
    return replies;
  }
}
