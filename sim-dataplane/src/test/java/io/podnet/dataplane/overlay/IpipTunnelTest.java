package io.podnet.dataplane.overlay;

import static io.podnet.dataplane.overlay.Overlays.hops;
import static io.podnet.dataplane.overlay.Overlays.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.Cidr;
import io.podnet.core.net.Device;
import io.podnet.core.net.HopAction;
import io.podnet.core.net.Iproute2;
import io.podnet.core.net.PacketHop;
import io.podnet.core.net.PingOptions;
import io.podnet.core.net.ProbeResult;
import io.podnet.core.net.Route;
import io.podnet.core.net.StreamListener;
import io.podnet.core.net.TcpStream;
import io.podnet.core.packet.EthernetHeader;
import io.podnet.core.packet.IcmpMessage;
import io.podnet.core.packet.IpProtocol;
import io.podnet.core.packet.Ipv4Header;
import io.podnet.core.trace.PcapWriter;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link IpipTunnel}: Calico's tunl0 over two nodes, the wire bytes, bad input. */
class IpipTunnelTest {

  private static IpipTunnel tunl0(Overlays o, int node) {
    return (IpipTunnel) o.tunnels[node];
  }

  @Test
  void ipDetailedLinkShow_tunl0_matchesRealFormat() {
    Overlays o = Overlays.calicoIpip(1);
    int index = tunl0(o, 0).ifindex();

    assertThat(Iproute2.ipDetailedLinkShow(o.node1, "tunl0"))
        .isEqualTo(
            index
                + ": tunl0@NONE: <NOARP,UP,LOWER_UP> mtu 1480 qdisc noqueue state UNKNOWN mode"
                + " DEFAULT group default qlen 1000\n"
                + "    link/ipip 0.0.0.0 brd 0.0.0.0 promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 \n"
                + "    ipip any remote any local any ttl inherit nopmtudisc addrgenmode eui64"
                + " numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535"
                + " tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 \n");
    assertThat(Iproute2.ipAddrShow(o.node1))
        .contains(
            index
                + ": tunl0@NONE: <NOARP,UP,LOWER_UP> mtu 1480 qdisc noqueue state UNKNOWN group"
                + " default qlen 1000\n"
                + "    link/ipip 0.0.0.0 brd 0.0.0.0\n"
                + "    inet 10.244.1.0/32 scope global tunl0\n");
    assertThat(Iproute2.bridgeFdbShow(o.node1)).doesNotContain("tunl0");
    assertThat(Iproute2.ipRouteShow(o.node1))
        .contains("10.244.2.0/24 via 192.168.1.12 dev tunl0 proto bird onlink \n");
  }

  @Test
  void ping_podToPodOverIpip_ttl62WithEncapToRouteGateway() {
    Overlays o = Overlays.calicoIpip(1);

    ProbeResult r = o.pod1.ping(ip("10.244.2.2"));

    assertThat(r.success()).as(r.walk().render()).isTrue();
    assertThat(r.message()).startsWith("64 bytes from 10.244.2.2: icmp_seq=1 ttl=62 time=");
    assertThat(hops(r.walk(), HopAction.ENCAP))
        .extracting(h -> h.location() + " " + h.device() + " " + h.detail())
        .containsExactly(
            "node-1 tunl0 ipip remote 192.168.1.12", "node-2 tunl0 ipip remote 192.168.1.11");
    assertThat(hops(r.walk(), HopAction.DECAP))
        .extracting(h -> h.location() + " " + h.detail())
        .containsExactly("node-2 ipip from 192.168.1.11", "node-1 ipip from 192.168.1.12");
    assertThat(hops(r.walk(), HopAction.ARP))
        .as("tunl0 resolves nothing")
        .noneMatch(h -> h.device().equals("tunl0"));
  }

  @Test
  void transmit_echoRequest_outerHeaderInheritsTtlAndDf() {
    Overlays o = Overlays.calicoIpip(1);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    o.node1.device("eth0").capture(PcapWriter.to(bytes));

    assertThat(o.pod1.ping(ip("10.244.2.2")).success()).isTrue();

    byte[] f =
        Pcaps.frames(bytes.toByteArray()).stream()
            .filter(b -> Ipv4Header.protocol(b, EthernetHeader.LENGTH) == IpProtocol.IPIP)
            .findFirst()
            .orElseThrow();
    int outer = EthernetHeader.LENGTH;
    int inner = outer + Ipv4Header.MIN_LENGTH;
    assertThat(Ipv4Header.src(f, outer)).isEqualTo(ip("192.168.1.11").toInt());
    assertThat(Ipv4Header.dst(f, outer)).isEqualTo(ip("192.168.1.12").toInt());
    assertThat(Ipv4Header.totalLength(f, outer)).isEqualTo(20 + 84);
    assertThat(Ipv4Header.checksumValid(f, outer)).isTrue();
    assertThat(Ipv4Header.ttl(f, inner)).isEqualTo(63);
    assertThat(Ipv4Header.ttl(f, outer)).as("ttl inherit").isEqualTo(63);
    assertThat(Ipv4Header.dontFragment(f, outer)).as("DF copied from the inner packet").isTrue();
    assertThat(Ipv4Header.src(f, inner)).isEqualTo(ip("10.244.1.2").toInt());
  }

  @Test
  void ping_1500BytePacketFromPodWithMtu1500_fragNeededMtu1480() {
    Overlays o = Overlays.calicoIpip(1);

    ProbeResult r = o.pod1.ping(ip("10.244.2.2"), PingOptions.DEFAULT.withPayloadSize(1472));

    assertThat(r.message())
        .isEqualTo("From 10.244.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1480)");
  }

  /** A 1428-byte ping with DF always set ({@code ping -M do -s 1400}): over 1400 inside IPIP. */
  private static final PingOptions PAST_1380 =
      PingOptions.DEFAULT.withPayloadSize(1400).withDontFragment(true);

  @Test
  void ping_dfPacketAboveTheRouteMtuToTheRemoteLess20_podToldThatMtuThenFailsLocally() {
    Overlays o = Overlays.calicoIpip(1);
    o.node1.addRoute(
        Route.to(Cidr.parse("192.168.1.12/32")).dev(o.node1.device("eth0")).mtu(1400).build());

    ProbeResult first = o.pod1.ping(ip("10.244.2.2"), PAST_1380);
    ProbeResult second = o.pod1.ping(ip("10.244.2.2"), PAST_1380.withSequence(2));
    ProbeResult fits =
        o.pod1.ping(ip("10.244.2.2"), PingOptions.DEFAULT.withPayloadSize(1352).withSequence(3));

    assertThat(first.message())
        .isEqualTo("From 10.244.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1380)");
    assertThat(hops(first.walk(), HopAction.DROP))
        .extracting(h -> h.location() + " " + h.device() + " " + h.detail())
        .containsExactly("node-1 tunl0 fragmentation needed and DF set: mtu 1380");
    assertThat(hops(first.walk(), HopAction.ENCAP)).isEmpty();
    assertThat(second.message()).isEqualTo("ping: local error: message too long, mtu=1380");
    assertThat(fits.success()).as(fits.walk().render()).isTrue();
  }

  @Test
  void
      ping_afterTheNodeLearnedASmallerPathMtuToTheRemote_noDfOuterFragmentedAndDfToldTheMtuLess20() {
    Overlays o = Overlays.calicoIpip(1);
    // A router on the way to node-2 would send this about an outer packet too big for its link.
    o.icmpToNode1(
        IcmpMessage.fragmentationNeeded(1400, Overlays.quoteFromNode1(IpProtocol.IPIP, 0, false)));
    assertThat(o.sink.lines())
        .as("tunl0's error handler takes it, as ipip_err does")
        .anyMatch(l -> l.contains("icmp error for ipip: need to frag (mtu 1400)"))
        .noneMatch(l -> l.contains("hop node-1 ") && l.contains(" drop "));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    o.node1.device("eth0").capture(PcapWriter.to(bytes));

    ProbeResult noDf = o.pod1.ping(ip("10.244.2.2"), PAST_1380.withDontFragment(false));
    ProbeResult df = o.pod1.ping(ip("10.244.2.2"), PAST_1380.withSequence(2));

    assertThat(o.node1.pathMtu(ip("192.168.1.12").toInt())).isEqualTo(1400);
    assertThat(noDf.success()).as(noDf.walk().render()).isTrue();
    assertThat(
            Pcaps.frames(bytes.toByteArray()).stream()
                .filter(f -> Ipv4Header.src(f, EthernetHeader.LENGTH) == ip("192.168.1.11").toInt())
                .map(f -> Ipv4Header.totalLength(f, EthernetHeader.LENGTH)))
        .as("the 1448-byte outer packet leaves node-1 in fragments of the learned 1400")
        .containsExactly(1396, 72);
    assertThat(df.message())
        .isEqualTo("From 10.244.1.1 icmp_seq=2 Frag needed and DF set (mtu = 1380)");
  }

  @Test
  void ping_defaultModeAboveTheRouteMtuToTheRemoteLess20_toldTheMtuThenFragmentedByThePod() {
    Overlays o = Overlays.calicoIpip(1);
    o.node1.addRoute(
        Route.to(Cidr.parse("192.168.1.12/32")).dev(o.node1.device("eth0")).mtu(1400).build());
    PingOptions want = PingOptions.DEFAULT.withPayloadSize(1400);

    ProbeResult first = o.pod1.ping(ip("10.244.2.2"), want);
    ProbeResult second = o.pod1.ping(ip("10.244.2.2"), want.withSequence(2));

    assertThat(first.message())
        .isEqualTo("From 10.244.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1380)");
    assertThat(second.success()).as(second.walk().render()).isTrue();
    assertThat(hops(second.walk(), HopAction.ENCAP))
        .extracting(PacketHop::location)
        .as("the pod cut the request in two, each wrapped on its own")
        .containsExactly("node-1", "node-1", "node-2");
  }

  @Test
  void icmpInput_timeExceededAboutAnOuterPacket_takenByTheTunnelNotDropped() {
    Overlays o = Overlays.calicoIpip(1);

    o.icmpToNode1(IcmpMessage.timeExceeded(Overlays.quoteFromNode1(IpProtocol.IPIP, 0, false)));

    assertThat(o.sink.lines())
        .anyMatch(l -> l.contains("hop node-1 eth0 deliver #1 icmp error for ipip: time exceeded"))
        .noneMatch(l -> l.contains("hop node-1 ") && l.contains(" drop "));
  }

  @Test
  void icmpInput_fragNeededQuotingOnlyTheOuterHeader_nothingLearnedAndNoModuleTakesIt() {
    Overlays o = Overlays.calicoIpip(1);

    o.icmpToNode1(
        IcmpMessage.fragmentationNeeded(1400, Overlays.quoteFromNode1(IpProtocol.IPIP, 0, true)));

    // icmp_socket_deliver wants the quoted header and 8 bytes more before it tells anyone.
    assertThat(o.node1.pathMtu(ip("192.168.1.12").toInt())).isEqualTo(1500);
    assertThat(o.sink.lines()).noneMatch(l -> l.contains("icmp error for ipip"));
  }

  @Test
  void pathMtu_noRouteToTheDestination_zero() {
    Overlays o = Overlays.calicoIpip(1);

    assertThat(o.node1.pathMtu(ip("203.0.113.9").toInt())).isZero();
    assertThat(o.node1.pathMtu(ip("192.168.1.12").toInt())).isEqualTo(1500);
  }

  @Test
  void ping_fullSizeFromPodWithMtu1480_passesInFullSizeOuterPacket() {
    Overlays o = Overlays.calicoIpip(1).withPodMtu(1480);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    o.node1.device("eth0").capture(PcapWriter.to(bytes));

    ProbeResult r = o.pod1.ping(ip("10.244.2.2"), PingOptions.DEFAULT.withPayloadSize(1452));

    assertThat(r.success()).as(r.walk().render()).isTrue();
    List<byte[]> ipip =
        Pcaps.frames(bytes.toByteArray()).stream()
            .filter(b -> Ipv4Header.protocol(b, EthernetHeader.LENGTH) == IpProtocol.IPIP)
            .toList();
    assertThat(ipip).hasSize(2).allSatisfy(f -> assertThat(f).hasSize(14 + 1500));
  }

  @Test
  void transmit_largeTcpSegment_itsSegmentsEncapsulatedOneByOne() {
    Overlays o = Overlays.calicoIpip(1);
    o.pod1.device("eth0").setMtu(1480);
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    StreamListener server =
        new StreamListener() {
          @Override
          public void connected(TcpStream stream) {}

          @Override
          public void received(TcpStream stream, byte[] buffer, int offset, int length) {
            received.write(buffer, offset, length);
          }

          @Override
          public void closed(TcpStream stream, String reason) {}
        };
    o.pod2.listenStream(179, server);
    TcpStream s = o.pod1.openStream(ip("10.244.2.2"), 179, server);
    o.network.simulation().runUntilIdle();
    byte[] data = new byte[5000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 13);
    }
    long encapsBefore = encaps(o);

    s.send(data); // MSS 1,440: one large segment from the pod, four segments on the underlay

    o.network.simulation().runUntilIdle();
    assertThat(received.toByteArray()).isEqualTo(data);
    assertThat(encaps(o) - encapsBefore).isEqualTo(4);
    assertThat(o.sink.lines()).noneMatch(l -> l.contains(" drop ") && l.contains(" node-"));
  }

  private static long encaps(Overlays o) {
    return o.sink.lines().stream().filter(l -> l.contains("hop node-1 tunl0 encap")).count();
  }

  @Test
  void transmit_directRouteWithoutGateway_circularRouteDropped() {
    Overlays o = Overlays.calicoIpip(1);
    o.node1.addRoute(Route.to(Cidr.parse("10.99.0.0/16")).dev(tunl0(o, 0)).build());

    ProbeResult r = o.pod1.ping(ip("10.99.0.5"));

    assertThat(r.success()).isFalse();
    assertThat(hops(r.walk(), HopAction.ENCAP)).isEmpty();
    assertThat(hops(r.walk(), HopAction.DROP))
        .extracting(h -> h.device() + " " + h.detail())
        .containsExactly("tunl0 no tunnel destination: circular route to 10.99.0.5 via tunl0");
  }

  @Test
  void transmit_gatewayWithoutUnderlayRoute_droppedNetworkUnreachable() {
    Overlays o = Overlays.calicoIpip(1);
    o.node1.addRoute(
        Route.to(Cidr.parse("10.98.0.0/16"))
            .via(ip("172.16.0.9"))
            .dev(tunl0(o, 0))
            .onlink()
            .build());

    ProbeResult r = o.pod1.ping(ip("10.98.0.5"));

    assertThat(r.success()).isFalse();
    assertThat(hops(r.walk(), HopAction.ENCAP))
        .extracting(PacketHop::detail)
        .containsExactly("ipip remote 172.16.0.9");
    assertThat(hops(r.walk(), HopAction.DROP))
        .extracting(h -> h.device() + " " + h.detail())
        .containsExactly("tunl0 no route to host: ipip remote 172.16.0.9: Network is unreachable");
  }

  @Test
  void ping_acrossTunnel_countsOnePacketEachWayPerTunnel() {
    Overlays o = Overlays.calicoIpip(1);

    assertThat(o.pod1.ping(ip("10.244.2.2")).success()).isTrue();

    assertThat(tunl0(o, 0).txPackets()).isEqualTo(1);
    assertThat(tunl0(o, 0).rxPackets()).isEqualTo(1);
    assertThat(tunl0(o, 1).txPackets()).isEqualTo(1);
    assertThat(tunl0(o, 1).rxPackets()).isEqualTo(1);
  }

  @Test
  void create_secondTunnelInNamespace_iseAndNamespaceUnchanged() {
    Overlays o = Overlays.calicoIpip(1);
    String before = Iproute2.ipLinkShow(o.node1);

    assertThatThrownBy(() -> IpipTunnel.create(o.node1, "ipip0", o.node1.device("eth0")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("IP protocol 4 is already bound in node-1");
    assertThat(Iproute2.ipLinkShow(o.node1)).isEqualTo(before);
  }

  @Test
  void create_badPlacement_iaeNamingKeyAndValue() {
    Overlays o = Overlays.calicoIpip(1);
    String before = Iproute2.ipLinkShow(o.node1);
    Device eth0 = o.node1.device("eth0");

    assertThatThrownBy(() -> IpipTunnel.create(o.node1, "tunl0", eth0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("device \"tunl0\" already exists in node-1");
    assertThatThrownBy(() -> IpipTunnel.create(o.node1, "ipip0", o.node2.device("eth0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("underlay device eth0 is not in node-1");
    assertThat(Iproute2.ipLinkShow(o.node1)).isEqualTo(before);
  }

  @Test
  void setMtu_aboveUnderlayLess20_iaeAndMtuUnchanged() {
    Overlays o = Overlays.calicoIpip(1);
    IpipTunnel t = tunl0(o, 0);

    assertThatThrownBy(() -> t.setMtu(1481))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("mtu must be <= 1480 (dev eth0 mtu 1500 less 20 bytes of IPIP overhead): 1481");
    assertThat(t.mtu()).isEqualTo(1480);
    t.setMtu(1440);
    assertThat(t.mtu()).isEqualTo(1440);
  }

  @Test
  void delete_tunnel_protocolReleased() {
    Overlays o = Overlays.calicoIpip(1);

    tunl0(o, 0).delete();

    assertThat(o.node1.findDevice("tunl0")).isEmpty();
    assertThat(IpipTunnel.create(o.node1, "tunl0", o.node1.device("eth0")).mtu()).isEqualTo(1480);
  }
}
