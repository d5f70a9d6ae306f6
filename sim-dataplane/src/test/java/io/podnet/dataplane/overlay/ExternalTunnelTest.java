package io.podnet.dataplane.overlay;

import static io.podnet.dataplane.overlay.Overlays.hops;
import static io.podnet.dataplane.overlay.Overlays.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.Cidr;
import io.podnet.core.net.HopAction;
import io.podnet.core.net.Iproute2;
import io.podnet.core.net.PacketHop;
import io.podnet.core.net.ProbeResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** External (collect-metadata) VXLAN and Geneve devices, as Cilium creates them. */
class ExternalTunnelTest {

  @Test
  void ipDetailedLinkShow_externalVxlan_showsExternalAndNoVniLocalOrDev() {
    Overlays o = Overlays.external(1, false);

    // a Cilium node: `ip -d link show cilium_vxlan`
    assertThat(Iproute2.ipDetailedLinkShow(o.node1, "cilium_vxlan"))
        .contains("cilium_vxlan: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 ")
        .contains("minmtu 68 maxmtu 65535")
        .contains(
            "vxlan external id 0 srcport 0 0 dstport 8472 nolearning ttl auto ageing 300 udpcsum"
                + " noudp6zerocsumtx noudp6zerocsumrx");
  }

  @Test
  void ipDetailedLinkShow_externalGeneve_showsExternalOnPort6081() {
    Overlays o = Overlays.external(1, true);

    assertThat(Iproute2.ipDetailedLinkShow(o.node1, "cilium_geneve"))
        .contains("mtu 1500 ")
        .contains("geneve external id 0 ttl auto dstport 6081 noudpcsum udp6zerocsumrx");
  }

  @Test
  void ping_externalVxlan_remoteComesFromTheTunnelMap() {
    Overlays o = Overlays.external(1, false).withPodMtu(1450);

    ProbeResult r = o.pod1.ping(ip("10.244.2.2"));

    assertThat(r.success()).as(r.walk().render()).isTrue();
    List<PacketHop> encaps = hops(r.walk(), HopAction.ENCAP);
    assertThat(encaps).extracting(PacketHop::location).containsExactly("node-1", "node-2");
    assertThat(encaps.get(0).detail()).startsWith("vxlan vni 0 remote 192.168.1.12 srcport ");
    assertThat(hops(r.walk(), HopAction.DECAP))
        .extracting(PacketHop::detail)
        .containsExactly("vxlan vni 0 from 192.168.1.11", "vxlan vni 0 from 192.168.1.12");
  }

  @Test
  void ping_externalGeneve_remoteComesFromTheTunnelMap() {
    Overlays o = Overlays.external(1, true).withPodMtu(1450);

    ProbeResult r = o.pod1.ping(ip("10.244.2.2"));

    assertThat(r.success()).as(r.walk().render()).isTrue();
    assertThat(hops(r.walk(), HopAction.ENCAP).get(0).detail())
        .startsWith("geneve vni 0 remote 192.168.1.12 srcport ")
        .endsWith(" dstport 6081");
  }

  @Test
  void transmit_noTunnelEndpoint_droppedNamingTheDestination() {
    Overlays o = Overlays.external(1, false).withPodMtu(1450);
    VxlanDevice vx = (VxlanDevice) o.tunnels[0];
    assertThat(vx.removeTunnelEndpoint(Cidr.parse("10.244.2.0/24"))).isTrue();

    ProbeResult r = o.pod1.ping(ip("10.244.2.2"));

    assertThat(r.success()).isFalse();
    assertThat(hops(r.walk(), HopAction.DROP))
        .extracting(PacketHop::detail)
        .contains("no tunnel destination: no tunnel endpoint for 10.244.2.2 on cilium_vxlan");
  }

  @Test
  void modes_wrongCallsForTheMode_ise() {
    Overlays external = Overlays.external(1, false);
    Overlays flannel = Overlays.flannel(1, VxlanDevice.LINUX_PORT);
    VxlanDevice ext = (VxlanDevice) external.tunnels[0];
    VxlanDevice fdb = (VxlanDevice) flannel.tunnels[0];

    assertThat(ext.isExternal()).isTrue();
    assertThat(fdb.isExternal()).isFalse();
    assertThat(ext.tunnelEndpoints()).containsOnlyKeys(Cidr.parse("10.244.2.0/24"));
    assertThatThrownBy(() -> ext.addFdb(fdb.mac(), ip("192.168.1.12")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cilium_vxlan is external");
    assertThatThrownBy(() -> fdb.setTunnelEndpoint(Cidr.parse("10.0.0.0/8"), ip("192.168.1.12")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("flannel.1 is not external");
    assertThatThrownBy(ext::localVtep).isInstanceOf(IllegalStateException.class);
  }
}
