package io.podnet.dataplane.overlay;

import static io.podnet.dataplane.overlay.Overlays.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.addr.MacAddress;
import io.podnet.core.net.Frame;
import io.podnet.core.packet.Frames;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Tests for {@link Encapsulation}: the flow-hash source port and the outer ECN field. */
class EncapsulationTest {

  private static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
  private static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");

  private static Frame udp(int srcPort, int dstPort) {
    return Frame.of(
        1,
        Frames.udp(
            B, A, ip("10.244.1.2"), ip("10.244.2.2"), 64, true, 1, srcPort, dstPort, new byte[4]),
        null);
  }

  @Test
  void sourcePort_anyHash_staysInHalfOpenRange() {
    for (int i = 0; i < 100_000; i++) {
      int hash = i * 0x9E3779B9;
      assertThat(Encapsulation.sourcePort(hash, 32768, 60999)).isBetween(32768, 60998);
      assertThat(Encapsulation.sourcePort(hash, 1, 65535)).isBetween(1, 65534);
    }
    assertThat(Encapsulation.sourcePort(0, 32768, 60999)).isEqualTo(32768);
    assertThat(Encapsulation.sourcePort(0xFFFF_0000, 32768, 60999)).isEqualTo(60998);
  }

  @Test
  void flowHash_sameFlow_samePortAndOtherFlowsSpread() {
    assertThat(Encapsulation.flowHash(udp(40000, 53)))
        .isEqualTo(Encapsulation.flowHash(udp(40000, 53)));
    Set<Integer> ports = new HashSet<>();
    for (int p = 40000; p < 40100; p++) {
      ports.add(
          Encapsulation.sourcePort(
              Encapsulation.flowHash(udp(p, 53)),
              VxlanDevice.SRC_PORT_MIN,
              VxlanDevice.SRC_PORT_MAX));
    }
    assertThat(ports).as("100 flows, distinct source ports").hasSizeGreaterThan(95);
  }

  @Test
  void flowHash_fragment_ignoresPorts() {
    byte[] a =
        Frames.udp(B, A, ip("10.244.1.2"), ip("10.244.2.2"), 64, false, 9, 1, 2, new byte[4]);
    byte[] b =
        Frames.udp(B, A, ip("10.244.1.2"), ip("10.244.2.2"), 64, false, 9, 3, 4, new byte[4]);
    for (byte[] f : new byte[][] {a, b}) {
      f[14 + 6] = 0x20; // more fragments
    }

    assertThat(Encapsulation.flowHash(Frame.of(1, a, null)))
        .isEqualTo(Encapsulation.flowHash(Frame.of(2, b, null)));
    assertThat(Encapsulation.flowHash(udp(1, 2))).isNotEqualTo(Encapsulation.flowHash(udp(3, 4)));
  }

  @Test
  void outerTos_innerEcn_copiedWithCeAsEct0() {
    byte[] b = new byte[20];
    int[][] cases = {{0x00, 0}, {0xb8, 0}, {0x01, 1}, {0x02, 2}, {0x03, 2}, {0xbb, 2}};
    for (int[] c : cases) {
      b[1] = (byte) c[0];
      assertThat(Encapsulation.outerTos(b, 0)).as("inner tos 0x%02x", c[0]).isEqualTo(c[1]);
    }
    assertThat(Encapsulation.outerTos(b, -1)).isZero();
  }
}
