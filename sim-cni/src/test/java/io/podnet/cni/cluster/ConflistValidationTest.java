package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.cni.spec.CniConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed and invalid conflists are refused before any pod uses them, with the spec's error code,
 * the real message (libcni's or the plugin's), and the file, line and column.
 */
class ConflistValidationTest {

  private static final String HEAD = "{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"plugins\":[\n";

  private static String bridgeWithRanges(String ranges) {
    return HEAD
        + "  {\"type\":\"bridge\",\n"
        + "   \"ipam\":{\"type\":\"host-local\",\"ranges\":"
        + ranges
        + "}}\n]}";
  }

  static List<Arguments> badConflists() {
    return List.of(
        Arguments.of(
            "not JSON",
            HEAD + "  {\"type\":\"bridge\"",
            6,
            "2:19: error parsing configuration list: unexpected end of JSON input"),
        Arguments.of(
            "no name",
            "{\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"bridge\"}]}",
            7,
            "1:1: error parsing configuration list: no name; expected a \"name\" key naming the network"),
        Arguments.of(
            "no plugins",
            "{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"plugins\":[]}",
            7,
            "1:44: error parsing configuration list: no plugins in list; expected at least one plugin"),
        Arguments.of(
            "a plugin without type",
            HEAD + "  {\"bridge\":\"cni0\"}\n]}",
            7,
            "2:3: failed to parse plugin config 0: error parsing configuration: missing 'type';"
                + " expected a \"type\" naming the plugin"),
        Arguments.of(
            "an unknown type",
            HEAD + "  {\"type\":\"flanel\"}\n]}",
            7,
            "2:11: unknown plugin type \"flanel\" (expected a type PodNet implements: bridge, calico, calico-ipam,"
                + " cilium-cni, flannel, host-local, loopback, portmap, ptp)"),
        Arguments.of(
            "a bad subnet",
            bridgeWithRanges("[[{\"subnet\":\"10.244.1.0/33\"}]]"),
            999,
            "3:53: invalid CIDR address: 10.244.1.0/33; expected a.b.c.d/len with a prefix length"
                + " from 0 to 30 and the host bits zero"),
        Arguments.of(
            "overlapping ranges",
            bridgeWithRanges("[[{\"subnet\":\"10.244.1.0/24\"}],[{\"subnet\":\"10.244.1.0/25\"}]]"),
            999,
            "3:11: range set 0 overlaps with 1"),
        Arguments.of(
            "a /31 range",
            bridgeWithRanges("[[{\"subnet\":\"10.244.1.0/31\"}]]"),
            999,
            "3:53: invalid range set 0: Network 10.244.1.0/31 too small to allocate from; expected"
                + " a.b.c.d/len with a prefix length from 0 to 30 and the host bits zero"),
        Arguments.of(
            "a gateway that is no address",
            bridgeWithRanges("[[{\"subnet\":\"10.244.1.0/24\",\"gateway\":\"10.244.1.300\"}]]"),
            999,
            "3:79: invalid IP address: 10.244.1.300; expected an IPv4 address a.b.c.d for gateway"),
        Arguments.of(
            "a malformed MAC",
            HEAD
                + "  {\"type\":\"bridge\", \"args\": {\"cni\": {\"mac\": \"0a:58:0a\"}},\n"
                + "   \"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.244.1.0/24\"}}\n]}",
            999,
            "2:45: address 0a:58:0a: invalid MAC address; expected a unicast MAC address such as"
                + " 0a:58:0a:f4:01:05"),
        Arguments.of(
            "a VLAN out of range",
            HEAD
                + "  {\"type\":\"bridge\", \"vlan\": 5000,\n"
                + "   \"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.244.1.0/24\"}]]}}\n]}",
            999,
            "2:3: invalid VLAN ID 5000 (must be between 0 and 4094)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badConflists")
  void build_badConflist_refusedWithCodeMessageFileAndLocation(
      String what, String conflist, int code, String message) {
    assertThatThrownBy(() -> Cluster.builder().cni("10-bad.conflist", conflist).build())
        .isInstanceOfSatisfying(
            CniConfigException.class,
            e -> {
              assertThat(e.error().code()).isEqualTo(code);
              assertThat(e.getMessage()).isEqualTo("/etc/cni/net.d/10-bad.conflist:" + message);
              assertThat(e.getMessage()).doesNotContain("\n");
            });
  }

  @Test
  void installConfig_badConflistOnALiveCluster_changesNothing() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(2).build();
    Node node = cluster.node("node-1");
    Pod before = cluster.runPod("web-1");
    List<String> files = node.host().files().paths();
    assertThatThrownBy(
            () ->
                node.runtime()
                    .installConfig(
                        "05-new.conflist", bridgeWithRanges("[[{\"subnet\":\"10.9.0.0/31\"}]]")))
        .isInstanceOf(CniConfigException.class)
        .hasMessageContaining("too small to allocate from");
    assertThat(node.host().files().paths()).isEqualTo(files);
    assertThat(cluster.runPod("web-2").requireIp().toString()).isEqualTo("10.244.1.3");
    assertThat(before.isRunning()).isTrue();
  }
}
