package io.podnet.dataplane.overlay;

import static io.podnet.dataplane.overlay.Overlays.hops;
import static io.podnet.dataplane.overlay.Overlays.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.net.Device;
import io.podnet.core.net.HopAction;
import io.podnet.core.net.Iproute2;
import io.podnet.core.net.PacketHop;
import io.podnet.core.net.PingOptions;
import io.podnet.core.net.ProbeResult;
import io.podnet.core.net.Route;
import io.podnet.core.packet.EthernetHeader;
import io.podnet.core.packet.Frames;
import io.podnet.core.packet.IcmpMessage;
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

    // as the lab capture, but for tso_max_size, which a VXLAN device takes from the device it is
    // bound to: the lab's eth0 was a veth (524280), a node's is a virtio NIC (65536), as
    // "ip link add vx0 type vxlan id 42 dstport 8472 dev eth0" shows on a virtio machine
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
            + " 65536 tso_max_segs 65535 gro_max_size 65536 \n";

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

  /** A VXLAN payload: the 8-byte header with {@code flags} and {@code vni}, then an echo frame. */
  static byte[] vxlanPayload(int flags, int vni, MacAddress innerDst) {
    byte[] inner =
        Frames.icmpEcho(
            true,
            innerDst,
            MacAddress.parse("02:00:00:00:00:01"),
            ip("10.244.1.0"),
            ip("10.244.2.0"),
            64,
            true,
            1,
            7,
            1,
            8);
    byte[] payload = new byte[8 + inner.length];
    payload[0] = (byte) flags;
    payload[4] = (byte) (vni >>> 16);
    payload[5] = (byte) (vni >>> 8);
    payload[6] = (byte) vni;
    System.arraycopy(inner, 0, payload, 8, inner.length);
    return payload;
  }

  @Test
  void receive_validHeaderForDeviceMac_innerPacketDelivered() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);

    ProbeResult r =
        o.node1.sendUdp(ip("192.168.1.12"), 8472, vxlanPayload(0x08, 1, flannel(o, 1).mac()));

    assertThat(hops(r.walk(), HopAction.DELIVER))
        .anyMatch(h -> h.location().equals("node-2") && h.detail().equals("icmp echo request"));
    assertThat(hops(r.walk(), HopAction.DECAP))
        .as("node-2 answers 10.244.1.0 through its own flannel.1")
        .extracting(h -> h.location() + " " + h.detail())
        .containsExactly(
            "node-2 vxlan vni 1 from 192.168.1.11", "node-1 vxlan vni 1 from 192.168.1.12");
  }

  @Test
  void receive_otherVni_droppedAsUnknownTunnelId() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);

    ProbeResult r =
        o.node1.sendUdp(ip("192.168.1.12"), 8472, vxlanPayload(0x08, 2, flannel(o, 1).mac()));

    assertThat(hops(r.walk(), HopAction.DROP))
        .filteredOn(h -> h.device().equals("flannel.1"))
        .extracting(h -> h.location() + " " + h.device() + " " + h.detail())
        .containsExactly(
            "node-2 flannel.1 unknown tunnel id: vni 2 on port 8472 (flannel.1 has vni 1)");
    assertThat(hops(r.walk(), HopAction.DECAP)).isEmpty();
  }

  @Test
  void receive_flagsWithoutOnlyIBit_droppedAsMalformed() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);

    ProbeResult none =
        o.node1.sendUdp(ip("192.168.1.12"), 8472, vxlanPayload(0x00, 1, flannel(o, 1).mac()));
    ProbeResult extra =
        o.node1.sendUdp(ip("192.168.1.12"), 8472, vxlanPayload(0x88, 1, flannel(o, 1).mac()));

    assertThat(hops(none.walk(), HopAction.DROP))
        .filteredOn(h -> h.device().equals("flannel.1"))
        .extracting(PacketHop::detail)
        .containsExactly(
            "malformed packet: vxlan flags 0x00000000 reserved 0x00 (expected 0x08000000, 0x00)");
    assertThat(hops(extra.walk(), HopAction.DROP))
        .filteredOn(h -> h.device().equals("flannel.1"))
        .extracting(PacketHop::detail)
        .containsExactly(
            "malformed packet: vxlan flags 0x88000000 reserved 0x00 (expected 0x08000000, 0x00)");
  }

  @Test
  void receive_innerFrameForAnotherMac_droppedByDevice() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);

    ProbeResult r =
        o.node1.sendUdp(
            ip("192.168.1.12"), 8472, vxlanPayload(0x08, 1, MacAddress.parse("02:00:00:00:00:99")));

    assertThat(hops(r.walk(), HopAction.DROP))
        .filteredOn(h -> h.location().startsWith("node-"))
        .extracting(h -> h.location() + " " + h.device() + " " + h.detail())
        .containsExactly("node-2 flannel.1 destination MAC not ours: 02:00:00:00:00:99");
  }

  @Test
  void transmit_noFdbEntryAndNoDefault_droppedWithReason() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);
    MacAddress remote = flannel(o, 1).mac();
    assertThat(flannel(o, 0).removeFdb(remote)).isTrue();

    ProbeResult r = o.pod1.ping(ip("10.244.2.2"));

    assertThat(r.success()).isFalse();
    assertThat(hops(r.walk(), HopAction.DROP))
        .extracting(h -> h.location() + " " + h.device() + " " + h.detail())
        .containsExactly(
            "node-1 flannel.1 no tunnel destination: no fdb entry for "
                + remote
                + " and no default on flannel.1");
    assertThat(flannel(o, 0).removeFdb(remote)).isFalse();
    assertThat(Iproute2.bridgeFdbShow(o.node1)).doesNotContain("flannel.1");
  }

  @Test
  void transmit_remoteRoutedThroughTheDeviceItself_circularRouteDropped() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);
    o.node1.addRoute(
        Route.to(Cidr.parse("192.168.1.12/32"))
            .via(ip("10.244.2.0"))
            .dev(flannel(o, 0))
            .onlink()
            .build());

    ProbeResult r = o.pod1.ping(ip("10.244.2.2"));

    assertThat(r.success()).isFalse();
    assertThat(hops(r.walk(), HopAction.ENCAP)).isEmpty();
    assertThat(hops(r.walk(), HopAction.DROP))
        .extracting(h -> h.device() + " " + h.detail())
        .containsExactly(
            "flannel.1 no tunnel destination: circular route to 192.168.1.12 via flannel.1");
  }

  @Test
  void transmit_allZerosDefaults_floodsToEveryDefaultVtep() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);
    VxlanDevice vx = flannel(o, 0);
    vx.removeFdb(flannel(o, 1).mac());
    vx.addFdb(MacAddress.ZERO, ip("192.168.1.12"));
    vx.addFdb(MacAddress.ZERO, ip("192.168.1.13"));
    vx.addFdb(MacAddress.ZERO, ip("192.168.1.12"));

    ProbeResult r = o.pod1.ping(ip("10.244.2.2"));

    assertThat(r.success()).isTrue();
    assertThat(hops(r.walk(), HopAction.ENCAP))
        .filteredOn(h -> h.location().equals("node-1"))
        .extracting(h -> h.detail().replaceAll(" srcport \\d+", ""))
        .containsExactly(
            "vxlan vni 1 remote 192.168.1.12 dstport 8472",
            "vxlan vni 1 remote 192.168.1.13 dstport 8472");
    assertThat(Iproute2.bridgeFdbShow(o.node1).lines().filter(l -> l.contains("flannel.1")))
        .containsExactly(
            "00:00:00:00:00:00 dev flannel.1 dst 192.168.1.12 self permanent",
            "00:00:00:00:00:00 dev flannel.1 dst 192.168.1.13 self permanent");
  }

  @Test
  void destinations_entryThenDefaultsThenNothing_whatTransmitSendsTo() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);
    VxlanDevice vx = flannel(o, 0);
    MacAddress remote = flannel(o, 1).mac();
    assertThat(vx.destinations(remote)).containsExactly(ip("192.168.1.12"));

    vx.removeFdb(remote);
    assertThat(vx.destinations(remote)).isEmpty();
    vx.addFdb(MacAddress.ZERO, ip("192.168.1.13"));
    vx.addFdb(MacAddress.ZERO, ip("192.168.1.14"));
    assertThat(vx.destinations(remote)).containsExactly(ip("192.168.1.13"), ip("192.168.1.14"));
  }

  @Test
  void attachFdb_sharedSet_usedAndShownButOwnMacAndRemovedEntryNot() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);
    VxlanDevice vx = flannel(o, 0);
    MacAddress remote = flannel(o, 1).mac();
    vx.removeFdb(remote);
    SharedFdb set = new SharedFdb();
    set.put(vx.mac(), ip("192.168.1.11"));
    set.put(remote, ip("192.168.1.12"));
    vx.attachFdb(set, vx.mac());

    assertThat(o.pod1.ping(ip("10.244.2.2")).success()).isTrue();
    assertThat(Iproute2.bridgeFdbShow(o.node1).lines().filter(l -> l.contains(" flannel.1 ")))
        .containsExactly(remote + " dev flannel.1 dst 192.168.1.12 self permanent");
    assertThat(vx.removeFdb(remote)).isTrue();
    assertThat(vx.removeFdb(remote)).isFalse();
    assertThat(o.pod1.ping(ip("10.244.2.2")).success()).isFalse();
    assertThat(Iproute2.bridgeFdbShow(o.node1)).doesNotContain("flannel.1");
  }

  @Test
  void addFdb_sameMacTwice_replacesDestination() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);
    VxlanDevice vx = flannel(o, 0);
    MacAddress mac = MacAddress.parse("76:f4:39:34:b7:e9");

    vx.addFdb(mac, ip("192.168.1.20"));
    vx.addFdb(mac, ip("192.168.1.21"));

    assertThat(Iproute2.bridgeFdbShow(o.node1).lines().filter(l -> l.startsWith(mac + " ")))
        .containsExactly("76:f4:39:34:b7:e9 dev flannel.1 dst 192.168.1.21 self permanent");
    assertThatThrownBy(() -> vx.addFdb(MacAddress.BROADCAST, ip("192.168.1.21")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "fdb MAC must be unicast or 00:00:00:00:00:00 (the default): ff:ff:ff:ff:ff:ff");
  }

  @Test
  void create_vniOutOfRange_iaeNamingValueAndNamespaceUnchanged() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);
    String before = Iproute2.ipLinkShow(o.node1);
    Device eth0 = o.node1.device("eth0");

    assertThatThrownBy(
            () -> VxlanDevice.create(o.node1, "vx0", 16777216, 4789, ip("192.168.1.11"), eth0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("VNI must be in [0, 16777215]: 16777216");
    assertThatThrownBy(() -> VxlanDevice.create(o.node1, "vx0", -1, 4789, ip("192.168.1.11"), eth0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("VNI must be in [0, 16777215]: -1");

    assertThat(Iproute2.ipLinkShow(o.node1)).isEqualTo(before);
    assertThat(VxlanDevice.create(o.node1, "vx0", 16777215, 4789, ip("192.168.1.11"), eth0).vni())
        .as("the largest VNI and the port are still free")
        .isEqualTo(16777215);
  }

  @Test
  void create_portOutOfRange_iaeNamingValue() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);
    String before = Iproute2.ipLinkShow(o.node1);
    Device eth0 = o.node1.device("eth0");

    assertThatThrownBy(() -> VxlanDevice.create(o.node1, "vx0", 5, 0, ip("192.168.1.11"), eth0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dstport must be in [1, 65535]: 0");
    assertThatThrownBy(() -> VxlanDevice.create(o.node1, "vx0", 5, 65536, ip("192.168.1.11"), eth0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dstport must be in [1, 65535]: 65536");
    assertThat(Iproute2.ipLinkShow(o.node1)).isEqualTo(before);
  }

  @Test
  void create_underlayInOtherNamespace_iaeNamingDeviceAndNamespace() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);
    String before = Iproute2.ipLinkShow(o.node1);

    assertThatThrownBy(
            () ->
                VxlanDevice.create(
                    o.node1, "vx0", 5, 4789, ip("192.168.1.11"), o.node2.device("eth0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("underlay device eth0 is not in node-1");
    assertThat(Iproute2.ipLinkShow(o.node1)).isEqualTo(before);
  }

  @Test
  void create_duplicateName_iaeAndExistingDeviceKeepsItsPort() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT).withPodMtu(1450);
    String before = Iproute2.ipLinkShow(o.node1);
    Device eth0 = o.node1.device("eth0");

    assertThatThrownBy(
            () -> VxlanDevice.create(o.node1, "flannel.1", 1, 4789, ip("192.168.1.11"), eth0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("device \"flannel.1\" already exists in node-1");
    assertThat(Iproute2.ipLinkShow(o.node1)).isEqualTo(before);
    assertThat(VxlanDevice.create(o.node1, "vx0", 1, 4789, ip("192.168.1.11"), eth0).dstPort())
        .as("port 4789 was not left bound")
        .isEqualTo(4789);
    assertThat(o.pod1.ping(ip("10.244.2.2")).success()).isTrue();
  }

  @Test
  void create_portAlreadyBound_iseAndNamespaceUnchanged() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);
    String before = Iproute2.ipLinkShow(o.node1);

    assertThatThrownBy(
            () ->
                VxlanDevice.create(
                    o.node1,
                    "vxlan.calico",
                    4096,
                    8472,
                    ip("192.168.1.11"),
                    o.node1.device("eth0")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("UDP port 8472 is already bound by a kernel module in node-1");
    assertThat(Iproute2.ipLinkShow(o.node1)).isEqualTo(before);
    assertThat(o.node1.findDevice("vxlan.calico")).isEmpty();
  }

  @Test
  void create_invalidName_iaeAndPortLeftFree() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);
    Device eth0 = o.node1.device("eth0");

    assertThatThrownBy(
            () -> VxlanDevice.create(o.node1, "vxlan calico", 4096, 4789, ip("192.168.1.11"), eth0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid device name \"vxlan calico\"");
    assertThat(VxlanDevice.create(o.node1, "vxlan.calico", 4096, 4789, ip("192.168.1.11"), eth0))
        .extracting(VxlanDevice::dstPort)
        .isEqualTo(4789);
  }

  @Test
  void create_portTaken_leavesMacStreamUntouched() {
    Overlays failed = Overlays.flannel(3, VxlanDevice.LINUX_PORT);
    Overlays clean = Overlays.flannel(3, VxlanDevice.LINUX_PORT);
    Device eth0 = failed.node1.device("eth0");

    assertThatThrownBy(
            () -> VxlanDevice.create(failed.node1, "vx1", 7, 8472, ip("192.168.1.11"), eth0))
        .isInstanceOf(IllegalStateException.class);
    VxlanDevice a = VxlanDevice.create(failed.node1, "vx2", 7, 4789, ip("192.168.1.11"), eth0);
    VxlanDevice b =
        VxlanDevice.create(
            clean.node1, "vx2", 7, 4789, ip("192.168.1.11"), clean.node1.device("eth0"));

    assertThat(a.mac()).isEqualTo(b.mac());
  }

  @Test
  void setMtu_aboveUnderlayLessOverhead_iaeAndMtuUnchanged() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);
    VxlanDevice vx = flannel(o, 0);

    assertThatThrownBy(() -> vx.setMtu(1451))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "mtu must be <= 1450 (dev eth0 mtu 1500 less 50 bytes of VXLAN overhead): 1451");
    assertThat(vx.mtu()).isEqualTo(1450);
    vx.setMtu(1400);
    assertThat(vx.mtu()).isEqualTo(1400);
  }

  @Test
  void delete_device_goneAndPortReleased() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);
    Device eth0 = o.node1.device("eth0");

    flannel(o, 0).delete();

    assertThat(o.node1.findDevice("flannel.1")).isEmpty();
    assertThat(Iproute2.ipRouteShow(o.node1)).doesNotContain("flannel.1");
    VxlanDevice again = VxlanDevice.create(o.node1, "flannel.1", 1, 8472, ip("192.168.1.11"), eth0);
    assertThat(again.dstPort()).isEqualTo(8472);
  }

  @Test
  void ping_sameSeedTwice_sameDigestAndSourcePorts() {
    Overlays a = Overlays.flannel(5, VxlanDevice.LINUX_PORT).withPodMtu(1450);
    Overlays b = Overlays.flannel(5, VxlanDevice.LINUX_PORT).withPodMtu(1450);

    ProbeResult ra = a.pod1.ping(ip("10.244.2.2"));
    ProbeResult rb = b.pod1.ping(ip("10.244.2.2"));

    assertThat(ra.walk().render()).isEqualTo(rb.walk().render());
    assertThat(a.network.trace().digest()).isEqualTo(b.network.trace().digest());
    assertThat(hops(ra.walk(), HopAction.ENCAP).get(0).detail())
        .isNotEqualTo(hops(ra.walk(), HopAction.ENCAP).get(1).detail());
  }

  @Test
  void icmpInput_errorAboutAnOuterDatagramToTheVxlanPort_takenByTheDeviceNotDropped() {
    Overlays o = Overlays.flannel(1, VxlanDevice.LINUX_PORT);

    o.icmpToNode1(
        IcmpMessage.destinationUnreachable(
            IcmpMessage.PORT_UNREACHABLE,
            Overlays.quoteFromNode1(IpProtocol.UDP, VxlanDevice.LINUX_PORT, false)));
    o.icmpToNode1(
        IcmpMessage.destinationUnreachable(
            IcmpMessage.PORT_UNREACHABLE, Overlays.quoteFromNode1(IpProtocol.UDP, 9, false)));

    assertThat(o.sink.lines())
        .as("vxlan_err_lookup takes the first; the second is for a socket, and none sent it")
        .anyMatch(
            l -> l.contains("hop node-1 eth0 deliver #1 icmp error for udp: port unreachable"))
        .anyMatch(l -> l.contains("hop node-1 eth0 drop #4 port unreachable: no socket for ICMP"))
        .noneMatch(l -> l.contains("hop node-1 eth0 drop #1 "));
  }
}
