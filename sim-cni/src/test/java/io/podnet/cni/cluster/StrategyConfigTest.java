package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.cni.calico.CalicoDatastore;
import io.podnet.cni.calico.CalicoNode;
import io.podnet.core.addr.Cidr;
import org.junit.jupiter.api.Test;

/** Strategy configurations are checked up front, with errors naming the key and the value. */
class StrategyConfigTest {

  @Test
  void flannelNetConf_vxlanWithDirectRouting_picksThatBackendAndTheNetwork() {
    Cluster cluster =
        Cluster.flannel(
                "{\"Network\": \"10.42.0.0/16\", \"Backend\": {\"Type\": \"vxlan\", \"DirectRouting\": true}}")
            .nodes(2)
            .build();

    assertThat(cluster.clusterCidr().toString()).isEqualTo("10.42.0.0/16");
    assertThat(cluster.node("node-1").host().root().findDevice("flannel.1")).isPresent();
    assertThat(cluster.runPod("web-1").requireIp().toString()).startsWith("10.42.1.");
  }

  @Test
  void flannelNetConf_hostGw_hasNoVxlanDevice() {
    Cluster cluster =
        Cluster.flannel("{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"Type\": \"host-gw\"}}")
            .nodes(2)
            .build();

    assertThat(cluster.node("node-1").host().root().findDevice("flannel.1")).isEmpty();
  }

  @Test
  void flannelNetConf_badBackendName_namesTheKeyAndValue() {
    assertThatThrownBy(
            () ->
                Cluster.flannel(
                    "{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"Type\": \"vxlan2\"}}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Backend.Type: unknown backend type \"vxlan2\" (expected vxlan or host-gw)");
  }

  @Test
  void flannelNetConf_vniOutside24Bits_namesTheKeyAndValue() {
    assertThatThrownBy(
            () ->
                Cluster.flannel(
                    "{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"Type\": \"vxlan\", \"VNI\":"
                        + " 16777216}}"))
        .hasMessage("Backend.VNI must be in [0, 16777215]: 16777216");
  }

  @Test
  void flannelNetConf_badNetwork_namesTheKey() {
    assertThatThrownBy(
            () ->
                Cluster.flannel(
                    "{\"Network\": \"10.244.0.1/16\", \"Backend\": {\"Type\": \"vxlan\"}}"))
        .hasMessageStartingWith("Network: ")
        .hasMessageContaining("10.244.0.1/16");
  }

  @Test
  void calico_asNumberOutOfRange_namesTheKeyAndValue() {
    assertThatThrownBy(() -> CalicoNode.of(CalicoNode.Mode.BGP).withAsNumber(4294967296L))
        .hasMessage("asNumber must be in [1, 4294967295]: 4294967296");
    assertThatThrownBy(() -> CalicoNode.of(CalicoNode.Mode.BGP).withAsNumber(0))
        .hasMessage("asNumber must be in [1, 4294967295]: 0");
  }

  @Test
  void calico_overlappingPools_namesBoth() {
    assertThatThrownBy(
            () ->
                CalicoNode.of(CalicoNode.Mode.BGP).withIpPools("10.244.0.0/16", "10.244.128.0/17"))
        .hasMessage(
            "IP pool 10.244.128.0/17 overlaps IP pool 10.244.0.0/16 (expected disjoint pools)");
  }

  @Test
  void calico_blockSizeOutOfRange_namesTheKeyAndValue() {
    assertThatThrownBy(() -> CalicoNode.of(CalicoNode.Mode.BGP).withBlockSize(19))
        .hasMessage("blockSize must be in [20, 32]: 19");
    assertThatThrownBy(() -> CalicoNode.of(CalicoNode.Mode.BGP).withBlockSize(33))
        .hasMessage("blockSize must be in [20, 32]: 33");
  }

  @Test
  void calico_poolSmallerThanABlock_refusedAtBuildNamingPoolAndSize() {
    CalicoNode agent = CalicoNode.of(CalicoNode.Mode.BGP).withIpPools("10.244.0.0/29");

    assertThatThrownBy(() -> Cluster.calico(agent).nodes(1).build())
        .hasMessage("blockSize must be in [29, 32] for pool 10.244.0.0/29: 26");
  }

  @Test
  void calico_blockSize_nodesClaimBlocksOfThatSize() {
    CalicoNode agent =
        CalicoNode.of(CalicoNode.Mode.BGP).withIpPools("10.244.0.0/24").withBlockSize(28);
    Cluster cluster = Cluster.calico(agent).nodes(2).seed(3).build();

    cluster.runPod("web-1", "node-1");
    cluster.runPod("web-2", "node-2");

    CalicoDatastore store = cluster.network().shared(CalicoDatastore.class, CalicoDatastore::new);
    assertThat(store.blockAffinities()).hasSize(2);
    assertThat(store.blockAffinities().keySet()).allMatch(b -> b.prefixLength() == 28);
    assertThat(store.blockAffinities().values()).containsExactlyInAnyOrder("node-1", "node-2");
  }

  @Test
  void calico_customAsAndPool_areUsed() {
    CalicoNode agent =
        CalicoNode.of(CalicoNode.Mode.BGP).withAsNumber(65001).withIpPools("10.244.128.0/17");
    Cluster cluster = Cluster.calico(agent).nodes(2).seed(3).build();

    Pod pod = cluster.runPod("web-1");

    assertThat(Cidr.parse("10.244.128.0/17").contains(pod.requireIp())).isTrue();
    assertThat(agent.speakers().get(0).toString()).contains("AS 65001");
  }
}
