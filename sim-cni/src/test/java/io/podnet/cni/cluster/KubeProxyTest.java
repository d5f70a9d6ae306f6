package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.net.KernelEvent;
import io.podnet.core.net.Network;
import io.podnet.core.trace.Trace;
import io.podnet.dataplane.netfilter.Netfilter;
import io.podnet.dataplane.service.Endpoint;
import io.podnet.dataplane.service.KubeProxyIptables;
import io.podnet.dataplane.service.Service;
import io.podnet.dataplane.service.ServiceOptions;
import io.podnet.dataplane.service.ServicePort;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** kube-proxy's syncs in iptables mode: partial restores (KEP-3453) against full ones. */
final class KubeProxyTest {

  /**
   * Random Service and endpoint changes on a two-node cluster (Services created and deleted, of the
   * kinds whose chains differ: ClusterIP, NodePort, external IP, {@code externalTrafficPolicy:
   * Local}; pods started and deleted; a node crashing and coming back), each step settled: every
   * node's rules after its partial syncs are exactly those one full restore of the same Services
   * and endpoints writes into a fresh kube-proxy.
   */
  @Property(tries = 30)
  void plan_randomServiceAndEndpointChanges_partialSyncsLeaveWhatAFullRestoreWrites(
      @ForAll @IntRange(min = 0, max = 1000) int seed,
      @ForAll @Size(min = 1, max = 25) List<@IntRange(min = 0, max = 99) Integer> ops) {
    long[] partial = new long[1];
    Trace trace =
        Trace.digestOnly()
            .addSink(
                (record, line) -> {
                  if (record instanceof KernelEvent e && e.detail().contains("(partial)")) {
                    partial[0]++;
                  }
                });
    Cluster cluster =
        Cluster.bridge().nodes(2).seed(seed).services(ServiceMode.IPTABLES).trace(trace).build();
    List<String> services = new ArrayList<>();
    List<String> pods = new ArrayList<>();
    int created = 0;
    int made = 0;
    boolean crashed = false;
    for (int i = 0; i < 4; i++) {
      pods.add(cluster.createPod(pod(i)).key());
    }
    services.add(service(cluster, 0, 0));
    settle(cluster);
    for (int op : ops) {
      int pick = op % 7;
      switch (op / 20) {
        case 0 -> services.add(service(cluster, ++created, op));
        case 1 -> {
          if (!services.isEmpty()) {
            cluster.deleteService(services.remove(pick % services.size()));
          }
        }
        case 2 -> pods.add(cluster.createPod(pod(4 + 2 * ++made + op % 2)).key());
        case 3 -> {
          pods.removeIf(key -> cluster.pod(key).isEmpty()); // evicted from a crashed node
          if (!pods.isEmpty()) {
            cluster.deletePod(pods.remove(pick % pods.size()));
          }
        }
        default -> {
          if (crashed) {
            cluster.restoreNode("node-2");
          } else {
            cluster.crashNode("node-2");
          }
          crashed = !crashed;
        }
      }
      settle(cluster);
      for (Node node : cluster.nodes()) {
        assertThat(rules(cluster.iptablesSave(node.name())))
            .as("after op %d on %s", op, node.name())
            .isEqualTo(fullRestore(cluster, node));
      }
    }
    assertThat(partial[0]).isPositive();
  }

  private static PodSpec pod(int i) {
    return PodSpec.named("p" + i)
        .label("app", "a" + i % 3)
        .onNode(i % 2 == 0 ? "node-1" : "node-2");
  }

  /** Creates Service {@code s<n>} of a kind and app chosen by {@code op}. */
  private static String service(Cluster cluster, int n, int op) {
    ServicePort port = ServicePort.of("http", "TCP", 80, 8080);
    ServiceOptions options = ServiceOptions.NONE;
    switch (op % 4) {
      case 1 -> port = port.withNodePort(cluster.allocateNodePort());
      case 2 ->
          options =
              ServiceOptions.NONE.withExternalIps(
                  List.of(io.podnet.core.addr.Ipv4Address.parse("1.2.3." + (n + 1))));
      case 3 -> {
        port = port.withNodePort(cluster.allocateNodePort());
        options = ServiceOptions.NONE.withExternalTrafficPolicyLocal(0);
      }
      default -> {}
    }
    String key = "s" + n;
    cluster.createService(key, Map.of("app", "a" + op % 3), List.of(port), options);
    return "default/" + key;
  }

  /** Runs until the pods have settled and every node's rules hold the Services as they are. */
  private static void settle(Cluster cluster) {
    for (int i = 0; i < 60 && !cluster.servicesInSync(); i++) {
      cluster.run(SimTime.SECOND);
    }
    cluster.run(5 * SimTime.SECOND);
    for (int i = 0; i < 60 && !cluster.servicesInSync(); i++) {
      cluster.run(SimTime.SECOND);
    }
    assertThat(cluster.servicesInSync()).isTrue();
  }

  /** What a fresh kube-proxy on {@code node} holds after one full restore of the Services now. */
  private static String fullRestore(Cluster cluster, Node node) {
    Netfilter fresh =
        Netfilter.install(Network.create(Simulation.create(1)).addHost("fresh").root());
    fresh.restoreNoflush(Kubelet.IPTABLES_RULES, "kubelet");
    fresh.restoreNoflush(KubeProxy.KUBE_PROXY_RULES, "kube-proxy");
    Map<Service, List<Endpoint>> endpoints = new LinkedHashMap<>();
    cluster.services().forEach(s -> endpoints.put(s, cluster.endpoints(s)));
    fresh.restoreNoflush(
        KubeProxyIptables.render(
            cluster.services(),
            endpoints,
            cluster.clusterCidr(),
            true,
            node.name(),
            node.internalIp()),
        "full");
    return rules(fresh.save());
  }

  /** An iptables-save dump without its dated comment lines. */
  private static String rules(String save) {
    return save.lines().filter(l -> !l.startsWith("#")).collect(Collectors.joining("\n"));
  }

  @org.junit.jupiter.api.Test
  void kubeletThenKubeProxy_oneSectionPerTable_leavesWhatTheTwoRestoresLeave() {
    Netfilter two = Netfilter.install(Network.create(Simulation.create(1)).addHost("two").root());
    two.restoreNoflush(Kubelet.IPTABLES_RULES, "kubelet");
    two.restoreNoflush(KubeProxy.KUBE_PROXY_RULES, "kube-proxy");
    Netfilter one = Netfilter.install(Network.create(Simulation.create(1)).addHost("one").root());
    one.restoreNoflush(KubeProxy.KUBELET_THEN_KUBE_PROXY, "merged");

    assertThat(KubeProxy.KUBELET_THEN_KUBE_PROXY.lines().filter(l -> l.startsWith("*")))
        .containsExactly("*mangle", "*filter", "*nat");
    assertThat(one.save()).isEqualTo(two.save()).contains("-A INPUT -j KUBE-FIREWALL");
  }

  @org.junit.jupiter.api.Test
  void iptablesSave_hashMapNode_theKubeletsRulesAlone() {
    String kubelet =
        "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
            + ":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n:KUBE-IPTABLES-HINT - [0:0]\n"
            + ":KUBE-KUBELET-CANARY - [0:0]\nCOMMIT\n"
            + "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
            + ":KUBE-FIREWALL - [0:0]\n:KUBE-KUBELET-CANARY - [0:0]\n"
            + "-A INPUT -j KUBE-FIREWALL\n-A OUTPUT -j KUBE-FIREWALL\n"
            + "-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment \"block"
            + " incoming localnet connections\" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT"
            + " -j DROP\nCOMMIT\n"
            + "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
            + ":POSTROUTING ACCEPT [0:0]\n:KUBE-KUBELET-CANARY - [0:0]\nCOMMIT";
    Cluster hashMap = Cluster.builder().nodes(1).seed(3).services(ServiceMode.HASH_MAP).build();
    hashMap.createService(
        "web", Map.of("app", "web"), List.of(ServicePort.of("http", "TCP", 80, 8080)));
    hashMap.run(5 * SimTime.SECOND);

    assertThat(rules(hashMap.iptablesSave("node-1"))).isEqualTo(kubelet);
  }

  @org.junit.jupiter.api.Test
  void iptablesSave_freshCluster_kubeProxysFirstSyncWroteTheApiServersKubernetesService() {
    Cluster fresh = Cluster.bridge().nodes(1).seed(3).build();

    fresh.run(SimTime.SECOND);

    assertThat(fresh.iptablesSave("node-1"))
        .contains(
            "-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m comment --comment"
                + " \"default/kubernetes:https cluster IP\" -m tcp --dport 443 -j"
                + " KUBE-SVC-NPX46M4PTMTKRN6Y")
        .contains("-j DNAT --to-destination 192.168.1.11:6443");
  }

  @org.junit.jupiter.api.Test
  void iptablesSave_nodeWithAService_kubeletAndKubeProxyChainsJumpsInPrependOrderAndRandomFully() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(3).build();
    cluster.createService(
        "web", Map.of("app", "web"), List.of(ServicePort.of("http", "TCP", 80, 8080)));
    cluster.run(5 * SimTime.SECOND);
    String save = cluster.iptablesSave("node-1");

    assertThat(save)
        .contains(
            "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
                + ":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n:KUBE-IPTABLES-HINT - [0:0]\n"
                + ":KUBE-KUBELET-CANARY - [0:0]\n:KUBE-PROXY-CANARY - [0:0]\nCOMMIT\n");
    String filter =
        save.substring(save.indexOf("*filter"), save.indexOf("COMMIT", save.indexOf("*filter")));
    assertThat(filter.lines().filter(l -> l.matches("-A (INPUT|FORWARD|OUTPUT) .*")).toList())
        .as("kube-proxy's jumps prepended in iptablesJumpChains order, the kubelet's first")
        .containsExactly(
            "-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer"
                + " firewall\" -j KUBE-PROXY-FIREWALL",
            "-A INPUT -m comment --comment \"kubernetes health check service ports\" -j"
                + " KUBE-NODEPORTS",
            "-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible"
                + " service portals\" -j KUBE-EXTERNAL-SERVICES",
            "-A INPUT -j KUBE-FIREWALL",
            "-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer"
                + " firewall\" -j KUBE-PROXY-FIREWALL",
            "-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD",
            "-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes service"
                + " portals\" -j KUBE-SERVICES",
            "-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes"
                + " externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES",
            "-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer"
                + " firewall\" -j KUBE-PROXY-FIREWALL",
            "-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes service"
                + " portals\" -j KUBE-SERVICES",
            "-A OUTPUT -j KUBE-FIREWALL");
    assertThat(filter).contains(":KUBE-KUBELET-CANARY - [0:0]\n", ":KUBE-PROXY-CANARY - [0:0]\n");
    assertThat(save)
        .contains(
            "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\""
                + " -j MASQUERADE --random-fully\n");
  }
}
