package io.podnet.cni.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetworkConfigListTest {

  private static final String SUPPORTED_Q = "[\"0.3.0\" \"0.3.1\" \"0.4.0\" \"1.0.0\" \"1.1.0\"]";

  // ---- real conflists ----

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10-flannel.conflist",
        "10-calico.conflist",
        "05-cilium.conflist",
        "10-bridge.conflist"
      })
  void parse_realConflist_everyPluginObjectSurvivesUnchangedInFileOrder(String file) {
    String text = Resources.conflist(file);
    JsonNode input = Json.parse(text);

    NetworkConfigList list = NetworkConfigList.parse(text, file);

    assertThat(list.plugins()).hasSize(input.get("plugins").size());
    for (int i = 0; i < list.plugins().size(); i++) {
      JsonNode expected = input.get("plugins").get(i);
      assertThat(list.plugins().get(i).raw()).isEqualTo(expected);
      assertThat(Json.write(list.plugins().get(i).raw())).isEqualTo(Json.write(expected));
    }
    assertThat(Json.pretty(list.raw())).isEqualTo(text.strip());
    assertThat(list.file()).isEqualTo(file);
  }

  @Test
  void parse_flannel_givesCbr0WithFlannelAndPortmap() {
    NetworkConfigList list =
        NetworkConfigList.parse(Resources.conflist("10-flannel.conflist"), "10-flannel.conflist");

    assertThat(list.name()).isEqualTo("cbr0");
    assertThat(list.cniVersion()).isEqualTo("0.3.1");
    assertThat(list.effectiveVersion()).isEqualTo("0.3.1");
    assertThat(list.cniVersions()).isEmpty();
    assertThat(list.disableCheck()).isFalse();
    assertThat(list.disableGC()).isFalse();
    assertThat(list.plugins()).extracting(PluginConfig::type).containsExactly("flannel", "portmap");
    PluginConfig flannel = list.plugins().get(0);
    assertThat(Json.write(flannel.get("delegate").orElseThrow()))
        .isEqualTo("{\"hairpinMode\":true,\"isDefaultGateway\":true}");
    assertThat(flannel.capabilities()).isEmpty();
    assertThat(list.plugins().get(1).capabilities())
        .containsExactly(Map.entry("portMappings", true));
  }

  @Test
  void parse_calico_keepsCalicoKeysAndPortmapSnat() {
    NetworkConfigList list =
        NetworkConfigList.parse(Resources.conflist("10-calico.conflist"), "10-calico.conflist");

    PluginConfig calico = list.plugins().get(0);
    assertThat(list.name()).isEqualTo("k8s-pod-network");
    assertThat(calico.type()).isEqualTo("calico");
    assertThat(calico.getString("log_level")).contains("info");
    assertThat(calico.getString("datastore_type")).contains("kubernetes");
    assertThat(calico.getString("nodename")).contains("node-1");
    assertThat(calico.getInt("mtu")).hasValue(0);
    assertThat(calico.ipamType()).contains("calico-ipam");
    assertThat(Json.write(calico.get("policy").orElseThrow())).isEqualTo("{\"type\":\"k8s\"}");
    assertThat(Json.write(calico.get("kubernetes").orElseThrow()))
        .isEqualTo("{\"kubeconfig\":\"/etc/cni/net.d/calico-kubeconfig\"}");
    PluginConfig portmap = list.plugins().get(1);
    assertThat(portmap.getBoolean("snat", false)).isTrue();
    assertThat(portmap.capabilities()).containsEntry("portMappings", true);
  }

  @Test
  void parse_cilium_givesOneCiliumCniPlugin() {
    NetworkConfigList list =
        NetworkConfigList.parse(Resources.conflist("05-cilium.conflist"), "05-cilium.conflist");

    assertThat(list.name()).isEqualTo("cilium");
    assertThat(list.plugins())
        .singleElement()
        .extracting(PluginConfig::type)
        .isEqualTo("cilium-cni");
    PluginConfig cilium = list.plugins().get(0);
    assertThat(cilium.getBoolean("enable-debug", true)).isFalse();
    assertThat(cilium.getString("log-file")).contains("/var/run/cilium/cilium-cni.log");
  }

  @Test
  void parse_bridge_exposesIpamDnsAndHostLocalRanges() {
    NetworkConfigList list =
        NetworkConfigList.parse(Resources.conflist("10-bridge.conflist"), "10-bridge.conflist");

    PluginConfig bridge = list.plugins().get(0);
    assertThat(bridge.ipamType()).contains("host-local");
    assertThat(bridge.ipam().orElseThrow().get("ranges").get(0).get(0).get("subnet").textValue())
        .isEqualTo("10.88.0.0/16");
    assertThat(bridge.dns().orElseThrow().get("nameservers").get(0).textValue())
        .isEqualTo("10.96.0.10");
    assertThat(bridge.getInt("mtu")).hasValue(1500);
    assertThat(bridge.name()).isEmpty();
    assertThat(list.plugins().get(1).getString("externalSetMarkChain")).contains("KUBE-MARK-MASQ");
  }

  @Test
  void raw_mutatingTheCopy_leavesTheListUnchanged() {
    NetworkConfigList list =
        NetworkConfigList.parse(Resources.conflist("10-flannel.conflist"), "10-flannel.conflist");

    list.raw().put("name", "changed");
    list.plugins().get(0).raw().put("type", "changed");

    assertThat(list.raw().get("name").textValue()).isEqualTo("cbr0");
    assertThat(list.plugins().get(0).type()).isEqualTo("flannel");
    assertThat(list.plugins().get(0).raw().get("type").textValue()).isEqualTo("flannel");
  }

  // ---- versions ----

  @Test
  void effectiveVersion_cniVersionsGiven_picksHighestSupported() {
    NetworkConfigList list =
        NetworkConfigList.parse(Resources.conflist("10-bridge.conflist"), "10-bridge.conflist");

    assertThat(list.cniVersion()).isEqualTo("1.0.0");
    assertThat(list.cniVersions()).containsExactly("0.4.0", "1.0.0", "1.1.0");
    assertThat(list.effectiveVersion()).isEqualTo("1.1.0");
  }

  @Test
  void effectiveVersion_cniVersionsWithUnsupportedHigher_skipsThem() {
    NetworkConfigList list =
        NetworkConfigList.parse(
            """
            {"name": "n", "cniVersion": "0.3.1", "cniVersions": ["0.4.0", "2.0.0", "0.3.0"],
             "plugins": [{"type": "bridge"}]}
            """,
            "n.conflist");

    assertThat(list.effectiveVersion()).isEqualTo("0.4.0");
  }

  @Test
  void effectiveVersion_cniVersionHigherThanListed_usesCniVersion() {
    NetworkConfigList list =
        NetworkConfigList.parse(
            """
            {"name": "n", "cniVersion": "1.1.0", "cniVersions": ["0.4.0"],
             "plugins": [{"type": "bridge"}]}
            """,
            "n.conflist");

    assertThat(list.effectiveVersion()).isEqualTo("1.1.0");
  }

  @Test
  void parse_unsupportedCniVersion_failsIncompatibleAtTheVersion() {
    CniConfigException e =
        parseError(
            """
            {
              "name": "net",
              "cniVersion": "9.9.9",
              "plugins": [{"type": "bridge"}]
            }
            """);

    assertThat(e.error().code()).isEqualTo(CniError.INCOMPATIBLE_VERSION);
    assertThat(e.error().msg()).isEqualTo("incompatible CNI versions");
    assertThat(e.error().details())
        .isEqualTo("config is \"9.9.9\", plugin supports " + SUPPORTED_Q);
    assertThat(e.getMessage())
        .isEqualTo(
            "t.conflist:3:17: incompatible CNI versions; config is \"9.9.9\", plugin supports "
                + SUPPORTED_Q);
  }

  @Test
  void parse_noSupportedEntryInCniVersions_failsIncompatibleNamingTheHighest() {
    CniConfigException e =
        parseError(
            "{\"name\": \"net\", \"cniVersions\": [\"2.0.0\", \"9.9.9\"], \"plugins\": [{\"type\":"
                + " \"b\"}]}");

    assertThat(e.error().code()).isEqualTo(CniError.INCOMPATIBLE_VERSION);
    assertThat(e.error().render())
        .isEqualTo(
            "incompatible CNI versions; config is \"9.9.9\", plugin supports " + SUPPORTED_Q);
    assertThat(e.line()).isEqualTo(1);
    assertThat(e.column()).isEqualTo(32);
  }

  @Test
  void parse_noCniVersionAtAll_failsIncompatibleWithEmptyVersion() {
    CniConfigException e = parseError("{\"name\": \"net\", \"plugins\": [{\"type\": \"b\"}]}");

    assertThat(e.error().code()).isEqualTo(CniError.INCOMPATIBLE_VERSION);
    assertThat(e.error().details()).startsWith("config is \"\", plugin supports");
    assertThat(e.line()).isEqualTo(1);
    assertThat(e.column()).isEqualTo(1);
  }

  @Test
  void parse_malformedCniVersionsEntry_failsInvalidConfig() {
    CniConfigException e =
        parseError("{\"name\": \"n\", \"cniVersions\": [\"1.0.0\", \"one\"], \"plugins\": []}");

    assertThat(e.error().code()).isEqualTo(CniError.INVALID_CONFIG);
    assertThat(e.error().msg())
        .isEqualTo("error parsing configuration list: invalid cniVersions entry one at index 1");
    assertThat(e.column()).isEqualTo(40);
  }

  // ---- syntax errors: code 6 ----

  @Test
  void parse_truncated_failsUnexpectedEndAtEndOfInput() {
    CniConfigException e = parseError("{\"name\": \"x\",");

    assertThat(e.error().code()).isEqualTo(CniError.DECODE_FAILURE);
    assertThat(e.getMessage())
        .isEqualTo(
            "t.conflist:1:14: error parsing configuration list: unexpected end of JSON input");
  }

  @Test
  void parse_empty_failsUnexpectedEnd() {
    CniConfigException e = parseError("");

    assertThat(e.error().code()).isEqualTo(CniError.DECODE_FAILURE);
    assertThat(e.error().msg())
        .isEqualTo("error parsing configuration list: unexpected end of JSON input");
    assertThat(e.line()).isEqualTo(1);
    assertThat(e.column()).isEqualTo(1);
  }

  @Test
  void parse_missingComma_failsInvalidCharacterAfterKeyValuePair() {
    CniConfigException e =
        parseError(
            """
            {
              "name": "x"
              "plugins": []
            }
            """);

    assertThat(e.error().code()).isEqualTo(CniError.DECODE_FAILURE);
    assertThat(e.getMessage())
        .isEqualTo(
            "t.conflist:3:3: error parsing configuration list: invalid character '\"' after"
                + " object key:value pair");
    assertThat(e.getMessage()).doesNotContain("\n");
  }

  @Test
  void parse_trailingCommaInArray_failsLookingForBeginningOfValue() {
    CniConfigException e = parseError("{\"name\": \"x\", \"plugins\": [1,]}");

    assertThat(e.error().msg())
        .isEqualTo(
            "error parsing configuration list: invalid character ']' looking for beginning of"
                + " value");
    assertThat(e.line()).isEqualTo(1);
    assertThat(e.column()).isEqualTo(29);
  }

  @Test
  void parse_singleQuotedKey_failsLookingForObjectKeyString() {
    CniConfigException e = parseError("{'name': 'x'}");

    assertThat(e.error().msg())
        .isEqualTo(
            "error parsing configuration list: invalid character '\\'' looking for beginning of"
                + " object key string");
    assertThat(e.column()).isEqualTo(2);
  }

  @Test
  void parse_missingColon_failsAfterObjectKey() {
    CniConfigException e = parseError("{\"name\" \"x\"}");

    assertThat(e.error().msg())
        .isEqualTo("error parsing configuration list: invalid character '\"' after object key");
    assertThat(e.column()).isEqualTo(9);
  }

  @Test
  void parse_badLiteral_failsInLiteral() {
    CniConfigException e = parseError("{\"disableCheck\": tru}");

    assertThat(e.error().msg())
        .isEqualTo(
            "error parsing configuration list: invalid character '}' in literal true (expecting"
                + " 'e')");
    assertThat(e.column()).isEqualTo(21);
  }

  @Test
  void parse_trailingGarbage_failsAfterTopLevelValue() {
    CniConfigException e = parseError("{}\n}");

    assertThat(e.error().msg())
        .isEqualTo("error parsing configuration list: invalid character '}' after top-level value");
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.column()).isEqualTo(1);
  }

  @Test
  void parse_newlineInString_failsInStringLiteralQuotedLikeGo() {
    CniConfigException e = parseError("{\"name\": \"a\nb\"}");

    assertThat(e.error().msg())
        .isEqualTo("error parsing configuration list: invalid character '\\n' in string literal");
    assertThat(e.getMessage()).doesNotContain("\n");
    assertThat(e.line()).isEqualTo(1);
    assertThat(e.column()).isEqualTo(12);
  }

  // ---- configuration errors: code 7 ----

  @Test
  void parse_noName_failsNoNameAtTheObject() {
    CniConfigException e =
        parseError(
            """

              {
              "cniVersion": "1.0.0",
              "plugins": [{"type": "bridge"}]
            }
            """);

    assertThat(e.error().code()).isEqualTo(CniError.INVALID_CONFIG);
    assertThat(e.getMessage())
        .isEqualTo(
            "t.conflist:2:3: error parsing configuration list: no name; expected a \"name\" key naming the network");
    assertThat(e.file()).isEqualTo("t.conflist");
  }

  @Test
  void parse_noName_messageNamesTheFileAndPosition() {
    CniConfigException e = null;
    try {
      NetworkConfigList.parse("{\"plugins\": []}", "10-bridge.conflist");
    } catch (CniConfigException thrown) {
      e = thrown;
    }

    assertThat(e).isNotNull();
    assertThat(e.getMessage())
        .isEqualTo(
            "10-bridge.conflist:1:1: error parsing configuration list: no name; expected a \"name\" key naming the network");
  }

  @Test
  void parse_nameNotAString_failsNamingTheGoType() {
    CniConfigException e =
        parseError(
            """
            {
              "name": 42,
              "plugins": []
            }
            """);

    assertThat(e.error().code()).isEqualTo(CniError.INVALID_CONFIG);
    assertThat(e.error().msg())
        .isEqualTo("error parsing configuration list: invalid name type float64");
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.column()).isEqualTo(11);
  }

  @Test
  void parse_topLevelArray_failsCannotUnmarshal() {
    CniConfigException e = parseError("[1, 2]");

    assertThat(e.error().code()).isEqualTo(CniError.INVALID_CONFIG);
    assertThat(e.error().msg())
        .isEqualTo(
            "error parsing configuration list: json: cannot unmarshal array into Go value of"
                + " type map[string]interface {}");
  }

  @Test
  void parse_noPluginsKey_failsNoPluginsKey() {
    CniConfigException e = parseError("{\"name\": \"n\", \"cniVersion\": \"1.0.0\"}");

    assertThat(e.error().code()).isEqualTo(CniError.INVALID_CONFIG);
    assertThat(e.error().msg()).isEqualTo("error parsing configuration list: no 'plugins' key");
    assertThat(e.column()).isEqualTo(1);
  }

  @Test
  void parse_emptyPlugins_failsNoPluginsInListAtTheArray() {
    CniConfigException e =
        parseError(
            """
            {
              "name": "net",
              "cniVersion": "1.0.0",
              "plugins": []
            }
            """);

    assertThat(e.error().code()).isEqualTo(CniError.INVALID_CONFIG);
    assertThat(e.getMessage())
        .isEqualTo(
            "t.conflist:4:14: error parsing configuration list: no plugins in list; expected at least one plugin");
  }

  @Test
  void parse_pluginsNotAnArray_failsInvalidPluginsType() {
    CniConfigException e =
        parseError("{\"name\": \"n\", \"cniVersion\": \"1.0.0\", \"plugins\": {\"type\": \"b\"}}");

    assertThat(e.error().msg())
        .isEqualTo(
            "error parsing configuration list: invalid 'plugins' type map[string]interface {}");
    assertThat(e.column()).isEqualTo(49);
  }

  @Test
  void parse_pluginWithoutType_failsMissingTypeAtThatPlugin() {
    CniConfigException e =
        parseError(
            """
            {
              "name": "net",
              "cniVersion": "1.0.0",
              "plugins": [
                {"type": "bridge"},
                {"bridge": "cni0"}
              ]
            }
            """);

    assertThat(e.error().code()).isEqualTo(CniError.INVALID_CONFIG);
    assertThat(e.getMessage())
        .isEqualTo(
            "t.conflist:6:5: failed to parse plugin config 1: error parsing configuration:"
                + " missing 'type'; expected a \"type\" naming the plugin");
  }

  @Test
  void parse_pluginWithEmptyType_failsMissingType() {
    CniConfigException e =
        parseError("{\"name\": \"n\", \"cniVersion\": \"1.0.0\", \"plugins\": [{\"type\": \"\"}]}");

    assertThat(e.error().msg())
        .isEqualTo("failed to parse plugin config 0: error parsing configuration: missing 'type'");
  }

  @Test
  void parse_pluginNotAnObject_failsCannotUnmarshalIntoNetConf() {
    CniConfigException e =
        parseError("{\"name\": \"n\", \"cniVersion\": \"1.0.0\", \"plugins\": [\"bridge\"]}");

    assertThat(e.error().code()).isEqualTo(CniError.INVALID_CONFIG);
    assertThat(e.error().msg())
        .isEqualTo(
            "failed to parse plugin config 0: error parsing configuration: json: cannot unmarshal"
                + " string into Go value of type types.NetConf");
    assertThat(e.column()).isEqualTo(50);
  }

  @Test
  void parse_pluginTypeNotAString_failsNamingFieldAndType() {
    CniConfigException e =
        parseError(
            """
            {
              "name": "n",
              "cniVersion": "1.0.0",
              "plugins": [{"type": 7}]
            }
            """);

    assertThat(e.error().msg())
        .isEqualTo(
            "failed to parse plugin config 0: error parsing configuration: json: cannot unmarshal"
                + " number into Go struct field NetConf.type of type string");
    assertThat(e.line()).isEqualTo(4);
    assertThat(e.column()).isEqualTo(24);
  }

  @Test
  void parse_capabilityNotABoolean_failsNamingCapabilities() {
    CniConfigException e =
        parseError(
            "{\"name\": \"n\", \"cniVersion\": \"1.0.0\", \"plugins\": [{\"type\": \"portmap\","
                + " \"capabilities\": {\"portMappings\": \"yes\"}}]}");

    assertThat(e.error().msg())
        .isEqualTo(
            "failed to parse plugin config 0: error parsing configuration: json: cannot unmarshal"
                + " string into Go struct field NetConf.capabilities of type bool");
  }

  @Test
  void parse_disableCheckNumber_failsInvalidType() {
    CniConfigException e =
        parseError(
            "{\"name\": \"n\", \"cniVersion\": \"1.0.0\", \"disableCheck\": 1, \"plugins\":"
                + " [{\"type\": \"b\"}]}");

    assertThat(e.error().code()).isEqualTo(CniError.INVALID_CONFIG);
    assertThat(e.error().msg())
        .isEqualTo("error parsing configuration list: invalid type float64 for disableCheck");
    assertThat(e.column()).isEqualTo(54);
  }

  @Test
  void parse_disableCheckUnknownString_failsInvalidValue() {
    CniConfigException e =
        parseError(
            "{\"name\": \"n\", \"cniVersion\": \"1.0.0\", \"disableCheck\": \"Yes\", \"plugins\":"
                + " [{\"type\": \"b\"}]}");

    assertThat(e.error().msg())
        .isEqualTo("error parsing configuration list: invalid value \"yes\" for disableCheck");
  }

  @Test
  void parse_disableCheckAndGcAsStrings_acceptedLikeLibcni() {
    NetworkConfigList list =
        NetworkConfigList.parse(
            "{\"name\": \"n\", \"cniVersion\": \"1.0.0\", \"disableCheck\": \"TRUE\", \"disableGC\":"
                + " true, \"plugins\": [{\"type\": \"b\"}]}",
            "t.conflist");

    assertThat(list.disableCheck()).isTrue();
    assertThat(list.disableGC()).isTrue();
  }

  @Test
  void parse_nameWithSpace_failsInvalidCharactersWithTheNameAsDetails() {
    CniConfigException e =
        parseError(
            "{\"name\": \"my net\", \"cniVersion\": \"1.0.0\", \"plugins\": [{\"type\": \"b\"}]}");

    assertThat(e.error().code()).isEqualTo(CniError.INVALID_CONFIG);
    assertThat(e.error().msg()).isEqualTo("invalid characters found in network name");
    assertThat(e.error().details()).isEqualTo("my net");
    assertThat(e.getMessage())
        .isEqualTo("t.conflist:1:10: invalid characters found in network name; my net");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cbr0", "k8s-pod-network", "a.b_c-d", "0net"})
  void parse_validNames_accepted(String name) {
    NetworkConfigList list =
        NetworkConfigList.parse(
            "{\"name\": \""
                + name
                + "\", \"cniVersion\": \"1.0.0\", \"plugins\": [{\"type\": \"b\"}]}",
            "t.conflist");

    assertThat(list.name()).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-net", ".net", "_net", "a/b", "ä"})
  void parse_invalidNames_rejected(String name) {
    CniConfigException e =
        parseError(
            "{\"name\": \""
                + name
                + "\", \"cniVersion\": \"1.0.0\", \"plugins\": [{\"type\": \"b\"}]}");

    assertThat(e.error().msg()).isEqualTo("invalid characters found in network name");
  }

  @Test
  void parse_emptyName_failsMissingNetworkName() {
    CniConfigException e =
        parseError("{\"name\": \"\", \"cniVersion\": \"1.0.0\", \"plugins\": [{\"type\": \"b\"}]}");

    assertThat(e.error().code()).isEqualTo(CniError.INVALID_CONFIG);
    assertThat(e.error().render()).isEqualTo("missing network name:");
  }

  // ---- .conf files ----

  @Test
  void parseSingle_confFile_becomesAOnePluginList() {
    String text = Resources.conflist("10-mynet.conf");

    NetworkConfigList list = NetworkConfigList.parseSingle(text, "10-mynet.conf");

    assertThat(list.name()).isEqualTo("mynet");
    assertThat(list.cniVersion()).isEqualTo("1.0.0");
    assertThat(list.effectiveVersion()).isEqualTo("1.0.0");
    assertThat(list.plugins()).singleElement().extracting(PluginConfig::type).isEqualTo("bridge");
    assertThat(Json.write(list.plugins().get(0).raw())).isEqualTo(Json.write(Json.parse(text)));
    assertThat(keys(list.raw())).containsExactly("name", "cniVersion", "plugins");
  }

  @Test
  void parseSingle_missingType_failsErrorParsingConfiguration() {
    CniConfigException e = null;
    try {
      NetworkConfigList.parseSingle("{\"name\": \"n\", \"cniVersion\": \"1.0.0\"}", "n.conf");
    } catch (CniConfigException thrown) {
      e = thrown;
    }

    assertThat(e).isNotNull();
    assertThat(e.getMessage())
        .isEqualTo(
            "n.conf:1:1: error parsing configuration: missing 'type'; expected a \"type\" naming the plugin");
  }

  @Test
  void parseSingle_notJson_failsDecodeWithConfigurationPrefix() {
    CniConfigException e = null;
    try {
      NetworkConfigList.parseSingle("{\"name\": }", "n.conf");
    } catch (CniConfigException thrown) {
      e = thrown;
    }

    assertThat(e).isNotNull();
    assertThat(e.error().code()).isEqualTo(CniError.DECODE_FAILURE);
    assertThat(e.getMessage())
        .isEqualTo(
            "n.conf:1:10: error parsing configuration: invalid character '}' looking for"
                + " beginning of value");
  }

  private static List<String> keys(JsonNode node) {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  @Test
  void parse_nestedDeeperThanTheLimit_isASyntaxErrorAtTheFirstTooDeepBracket() {
    String deep = "[".repeat(5000) + "]".repeat(5000);

    CniConfigException e = parseError("{\"name\": \"n\", \"x\": " + deep + "}");

    assertThat(e.error().code()).isEqualTo(CniError.DECODE_FAILURE);
    assertThat(e.getMessage())
        .isEqualTo(
            "t.conflist:1:"
                + (19 + JsonSyntax.MAX_DEPTH)
                + ": error parsing configuration list: invalid character '[' exceeded max depth"
                + " (expected at most 128 nested arrays and objects)");
  }

  private static CniConfigException parseError(String json) {
    try {
      NetworkConfigList list = NetworkConfigList.parse(json, "t.conflist");
      return fail("expected a CniConfigException, got " + list);
    } catch (CniConfigException e) {
      return e;
    }
  }
}
