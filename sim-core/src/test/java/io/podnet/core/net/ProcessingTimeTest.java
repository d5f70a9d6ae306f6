package io.podnet.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.engine.Simulation;
import io.podnet.core.packet.IpProtocol;
import io.podnet.core.packet.Ipv4Header;
import io.podnet.core.trace.PcapWriter;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A frame's processing time ({@link Frame#addProcessingNanos}) on the two-node bridge topology: it
 * delays the frame where it next leaves a device, and frames leave a device in the order they were
 * sent to it.
 */
class ProcessingTimeTest {

  private final Simulation sim = Simulation.create(3);
  private final BridgeTopology t = BridgeTopology.build(Network.create(sim), 2, 1);
  private final NetNamespace client = t.pod(0, 0);
  private final NetNamespace server = t.pod(1, 0);

  /** Holds the first UDP datagram node-2 forwards for {@code nanos}, the others not at all. */
  private void holdFirstForwardedDatagram(long nanos) {
    boolean[] held = {false};
    t.node(1)
        .root()
        .addHook(
            HookPoint.FORWARD,
            0,
            (point, frame, in, out) -> {
              if (Ipv4Header.protocol(frame.buffer(), frame.l3Offset()) == IpProtocol.UDP
                  && !held[0]) {
                held[0] = true;
                frame.addProcessingNanos(nanos, sim.now());
              }
              return null;
            });
  }

  /** The capture times of the UDP datagrams in a pcap (little-endian, nanosecond records). */
  private static LongArrayList udpTimes(byte[] pcap) {
    ByteBuffer b = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
    LongArrayList times = new LongArrayList();
    for (int at = 24; at < pcap.length; ) {
      long time = b.getInt(at) * 1_000_000_000L + b.getInt(at + 4);
      int length = b.getInt(at + 8);
      int frame = at + 16;
      if ((pcap[frame + 23] & 0xFF) == IpProtocol.UDP) {
        times.add(time);
      }
      at = frame + length;
    }
    return times;
  }

  /** Sends two datagrams back to back and returns when each reached the server's stack. */
  private LongArrayList arrivals() {
    LongArrayList at = new LongArrayList();
    List<Long> ids = new ArrayList<>();
    server.addHook(
        HookPoint.PREROUTING,
        0,
        (point, frame, in, out) -> {
          if (Ipv4Header.protocol(frame.buffer(), frame.l3Offset()) == IpProtocol.UDP) {
            ids.add(frame.id());
            at.add(sim.now());
          }
          return null;
        });
    server.listenUdp(9999);
    client.ping(t.podAddress(1, 0)); // neighbours resolved
    client.sockets().sendUdp(t.podAddress(1, 0), 9999, new byte[] {1}, 1_000_000_000L, r -> {});
    client.sockets().sendUdp(t.podAddress(1, 0), 9999, new byte[] {2}, 1_000_000_000L, r -> {});
    sim.runUntilIdle();
    assertThat(ids).hasSize(2).isSorted();
    return at;
  }

  @Test
  void transmit_processingTime_delaysTheFrameOnItsVeth() {
    LongArrayList plain = new ProcessingTimeTest().arrivals();
    holdFirstForwardedDatagram(5_000);

    LongArrayList held = arrivals();

    assertThat(held.getLong(0) - plain.getLong(0)).isEqualTo(5_000);
  }

  @Test
  void transmit_firstFrameHeldLongerThanTheNext_framesLeaveTheVethInOrder() {
    holdFirstForwardedDatagram(5_000);

    LongArrayList held = arrivals();

    // the second, held for nothing, leaves the veth behind the first, not before it
    assertThat(held.getLong(1)).isEqualTo(held.getLong(0));
  }

  @Test
  void capture_sentFrameWithProcessingTime_stampedOnceItHasPassedAndInOrder() {
    ProcessingTimeTest plain = new ProcessingTimeTest();
    ByteArrayOutputStream plainBytes = new ByteArrayOutputStream();
    plain.t.node(1).root().device("cni0").capture(PcapWriter.to(plainBytes));
    plain.arrivals();
    holdFirstForwardedDatagram(5_000);
    ByteArrayOutputStream heldBytes = new ByteArrayOutputStream();
    t.node(1).root().device("cni0").capture(PcapWriter.to(heldBytes));

    arrivals();

    LongArrayList before = udpTimes(plainBytes.toByteArray());
    LongArrayList after = udpTimes(heldBytes.toByteArray());
    assertThat(after.size()).isEqualTo(2);
    assertThat(after.getLong(0) - before.getLong(0)).isEqualTo(5_000);
    assertThat(after.getLong(1)).isEqualTo(after.getLong(0));
  }
}
