package io.podnet.dataplane.overlay;

import static io.podnet.dataplane.overlay.Overlays.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.addr.Cidr;
import io.podnet.core.net.Device;
import io.podnet.core.net.PingOptions;
import io.podnet.core.net.Route;
import io.podnet.core.trace.PcapWriter;
import io.podnet.core.trace.Tshark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node eth0 captures of pod-to-pod pings over each overlay, decoded by the real tshark: the inner
 * ICMP must be recognised (VXLAN on 4789, Geneve and IPIP by default; VXLAN on 8472 with {@code -d
 * udp.port==8472,vxlan}), every checksum must verify, and no frame may be malformed.
 */
class OverlayCaptureTsharkTest {

  private static final String DECODE_AS = "-d";
  private static final String DECODE_8472 = "udp.port==8472,vxlan";

  @TempDir static Path dir;
  static final Map<String, Path> captures = new LinkedHashMap<>();
  static final Map<String, Integer> frameCounts = new LinkedHashMap<>();

  @BeforeAll
  static void capture() throws IOException {
    record("flannel-8472", Overlays.flannel(1, VxlanDevice.LINUX_PORT).withPodMtu(1450));
    record("vxlan-4789", Overlays.flannel(1, VxlanDevice.IANA_PORT).withPodMtu(1450));
    record("geneve", Overlays.geneve(1).withPodMtu(1450));
    record("ipip", Overlays.calicoIpip(1).withPodMtu(1480));
  }

  /** A default ping and a 3000-byte ping without DF (fragmented by the pod, then carried). */
  private static void record(String name, Overlays o) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PcapWriter pcap = PcapWriter.to(bytes);
    Device eth0 = o.node1.device("eth0");
    eth0.capture(pcap);
    assertThat(o.pod1.ping(ip("10.244.2.2")).success()).isTrue();
    assertThat(
            o.pod1
                .ping(
                    ip("10.244.2.2"),
                    PingOptions.DEFAULT
                        .withSequence(2)
                        .withPayloadSize(3000)
                        .withDontFragment(false))
                .success())
        .isTrue();
    eth0.stopCapture(pcap);
    pcap.close();
    Path file = dir.resolve(name + ".pcap");
    Files.write(file, bytes.toByteArray());
    captures.put(name, file);
    frameCounts.put(name, pcap.frameCount());
  }

  private static List<String> innerIcmp(String name, String... decodeAs) throws Exception {
    String[] args = new String[decodeAs.length + 6];
    System.arraycopy(decodeAs, 0, args, 0, decodeAs.length);
    System.arraycopy(
        new String[] {"-Y", "icmp", "-T", "fields", "-e", "icmp.type"},
        0,
        args,
        decodeAs.length,
        6);
    return Tshark.run(captures.get(name), args);
  }

  @Test
  void tshark_everyCapture_everyFrameDecodesWithoutMalformedPacketsOrBadChecksums()
      throws Exception {
    for (String name : captures.keySet()) {
      Path file = captures.get(name);
      assertThat(Tshark.run(file, DECODE_AS, DECODE_8472, "-T", "fields", "-e", "frame.number"))
          .as(name)
          .hasSize(frameCounts.get(name));
      assertThat(
              Tshark.run(
                  file,
                  DECODE_AS,
                  DECODE_8472,
                  "-o",
                  "ip.check_checksum:TRUE",
                  "-o",
                  "udp.check_checksum:TRUE",
                  "-Y",
                  "_ws.malformed || _ws.expert.severity >= error || ip.checksum.status == 0"
                      + " || udp.checksum.status == 0 || icmp.checksum.status == 0"))
          .as(name)
          .isEmpty();
    }
  }

  @Test
  void tshark_flannelPort8472_innerIcmpOnlyWithDecodeAs() throws Exception {
    assertThat(innerIcmp("flannel-8472")).as("8472 is not VXLAN to Wireshark by default").isEmpty();
    assertThat(innerIcmp("flannel-8472", DECODE_AS, DECODE_8472)).contains("8", "0");
    assertThat(
            Tshark.run(
                captures.get("flannel-8472"),
                DECODE_AS,
                DECODE_8472,
                "-o",
                "udp.check_checksum:TRUE",
                "-Y",
                "icmp.type == 8",
                "-T",
                "fields",
                "-e",
                "vxlan.vni",
                "-e",
                "ip.ttl",
                "-e",
                "udp.checksum.status"))
        .as("vni, outer ttl 64 then inner 63, UDP checksum good")
        .contains("1\t64,63\t1");
  }

  @Test
  void tshark_vxlanPort4789_innerIcmpByDefault() throws Exception {
    assertThat(innerIcmp("vxlan-4789")).contains("8", "0");
    assertThat(
            Tshark.run(
                captures.get("vxlan-4789"),
                "-Y",
                "vxlan && icmp",
                "-T",
                "fields",
                "-e",
                "vxlan.flags",
                "-e",
                "vxlan.vni"))
        .isNotEmpty()
        .allMatch(l -> l.equals("0x0800\t1"));
  }

  @Test
  void tshark_vxlanPort4789_fragmentedInnerPingReassembled() throws Exception {
    List<String> replies =
        Tshark.run(
            captures.get("vxlan-4789"),
            "-Y",
            "icmp.type == 0 && icmp.seq == 2",
            "-T",
            "fields",
            "-e",
            "ip.fragment.count");
    assertThat(replies).singleElement().satisfies(c -> assertThat(c).isNotEmpty());
  }

  @Test
  void tshark_geneve_innerIcmpByDefault() throws Exception {
    assertThat(innerIcmp("geneve")).contains("8", "0");
    assertThat(
            Tshark.run(
                captures.get("geneve"),
                "-Y",
                "geneve && icmp.type == 8",
                "-T",
                "fields",
                "-e",
                "geneve.version",
                "-e",
                "geneve.vni",
                "-e",
                "geneve.proto_type",
                "-e",
                "udp.checksum"))
        .contains("0\t0x000002\t0x6558\t0x0000");
  }

  @Test
  void tshark_ipip_innerIcmpByDefault() throws Exception {
    assertThat(innerIcmp("ipip")).contains("8", "0");
    assertThat(
            Tshark.run(
                captures.get("ipip"),
                "-Y",
                "icmp.type == 8 && icmp.seq == 1",
                "-T",
                "fields",
                "-e",
                "ip.proto",
                "-e",
                "ip.ttl",
                "-e",
                "ip.flags.df"))
        .containsExactly("4,1\t63,63\t1,1");
  }

  @Test
  void tshark_ipipFragNeededToThePod_decodedWithTheTunnelsMtuAndTheQuotedPing() throws Exception {
    Overlays o = Overlays.calicoIpip(1);
    o.node1.addRoute(
        Route.to(Cidr.parse("192.168.1.12/32")).dev(o.node1.device("eth0")).mtu(1400).build());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PcapWriter pcap = PcapWriter.to(bytes);
    o.pod1.device("eth0").capture(pcap);
    o.pod1.ping(ip("10.244.2.2"), PingOptions.DEFAULT.withPayloadSize(1400).withDontFragment(true));
    pcap.close();
    Path file = dir.resolve("ipip-frag-needed.pcap");
    Files.write(file, bytes.toByteArray());

    assertThat(Tshark.run(file, "-Y", "_ws.malformed || _ws.expert.severity >= error")).isEmpty();
    assertThat(
            Tshark.run(
                file,
                "-Y",
                "icmp.type == 3 && icmp.code == 4",
                "-T",
                "fields",
                "-e",
                "ip.src",
                "-e",
                "icmp.mtu",
                "-e",
                "icmp.seq"))
        .as("from cni0's address, the MTU tunl0 can carry, quoting the pod's echo request")
        .containsExactly("10.244.1.1,10.244.1.2\t1380\t1");
  }
}
