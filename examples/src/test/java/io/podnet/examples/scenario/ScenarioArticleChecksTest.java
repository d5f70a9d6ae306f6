package io.podnet.examples.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CNI article's checks as the shipped scenarios run them: {@code ip -d link show | grep vxlan}
 * and {@code cilium status | grep KubeProxyReplacement} as it writes them, and traceroute across an
 * overlay and across direct routes (section 4.1).
 */
class ScenarioArticleChecksTest {

  private static ScenarioRunTest.Run overlay;
  private static ScenarioRunTest.Run direct;

  /** Runs each of the two section-4.1 scenarios once for both tests; each must pass. */
  @BeforeAll
  static void runOverlayAndDirectRouting() {
    overlay = passing("scenarios/overlay-vxlan.yaml");
    direct = passing("scenarios/direct-routing.yaml");
  }

  private static ScenarioRunTest.Run passing(String file) {
    ScenarioRunTest.Run r = ScenarioRunTest.cli("run", file);
    assertThat(r.code()).as(file + ": " + r.err()).isZero();
    return r;
  }

  @Test
  void run_articleChecksPipedIntoGrep_overlayShowsItsVxlanLineDirectRoutingNothingCiliumItsKpr() {
    ScenarioRunTest.Run ebpf = passing("scenarios/services-ebpf.yaml");

    assertThat(overlay.out())
        .containsPattern(
            "\\$ ip -d link show \\| grep vxlan    # on node-1\n    vxlan id 1 local 192.168.1.11"
                + " dev eth0 [^\n]*\n\n");
    assertThat(direct.out()).contains("$ ip -d link show | grep vxlan    # on node-1\n\n");
    assertThat(ebpf.out())
        .containsPattern(
            "\\$ cilium status \\| grep KubeProxyReplacement    # on node-1\n"
                + "KubeProxyReplacement:    True   \\[eth0   192\\.168\\.1\\.11 fe80::[0-9a-f:]+"
                + " \\(Direct Routing\\)\\]\n\n");
  }

  @Test
  void run_tracerouteAcrossNodes_middleHopIsTheTunnelAddressOverVxlanAndTheNodeRoutedDirectly() {
    assertThat(overlay.out())
        .containsPattern(
            "\\$ kubectl exec pod-a -- traceroute 10.244.2.2\ntraceroute to 10.244.2.2"
                + " \\(10.244.2.2\\), 30 hops max, 60 byte packets\n 1  10.244.1.1 \\(10.244.1.1\\) "
                + " [^\n]*\n 2  10.244.2.0 \\(10.244.2.0\\)  [^\n]*\n 3  10.244.2.2 \\(10.244.2.2\\)"
                + "  [^\n]*\n\n");
    assertThat(direct.out())
        .containsPattern(
            "\n 2  192.168.1.12 \\(192.168.1.12\\)  [0-9.]+ ms  [0-9.]+ ms  [0-9.]+ ms\n 3  10.244.2.2");
  }
}
