package io.podnet.dataplane.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.dataplane.netfilter.IptablesSave;
import io.podnet.dataplane.netfilter.Ruleset;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class KubeProxyIptablesTest {

  private static final Cidr CLUSTER = Cidr.parse("10.0.0.0/8");
  private static final String NODE = "test-node";
  private static final Ipv4Address NODE_IP = Ipv4Address.parse("192.168.0.2");

  private static Service svc(String ns, String name, String ip, ServicePort port) {
    return Service.of(ns, name, Ipv4Address.parse(ip), port);
  }

  private static ServicePort p80() {
    return ServicePort.of("p80", "TCP", 80, 80);
  }

  /**
   * All six Services of kube-proxy's TestOverallIPTablesRules (pkg/proxy/iptables/proxier_test.go):
   * ClusterIP, LoadBalancer with {@code externalTrafficPolicy: Local} and no local endpoint,
   * NodePort, external IP, LoadBalancer with source ranges and ClientIP affinity, and no endpoints.
   */
  @Test
  void render_servicesOfKubeProxysOverallTest_matchesItsExpectedDump() throws IOException {
    Service svc1 = svc("ns1", "svc1", "172.30.0.41", p80());
    Service svc2 =
        svc("ns2", "svc2", "172.30.0.42", p80().withNodePort(3001))
            .withOptions(
                ServiceOptions.NONE
                    .withExternalIps(List.of(Ipv4Address.parse("192.168.99.22")))
                    .withLoadBalancerIngress(List.of(Ipv4Address.parse("1.2.3.4")))
                    .withExternalTrafficPolicyLocal(30000));
    Service svc3 = svc("ns3", "svc3", "172.30.0.43", p80().withNodePort(3003));
    Service svc4 =
        svc("ns4", "svc4", "172.30.0.44", p80())
            .withOptions(
                ServiceOptions.NONE.withExternalIps(List.of(Ipv4Address.parse("192.168.99.33"))));
    Service svc5 =
        svc("ns5", "svc5", "172.30.0.45", p80().withNodePort(3002))
            .withOptions(
                ServiceOptions.NONE
                    .withLoadBalancerIngress(List.of(Ipv4Address.parse("5.6.7.8")))
                    .withLoadBalancerSourceRanges(List.of(Cidr.parse("203.0.113.0/25")))
                    .withClientIpAffinity(ServiceOptions.DEFAULT_AFFINITY_SECONDS));
    Service svc6 = svc("ns6", "svc6", "172.30.0.46", p80());
    Map<Service, List<Endpoint>> eps =
        Map.of(
            svc1, List.of(Endpoint.ready("10.180.0.1", 80)),
            svc2, List.of(Endpoint.ready("10.180.0.2", 80)),
            svc3, List.of(Endpoint.ready("10.180.0.3", 80)),
            svc4,
                List.of(
                    Endpoint.ready("10.180.0.5", 80).onNode(NODE),
                    Endpoint.ready("10.180.0.4", 80)),
            svc5, List.of(Endpoint.ready("10.180.0.3", 80)));

    String text =
        KubeProxyIptables.render(
            List.of(svc6, svc5, svc4, svc3, svc2, svc1), eps, CLUSTER, false, NODE, NODE_IP);

    assertThat(text).isEqualTo(resource("kube-proxy-overall.txt"));
  }

  @Test
  void parse_kubeProxysOverallDump_everyRuleLoadsAndSavesStably() throws IOException {
    String input = resource("kube-proxy-overall.txt");

    Ruleset rules = IptablesSave.parse(input, "kube-proxy-overall.txt");

    String saved = IptablesSave.render(rules, 0);
    assertThat(IptablesSave.render(IptablesSave.parse(saved, "saved"), 0)).isEqualTo(saved);
    assertThat(saved)
        .contains(
            "-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment \"masquerade LOCAL traffic for"
                + " ns2/svc2:p80 external destinations\" -m addrtype --src-type LOCAL -j"
                + " KUBE-MARK-MASQ")
        .contains(
            "-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment \"other traffic to ns5/svc5:p80 will"
                + " be dropped by KUBE-PROXY-FIREWALL\"\n")
        .contains("-m recent --set --name KUBE-SEP-I77PXRDZVX7PMWMN --mask 255.255.255.255");
    assertThat(saved.lines().filter(l -> l.startsWith("-A ")).count())
        .isEqualTo(input.lines().filter(l -> l.startsWith("-A ")).count());
  }

  @Test
  void render_localPolicyWithLocalEndpoint_externalChainJumpsToSvlOfLocalEndpointsOnly() {
    Service svc =
        svc("ns2", "svc2", "172.30.0.42", p80().withNodePort(3001))
            .withOptions(ServiceOptions.NONE.withExternalTrafficPolicyLocal(0));
    Map<Service, List<Endpoint>> eps =
        Map.of(
            svc,
            List.of(
                Endpoint.ready("10.180.0.2", 80).onNode(NODE),
                Endpoint.ready("10.180.0.9", 80).onNode("other-node")));

    String text = KubeProxyIptables.render(List.of(svc), eps, CLUSTER, false, NODE, NODE_IP);

    String svl = KubeProxyChains.localChain("ns2/svc2:p80", Protocol.TCP);
    assertThat(text)
        .contains("-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -j " + svl + "\n")
        .contains(
            "-A " + svl + " -m comment --comment \"ns2/svc2:p80 -> 10.180.0.2:80\" -j KUBE-SEP-")
        .doesNotContain("-A " + svl + " -m comment --comment \"ns2/svc2:p80 -> 10.180.0.9:80\"")
        .doesNotContain("has no local endpoints");
    assertThat(text.lines().filter(l -> l.startsWith("-A KUBE-SVC-GNZBNJ2PO5MGZ6GT")).count())
        .isEqualTo(3);
  }

  @Test
  void render_sourceRangeHoldingTheNode_admitsTheNodesOwnTrafficToTheLoadBalancerIp() {
    Service svc =
        svc("ns5", "svc5", "172.30.0.45", p80())
            .withOptions(
                ServiceOptions.NONE
                    .withLoadBalancerIngress(List.of(Ipv4Address.parse("5.6.7.8")))
                    .withLoadBalancerSourceRanges(List.of(Cidr.parse("192.168.0.0/24"))));
    Map<Service, List<Endpoint>> eps = Map.of(svc, List.of(Endpoint.ready("10.180.0.3", 80)));

    String text = KubeProxyIptables.render(List.of(svc), eps, CLUSTER, false, NODE, NODE_IP);

    assertThat(text)
        .contains(
            "-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment \"ns5/svc5:p80 loadbalancer IP\" -s"
                + " 5.6.7.8 -j KUBE-EXT-NUKIZ6OKUXPJNT4C\n");
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
    String text = KubeProxyIptables.render(List.of(), Map.of(), CLUSTER, true, NODE, NODE_IP);

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

  /**
   * kube-proxy's partial restore (KEP-3453) of two of the six Services of its overall test: what
   * the full dump holds except the declarations and rules of the other Services' own chains, byte
   * for byte, and their rules in the fixed chains still there.
   */
  @Test
  void restore_twoOfSixServicesWritten_fullDumpWithoutTheOthersOwnChains() throws IOException {
    List<Service> services = new ArrayList<>();
    Map<Service, List<Endpoint>> eps = new TreeMap<>(Comparator.comparing(Service::name));
    String[] ips = {"10.180.0.1", "10.180.0.2", "10.180.0.3", "10.180.0.4", "10.180.0.3", ""};
    for (int i = 1; i <= 6; i++) {
      ServicePort port = i == 2 || i == 3 || i == 5 ? p80().withNodePort(3000 + i) : p80();
      ServiceOptions options =
          i == 2
              ? ServiceOptions.NONE
                  .withLoadBalancerIngress(List.of(Ipv4Address.parse("1.2.3.4")))
                  .withExternalTrafficPolicyLocal(30000)
              : i == 5
                  ? ServiceOptions.NONE
                      .withLoadBalancerIngress(List.of(Ipv4Address.parse("5.6.7.8")))
                      .withLoadBalancerSourceRanges(List.of(Cidr.parse("203.0.113.0/25")))
                      .withClientIpAffinity(ServiceOptions.DEFAULT_AFFINITY_SECONDS)
                  : ServiceOptions.NONE;
      Service s = svc("ns" + i, "svc" + i, "172.30.0.4" + i, port).withOptions(options);
      services.add(s);
      eps.put(s, ips[i - 1].isEmpty() ? List.of() : List.of(Endpoint.ready(ips[i - 1], 80)));
    }
    List<KubeProxyIptables.ServiceRules> all = new ArrayList<>();
    for (Service s : services) {
      all.add(KubeProxyIptables.ServiceRules.of(s, eps.get(s), CLUSTER, true, NODE, NODE_IP));
    }
    List<KubeProxyIptables.ServiceRules> written = List.of(all.get(1), all.get(4));
    Set<String> kept = new HashSet<>();
    written.forEach(r -> kept.addAll(r.chains()));

    String partial = KubeProxyIptables.restore(all, written, false);

    String full = KubeProxyIptables.render(services, eps, CLUSTER, false, NODE, NODE_IP);
    assertThat(KubeProxyIptables.restore(all, all, false)).isEqualTo(full);
    String expected =
        full.lines()
                .filter(
                    l -> {
                      String chain =
                          l.startsWith(":")
                              ? l.substring(1)
                              : l.startsWith("-A ") ? l.substring(3) : "";
                      chain = chain.isEmpty() ? "" : chain.substring(0, chain.indexOf(' '));
                      return !chain.matches("KUBE-(SVC|SVL|EXT|FW|SEP)-.*") || kept.contains(chain);
                    })
                .collect(Collectors.joining("\n"))
            + "\n";
    assertThat(partial)
        .isEqualTo(expected)
        .contains("-A KUBE-SERVICES -m comment --comment \"ns1/svc1");
    assertThat(partial.lines().filter(l -> l.startsWith(":KUBE-SEP-"))).hasSize(2);
    assertThat(kept).contains(KubeProxyChains.firewallChain("ns5/svc5:p80", Protocol.TCP));
  }
}
