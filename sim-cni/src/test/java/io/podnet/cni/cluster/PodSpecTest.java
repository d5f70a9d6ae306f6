package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import org.junit.jupiter.api.Test;

class PodSpecTest {

  @Test
  void runPod_specWithLabelsAndNode_podCarriesTheLabelsSortedOnThatNode() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(1).build();

    Pod pod =
        cluster.runPod(
            PodSpec.named("web-1").label("tier", "front").label("app", "web").onNode("node-2"));

    assertThat(pod.labels()).containsExactly(entry("app", "web"), entry("tier", "front"));
    assertThat(pod.node().orElseThrow().name()).isEqualTo("node-2");
    assertThat(pod.isRunning()).isTrue();
  }

  @Test
  void label_badKeyOrValue_rejectedNamingIt() {
    assertThatThrownBy(() -> PodSpec.named("web-1").label("-app", "web"))
        .hasMessageStartingWith("invalid label key \"-app\"");
    assertThatThrownBy(() -> PodSpec.named("web-1").label("app", "a b"))
        .hasMessageStartingWith("invalid label value \"a b\" for app");
  }

  @Test
  void createPod_unknownNode_rejectedAndNoPodCreated() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(1).build();

    assertThatThrownBy(() -> cluster.createPod(PodSpec.named("web-1").onNode("node-9")))
        .hasMessageStartingWith("node \"node-9\" does not exist");
    assertThat(cluster.pods()).filteredOn(p -> !p.hostNetwork()).isEmpty();
  }
}
