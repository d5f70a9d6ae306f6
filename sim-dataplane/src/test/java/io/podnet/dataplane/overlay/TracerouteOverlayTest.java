package io.podnet.dataplane.overlay;

import static io.podnet.dataplane.overlay.Overlays.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.engine.Simulation;
import io.podnet.core.net.BridgeTopology;
import io.podnet.core.net.Network;
import io.podnet.core.net.Traceroute;
import org.junit.jupiter.api.Test;

/**
 * traceroute from a pod to a pod on the other node: the middle hop is the other node, answering
 * from its tunnel device's address over an overlay and from its own address when routed directly,
 * the difference the article draws between the two (section 4.1).
 */
class TracerouteOverlayTest {

  private static final String HEADER =
      "traceroute to 10.244.2.2 (10.244.2.2), 30 hops max, 60 byte packets\n";

  @Test
  void run_podToPodOverVxlan_theOtherNodeAnswersFromItsVtepAddress() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);

    Traceroute t = Traceroute.run(o.pod1, ip("10.244.2.2"));

    assertThat(t.output())
        .isEqualTo(
            HEADER
                + " 1  10.244.1.1 (10.244.1.1)  0.000 ms  0.000 ms  0.000 ms\n"
                + " 2  10.244.2.0 (10.244.2.0)  0.400 ms  0.400 ms  0.400 ms\n"
                + " 3  10.244.2.2 (10.244.2.2)  0.400 ms  0.401 ms  0.401 ms\n");
  }

  @Test
  void run_podToPodOverIpip_theOtherNodeAnswersFromItsTunl0Address() {
    Overlays o = Overlays.calicoIpip(1);

    Traceroute t = Traceroute.run(o.pod1, ip("10.244.2.2"));

    assertThat(t.hops()).isEqualTo(3);
    assertThat(t.hop(1)).isEqualTo(ip("10.244.1.1"));
    assertThat(t.hop(2)).isEqualTo(ip("10.244.2.0"));
    assertThat(t.hop(3)).isEqualTo(ip("10.244.2.2"));
  }

  @Test
  void run_podToPodRoutedDirectly_theOtherNodeAnswersFromItsOwnAddress() {
    Network network = Network.create(Simulation.create(1));
    BridgeTopology topology = BridgeTopology.build(network, 2, 1);

    Traceroute t = Traceroute.run(topology.pod(0, 0), ip("10.244.2.2"));

    assertThat(t.hop(1)).isEqualTo(ip("10.244.1.1"));
    assertThat(t.hop(2)).isEqualTo(ip("192.168.1.12"));
    assertThat(t.hop(3)).isEqualTo(ip("10.244.2.2"));
  }
}
