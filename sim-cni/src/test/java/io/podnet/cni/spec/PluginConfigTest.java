package io.podnet.cni.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PluginConfigTest {

  private static PluginConfig plugin(String json) {
    return PluginConfig.of((ObjectNode) Json.parse(json));
  }

  private static Map<String, Object> portMapping(int hostPort, int containerPort) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("hostPort", hostPort);
    m.put("containerPort", containerPort);
    m.put("protocol", "tcp");
    return m;
  }

  @Test
  void stdin_injectsNameVersionPrevResultAndDeclaredCapabilitiesOnly() {
    PluginConfig portmap =
        plugin(
            "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true,\"bandwidth\":false},"
                + "\"snat\":true}");
    CniResult prev =
        CniResult.builder("1.1.0")
            .addIp(
                new CniResult.IpConfig(
                    io.podnet.core.addr.IfAddress.parse("10.244.1.5/24"), null, -1))
            .build();
    Map<String, Object> runtime = new LinkedHashMap<>();
    runtime.put("bandwidth", Map.of("ingressRate", 1000));
    runtime.put("portMappings", List.of(portMapping(8080, 80)));
    runtime.put("ips", List.of("10.244.1.9"));

    ObjectNode stdin = portmap.stdin("cbr0", "1.1.0", prev, runtime);

    assertThat(Json.write(stdin))
        .isEqualTo(
            "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true,\"bandwidth\":false},"
                + "\"snat\":true,\"name\":\"cbr0\",\"cniVersion\":\"1.1.0\","
                + "\"prevResult\":{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.244.1.5/24\"}],"
                + "\"dns\":{}},"
                + "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,"
                + "\"protocol\":\"tcp\"}]}}");
  }

  @Test
  void stdin_noPrevResultAndNoMatchingCapability_omitsBothKeys() {
    PluginConfig bridge = plugin("{\"type\":\"bridge\",\"bridge\":\"cni0\"}");

    ObjectNode stdin =
        bridge.stdin("net", "1.0.0", null, Map.of("portMappings", List.of(portMapping(1, 2))));

    assertThat(Json.write(stdin))
        .isEqualTo(
            "{\"type\":\"bridge\",\"bridge\":\"cni0\",\"name\":\"net\",\"cniVersion\":\"1.0.0\"}");
  }

  @Test
  void stdin_pluginWithOwnNameAndVersion_overwritesThemInPlace() {
    PluginConfig p =
        plugin("{\"cniVersion\":\"0.3.1\",\"name\":\"mine\",\"type\":\"bridge\",\"mtu\":1450}");

    ObjectNode stdin = p.stdin("net", "1.1.0", null, Map.of());

    assertThat(Json.write(stdin))
        .isEqualTo("{\"cniVersion\":\"1.1.0\",\"name\":\"net\",\"type\":\"bridge\",\"mtu\":1450}");
    assertThat(p.name()).contains("mine");
    assertThat(p.raw().get("cniVersion").textValue()).isEqualTo("0.3.1");
  }

  @Test
  void stdin_runtimeConfigJsonNodeValue_copiedUnchanged() {
    PluginConfig p = plugin("{\"type\":\"x\",\"capabilities\":{\"dns\":true}}");

    ObjectNode stdin =
        p.stdin("n", "1.0.0", null, Map.of("dns", Json.parse("{\"servers\":[\"1.1.1.1\"]}")));

    assertThat(Json.write(stdin.get("runtimeConfig")))
        .isEqualTo("{\"dns\":{\"servers\":[\"1.1.1.1\"]}}");
  }

  @Test
  void getInt_string_throwsNamingKeyAndValue() {
    PluginConfig p = plugin("{\"type\":\"bridge\",\"mtu\":\"abc\"}");

    assertThatThrownBy(() -> p.getInt("mtu"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key \"mtu\" must be a number, got \"abc\"");
  }

  @Test
  void getInt_fraction_throws() {
    PluginConfig p = plugin("{\"type\":\"bridge\",\"mtu\":1450.5}");

    assertThatThrownBy(() -> p.getInt("mtu"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key \"mtu\" must be an integer in [-2147483648, 2147483647], got 1450.5");
  }

  @Test
  void getters_absentOrNull_giveDefaults() {
    PluginConfig p = plugin("{\"type\":\"bridge\",\"vlan\":null}");

    assertThat(p.getInt("mtu")).isEmpty();
    assertThat(p.getInt("vlan")).isEmpty();
    assertThat(p.getString("bridge")).isEmpty();
    assertThat(p.getBoolean("isGateway", true)).isTrue();
    assertThat(p.get("mtu")).isEmpty();
    assertThat(p.get("vlan")).isPresent();
    assertThat(p.ipam()).isEmpty();
    assertThat(p.ipamType()).isEmpty();
    assertThat(p.dns()).isEmpty();
    assertThat(p.name()).isEmpty();
  }

  @Test
  void getBoolean_wrongType_throws() {
    PluginConfig p = plugin("{\"type\":\"bridge\",\"hairpinMode\":\"yes\"}");

    assertThatThrownBy(() -> p.getBoolean("hairpinMode", false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key \"hairpinMode\" must be a boolean, got \"yes\"");
  }

  @Test
  void getString_wrongType_throws() {
    PluginConfig p = plugin("{\"type\":\"bridge\",\"bridge\":5}");

    assertThatThrownBy(() -> p.getString("bridge"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key \"bridge\" must be a string, got 5");
  }

  @Test
  void capabilities_keepFileOrderAndAreUnmodifiable() {
    PluginConfig p =
        plugin(
            "{\"type\":\"x\",\"capabilities\":{\"portMappings\":true,\"bandwidth\":false,\"ips\":true}}");

    assertThat(p.capabilities().keySet()).containsExactly("portMappings", "bandwidth", "ips");
    assertThatThrownBy(() -> p.capabilities().put("mac", true))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void of_missingType_throws() {
    assertThatThrownBy(() -> plugin("{\"bridge\":\"cni0\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a non-empty string \"type\"");
  }

  @Test
  void ipam_returnsACopy() {
    PluginConfig p = plugin("{\"type\":\"bridge\",\"ipam\":{\"type\":\"host-local\"}}");

    p.ipam().orElseThrow().put("type", "changed");

    assertThat(p.ipamType()).contains("host-local");
  }
}
