package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.cni.spec.CniConfigException;
import io.podnet.core.net.Iproute2;
import io.podnet.core.net.NetNamespace;
import io.podnet.dataplane.netfilter.IptablesParseException;
import io.podnet.dataplane.service.Service;
import io.podnet.dataplane.service.ServicePort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input fed to a running cluster through the Java API (a Service the API server would refuse, a
 * conflist the runtime refuses, an iptables-restore text that does not parse) is refused whole: the
 * cluster's observable state (pods and their IPs, Services, iptables-save, routes, addresses,
 * conntrack and the nodes' files) is byte-identical before and after.
 */
class BadInputStateTest {

  private Cluster cluster;

  @BeforeEach
  void runningCluster() {
    cluster = Cluster.bridge().nodes(2).seed(11).build();
    cluster.createPod(PodSpec.named("web-0").label("app", "web").onNode("node-1"));
    cluster.createPod(PodSpec.named("web-1").label("app", "web").onNode("node-2"));
    cluster.createService(
        "web",
        Map.of("app", "web"),
        List.of(ServicePort.of("http", "TCP", 80, 8080).withNodePort(30080)));
    cluster.run(5_000_000_000L);
    assertThat(cluster.pods()).allMatch(Pod::isRunning);
  }

  /** Everything a user of the cluster can observe, as text. */
  private String state() {
    StringBuilder sb = new StringBuilder(Kubectl.getPodsWide(cluster));
    for (Service s : cluster.services()) {
      sb.append(s.namespacedName()).append(' ').append(s.clusterIp()).append(' ');
      sb.append(s.ports()).append('\n');
    }
    for (Node node : cluster.nodes()) {
      NetNamespace root = node.host().root();
      sb.append(cluster.iptablesSave(node.name()));
      sb.append(cluster.conntrackList(node.name()));
      sb.append(Iproute2.ipRouteShow(root)).append(Iproute2.ipAddrShow(root));
      sb.append(Iproute2.ipLinkShow(root)).append(node.host().files().paths()).append('\n');
    }
    for (Pod pod : cluster.pods()) {
      sb.append(Iproute2.ipAddrShow(pod.requireNetns()));
      sb.append(Iproute2.ipRouteShow(pod.requireNetns()));
    }
    sb.append(cluster.simulation().now());
    return sb.toString();
  }

  @Test
  void createService_refusedByTheApiServer_changesNothing() {
    String before = state();

    assertThatThrownBy(() -> cluster.createService("db", Map.of(), List.of(http())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a selector");
    assertThatThrownBy(
            () ->
                cluster.createService(
                    "api", Map.of("app", "web"), List.of(http().withNodePort(30080))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("30080");
    assertThatThrownBy(() -> cluster.createService("web", Map.of("app", "web"), List.of(http())))
        .isInstanceOf(IllegalArgumentException.class);

    assertThat(state()).isEqualTo(before);
  }

  @Test
  void installConfig_badSubnetOrMac_changesNothing() {
    String before = state();
    String head = "{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"plugins\":[{\"type\":\"bridge\",";

    for (String bad :
        List.of(
            head + "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.0.0.0/33\"}}]}",
            head
                + "\"args\":{\"cni\":{\"mac\":\"01:00:5e:00:00:01\"}},"
                + "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.9.0.0/24\"}}]}",
            head + "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.9.0.0/24\"}}, ]}")) {
      assertThatThrownBy(() -> cluster.node("node-1").runtime().installConfig("05-x.conflist", bad))
          .isInstanceOf(CniConfigException.class);
    }

    assertThat(state()).isEqualTo(before);
  }

  @Test
  void iptablesRestore_badDump_changesNothingEvenAfterAGoodTable() {
    String before = state();

    for (String bad :
        List.of(
            "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -j POD-TRAFFIC\nCOMMIT\n",
            "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n*nat\n-A BOGUS -j ACCEPT\n",
            "*filter\n:INPUT DROP [0:0]\nCOMMIT\n*security\nCOMMIT\n",
            "*nat\n-A PREROUTING -p tcp --dport 53 -j DNAT --to-destination 10.0.0.300\nCOMMIT\n")) {
      assertThatThrownBy(() -> cluster.iptablesRestore("node-1", bad, "bad.v4"))
          .isInstanceOf(IptablesParseException.class)
          .hasMessageStartingWith("bad.v4:");
    }

    assertThat(state()).isEqualTo(before);
  }

  private static ServicePort http() {
    return ServicePort.of("http", "TCP", 80, 8080);
  }
}
