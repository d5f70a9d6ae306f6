package io.podnet.core.net;

import static io.podnet.core.net.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.engine.SimTime;
import java.util.ArrayList;
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

  private static List<Boolean> pings(Fixtures.Routed t) {
    List<Boolean> replies = new ArrayList<>();
    PingOptions options = PingOptions.DEFAULT.withTimeout(SimTime.SECOND).withRecordWalk(false);
    for (int i = 0; i < PINGS; i++) {
      replies.add(t.client.ping(ip("10.0.2.2"), options.withSequence(i % 65536)).success());
    }
    return replies;
  }
}
