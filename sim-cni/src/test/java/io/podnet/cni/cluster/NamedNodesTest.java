package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.cni.contract.ContractChecker;
import io.podnet.core.addr.Ipv4Address;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Nodes given by name and underlay address instead of node-1... at 192.168.1.11... */
class NamedNodesTest {

  static Stream<Supplier<Cluster.Builder>> strategies() {
    return Stream.of(
        Cluster::bridge,
        Cluster::ptp,
        () -> Cluster.flannel(Flanneld.Backend.VXLAN),
        Cluster::calico,
        Cluster::cilium);
  }

  @ParameterizedTest
  @MethodSource("strategies")
  void build_namedNodes_haveTheirNamesAndAddressesAndTheContractHolds(
      Supplier<Cluster.Builder> strategy) {
    Cluster cluster =
        strategy
            .get()
            .node("worker-a", Ipv4Address.parse("192.168.5.10"))
            .node("worker-b", Ipv4Address.parse("192.168.7.20"))
            .seed(4)
            .build();
    cluster.runPod(PodSpec.named("a").onNode("worker-a"));
    cluster.runPod(PodSpec.named("b").onNode("worker-b"));

    assertThat(cluster.nodes()).extracting(Node::name).containsExactly("worker-a", "worker-b");
    assertThat(cluster.node("worker-b").internalIp()).isEqualTo(Ipv4Address.parse("192.168.7.20"));
    assertThat(ContractChecker.check(cluster).holds())
        .as(ContractChecker.check(cluster).render())
        .isTrue();
  }

  @Test
  void node_badNameOrAddress_refusedNamingIt() {
    Cluster.Builder b = Cluster.bridge().node("worker-a", Ipv4Address.parse("192.168.5.10"));

    assertThatThrownBy(() -> b.node("worker-a", Ipv4Address.parse("192.168.5.11")))
        .hasMessage("node \"worker-a\" is given twice (expected unique node names)");
    assertThatThrownBy(() -> b.node("Worker_B", Ipv4Address.parse("192.168.5.11")))
        .hasMessage("node name \"Worker_B\" is not a DNS label (expected e.g. worker-1)");
    for (String reserved :
        new String[] {"192.168.0.1", "192.168.0.201", "10.0.0.5", "192.168.5.10"}) {
      assertThatThrownBy(() -> b.node("worker-c", Ipv4Address.parse(reserved)))
          .hasMessageStartingWith("node address " + reserved + " is taken or reserved");
    }
  }
}
