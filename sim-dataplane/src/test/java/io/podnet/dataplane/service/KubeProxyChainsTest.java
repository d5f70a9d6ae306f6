package io.podnet.dataplane.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KubeProxyChainsTest {

  @Test
  void serviceChain_factsVector_matchesKubeProxy() {
    assertThat(KubeProxyChains.serviceChain("ns1/svc1:p80", Protocol.TCP))
        .isEqualTo("KUBE-SVC-XPGD46QRK7WJZT7O");
  }

  @Test
  void endpointChain_factsVector_matchesKubeProxy() {
    assertThat(KubeProxyChains.endpointChain("ns1/svc1:p80", Protocol.TCP, "10.180.0.1:80"))
        .isEqualTo("KUBE-SEP-SXIVWICOYRO3J4NJ");
  }

  @Test
  void serviceChain_otherServicesOfKubeProxyTests_matchTheirDump() {
    assertThat(KubeProxyChains.serviceChain("ns2/svc2:p80", Protocol.TCP))
        .isEqualTo("KUBE-SVC-GNZBNJ2PO5MGZ6GT");
    assertThat(KubeProxyChains.serviceChain("ns5/svc5:p80", Protocol.TCP))
        .isEqualTo("KUBE-SVC-NUKIZ6OKUXPJNT4C");
    assertThat(KubeProxyChains.externalChain("ns3/svc3:p80", Protocol.TCP))
        .isEqualTo("KUBE-EXT-X27LE4BHSL4DOUIK");
    assertThat(KubeProxyChains.endpointChain("ns4/svc4:p80", Protocol.TCP, "10.180.0.4:80"))
        .isEqualTo("KUBE-SEP-UKSFD7AGPMPPLUHC");
  }

  @Test
  void serviceChain_protocolIsPartOfTheHash_namesDiffer() {
    assertThat(KubeProxyChains.serviceChain("ns1/svc1:p80", Protocol.UDP))
        .isNotEqualTo(KubeProxyChains.serviceChain("ns1/svc1:p80", Protocol.TCP))
        .hasSize("KUBE-SVC-".length() + 16);
  }
}
