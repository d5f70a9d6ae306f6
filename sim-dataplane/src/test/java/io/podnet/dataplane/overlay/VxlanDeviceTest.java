package io.podnet.dataplane.overlay;

import static io.podnet.dataplane.overlay.Overlays.hops;
import static io.podnet.dataplane.overlay.Overlays.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.addr.MacAddress;
import io.podnet.core.net.HopAction;
import io.podnet.core.net.Iproute2;
import io.podnet.core.net.PacketHop;
import io.podnet.core.net.PingOptions;
import io.podnet.core.net.ProbeResult;
import io.podnet.core.packet.EthernetHeader;
import io.podnet.core.packet.IpProtocol;
import io.podnet.core.packet.Ipv4Header;
import io.podnet.core.packet.UdpHeader;
import io.podnet.core.trace.PcapWriter;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link VxlanDevice}: flannel's layout over two nodes, the wire bytes, bad input. */
class VxlanDeviceTest {

  private static VxlanDevice flannel(Overlays o, int node) {
    return (VxlanDevice) o.tunnels[node];
  }

  @Test
  void create_flannelSettings_mtuUnderlayLess50AndRegistered() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);
    VxlanDevice vx = flannel(o, 0);

    assertThat(vx.mtu()).isEqualTo(1450);
    assertThat(vx.kind()).isEqualTo("vxlan");
    assertThat(vx.vni()).isEqualTo(1);
    assertThat(vx.dstPort()).isEqualTo(8472);
    assertThat(vx.localVtep()).isEqualTo(ip("192.168.1.11"));
    assertThat(vx.underlay()).isSameAs(o.node1.device("eth0"));
    assertThat(o.node1.device("flannel.1")).isSameAs(vx);
  }

  @Test
  void ipDetailedLinkShow_flannel1_matchesLabCapture() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);
    VxlanDevice vx = flannel(o, 0);

    String expected =
        vx.ifindex()
            + ": flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN"
            + " mode DEFAULT group default \n"
            + "    link/ether "
            + vx.mac()
            + " brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n"
            + "    vxlan id 1 local 192.168.1.11 dev eth0 srcport 0 0 dstport 8472 nolearning ttl"
            + " auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx addrgenmode eui64"
            + " numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size"
            + " 524280 tso_max_segs 65535 gro_max_size 65536 \n";

    assertThat(Iproute2.ipDetailedLinkShow(o.node1, "flannel.1")).isEqualTo(expected);
    assertThat(Iproute2.ipLinkShow(o.node1, "flannel.1"))
        .isEqualTo(
            vx.ifindex()
                + ": flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state"
                + " UNKNOWN mode DEFAULT group default \n"
                + "    link/ether "
                + vx.mac()
                + " brd ff:ff:ff:ff:ff:ff\n");
  }

  @Test
  void bridgeFdbShow_flannel1_dstLineAndNoMulticastEntries() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);
    MacAddress remote = flannel(o, 1).mac();

    List<String> lines =
        Iproute2.bridgeFdbShow(o.node1).lines().filter(l -> l.contains(" flannel.1 ")).toList();

    assertThat(lines).containsExactly(remote + " dev flannel.1 dst 192.168.1.12 self permanent");
  }

  @Test
  void ipRouteAndNeigh_flannelLayout_matchLabLines() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);

    assertThat(Iproute2.ipRouteShow(o.node1))
        .contains("10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink \n");
    assertThat(Iproute2.ipNeighShow(o.node1))
        .contains("10.244.2.0 dev flannel.1 lladdr " + flannel(o, 1).mac() + " PERMANENT \n");
  }

  @Test
  void ping_podToPodAcrossOverlay_ttl62WithEncapAndDecapHops() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT).withPodMtu(1450);

    ProbeResult r = o.pod1.ping(ip("10.244.2.2"));

    assertThat(r.success()).as(r.walk().render()).isTrue();
    assertThat(r.message()).startsWith("64 bytes from 10.244.2.2: icmp_seq=1 ttl=62 time=");
    List<PacketHop> encaps = hops(r.walk(), HopAction.ENCAP);
    List<PacketHop> decaps = hops(r.walk(), HopAction.DECAP);
    assertThat(encaps).extracting(PacketHop::location).containsExactly("node-1", "node-2");
    assertThat(encaps).allMatch(h -> h.device().equals("flannel.1"));
    assertThat(encaps.get(0).detail()).startsWith("vxlan vni 1 remote 192.168.1.12 srcport ");
    assertThat(encaps.get(0).detail()).endsWith(" dstport 8472");
    assertThat(decaps).extracting(PacketHop::location).containsExactly("node-2", "node-1");
    assertThat(decaps.get(0).detail()).isEqualTo("vxlan vni 1 from 192.168.1.11");
    assertThat(decaps.get(1).detail()).isEqualTo("vxlan vni 1 from 192.168.1.12");
  }

  @Test
  void ping_1500BytePacketFromPodWithMtu1500_fragNeededMtu1450FromNode() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);

    ProbeResult r = o.pod1.ping(ip("10.244.2.2"), PingOptions.DEFAULT.withPayloadSize(1472));

    assertThat(r.success()).isFalse();
    assertThat(r.message())
        .isEqualTo("From 10.244.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1450)");
    assertThat(hops(r.walk(), HopAction.ENCAP)).isEmpty();
    assertThat(hops(r.walk(), HopAction.DROP))
        .anyMatch(
            h ->
                h.location().equals("node-1")
                    && h.detail().equals("fragmentation needed and DF set: mtu 1450"));
  }

  @Test
  void ping_fullSizeFromPodWithMtu1450_passesAsFullSizeOuterFrame() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT).withPodMtu(1450);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PcapWriter pcap = PcapWriter.to(bytes);
    o.node1.device("eth0").capture(pcap);

    ProbeResult r = o.pod1.ping(ip("10.244.2.2"), PingOptions.DEFAULT.withPayloadSize(1422));

    assertThat(r.success()).as(r.walk().render()).isTrue();
    assertThat(r.message()).startsWith("1430 bytes from 10.244.2.2: icmp_seq=1 ttl=62");
    assertThat(Pcaps.frames(bytes.toByteArray()))
        .filteredOn(f -> Ipv4Header.protocol(f, EthernetHeader.LENGTH) == IpProtocol.UDP)
        .hasSize(2)
        .allSatisfy(f -> assertThat(f).hasSize(EthernetHeader.LENGTH + 1500));
  }

  @Test
  void transmit_echoRequest_outerHeadersLikeLinux() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT).withPodMtu(1450);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    o.node1.device("eth0").capture(PcapWriter.to(bytes));

    assertThat(o.pod1.ping(ip("10.244.2.2")).success()).isTrue();

    byte[] f =
        Pcaps.frames(bytes.toByteArray()).stream()
            .filter(b -> Ipv4Header.protocol(b, EthernetHeader.LENGTH) == IpProtocol.UDP)
            .findFirst()
            .orElseThrow();
    int ip = EthernetHeader.LENGTH;
    int udp = ip + Ipv4Header.MIN_LENGTH;
    int vxlan = udp + UdpHeader.LENGTH;
    int inner = vxlan + 8;
    assertThat(Ipv4Header.src(f, ip)).isEqualTo(ip("192.168.1.11").toInt());
    assertThat(Ipv4Header.dst(f, ip)).isEqualTo(ip("192.168.1.12").toInt());
    assertThat(Ipv4Header.ttl(f, ip)).as("ttl auto").isEqualTo(64);
    assertThat(Ipv4Header.dontFragment(f, ip)).as("df unset").isFalse();
    assertThat(Ipv4Header.checksumValid(f, ip)).isTrue();
    assertThat(UdpHeader.dstPort(f, udp)).isEqualTo(8472);
    assertThat(UdpHeader.srcPort(f, udp)).isBetween(32768, 60998);
    assertThat(Pcaps.u16(f, udp + 6)).as("udpcsum: a checksum is sent").isNotZero();
    assertThat(
            UdpHeader.checksumValid(
                f, udp, f.length - udp, Ipv4Header.src(f, ip), Ipv4Header.dst(f, ip)))
        .isTrue();
    assertThat(java.util.Arrays.copyOfRange(f, vxlan, inner))
        .containsExactly(0x08, 0, 0, 0, 0, 0, 1, 0);
    assertThat(EthernetHeader.dst(f, inner)).isEqualTo(flannel(o, 1).mac().toLong());
    assertThat(EthernetHeader.src(f, inner)).isEqualTo(flannel(o, 0).mac().toLong());
    int innerIp = inner + EthernetHeader.LENGTH;
    assertThat(Ipv4Header.src(f, innerIp)).isEqualTo(ip("10.244.1.2").toInt());
    assertThat(Ipv4Header.ttl(f, innerIp))
        .as("routed once by node-1, untouched by vxlan")
        .isEqualTo(63);
    assertThat(Ipv4Header.dontFragment(f, innerIp)).isTrue();
  }
}
