package io.podnet.dataplane.overlay;

import static io.podnet.dataplane.overlay.Overlays.hops;
import static io.podnet.dataplane.overlay.Overlays.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.MacAddress;
import io.podnet.core.net.Device;
import io.podnet.core.net.HopAction;
import io.podnet.core.net.Iproute2;
import io.podnet.core.net.PacketHop;
import io.podnet.core.net.PingOptions;
import io.podnet.core.net.ProbeResult;
import io.podnet.core.packet.EthernetHeader;
import io.podnet.core.packet.Frames;
import io.podnet.core.packet.IpProtocol;
import io.podnet.core.packet.Ipv4Header;
import io.podnet.core.packet.UdpHeader;
import io.podnet.core.trace.PcapWriter;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Tests for {@link GeneveDevice}: a point-to-point pair over two nodes, the wire, bad input. */
class GeneveDeviceTest {

  private static GeneveDevice gnv(Overlays o, int node) {
    return (GeneveDevice) o.tunnels[node];
  }

  /** A Geneve payload: base header, {@code options} bytes of options, an echo frame to gnv0. */
  private static byte[] genevePayload(Overlays o, int flagsByte, int vni, int optionWords) {
    byte[] inner =
        Frames.icmpEcho(
            true,
            gnv(o, 1).mac(),
            gnv(o, 0).mac(),
            ip("10.244.1.0"),
            ip("10.244.2.0"),
            64,
            true,
            1,
            7,
            1,
            8);
    int options = optionWords * 4;
    byte[] payload = new byte[8 + options + inner.length];
    payload[0] = (byte) optionWords;
    payload[1] = (byte) flagsByte;
    payload[2] = 0x65;
    payload[3] = 0x58;
    payload[4] = (byte) (vni >>> 16);
    payload[5] = (byte) (vni >>> 8);
    payload[6] = (byte) vni;
    if (optionWords > 0) {
      payload[8] = 0x01; // option class 0x0102, type 0x03, length 1 word less the header
      payload[9] = 0x02;
      payload[10] = 0x03;
      payload[11] = (byte) (optionWords - 1);
    }
    System.arraycopy(inner, 0, payload, 8 + options, inner.length);
    return payload;
  }

  @Test
  void ipDetailedLinkShow_gnv0_matchesRealFormat() {
    Overlays o = Overlays.geneve(1);
    GeneveDevice g = gnv(o, 0);

    assertThat(Iproute2.ipDetailedLinkShow(o.node1, "gnv0"))
        .isEqualTo(
            g.ifindex()
                + ": gnv0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN"
                + " mode DEFAULT group default qlen 1000\n"
                + "    link/ether "
                + g.mac()
                + " brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65485 \n"
                + "    geneve id 2 remote 192.168.1.12 ttl auto dstport 6081 noudpcsum"
                + " udp6zerocsumrx addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size"
                + " 65536 gso_max_segs 65535 tso_max_size 65536 tso_max_segs 65535 gro_max_size"
                + " 65536 \n");
    assertThat(g.vni()).isEqualTo(2);
    assertThat(g.remote()).isEqualTo(ip("192.168.1.12"));
  }

  @Test
  void bridgeFdbShow_gnv0_multicastGroupsLikeAnyEthernetDevice() {
    Overlays o = Overlays.geneve(1);
    String solicited = "33:33:ff:" + gnv(o, 0).mac().toString().substring(9);

    assertThat(Iproute2.bridgeFdbShow(o.node1).lines().filter(l -> l.contains(" gnv0 ")))
        .containsExactly(
            "33:33:00:00:00:01 dev gnv0 self permanent",
            "01:00:5e:00:00:01 dev gnv0 self permanent",
            solicited + " dev gnv0 self permanent");
  }

  @Test
  void ping_podToPodOverGeneve_ttl62WithEncapAndDecap() {
    Overlays o = Overlays.geneve(1);

    ProbeResult r = o.pod1.ping(ip("10.244.2.2"));

    assertThat(r.success()).as(r.walk().render()).isTrue();
    assertThat(r.message()).startsWith("64 bytes from 10.244.2.2: icmp_seq=1 ttl=62 time=");
    assertThat(hops(r.walk(), HopAction.ENCAP))
        .extracting(h -> h.location() + " " + h.detail().replaceAll(" srcport \\d+", ""))
        .containsExactly(
            "node-1 geneve vni 2 remote 192.168.1.12 dstport 6081",
            "node-2 geneve vni 2 remote 192.168.1.11 dstport 6081");
    assertThat(hops(r.walk(), HopAction.DECAP))
        .extracting(h -> h.location() + " " + h.detail())
        .containsExactly(
            "node-2 geneve vni 2 from 192.168.1.11", "node-1 geneve vni 2 from 192.168.1.12");
  }

  @Test
  void ping_1500BytePacket_fragNeededMtu1450() {
    Overlays o = Overlays.geneve(1);

    ProbeResult r = o.pod1.ping(ip("10.244.2.2"), PingOptions.DEFAULT.withPayloadSize(1472));

    assertThat(r.message())
        .isEqualTo("From 10.244.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1450)");
  }

  @Test
  void transmit_echoRequest_baseHeaderAndZeroUdpChecksum() {
    Overlays o = Overlays.geneve(1).withPodMtu(1450);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    o.node1.device("eth0").capture(PcapWriter.to(bytes));

    assertThat(o.pod1.ping(ip("10.244.2.2"), PingOptions.DEFAULT.withPayloadSize(1422)).success())
        .isTrue();

    byte[] f =
        Pcaps.frames(bytes.toByteArray()).stream()
            .filter(b -> Ipv4Header.protocol(b, EthernetHeader.LENGTH) == IpProtocol.UDP)
            .findFirst()
            .orElseThrow();
    int ip = EthernetHeader.LENGTH;
    int udp = ip + Ipv4Header.MIN_LENGTH;
    int geneve = udp + UdpHeader.LENGTH;
    assertThat(f).hasSize(14 + 1500);
    assertThat(Ipv4Header.ttl(f, ip)).isEqualTo(64);
    assertThat(Ipv4Header.dontFragment(f, ip)).isFalse();
    assertThat(UdpHeader.dstPort(f, udp)).isEqualTo(6081);
    assertThat(UdpHeader.srcPort(f, udp)).isBetween(1, 65534);
    assertThat(Pcaps.u16(f, udp + 6)).as("noudpcsum").isZero();
    assertThat(Arrays.copyOfRange(f, geneve, geneve + 8))
        .containsExactly(0x00, 0x00, 0x65, 0x58, 0x00, 0x00, 0x02, 0x00);
    assertThat(EthernetHeader.dst(f, geneve + 8)).isEqualTo(gnv(o, 1).mac().toLong());
  }

  @Test
  void receive_nonCriticalOptions_skippedAndInnerDelivered() {
    Overlays o = Overlays.geneve(1);

    ProbeResult r = o.node1.sendUdp(ip("192.168.1.12"), 6081, genevePayload(o, 0x00, 2, 2));

    assertThat(hops(r.walk(), HopAction.DECAP))
        .extracting(h -> h.location() + " " + h.detail())
        .startsWith("node-2 geneve vni 2 from 192.168.1.11");
    assertThat(hops(r.walk(), HopAction.DELIVER))
        .anyMatch(h -> h.location().equals("node-2") && h.detail().equals("icmp echo request"));
  }

  @Test
  void receive_criticalOptionsOrOtherVni_dropped() {
    Overlays o = Overlays.geneve(1);

    ProbeResult critical = o.node1.sendUdp(ip("192.168.1.12"), 6081, genevePayload(o, 0x40, 2, 2));
    ProbeResult otherVni = o.node1.sendUdp(ip("192.168.1.12"), 6081, genevePayload(o, 0x00, 3, 0));

    assertThat(hops(critical.walk(), HopAction.DROP))
        .filteredOn(h -> h.device().equals("gnv0"))
        .extracting(PacketHop::detail)
        .containsExactly("malformed packet: geneve critical options not supported");
    assertThat(hops(otherVni.walk(), HopAction.DROP))
        .filteredOn(h -> h.device().equals("gnv0"))
        .extracting(PacketHop::detail)
        .containsExactly(
            "unknown tunnel id: vni 3 from 192.168.1.11 on port 6081 (gnv0 has vni 2 remote"
                + " 192.168.1.11)");
  }

  @Test
  void receive_fromOtherThanRemote_dropped() {
    Overlays o = Overlays.geneve(1);
    GeneveDevice other = gnv(o, 1);
    other.delete();
    GeneveDevice g =
        GeneveDevice.create(o.node2, "gnv0", 2, ip("192.168.1.99"), o.node2.device("eth0"));
    g.up();

    ProbeResult r = o.node1.sendUdp(ip("192.168.1.12"), 6081, genevePayload(o, 0x00, 2, 0));

    assertThat(hops(r.walk(), HopAction.DROP))
        .filteredOn(h -> h.device().equals("gnv0"))
        .extracting(PacketHop::detail)
        .containsExactly(
            "unknown tunnel id: vni 2 from 192.168.1.11 on port 6081 (gnv0 has vni 2 remote"
                + " 192.168.1.99)");
  }

  @Test
  void create_badInput_iaeOrIseAndNamespaceUnchanged() {
    Overlays o = Overlays.geneve(1);
    String before = Iproute2.ipLinkShow(o.node1);
    Device eth0 = o.node1.device("eth0");

    assertThatThrownBy(
            () -> GeneveDevice.create(o.node1, "gnv1", 1 << 24, ip("192.168.1.12"), eth0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("VNI must be in [0, 16777215]: 16777216");
    assertThatThrownBy(() -> GeneveDevice.create(o.node1, "gnv1", 3, ip("0.0.0.0"), eth0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("geneve remote must be a unicast address: 0.0.0.0");
    assertThatThrownBy(
            () ->
                GeneveDevice.create(o.node1, "gnv1", 3, ip("192.168.1.12"), o.node2.device("eth0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("underlay device eth0 is not in node-1");
    assertThatThrownBy(() -> GeneveDevice.create(o.node1, "gnv1", 3, ip("192.168.1.12"), eth0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("UDP port 6081 is already bound by a kernel module in node-1");
    assertThat(Iproute2.ipLinkShow(o.node1)).isEqualTo(before);
  }

  @Test
  void setMtu_aboveUnderlayLess50_iae() {
    Overlays o = Overlays.geneve(1);

    assertThatThrownBy(() -> gnv(o, 0).setMtu(1500))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "mtu must be <= 1450 (dev eth0 mtu 1500 less 50 bytes of Geneve overhead): 1500");
    assertThat(gnv(o, 0).mtu()).isEqualTo(1450);
  }

  @Test
  void transmit_broadcastArp_goesToTheRemoteToo() {
    Overlays o = Overlays.geneve(1);
    MacAddress before = gnv(o, 1).mac();

    assertThat(o.node1.ping(ip("10.244.2.0")).success()).isTrue();

    assertThat(gnv(o, 1).mac()).isEqualTo(before);
    assertThat(gnv(o, 1).rxPackets()).isEqualTo(1);
  }
}
