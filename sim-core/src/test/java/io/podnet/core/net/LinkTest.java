package io.podnet.core.net;

import static io.podnet.core.net.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
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
  void carry_burstOfSegments_oneEventPendingAndArrivalsOneSerialisationApart() {
    TcpStreamTest.Connected c = new TcpStreamTest.Connected();
    Simulation sim = c.t.net.simulation();
    int before = sim.pendingEvents();
    c.s.send(new byte[1460]);
    int forOne = sim.pendingEvents() - before;
    sim.runUntilIdle();

    before = sim.pendingEvents();
    c.s.send(new byte[20 * 1460]);

    // The 20 frames on the client's link wait behind one event, as the single frame did.
    assertThat(sim.pendingEvents() - before).isEqualTo(forOne);
    c.t.net.simulation().runUntilIdle();
    List<Long> arrivals = times(c.t, "hop server eth0 deliver");
    List<Long> burst = arrivals.subList(arrivals.size() - 20, arrivals.size());
    long frame = LinkSpec.DEFAULT.serializationNanos(1460 + 40 + 14);
    for (int i = 1; i < burst.size(); i++) {
      assertThat(burst.get(i) - burst.get(i - 1)).isEqualTo(frame);
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
    TcpStreamTest.Connected c = new TcpStreamTest.Connected();
    Simulation sim = c.t.net.simulation();
    byte[] data = new byte[9 * 1460];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i / 1460);
    }

    c.s.send(Arrays.copyOf(data, 3 * 1460)); // three frames in a ring of four
    while (c.server.bytes.size() < 2 * 1460) {
      assertThat(sim.step()).as("events left").isTrue();
    }
    // Two arrived: the ring's head is at its third slot, so these six wrap and then grow it.
    c.s.send(Arrays.copyOfRange(data, 3 * 1460, data.length));
    sim.runUntilIdle();

    assertThat(c.server.bytes.toByteArray()).isEqualTo(data);
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
