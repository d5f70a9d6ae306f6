package io.podnet.cni.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class CniResultTest {

  private static final String BRIDGE_JSON =
      "{\"cniVersion\":\"1.1.0\","
          + "\"interfaces\":["
          + "{\"name\":\"cni0\",\"mac\":\"0a:58:0a:f4:01:01\"},"
          + "{\"name\":\"veth1234abcd\",\"mac\":\"6e:5a:1b:2c:3d:4e\"},"
          + "{\"name\":\"eth0\",\"mac\":\"0a:58:0a:f4:01:05\",\"mtu\":1450,"
          + "\"sandbox\":\"/var/run/netns/cni-1234\"}],"
          + "\"ips\":[{\"interface\":2,\"address\":\"10.244.1.5/24\",\"gateway\":\"10.244.1.1\"}],"
          + "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.244.1.1\"},{\"dst\":\"10.244.0.0/16\"}],"
          + "\"dns\":{\"nameservers\":[\"10.96.0.10\"],\"search\":[\"default.svc.cluster.local\"],"
          + "\"options\":[\"ndots:5\"]}}";

  static CniResult bridgeResult() {
    return CniResult.builder("1.1.0")
        .addInterface(new CniResult.Interface("cni0", MacAddress.parse("0a:58:0a:f4:01:01"), 0, ""))
        .addInterface(
            new CniResult.Interface("veth1234abcd", MacAddress.parse("6e:5a:1b:2c:3d:4e"), 0, ""))
        .addInterface(
            new CniResult.Interface(
                "eth0", MacAddress.parse("0a:58:0a:f4:01:05"), 1450, "/var/run/netns/cni-1234"))
        .addIp(
            new CniResult.IpConfig(
                IfAddress.parse("10.244.1.5/24"), Ipv4Address.parse("10.244.1.1"), 2))
        .addRoute(
            new CniResult.RouteConfig(Cidr.parse("0.0.0.0/0"), Ipv4Address.parse("10.244.1.1")))
        .addRoute(new CniResult.RouteConfig(Cidr.parse("10.244.0.0/16"), null))
        .dns(
            new CniResult.Dns(
                List.of("10.96.0.10"),
                "",
                List.of("default.svc.cluster.local"),
                List.of("ndots:5")))
        .build();
  }

  @Test
  void toJson_bridgeResult_printsGoFieldsInGoOrder() {
    assertThat(Json.write(bridgeResult().toJson())).isEqualTo(BRIDGE_JSON);
  }

  @Test
  void toJson_ipamResultWithoutInterfaces_omitsEmptyFieldsAndKeepsEmptyDns() {
    CniResult result =
        CniResult.builder("1.0.0")
            .addIp(new CniResult.IpConfig(IfAddress.parse("10.1.0.2/24"), null, -1))
            .build();

    assertThat(Json.write(result.toJson()))
        .isEqualTo("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.1.0.2/24\"}],\"dns\":{}}");
  }

  @Test
  void toJson_version040_addsIpVersionFirstAndPrettyPrintsLikeMarshalIndent() {
    CniResult result =
        CniResult.builder("0.4.0")
            .addIp(
                new CniResult.IpConfig(
                    IfAddress.parse("10.1.0.2/24"), Ipv4Address.parse("10.1.0.1"), -1))
            .build();

    assertThat(Json.pretty(result.toJson()))
        .isEqualTo(
            """
            {
              "cniVersion": "0.4.0",
              "ips": [
                {
                  "version": "4",
                  "address": "10.1.0.2/24",
                  "gateway": "10.1.0.1"
                }
              ],
              "dns": {}
            }""");
  }

  @Test
  void fromJson_bridgeJson_roundTripsToTheSameValueAndText() {
    CniResult parsed = CniResult.fromJson(Json.parse(BRIDGE_JSON));

    assertThat(parsed).isEqualTo(bridgeResult());
    assertThat(parsed.hashCode()).isEqualTo(bridgeResult().hashCode());
    assertThat(Json.write(parsed.toJson())).isEqualTo(BRIDGE_JSON);
    assertThat(parsed.interfaces().get(2).mtu()).isEqualTo(1450);
    assertThat(parsed.ips().get(0).interfaceIndex()).isEqualTo(2);
    assertThat(parsed.routes().get(1).gw()).isNull();
  }

  @Test
  void withVersion_to031_addsVersionToIpsAndDropsMtu() {
    CniResult old = bridgeResult().withVersion("0.3.1");

    String json = Json.write(old.toJson());

    assertThat(old.cniVersion()).isEqualTo("0.3.1");
    assertThat(old.interfaces().get(2).mtu()).isZero();
    assertThat(json)
        .startsWith("{\"cniVersion\":\"0.3.1\",")
        .contains(
            "{\"name\":\"eth0\",\"mac\":\"0a:58:0a:f4:01:05\",\"sandbox\":\"/var/run/netns/cni-1234\"}")
        .contains(
            "\"ips\":[{\"version\":\"4\",\"interface\":2,\"address\":\"10.244.1.5/24\","
                + "\"gateway\":\"10.244.1.1\"}]");
    assertThat(CniResult.fromJson(Json.parse(json))).isEqualTo(old);
  }

  @Test
  void withVersion_backTo110_keepsEverythingButTheLostMtu() {
    CniResult back = bridgeResult().withVersion("0.4.0").withVersion("1.1.0");

    assertThat(back.ips()).isEqualTo(bridgeResult().ips());
    assertThat(back.routes()).isEqualTo(bridgeResult().routes());
    assertThat(back.interfaces().get(2).mtu()).isZero();
    assertThat(Json.write(back.toJson())).doesNotContain("\"version\"");
  }

  @Test
  void withVersion_unsupported_throws() {
    assertThatThrownBy(() -> bridgeResult().withVersion("0.2.0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unsupported CNI result version \"0.2.0\"");
  }

  @Test
  void fromJson_v031Text_parsesVersionedIps() {
    CniResult result =
        CniResult.fromJson(
            Json.parse(
                "{\"cniVersion\":\"0.3.1\",\"ips\":[{\"version\":\"4\",\"address\":\"10.244.1.7/24\","
                    + "\"gateway\":\"10.244.1.1\"}],\"routes\":[{\"dst\":\"10.244.0.0/16\"}],\"dns\":{}}"));

    assertThat(result.cniVersion()).isEqualTo("0.3.1");
    assertThat(result.ips())
        .containsExactly(
            new CniResult.IpConfig(
                IfAddress.parse("10.244.1.7/24"), Ipv4Address.parse("10.244.1.1"), -1));
    assertThat(result.dns()).isEqualTo(CniResult.Dns.EMPTY);
  }

  @Test
  void fromJson_ipv6Entry_failsDecode() {
    assertDecodeFailure(
        "{\"cniVersion\":\"0.4.0\",\"ips\":[{\"version\":\"6\",\"address\":\"fd00::2/64\"}]}",
        "failed to decode CNI result: ips[0].version must be \"4\" (the simulator is IPv4 only),"
            + " got \"6\"");
  }

  @Test
  void fromJson_badAddress_failsDecodeNamingTheField() {
    CniException e =
        decodeFailure("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.1.0.300/24\"}]}");

    assertThat(e.getMessage()).startsWith("failed to decode CNI result: ips[0].address: ");
  }

  @Test
  void fromJson_wrongTypes_failDecode() {
    assertDecodeFailure(
        "{\"cniVersion\":\"1.0.0\",\"interfaces\":{}}",
        "failed to decode CNI result: interfaces must be an array, got {}");
    assertDecodeFailure(
        "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":5}]}",
        "failed to decode CNI result: interfaces[0].name must be a string, got 5");
    assertDecodeFailure("[]", "failed to decode CNI result: result must be a JSON object, got []");
  }

  @Test
  void fromJson_unsupportedVersion_failsDecode() {
    assertDecodeFailure(
        "{\"cniVersion\":\"0.2.0\"}",
        "failed to decode CNI result: unsupported CNI result version \"0.2.0\"");
  }

  @Test
  void fromJson_interfaceIndexOutOfRange_failsDecode() {
    CniException e =
        decodeFailure(
            "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\"}],"
                + "\"ips\":[{\"interface\":1,\"address\":\"10.1.0.2/24\"}]}");

    assertThat(e.getMessage())
        .isEqualTo(
            "failed to decode CNI result: ip 10.1.0.2/24 points at interface 1 but the result has"
                + " 1 interfaces");
  }

  @Test
  void builder_unsupportedVersion_throws() {
    assertThatThrownBy(() -> CniResult.builder("9.9.9").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unsupported CNI result version \"9.9.9\" (supported: [0.3.0 0.3.1 0.4.0 1.0.0 1.1.0])");
  }

  @Test
  void records_rejectInvalidValues() {
    assertThatThrownBy(() -> new CniResult.Interface("eth0", null, -1, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("interface mtu must be >= 0 (0 = absent): -1");
    assertThatThrownBy(() -> new CniResult.IpConfig(IfAddress.parse("10.0.0.1/8"), null, -2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("interface index must be >= 0, or -1 when absent: -2");
  }

  @Test
  void equals_differentVersion_notEqual() {
    assertThat(bridgeResult()).isNotEqualTo(bridgeResult().withVersion("1.0.0"));
    assertThat(bridgeResult().withVersion("1.0.0").withVersion("1.1.0")).isEqualTo(bridgeResult());
  }

  private static void assertDecodeFailure(String json, String message) {
    CniException e = decodeFailure(json);
    assertThat(e.getMessage()).isEqualTo(message);
  }

  private static CniException decodeFailure(String json) {
    try {
      CniResult r = CniResult.fromJson(Json.parse(json));
      throw new AssertionError("expected a decode failure, got " + r);
    } catch (CniException e) {
      assertThat(e.error().code()).isEqualTo(CniError.DECODE_FAILURE);
      return e;
    }
  }
}
