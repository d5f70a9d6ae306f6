package io.podnet.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.hash.Hashing;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.trace.MemoryTraceSink;
import io.podnet.core.trace.Trace;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link BridgeTopology}: reachability and the determinism of its traces. */
class BridgeTopologyTest {

  private record Run(String digest, List<String> lines, List<String> messages) {}

  private static Run run(long seed) {
    MemoryTraceSink sink = new MemoryTraceSink();
    Trace trace = Trace.digestOnly().addSink(sink);
    BridgeTopology t = BridgeTopology.build(Network.create(Simulation.create(seed), trace), 2, 2);
    List<String> messages =
        List.of(
            t.pod(0, 0).ping(t.podAddress(1, 0)).message(),
            t.pod(0, 1).ping(t.podAddress(0, 0)).message(),
            t.pod(1, 1).ping(t.podAddress(0, 1), PingOptions.DEFAULT.withTtl(1)).message(),
            t.pod(1, 0).ping(BridgeTopology.gateway(1)).message());
    t.network().simulation().runUntil(t.network().simulation().now() + 60 * SimTime.SECOND);
    return new Run(trace.digest(), List.copyOf(sink.lines()), messages);
  }

  @Test
  void build_seed7Twice_sameDigestAndLines() {
    Run first = run(7);
    Run second = run(7);

    assertThat(second.lines()).isEqualTo(first.lines());
    assertThat(second.digest()).isEqualTo(first.digest());
  }

  @Test
  void build_otherSeed_differentDigest() {
    assertThat(run(8).digest()).isNotEqualTo(run(7).digest());
  }

  @Test
  void digest_equalsSha256OfCanonicalLines() {
    Run r = run(7);
    String text = String.join("\n", r.lines()) + "\n";

    String expected = Hashing.sha256().hashString(text, StandardCharsets.UTF_8).toString();

    assertThat(r.lines()).hasSizeGreaterThan(100);
    assertThat(r.digest()).isEqualTo(expected);
  }

  @Test
  void ping_podsAcrossNodes_replyThroughTwoRouters() {
    Run r = run(7);

    assertThat(r.messages().get(0)).startsWith("64 bytes from 10.244.2.2: icmp_seq=1 ttl=62 time=");
    assertThat(r.messages().get(1)).startsWith("64 bytes from 10.244.1.2: icmp_seq=1 ttl=64 time=");
    // the lab capture: ping -t 1 across nodes is answered by the local gateway
    assertThat(r.messages().get(2)).isEqualTo("From 10.244.2.1 icmp_seq=1 Time to live exceeded");
    assertThat(r.messages().get(3)).startsWith("64 bytes from 10.244.2.1: icmp_seq=1 ttl=64 time=");
  }

  @Test
  void build_crossNodePing_walkCrossesBridgesAndUnderlay() {
    BridgeTopology t = BridgeTopology.build(Network.create(Simulation.create(7)), 2, 1);

    ProbeResult r = t.pod(0, 0).ping(t.podAddress(1, 0));

    assertThat(r.success()).isTrue();
    assertThat(r.walk().crosses("cni0")).isTrue();
    assertThat(r.walk().crosses("br0")).as("the underlay switch").isTrue();
    assertThat(Fixtures.hops(r.walk(), HopAction.ROUTE))
        .extracting(h -> h.location() + " " + h.detail())
        .contains(
            "node-1/web-1 default via 10.244.1.1 dev eth0",
            "node-1 10.244.2.0/24 via 192.168.1.12 dev eth0",
            "node-2 10.244.2.0/24 dev cni0 proto kernel scope link src 10.244.2.1");
  }

  @Test
  void build_badCounts_rejectedNamingValue() {
    Network net = Network.create(Simulation.create(1));
    assertThatThrownBy(() -> BridgeTopology.build(net, 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("node count must be in [1, 200]: 0");
    assertThatThrownBy(() -> BridgeTopology.build(net, 1, 251))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pods per node must be in [0, 250]: 251");
    assertThat(net.hosts()).isEmpty();
  }
}
