package io.podnet.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.engine.Simulation;
import io.podnet.core.trace.PcapWriter;
import io.podnet.core.trace.Tshark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Captures taken on the demo's path, decoded by the real tshark: every frame must decode without a
 * malformed packet and the ICMP echo request and reply must be recognised. tshark is required (CI
 * installs it); without it these tests fail rather than skip.
 */
class CaptureTsharkTest {

  @TempDir static Path dir;
  static Path podCapture;
  static Path nodeCapture;
  static int podFrames;
  static int nodeFrames;

  @BeforeAll
  static void captureTwoPings() throws IOException {
    BridgeTopology t = BridgeTopology.build(Network.create(Simulation.create(3)), 2, 2);
    podCapture = dir.resolve("web-1-eth0.pcap");
    nodeCapture = dir.resolve("node-1-eth0.pcap");
    ByteArrayOutputStream podBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream nodeBytes = new ByteArrayOutputStream();
    PcapWriter pod = PcapWriter.to(podBytes);
    PcapWriter node = PcapWriter.to(nodeBytes);
    t.pod(0, 0).device("eth0").capture(pod);
    t.node(0).root().device("eth0").capture(node);
    assertThat(t.pod(0, 0).ping(t.podAddress(1, 0)).success()).isTrue();
    assertThat(
            t.pod(0, 0)
                .ping(
                    t.podAddress(1, 1),
                    PingOptions.DEFAULT.withPayloadSize(3000).withDontFragment(false))
                .success())
        .isTrue();
    podFrames = pod.frameCount();
    nodeFrames = node.frameCount();
    pod.close();
    node.close();
    Files.write(podCapture, podBytes.toByteArray());
    Files.write(nodeCapture, nodeBytes.toByteArray());
  }

  @Test
  void tshark_podCapture_everyFrameDecodesWithoutMalformedPackets() throws Exception {
    assertThat(Tshark.run(podCapture, "-T", "fields", "-e", "frame.number")).hasSize(podFrames);
    assertThat(Tshark.run(podCapture, "-Y", "_ws.malformed || _ws.expert.severity >= error"))
        .isEmpty();
    assertThat(Tshark.run(nodeCapture, "-T", "fields", "-e", "frame.number")).hasSize(nodeFrames);
    assertThat(Tshark.run(nodeCapture, "-Y", "_ws.malformed || _ws.expert.severity >= error"))
        .isEmpty();
  }

  @Test
  void tshark_podCapture_recognisesEchoRequestAndReplyAndArp() throws Exception {
    List<String> icmpTypes =
        Tshark.run(podCapture, "-Y", "icmp", "-T", "fields", "-e", "icmp.type");
    assertThat(icmpTypes).contains("8", "0");
    List<String> arp = Tshark.run(podCapture, "-Y", "arp", "-T", "fields", "-e", "arp.opcode");
    assertThat(arp).containsExactly("1", "2");
    List<String> replies =
        Tshark.run(
            podCapture, "-Y", "icmp.type == 0 && icmp.resp_to", "-T", "fields", "-e", "icmp.seq");
    assertThat(replies).isNotEmpty();
  }

  @Test
  void tshark_fragmentedPing_isReassembledByWireshark() throws Exception {
    List<String> reassembled =
        Tshark.run(
            podCapture,
            "-Y",
            "icmp && ip.reassembled_in == 0 || ip.fragment.count > 1",
            "-T",
            "fields",
            "-e",
            "ip.fragment.count");
    assertThat(reassembled).anyMatch(count -> Integer.parseInt(count.split(",")[0]) >= 3);
  }

  @Test
  void tshark_nodeCapture_showsTtlDecrementedByTheNode() throws Exception {
    List<String> ttls =
        Tshark.run(
            nodeCapture,
            "-Y",
            "icmp.type == 8 && ip.src == 10.244.1.2",
            "-T",
            "fields",
            "-e",
            "ip.ttl");
    assertThat(ttls).isNotEmpty().allMatch(ttl -> ttl.equals("63"));
  }

  @Test
  void tshark_tracerouteCapture_probesTimeExceededAndPortUnreachableDecodeWithTheirQuotes()
      throws Exception {
    Fixtures.Routed t = new Fixtures.Routed(1);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PcapWriter capture = PcapWriter.to(bytes);
    t.client.device("eth0").capture(capture);
    Traceroute.run(t.client, Fixtures.ip("10.0.2.2"));
    capture.close();
    Path file = dir.resolve("traceroute.pcap");
    Files.write(file, bytes.toByteArray());

    assertThat(Tshark.run(file, "-Y", "_ws.malformed || _ws.expert.severity >= error")).isEmpty();
    assertThat(
            Tshark.run(file, "-Y", "udp.dstport >= 33434 && !icmp", "-T", "fields", "-e", "ip.ttl"))
        .as("probes' TTLs, three a hop: sixteen at first, three more as hop 1's answers made room")
        .containsExactly(
            "1", "1", "1", "2", "2", "2", "3", "3", "3", "4", "4", "4", "5", "5", "5", "6", "6",
            "6", "7");
    assertThat(
            Tshark.run(
                file,
                "-Y",
                "icmp.type == 11 && icmp.code == 0",
                "-T",
                "fields",
                "-e",
                "udp.dstport"))
        .as("each time exceeded quotes the probe it answers, whose port names it")
        .containsExactly("33434", "33435", "33436");
    assertThat(
            Tshark.run(
                file, "-Y", "icmp.type == 3 && icmp.code == 3", "-T", "fields", "-e", "ip.src"))
        .as("hop 2's three, before traceroute ends and the capture with it")
        .hasSize(3)
        .allMatch(src -> src.startsWith("10.0.2.2,"));
  }
}
