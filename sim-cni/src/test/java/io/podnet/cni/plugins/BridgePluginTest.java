package io.podnet.cni.plugins;

import static io.podnet.cni.plugins.PluginFixture.conflist;
import static io.podnet.cni.plugins.PluginFixture.hostLocal;
import static io.podnet.cni.plugins.PluginFixture.netns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.cni.runtime.CniRuntimeException;
import io.podnet.cni.spec.CniError;
import io.podnet.cni.spec.CniResult;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Bridge;
import io.podnet.core.net.Device;
import io.podnet.core.net.Iproute2;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Route;
import io.podnet.core.net.Veth;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BridgePluginTest {

  private static final String STORE = "/var/lib/cni/networks/mynet";
  private static final String GATEWAY_BRIDGE =
      conflist(
          "{\"type\":\"bridge\",\"bridge\":\"cni0\",\"isGateway\":true,\"isDefaultGateway\":true,"
              + "\"ipam\":"
              + hostLocal("10.244.1.0/24")
              + "}");

  private static final String MAC_CAPABLE =
      conflist(
          "{\"type\":\"bridge\",\"capabilities\":{\"mac\":true},"
              + "\"args\":{\"cni\":{\"mac\":\"0a:58:0a:f4:01:05\"}},\"ipam\":"
              + hostLocal("10.244.1.0/24")
              + "}");

  private final PluginFixture node = new PluginFixture();

  // ---------------------------------------------------------------- result and devices

  @Test
  void add_result_listsBridgeHostVethAndContainerEth0WithIpsAtIndex2() {
    node.config(GATEWAY_BRIDGE).sandbox("c1");

    CniResult result = node.add("c1");

    assertThat(result.interfaces()).hasSize(3);
    CniResult.Interface bridge = result.interfaces().get(0);
    CniResult.Interface hostVeth = result.interfaces().get(1);
    CniResult.Interface eth0 = result.interfaces().get(2);
    assertThat(bridge.name()).isEqualTo("cni0");
    assertThat(bridge.sandbox()).isEmpty();
    assertThat(hostVeth.name()).matches("veth[0-9a-f]{8}");
    assertThat(hostVeth.sandbox()).isEmpty();
    assertThat(eth0.name()).isEqualTo("eth0");
    assertThat(eth0.sandbox()).isEqualTo(netns("c1"));
    assertThat(result.ips()).hasSize(1);
    CniResult.IpConfig ip = result.ips().get(0);
    assertThat(ip.address()).isEqualTo(IfAddress.parse("10.244.1.2/24"));
    assertThat(ip.gateway()).isEqualTo(Ipv4Address.parse("10.244.1.1"));
    assertThat(ip.interfaceIndex()).isEqualTo(2);
  }

  @Test
  void add_macsInTheResult_areTheDevicesMacs() {
    NetNamespace c1 = node.config(GATEWAY_BRIDGE).sandbox("c1");

    CniResult result = node.add("c1");

    NetNamespace root = node.host.root();
    assertThat(result.interfaces().get(0).mac()).isEqualTo(root.device("cni0").mac());
    assertThat(result.interfaces().get(1).mac())
        .isEqualTo(root.device(result.interfaces().get(1).name()).mac());
    assertThat(result.interfaces().get(2).mac()).isEqualTo(c1.device("eth0").mac());
  }

  @Test
  void add_macInArgsCni_givesEth0ThatMac() {
    String conf =
        conflist(
            "{\"type\":\"bridge\",\"args\":{\"cni\":{\"mac\":\"0a:58:0a:f4:01:05\"}},\"ipam\":"
                + hostLocal("10.244.1.0/24")
                + "}");
    NetNamespace c1 = node.config(conf).sandbox("c1");

    CniResult result = node.add("c1");

    assertThat(c1.device("eth0").mac().toString()).isEqualTo("0a:58:0a:f4:01:05");
    assertThat(result.interfaces().get(2).mac().toString()).isEqualTo("0a:58:0a:f4:01:05");
  }

  @Test
  void add_macCapabilityInRuntimeConfig_winsOverArgsCni() {
    NetNamespace c1 = node.config(MAC_CAPABLE).sandbox("c1");

    node.add("c1", java.util.Map.of("mac", "c2:11:22:33:44:55"));

    assertThat(c1.device("eth0").mac().toString()).isEqualTo("c2:11:22:33:44:55");
  }

  @Test
  void add_multicastMac_failsAsTheKernelRefusesIt_andLeavesNoInterface() {
    NetNamespace c1 = node.config(MAC_CAPABLE).sandbox("c1");

    assertThatThrownBy(() -> node.add("c1", java.util.Map.of("mac", "01:00:5e:00:00:01")))
        .isInstanceOf(CniRuntimeException.class)
        .hasMessageContaining("failed to make veth pair: cannot assign requested address");
    assertThat(c1.findDevice("eth0")).isEmpty();
  }

  @Test
  void add_ipLinkShow_podSeesEth0AtIndex3PairedWithTheHostVethOnCni0() {
    NetNamespace c1 = node.config(GATEWAY_BRIDGE).sandbox("c1");

    CniResult result = node.add("c1");

    String hostVeth = result.interfaces().get(1).name();
    Device hostEnd = node.host.root().device(hostVeth);
    String podLinks = Iproute2.ipLinkShow(c1);
    String nodeLinks = Iproute2.ipLinkShow(node.host.root());
    // the article: "3: eth0@if4: <BROADCAST,MULTICAST,UP,LOWER_UP>" in the pod and
    // "4: veth7382@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> ... master cni0" on the node
    assertThat(podLinks)
        .contains("3: eth0@if" + hostEnd.ifindex() + ": <BROADCAST,MULTICAST,UP,LOWER_UP>");
    Matcher line =
        Pattern.compile("(?m)^" + hostEnd.ifindex() + ": " + hostVeth + "@if3: (.*)$")
            .matcher(nodeLinks);
    assertThat(line.find()).as(nodeLinks).isTrue();
    assertThat(line.group(1))
        .startsWith("<BROADCAST,MULTICAST,UP,LOWER_UP>")
        .contains("master cni0");
    assertThat(hostEnd.master()).isSameAs(node.host.root().device("cni0"));
  }

  @Test
  void add_twoContainers_getDistinctVethNamesOnTheSameBridge() {
    node.config(GATEWAY_BRIDGE).sandbox("c1");
    node.sandbox("c2");

    CniResult first = node.add("c1");
    CniResult second = node.add("c2");

    assertThat(first.interfaces().get(1).name()).isNotEqualTo(second.interfaces().get(1).name());
    assertThat(second.ips().get(0).address()).isEqualTo(IfAddress.parse("10.244.1.3/24"));
    Bridge cni0 = (Bridge) node.host.root().device("cni0");
    assertThat(cni0.ports()).hasSize(2);
  }

  // ---------------------------------------------------------------- options

  @Test
  void add_isGateway_putsTheGatewayOnTheBridgeAndTurnsOnForwarding() {
    node.config(GATEWAY_BRIDGE).sandbox("c1");
    assertThat(node.host.root().ipForward()).isFalse();

    node.add("c1");

    assertThat(node.host.root().device("cni0").addresses())
        .containsExactly(IfAddress.parse("10.244.1.1/24"));
    assertThat(node.host.root().ipForward()).isTrue();
  }

  @Test
  void add_withoutIsGateway_leavesTheBridgeWithoutAddressAndForwardingOff() {
    node.config(conflist("{\"type\":\"bridge\",\"ipam\":" + hostLocal("10.244.1.0/24") + "}"))
        .sandbox("c1");

    CniResult result = node.add("c1");

    assertThat(node.host.root().device("cni0").addresses()).isEmpty();
    assertThat(node.host.root().ipForward()).isFalse();
    assertThat(result.routes()).isEmpty();
    assertThat(Iproute2.ipRouteShow(node.host.namespace("c1"))).doesNotContain("default");
  }

  @Test
  void add_isDefaultGateway_addsDefaultViaTheGatewayInPodAndResult() {
    NetNamespace c1 = node.config(GATEWAY_BRIDGE).sandbox("c1");

    CniResult result = node.add("c1");

    assertThat(result.routes())
        .containsExactly(
            new CniResult.RouteConfig(Cidr.parse("0.0.0.0/0"), Ipv4Address.parse("10.244.1.1")));
    assertThat(Iproute2.ipRouteShow(c1))
        .contains("default via 10.244.1.1 dev eth0")
        .contains("10.244.1.0/24 dev eth0 proto kernel scope link src 10.244.1.2");
  }

  @Test
  void add_isDefaultGatewayWithoutIsGateway_impliesIsGateway() {
    node.config(
            conflist(
                "{\"type\":\"bridge\",\"isDefaultGateway\":true,\"ipam\":"
                    + hostLocal("10.244.1.0/24")
                    + "}"))
        .sandbox("c1");

    node.add("c1");

    assertThat(node.host.root().device("cni0").addresses())
        .containsExactly(IfAddress.parse("10.244.1.1/24"));
  }

  @Test
  void add_mtuZeroOrAbsent_gives1500Everywhere() {
    node.config(
            conflist("{\"type\":\"bridge\",\"mtu\":0,\"ipam\":" + hostLocal("10.244.1.0/24") + "}"))
        .sandbox("c1");

    CniResult result = node.add("c1");

    assertThat(node.host.namespace("c1").device("eth0").mtu()).isEqualTo(1500);
    assertThat(node.host.root().device(result.interfaces().get(1).name()).mtu()).isEqualTo(1500);
    assertThat(node.host.root().device("cni0").mtu()).isEqualTo(1500);
  }

  @Test
  void add_mtu1450_setsItOnBothVethEnds() {
    node.config(
            conflist(
                "{\"type\":\"bridge\",\"mtu\":1450,\"ipam\":" + hostLocal("10.244.1.0/24") + "}"))
        .sandbox("c1");

    CniResult result = node.add("c1");

    assertThat(node.host.namespace("c1").device("eth0").mtu()).isEqualTo(1450);
    assertThat(node.host.root().device(result.interfaces().get(1).name()).mtu()).isEqualTo(1450);
    assertThat(Iproute2.ipLinkShow(node.host.namespace("c1"))).contains("mtu 1450");
  }

  @Test
  void add_hairpinAndPromiscTogether_failsAndAllocatesNothing() {
    node.config(
            conflist(
                "{\"type\":\"bridge\",\"hairpinMode\":true,\"promiscMode\":true,\"ipam\":"
                    + hostLocal("10.244.1.0/24")
                    + "}"))
        .sandbox("c1");

    assertThatThrownBy(() -> node.add("c1"))
        .isInstanceOfSatisfying(
            CniRuntimeException.class,
            e -> {
              assertThat(e)
                  .hasMessage(
                      "plugin type=\"bridge\" failed (add): cannot set hairpin mode and"
                          + " promiscuous mode at the same time.");
              assertThat(e.error()).map(CniError::code).contains(999);
            });
    assertThat(node.files().list(STORE)).doesNotContain("10.244.1.2");
    assertThat(node.host.namespace("c1").findDevice("eth0")).isEmpty();
  }

  @Test
  void add_hairpinMode_turnsHairpinOnForTheHostVethOnly() {
    node.config(
            conflist(
                "{\"type\":\"bridge\",\"hairpinMode\":true,\"ipam\":"
                    + hostLocal("10.244.1.0/24")
                    + "}"))
        .sandbox("c1");

    CniResult result = node.add("c1");

    Bridge cni0 = (Bridge) node.host.root().device("cni0");
    Device hostVeth = node.host.root().device(result.interfaces().get(1).name());
    assertThat(cni0.hairpin(hostVeth)).isTrue();
  }

  @Test
  void add_promiscMode_bridgeShowsPromiscInIpLink() {
    node.config(
            conflist(
                "{\"type\":\"bridge\",\"promiscMode\":true,\"ipam\":"
                    + hostLocal("10.244.1.0/24")
                    + "}"))
        .sandbox("c1");

    node.add("c1");

    assertThat(Iproute2.ipLinkShow(node.host.root(), "cni0"))
        .startsWith("2: cni0: <BROADCAST,MULTICAST,PROMISC,UP,LOWER_UP> mtu 1500 ");
  }

  @Test
  void add_nonZeroVlan_refusedWithCode2BecauseVlanFilteringIsNotModelled() {
    node.config(
            conflist(
                "{\"type\":\"bridge\",\"vlan\":10,\"ipam\":" + hostLocal("10.244.1.0/24") + "}"))
        .sandbox("c1");

    assertThatThrownBy(() -> node.add("c1"))
        .isInstanceOfSatisfying(
            CniRuntimeException.class,
            e -> assertThat(e.error()).map(CniError::code).contains(CniError.UNSUPPORTED_FIELD));
    assertThat(node.files().list(STORE)).doesNotContain("10.244.1.2");
  }

  @Test
  void del_hairpinAndPromiscTogether_stillSucceeds() {
    node.config(
            conflist(
                "{\"type\":\"bridge\",\"hairpinMode\":true,\"promiscMode\":true,\"ipam\":"
                    + hostLocal("10.244.1.0/24")
                    + "}"))
        .sandbox("c1");

    assertThatCode(() -> node.del("c1")).doesNotThrowAnyException();
  }

  @Test
  void add_vlanOutOfRange_failsNamingTheId() {
    node.config(
            conflist(
                "{\"type\":\"bridge\",\"vlan\":4095,\"ipam\":" + hostLocal("10.244.1.0/24") + "}"))
        .sandbox("c1");

    assertThatThrownBy(() -> node.add("c1"))
        .hasMessage(
            "plugin type=\"bridge\" failed (add): invalid VLAN ID 4095 (must be between 0 and"
                + " 4094)");
  }

  @Test
  void add_negativeVlan_fails() {
    node.config(
            conflist(
                "{\"type\":\"bridge\",\"vlan\":-1,\"ipam\":" + hostLocal("10.244.1.0/24") + "}"))
        .sandbox("c1");

    assertThatThrownBy(() -> node.add("c1")).hasMessageContaining("invalid VLAN ID -1");
  }

  // ---------------------------------------------------------------- failures release the IP

  @Test
  void add_bridgeHasAnotherIpv4Address_failsAfterIpamAndReleasesTheIp() {
    node.config(GATEWAY_BRIDGE).sandbox("c1");
    Bridge cni0 = node.host.root().addBridge("cni0");
    node.host.root().addAddress(cni0, IfAddress.parse("10.244.7.1/24"));

    assertThatThrownBy(() -> node.add("c1"))
        .hasMessage(
            "plugin type=\"bridge\" failed (add): failed to set bridge addr: \"cni0\" already"
                + " has an IP address different from 10.244.1.1/24");
    assertThat(node.files().exists(STORE + "/10.244.1.2")).isFalse();
    assertThat(node.files().list(STORE)).allMatch(f -> !f.startsWith("10."));
    assertThat(node.host.namespace("c1").findDevice("eth0")).isEmpty();
    assertThat(node.host.root().devices()).noneMatch(d -> d.name().startsWith("veth"));
  }

  @Test
  void add_bridgeHasAnotherAddressWithForceAddress_replacesIt() {
    node.config(
            conflist(
                "{\"type\":\"bridge\",\"isGateway\":true,\"forceAddress\":true,\"ipam\":"
                    + hostLocal("10.244.1.0/24")
                    + "}"))
        .sandbox("c1");
    Bridge cni0 = node.host.root().addBridge("cni0");
    node.host.root().addAddress(cni0, IfAddress.parse("10.244.7.1/24"));

    node.add("c1");

    assertThat(cni0.addresses()).containsExactly(IfAddress.parse("10.244.1.1/24"));
  }

  @Test
  void add_ifNameAlreadyExists_failsAndHoldsNoAddress() {
    NetNamespace c1 = node.config(GATEWAY_BRIDGE).sandbox("c1");
    c1.addVethPair("eth0", "other");

    assertThatThrownBy(() -> node.add("c1"))
        .hasMessageContaining("plugin type=\"bridge\" failed (add): ")
        .hasMessageContaining("eth0");
    assertThat(node.files().list(STORE)).noneMatch(f -> f.startsWith("10.244.1."));
  }

  @Test
  void add_afterAFailedAdd_theReleasedAddressWaitsForTheWrap() {
    node.config(GATEWAY_BRIDGE).sandbox("c1");
    node.sandbox("c2");
    Bridge cni0 = node.host.root().addBridge("cni0");
    node.host.root().addAddress(cni0, IfAddress.parse("10.244.7.1/24"));
    assertThatThrownBy(() -> node.add("c1")).isInstanceOf(CniRuntimeException.class);
    node.host.root().removeAddress(cni0, IfAddress.parse("10.244.7.1/24"));

    CniResult result = node.add("c2");

    // host-local remembers .2 as last reserved, so the next is .3; .2 itself was released
    assertThat(node.files().exists(STORE + "/10.244.1.2")).isFalse();
    assertThat(result.ips().get(0).address()).isEqualTo(IfAddress.parse("10.244.1.3/24"));
  }

  // ---------------------------------------------------------------- DEL

  @Test
  void del_releasesTheIpAndRemovesBothVethEnds() {
    node.config(GATEWAY_BRIDGE).sandbox("c1");
    CniResult result = node.add("c1");
    String hostVeth = result.interfaces().get(1).name();
    assertThat(node.files().exists(STORE + "/10.244.1.2")).isTrue();

    node.del("c1");

    assertThat(node.files().exists(STORE + "/10.244.1.2")).isFalse();
    assertThat(node.host.namespace("c1").findDevice("eth0")).isEmpty();
    assertThat(node.host.root().findDevice(hostVeth)).isEmpty();
    assertThat(node.host.root().findDevice("cni0")).isPresent();
  }

  @Test
  void del_linkAlreadyDeleted_succeeds() {
    NetNamespace c1 = node.config(GATEWAY_BRIDGE).sandbox("c1");
    node.add("c1");
    c1.deleteDevice(c1.device("eth0"));

    assertThatCode(() -> node.del("c1")).doesNotThrowAnyException();
    assertThat(node.files().exists(STORE + "/10.244.1.2")).isFalse();
  }

  @Test
  void del_namespaceAlreadyGone_succeeds() {
    NetNamespace c1 = node.config(GATEWAY_BRIDGE).sandbox("c1");
    node.add("c1");
    node.host.deleteNamespace(c1);

    assertThatCode(() -> node.del("c1")).doesNotThrowAnyException();
    assertThat(node.files().exists(STORE + "/10.244.1.2")).isFalse();
  }

  @Test
  void del_twice_succeeds() {
    node.config(GATEWAY_BRIDGE).sandbox("c1");
    node.add("c1");
    node.del("c1");

    assertThatCode(() -> node.del("c1")).doesNotThrowAnyException();
  }

  // ---------------------------------------------------------------- CHECK

  @Test
  void check_afterAdd_succeeds() {
    node.config(GATEWAY_BRIDGE).sandbox("c1");
    node.add("c1");

    assertThatCode(() -> node.check("c1")).doesNotThrowAnyException();
  }

  @Test
  void check_podDefaultRouteDeleted_failsNamingTheRoute() {
    NetNamespace c1 = node.config(GATEWAY_BRIDGE).sandbox("c1");
    node.add("c1");
    Route dflt =
        c1.routes().routes().stream()
            .filter(r -> r.destination().prefixLength() == 0)
            .findFirst()
            .orElseThrow();
    c1.removeRoute(dflt);

    assertThatThrownBy(() -> node.check("c1"))
        .isInstanceOf(CniRuntimeException.class)
        .hasMessageStartingWith("plugin type=\"bridge\" failed (check): Failed to match route");
  }

  @Test
  void check_podAddressRemoved_fails() {
    NetNamespace c1 = node.config(GATEWAY_BRIDGE).sandbox("c1");
    node.add("c1");
    c1.removeAddress(c1.device("eth0"), IfAddress.parse("10.244.1.2/24"));

    assertThatThrownBy(() -> node.check("c1"))
        .hasMessageContaining("Failed to match addr 10.244.1.2/24 on interface eth0");
  }

  @Test
  void check_hostVethDetachedFromTheBridge_fails() {
    node.config(GATEWAY_BRIDGE).sandbox("c1");
    CniResult result = node.add("c1");
    Veth hostEnd = (Veth) node.host.root().device(result.interfaces().get(1).name());
    ((Bridge) node.host.root().device("cni0")).removePort(hostEnd);

    assertThatThrownBy(() -> node.check("c1")).hasMessageContaining("failed (check)");
  }
}
