package io.podnet.dataplane.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class KubeProxyIptablesTest {

  private static final Cidr CLUSTER = Cidr.parse("10.0.0.0/8");

  private static Service svc(String ns, String name, String ip, ServicePort port) {
    return Service.of(ns, name, Ipv4Address.parse(ip), port);
  }

  private static ServicePort p80() {
    return ServicePort.of("p80", "TCP", 80, 80);
  }

  /** The ClusterIP, NodePort and no-endpoint Services of kube-proxy's TestOverallIPTablesRules. */
  @Test
  void render_servicesOfKubeProxysOverallTest_matchesItsExpectedDump() throws IOException {
    Service svc1 = svc("ns1", "svc1", "172.30.0.41", p80());
    Service svc3 = svc("ns3", "svc3", "172.30.0.43", p80().withNodePort(3003));
    Service svc4 = svc("ns4", "svc4", "172.30.0.44", p80());
    Service svc6 = svc("ns6", "svc6", "172.30.0.46", p80());
    Map<Service, List<Endpoint>> eps =
        Map.of(
            svc1, List.of(Endpoint.ready("10.180.0.1", 80)),
            svc3, List.of(Endpoint.ready("10.180.0.3", 80)),
            svc4, List.of(Endpoint.ready("10.180.0.5", 80), Endpoint.ready("10.180.0.4", 80)));

    String text = KubeProxyIptables.render(List.of(svc6, svc4, svc3, svc1), eps, CLUSTER);

    assertThat(text).isEqualTo(resource("kube-proxy-overall.txt"));
  }

  @Test
  void render_threeEndpoints_probabilitiesOneOverNMinusIWithTenDecimals() {
    Service s = svc("ns1", "svc1", "172.30.0.41", p80());
    List<Endpoint> eps =
        List.of(
            Endpoint.ready("10.180.0.1", 80),
            Endpoint.ready("10.180.0.2", 80),
            Endpoint.ready("10.180.0.3", 80));

    String text = KubeProxyIptables.render(List.of(s), Map.of(s, eps), CLUSTER);

    assertThat(text)
        .contains("-m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-")
        .contains("-m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-");
    assertThat(text.split("--probability", -1)).hasSize(3);
  }

  @Test
  void probability_variousN_formatsLikeGo() {
    assertThat(KubeProxyIptables.probability(2)).isEqualTo("0.5000000000");
    assertThat(KubeProxyIptables.probability(3)).isEqualTo("0.3333333333");
    assertThat(KubeProxyIptables.probability(6)).isEqualTo("0.1666666667");
    assertThat(KubeProxyIptables.probability(7)).isEqualTo("0.1428571429");
  }

  @Test
  void render_notReadyEndpointsOnly_rejectsInFilterTable() {
    Service s = svc("ns1", "svc1", "172.30.0.41", p80().withNodePort(30080));
    Map<Service, List<Endpoint>> eps =
        Map.of(s, List.of(Endpoint.of(Ipv4Address.parse("10.180.0.1"), 80, false)));

    String text = KubeProxyIptables.render(List.of(s), eps, CLUSTER);

    assertThat(text)
        .contains(
            "-A KUBE-SERVICES -m comment --comment \"ns1/svc1:p80 has no endpoints\" -m tcp -p tcp"
                + " -d 172.30.0.41 --dport 80 -j REJECT\n")
        .contains(
            "-A KUBE-EXTERNAL-SERVICES -m comment --comment \"ns1/svc1:p80 has no endpoints\" -m"
                + " addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j REJECT\n")
        .doesNotContain("KUBE-SVC-")
        .doesNotContain("KUBE-SEP-");
  }

  @Test
  void render_udpUnnamedPort_hashesNamespacedNameAndWritesUdpMatches() {
    Service dns =
        svc("kube-system", "kube-dns", "10.96.0.10", ServicePort.of("", Protocol.UDP, 53, 53));
    String chain = KubeProxyChains.serviceChain("kube-system/kube-dns", Protocol.UDP);

    String text =
        KubeProxyIptables.render(
            List.of(dns), Map.of(dns, List.of(Endpoint.ready("10.244.0.2", 53))), CLUSTER);

    assertThat(text)
        .contains(
            "-A KUBE-SERVICES -m comment --comment \"kube-system/kube-dns cluster IP\" -m udp -p"
                + " udp -d 10.96.0.10 --dport 53 -j "
                + chain
                + "\n")
        .contains("-m udp -p udp -j DNAT --to-destination 10.244.0.2:53\n");
  }

  @Test
  void render_randomFully_appendsToMasquerade() {
    String text = KubeProxyIptables.render(List.of(), Map.of(), CLUSTER, true);

    assertThat(text)
        .contains(
            "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\""
                + " -j MASQUERADE --random-fully\n");
  }

  @Test
  void render_moreThanThousandEndpoints_dropsEndpointComments() {
    Service s = svc("ns1", "big", "172.30.0.1", p80());
    List<Endpoint> eps = new ArrayList<>();
    for (int i = 0; i < 1001; i++) {
      eps.add(Endpoint.of(Ipv4Address.parse("10.1.0.0").plus(i), 80, true));
    }

    String text = KubeProxyIptables.render(List.of(s), Map.of(s, eps), CLUSTER);

    assertThat(text).doesNotContain(" -> ").doesNotContain("--comment ns1/big ");
    assertThat(text).contains("\"ns1/big:p80 cluster IP\"");
  }

  @Test
  void render_serviceOrder_sortsByServiceNameBeforePortLikeKubeProxyTests() {
    Service a = svc("ns1", "svc1", "172.30.0.1", p80());
    Service b = svc("ns1", "svc10", "172.30.0.2", p80());
    Map<Service, List<Endpoint>> eps = new TreeMap<>((x, y) -> x.name().compareTo(y.name()));
    eps.put(a, List.of(Endpoint.ready("10.1.0.1", 80)));
    eps.put(b, List.of(Endpoint.ready("10.1.0.2", 80)));

    String text = KubeProxyIptables.render(List.of(b, a), eps, CLUSTER);

    assertThat(
            text.indexOf("\"ns1/svc1:p80 cluster IP\" -m tcp -p tcp -d 172.30.0.1 --dport 80 -j"))
        .isLessThan(text.indexOf("\"ns1/svc10:p80 cluster IP\""));
  }

  @Test
  void render_sameInputTwice_identicalText() {
    Service s = svc("ns1", "svc1", "172.30.0.41", p80());
    Map<Service, List<Endpoint>> eps =
        Map.of(s, List.of(Endpoint.ready("10.180.0.2", 80), Endpoint.ready("10.180.0.1", 80)));

    assertThat(KubeProxyIptables.render(List.of(s), eps, CLUSTER))
        .isEqualTo(KubeProxyIptables.render(List.of(s), eps, CLUSTER));
  }

  @Test
  void render_endpointOnUnknownTargetPort_rejectedNamingIt() {
    Service s = svc("ns1", "svc1", "172.30.0.41", p80());

    assertThatThrownBy(
            () ->
                KubeProxyIptables.render(
                    List.of(s), Map.of(s, List.of(Endpoint.ready("10.1.0.1", 81))), CLUSTER))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10.1.0.1:81")
        .hasMessageContaining("[80]");
  }

  @Test
  void render_twoServicesOnSameVipPort_rejected() {
    Service a = svc("ns1", "a", "172.30.0.1", p80());
    Service b = svc("ns1", "b", "172.30.0.1", p80());

    assertThatThrownBy(() -> KubeProxyIptables.render(List.of(a, b), Map.of(), CLUSTER))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("172.30.0.1:80/6");
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = KubeProxyIptablesTest.class.getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), UTF_8);
    }
  }
}
