package io.podnet.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.packet.Frames;
import org.junit.jupiter.api.Test;

/** Tests for {@link Walk}: each hop describes the packet as it was at that hop. */
class WalkTest {

  private static PacketHop hop(String device) {
    return new PacketHop(0, "node-1", device, HopAction.TX, 2, "");
  }

  @Test
  void add_sameBytesThenRewrittenInPlace_eachHopDescribesItsOwnBytes() {
    byte[] frame =
        Frames.arpRequest(
            MacAddress.parse("02:00:00:00:00:01"),
            Ipv4Address.parse("10.0.0.1"),
            Ipv4Address.parse("10.0.0.2"));
    byte[] padded = new byte[frame.length + 3];
    System.arraycopy(frame, 0, padded, 3, frame.length);
    Walk walk = new Walk();

    walk.add(hop("eth0"), frame, 0, frame.length);
    walk.add(hop("eth1"), padded, 3, frame.length);
    frame[frame.length - 1] = 3; // the target address becomes 10.0.0.3
    walk.add(hop("eth2"), frame, 0, frame.length);

    assertThat(walk.hops())
        .extracting(Walk.Hop::summary)
        .containsExactly(
            "ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28",
            "ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28",
            "ARP, Request who-has 10.0.0.3 tell 10.0.0.1, length 28");
    assertThat(walk.hops().get(2).toString())
        .endsWith("node-1 eth2 tx #2 | ARP, Request who-has 10.0.0.3 tell 10.0.0.1, length 28");
  }
}
