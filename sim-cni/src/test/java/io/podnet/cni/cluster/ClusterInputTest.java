package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.Ipv4Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterInputTest {

  private final Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Web-1",
        "web_1",
        "-web",
        "web-",
        "",
        "a/b/c",
        "default/",
        "/web",
        "Default/web",
        "my.ns/web"
      })
  void runPod_invalidName_namesTheValueAndLeavesTheClusterUnchanged(String key) {
    long records = cluster.network().trace().recordCount();
    long now = cluster.simulation().now();
    long pending = cluster.simulation().pendingEvents();

    assertThatThrownBy(() -> cluster.runPod(key))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid pod \"" + key + "\" (expected [namespace/]name");
    assertThat(cluster.pods()).filteredOn(p -> !p.hostNetwork()).isEmpty();
    assertThat(cluster.network().trace().recordCount()).isEqualTo(records);
    assertThat(cluster.simulation().now()).isEqualTo(now);
    assertThat(cluster.simulation().pendingEvents()).isEqualTo(pending);
  }

  @Test
  void runPod_tooLongNames_areRejected() {
    assertThatThrownBy(() -> cluster.runPod("a".repeat(64) + "/web"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cluster.runPod("a".repeat(254)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(cluster.pods()).filteredOn(p -> !p.hostNetwork()).isEmpty();
  }

  @Test
  void runPod_dottedNameLikeKubernetesAllows_runs() {
    Pod pod = cluster.runPod("kube-system/coredns.v1-5d78c");

    assertThat(pod.isRunning()).isTrue();
    assertThat(pod.key()).isEqualTo("kube-system/coredns.v1-5d78c");
  }

  @Test
  void runPod_unknownNode_namesItAndTheNodesAndCreatesNothing() {
    long pending = cluster.simulation().pendingEvents();

    assertThatThrownBy(() -> cluster.runPod("web-1", "node-9"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("node \"node-9\" does not exist (has [node-1, node-2])");
    assertThat(cluster.pods()).filteredOn(p -> !p.hostNetwork()).isEmpty();
    assertThat(cluster.simulation().pendingEvents()).isEqualTo(pending);
  }

  @Test
  void runPod_existingName_isRejectedAndTheFirstPodKept() {
    Pod first = cluster.runPod("web-1");

    assertThatThrownBy(() -> cluster.runPod("default/web-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pod \"default/web-1\" already exists");
    assertThat(cluster.pods()).filteredOn(p -> !p.hostNetwork()).containsExactly(first);
    assertThat(first.requireIp()).isEqualTo(Ipv4Address.parse("10.244.1.2"));
  }

  @Test
  void deletePod_unknownPod_namesIt() {
    assertThatThrownBy(() -> cluster.deletePod("ghost"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pod \"ghost\" does not exist");
  }

  @Test
  void node_unknownName_namesItAndTheNodes() {
    assertThatThrownBy(() -> cluster.node("node-3"))
        .hasMessage("node \"node-3\" does not exist (has [node-1, node-2])");
  }

  @Test
  void nodes_zero_isRejectedWithTheRange() {
    assertThatThrownBy(() -> Cluster.bridge().nodes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("node count must be in [1, 5000]: 0");
  }

  @Test
  void nodes_tooMany_isRejectedWithTheRange() {
    assertThatThrownBy(() -> Cluster.bridge().nodes(5001))
        .hasMessage("node count must be in [1, 5000]: 5001");
  }

  @Test
  void build_clusterCidrTooSmallForTheNodes_namesTheCidrAndTheCounts() {
    assertThatThrownBy(() -> Cluster.bridge().clusterCidr("10.244.0.0/23").nodes(2).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "cluster CIDR 10.244.0.0/23 holds 1 /24 podCIDRs after the first, too few for 2"
                + " nodes");
  }

  @Test
  void build_clusterCidrJustLargeEnough_builds() {
    Cluster small = Cluster.bridge().clusterCidr("10.244.0.0/23").nodes(1).build();

    assertThat(small.node("node-1").podCidr().toString()).isEqualTo("10.244.1.0/24");
  }

  @Test
  void build_nodeMaskNotLongerThanTheClusterCidr_isRejected() {
    assertThatThrownBy(() -> Cluster.bridge().clusterCidr("10.244.0.0/24").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("node CIDR mask size 24 must be longer than the cluster CIDR 10.244.0.0/24");
  }

  @Test
  void nodeCidrMaskSize_outOfRange_isRejected() {
    assertThatThrownBy(() -> Cluster.bridge().nodeCidrMaskSize(31))
        .hasMessage("node CIDR mask size must be in [1, 30]: 31");
  }

  @Test
  void build_unknownInstalledPlugin_namesItAndTheKnownTypes() {
    assertThatThrownBy(() -> Cluster.bridge().installedPlugins("bridge", "weave").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "no implementation of plugin type \"weave\" (known: [bridge, calico, calico-ipam, cilium-cni,"
                + " flannel, host-local, loopback, portmap, ptp])");
  }

  @Test
  void build_installedPluginsWithoutLoopback_podFailsOnTheLoopbackNetwork() {
    Cluster noLoopback =
        Cluster.bridge().installedPlugins("bridge", "host-local", "portmap").build();

    Pod pod = noLoopback.runPod("web-1");

    assertThat(pod.status()).isEqualTo(PodStatus.CONTAINER_CREATING);
    assertThat(pod.events())
        .anySatisfy(
            e ->
                assertThat(e.message())
                    .endsWith(
                        "plugin type=\"loopback\" failed (add): failed to find plugin"
                            + " \"loopback\" in path [/opt/cni/bin]"));
  }
}
