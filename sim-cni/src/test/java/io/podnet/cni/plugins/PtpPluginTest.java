package io.podnet.cni.plugins;

import static io.podnet.cni.plugins.PluginFixture.conflist;
import static io.podnet.cni.plugins.PluginFixture.netns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.cni.spec.CniResult;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Device;
import io.podnet.core.net.Iproute2;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.ProbeResult;
import io.podnet.core.net.Route;
import org.junit.jupiter.api.Test;

class PtpPluginTest {

  private static final String STORE = "/var/lib/cni/networks/mynet";
  private static final String PTP =
      conflist(
          "{\"type\":\"ptp\",\"ipam\":{\"type\":\"host-local\","
              + "\"ranges\":[[{\"subnet\":\"10.1.1.0/24\"}]],"
              + "\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}}");

  private final PluginFixture node = new PluginFixture().config(PTP);

  @Test
  void add_result_listsHostVethThenEth0WithTheIpAtIndex1() {
    node.sandbox("c1");

    CniResult result = node.add("c1");

    assertThat(result.interfaces())
        .extracting(CniResult.Interface::name)
        .satisfiesExactly(
            n -> assertThat(n).matches("veth[0-9a-f]{8}"), n -> assertThat(n).isEqualTo("eth0"));
    assertThat(result.interfaces().get(1).sandbox()).isEqualTo(netns("c1"));
    assertThat(result.ips())
        .containsExactly(
            new CniResult.IpConfig(
                IfAddress.parse("10.1.1.2/24"), Ipv4Address.parse("10.1.1.1"), 1));
    assertThat(node.host.root().findDevice("cni0")).isEmpty();
  }

  @Test
  void add_hostVeth_carriesTheGatewayAsSlash32AndARouteBackToThePod() {
    node.sandbox("c1");

    CniResult result = node.add("c1");

    String veth = result.interfaces().get(0).name();
    Device hostEnd = node.host.root().device(veth);
    assertThat(hostEnd.addresses()).containsExactly(IfAddress.parse("10.1.1.1/32"));
    assertThat(hostEnd.master()).isNull();
    Route back = node.host.root().routes().lookup(Ipv4Address.parse("10.1.1.2").toInt());
    assertThat(back).isNotNull();
    assertThat(back.destination()).isEqualTo(Cidr.parse("10.1.1.2/32"));
    assertThat(back.device()).isSameAs(hostEnd);
    assertThat(back.gateway()).isNull();
    // (ip route prints a /32 without its length: "10.1.1.2 dev vethX ..."; the kernel model's
    // Iproute2 still prints "/32", so compare the route itself)
    assertThat(node.host.root().ipForward()).isTrue();
  }

  @Test
  void add_pod_routesViaTheGatewayWithALinkScopeRouteToIt() {
    NetNamespace c1 = node.sandbox("c1");

    node.add("c1");

    Device eth0 = c1.device("eth0");
    Ipv4Address self = Ipv4Address.parse("10.1.1.2");
    Ipv4Address gw = Ipv4Address.parse("10.1.1.1");
    assertThat(c1.routes().routes())
        .containsExactlyInAnyOrder(
            Route.to(Cidr.parse("10.1.1.1/32")).dev(eth0).scope(Route.Scope.LINK).src(self).build(),
            Route.to(Cidr.parse("10.1.1.0/24")).via(gw).dev(eth0).src(self).build(),
            Route.to(Cidr.parse("0.0.0.0/0")).via(gw).dev(eth0).build());
    assertThat(Iproute2.ipRouteShow(c1)).contains("default via 10.1.1.1 dev eth0 \n");
    assertThat(eth0.addresses()).containsExactly(IfAddress.parse("10.1.1.2/24"));
    // the subnet is not on-link: every destination goes through the gateway
    Route toNeighbour = c1.routes().lookup(Ipv4Address.parse("10.1.1.3").toInt());
    assertThat(toNeighbour).isNotNull();
    assertThat(toNeighbour.gateway()).isEqualTo(Ipv4Address.parse("10.1.1.1"));
  }

  @Test
  void ping_betweenTwoPodsOnAPtpNode_isAnsweredThroughTheHost() {
    NetNamespace c1 = node.sandbox("c1");
    NetNamespace c2 = node.sandbox("c2");
    node.add("c1");
    node.add("c2");

    ProbeResult ping = c1.ping(Ipv4Address.parse("10.1.1.3"));

    assertThat(ping.success()).as(ping.toString()).isTrue();
    assertThat(ping.from()).isEqualTo(Ipv4Address.parse("10.1.1.3"));
    assertThat(c2.device("eth0").rxPackets()).isPositive();
  }

  @Test
  void add_ipamWithoutRoutes_addsNoDefaultRoute() {
    PluginFixture bare =
        new PluginFixture()
            .config(
                conflist(
                    "{\"type\":\"ptp\",\"ipam\":{\"type\":\"host-local\","
                        + "\"ranges\":[[{\"subnet\":\"10.1.1.0/24\"}]]}}"));
    NetNamespace c1 = bare.sandbox("c1");

    CniResult result = bare.add("c1");

    assertThat(result.routes()).isEmpty();
    assertThat(Iproute2.ipRouteShow(c1)).doesNotContain("default");
  }

  @Test
  void ping_podToItsGateway_isAnsweredByTheNode() {
    NetNamespace c1 = node.sandbox("c1");
    node.add("c1");

    assertThat(c1.ping(Ipv4Address.parse("10.1.1.1")).success()).isTrue();
  }

  @Test
  void del_removesHostVethRouteAndAddress() {
    node.sandbox("c1");
    CniResult result = node.add("c1");
    String veth = result.interfaces().get(0).name();

    node.del("c1");

    assertThat(node.host.root().findDevice(veth)).isEmpty();
    assertThat(Iproute2.ipRouteShow(node.host.root())).doesNotContain("10.1.1.2");
    assertThat(node.files().exists(STORE + "/10.1.1.2")).isFalse();
    assertThatCode(() -> node.del("c1")).doesNotThrowAnyException();
  }

  @Test
  void check_afterAdd_succeedsAndFailsOnceTheAddressIsGone() {
    NetNamespace c1 = node.sandbox("c1");
    node.add("c1");
    assertThatCode(() -> node.check("c1")).doesNotThrowAnyException();

    c1.removeAddress(c1.device("eth0"), IfAddress.parse("10.1.1.2/24"));

    assertThatThrownBy(() -> node.check("c1"))
        .hasMessage(
            "plugin type=\"ptp\" failed (check): Failed to match addr 10.1.1.2/24 on interface"
                + " eth0");
  }
}
