package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.cni.cluster.StatefulSet.PodManagementPolicy;
import io.podnet.core.engine.SimTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Cluster#createStatefulSet}: pods named by ordinal, made in order or at once, remade. */
class StatefulSetTest {

  private static final PodSpec WEB = PodSpec.template().label("app", "web");

  @Test
  void createStatefulSet_orderedReady_eachPodMadeOnlyOnceTheOneBeforeIsRunning() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();

    StatefulSet web = cluster.createStatefulSet("web", 3, WEB, PodManagementPolicy.ORDERED_READY);

    assertThat(cluster.pods(web)).extracting(Pod::name).containsExactly("web-0");
    cluster.run(5 * SimTime.SECOND);
    List<Pod> pods = cluster.pods(web);
    assertThat(pods).extracting(Pod::name).containsExactly("web-0", "web-1", "web-2");
    assertThat(pods).allMatch(Pod::isRunning);
    for (int i = 1; i < pods.size(); i++) {
      assertThat(pods.get(i).createdAt())
          .as("web-%d made once web-%d runs", i, i - 1)
          .isEqualTo(pods.get(i - 1).runningSince());
    }
  }

  @Test
  void createStatefulSet_parallel_everyPodMadeAtOnceWithTheControllersLabels() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();

    StatefulSet web = cluster.createStatefulSet("web", 3, WEB, PodManagementPolicy.PARALLEL);

    List<Pod> pods = cluster.pods(web);
    assertThat(pods).extracting(Pod::name).containsExactly("web-0", "web-1", "web-2");
    assertThat(pods).extracting(Pod::createdAt).containsOnly(0L);
    assertThat(web.revision()).matches("web-[4-9bcdf]{1,10}");
    assertThat(pods.get(1).labels())
        .isEqualTo(
            Map.of(
                "app", "web",
                "apps.kubernetes.io/pod-index", "1",
                "controller-revision-hash", web.revision(),
                "statefulset.kubernetes.io/pod-name", "web-1"));
    assertThat(pods)
        .extracting(p -> p.controlledBy().orElseThrow())
        .containsOnly("StatefulSet/web");
  }

  @Test
  void deletePod_ofAStatefulSet_madeAgainUnderTheSameNameWithANewUid() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();
    StatefulSet web = cluster.createStatefulSet("web", 2, WEB, PodManagementPolicy.ORDERED_READY);
    cluster.run(5 * SimTime.SECOND);
    Pod old = cluster.pods(web).get(0);

    cluster.deletePod("web-0");
    cluster.run(5 * SimTime.SECOND);

    Pod again = cluster.pod("web-0").orElseThrow();
    assertThat(again).isNotSameAs(old);
    assertThat(again.uid()).isNotEqualTo(old.uid());
    assertThat(again.isRunning()).isTrue();
    assertThat(cluster.pods(web)).extracting(Pod::name).containsExactly("web-0", "web-1");
  }

  @Test
  void crashNode_statefulSetPod_leftTerminatingAndNotMadeAgain() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();
    StatefulSet web = cluster.createStatefulSet("web", 2, WEB, PodManagementPolicy.PARALLEL);
    cluster.run(5 * SimTime.SECOND);
    Pod lost =
        cluster.pods(web).stream()
            .filter(p -> p.node().orElseThrow().name().equals("node-2"))
            .findFirst()
            .orElseThrow();

    cluster.crashNode("node-2");
    cluster.run(400 * SimTime.SECOND);

    assertThat(lost.status()).isEqualTo(PodStatus.TERMINATING);
    assertThat(cluster.pod(lost.key())).containsSame(lost);
    assertThat(cluster.pods(web)).hasSize(2).contains(lost);
  }

  @Test
  void deleteStatefulSet_running_podsGoAndAreNotMadeAgain() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();
    StatefulSet web = cluster.createStatefulSet("web", 2, WEB, PodManagementPolicy.PARALLEL);
    cluster.run(5 * SimTime.SECOND);

    cluster.deleteStatefulSet("web");
    cluster.run(5 * SimTime.SECOND);

    assertThat(cluster.pods(web)).isEmpty();
    assertThat(cluster.pod("web-0")).isEmpty();
    assertThatThrownBy(() -> cluster.deleteStatefulSet("web"))
        .hasMessage("statefulset \"default/web\" does not exist");
  }

  @Test
  void createStatefulSet_badInput_refusedWithTheValueAndWhatWasExpected() {
    Cluster cluster = Cluster.bridge().seed(7).build();
    cluster.createStatefulSet("web", 1, WEB, PodManagementPolicy.PARALLEL);

    assertThatThrownBy(() -> cluster.createStatefulSet("web", 1, WEB, PodManagementPolicy.PARALLEL))
        .hasMessage("statefulset \"default/web\" already exists");
    assertThatThrownBy(() -> cluster.createStatefulSet("db", -1, WEB, PodManagementPolicy.PARALLEL))
        .hasMessage("replicas must be >= 0: -1");
    assertThatThrownBy(
            () ->
                cluster.createStatefulSet(
                    "db", 1, PodSpec.template(), PodManagementPolicy.PARALLEL))
        .hasMessage("statefulset \"default/db\" needs labels (expected at least one)");
    assertThatThrownBy(() -> cluster.createStatefulSet("Db", 1, WEB, PodManagementPolicy.PARALLEL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid pod \"Db\"");
    assertThat(cluster.pods())
        .extracting(Pod::name)
        .filteredOn(name -> !name.startsWith("kube-proxy-"))
        .containsExactly("web-0");
  }

  @Test
  void firstPod_workloadsPods_theOneKubectlExecPicks() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();
    LabelSelector app = LabelSelector.parse("app=web");
    cluster.createPod(PodSpec.named("web-b").label("app", "web"));
    cluster.createPod(PodSpec.named("web-a").label("app", "web"));
    cluster.createPod(PodSpec.named("web-c").label("app", "web").onNode("node-2"));

    assertThat(Kubectl.firstPod(cluster, "default", app))
        .as("none running: the one bound to a node")
        .map(Pod::name)
        .contains("web-c");
    cluster.run(5 * SimTime.SECOND);
    assertThat(Kubectl.firstPod(cluster, "default", app))
        .as("all Ready in the same second and made in the same one: by name")
        .map(Pod::name)
        .contains("web-a");
    cluster.deletePod("web-a");
    cluster.createPod(PodSpec.named("web-a").label("app", "web"));
    cluster.run(5 * SimTime.SECOND);
    assertThat(Kubectl.firstPod(cluster, "default", app))
        .as("web-a Ready again later: web-b has been Ready longest")
        .map(Pod::name)
        .contains("web-b");
    cluster.crashNode(cluster.pod("web-b").orElseThrow().node().orElseThrow().name());
    cluster.run(60 * SimTime.SECOND);
    assertThat(Kubectl.firstPod(cluster, "default", app))
        .as("web-b's node stopped posting its status: web-b is not Ready")
        .hasValueSatisfying(p -> assertThat(p.name()).isIn("web-a", "web-c"));
    assertThat(Kubectl.firstPod(cluster, "other", app)).isEmpty();
  }

  @Test
  void createStatefulSet_orderedReadyOnANodeThatStopsPosting_noFurtherPodWhileOneIsNotReady() {
    Cluster cluster = Cluster.bridge().nodes(3).seed(7).build();
    StatefulSet web = cluster.createStatefulSet("web", 3, WEB, PodManagementPolicy.ORDERED_READY);
    cluster.run(5 * SimTime.SECOND);
    String web0Node = cluster.pod("web-0").orElseThrow().node().orElseThrow().name();
    assertThat(cluster.pod("web-2").orElseThrow().node().orElseThrow().name())
        .isNotEqualTo(web0Node);
    cluster.crashNode(web0Node);
    cluster.run(60 * SimTime.SECOND);

    cluster.deletePod("web-2");
    cluster.run(5 * SimTime.SECOND);

    assertThat(cluster.pods(web))
        .as("web-0 is Running but not Ready: web-2 is not made again")
        .extracting(Pod::name)
        .containsExactly("web-0", "web-1");
    cluster.restoreNode(web0Node);
    cluster.run(60 * SimTime.SECOND);
    assertThat(cluster.pods(web)).extracting(Pod::name).containsExactly("web-0", "web-1", "web-2");
  }

  @Test
  void createStatefulSet_aPodOfTheSameNameAlready_holdsItsOrdinal() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();
    Pod bare = cluster.runPod(PodSpec.named("web-1").label("app", "other"));
    cluster.createPod(PodSpec.named("db-1").label("app", "other"));

    StatefulSet ordered =
        cluster.createStatefulSet("web", 3, WEB, PodManagementPolicy.ORDERED_READY);
    StatefulSet parallel =
        cluster.createStatefulSet(
            "db", 3, PodSpec.template().label("app", "db"), PodManagementPolicy.PARALLEL);
    cluster.run(5 * SimTime.SECOND);

    assertThat(cluster.pods(ordered)).extracting(Pod::name).containsExactly("web-0");
    assertThat(cluster.pod("web-1")).containsSame(bare);
    assertThat(cluster.pod("web-2")).isEmpty();
    assertThat(cluster.pods(parallel)).extracting(Pod::name).containsExactly("db-0", "db-2");
    assertThat(cluster.pod("db-1").orElseThrow().controlledBy()).isEmpty();
  }

  @Test
  void createStatefulSet_refused_leavesNothingBehind() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();

    assertThatThrownBy(
            () ->
                cluster.createStatefulSet(
                    "web", 2, WEB.onNode("node-9"), PodManagementPolicy.PARALLEL))
        .hasMessageStartingWith("node \"node-9\" does not exist");
    assertThatThrownBy(
            () -> cluster.createStatefulSet("w".repeat(53), 1, WEB, PodManagementPolicy.PARALLEL))
        .hasMessageStartingWith("statefulset name \"" + "w".repeat(53) + "\" is longer than 52");
    StatefulSet web = cluster.createStatefulSet("web", 2, WEB, PodManagementPolicy.PARALLEL);
    StatefulSet longest =
        cluster.createStatefulSet("w".repeat(52), 1, WEB, PodManagementPolicy.PARALLEL);
    cluster.run(5 * SimTime.SECOND);

    assertThat(cluster.pods(web)).hasSize(2).allMatch(Pod::isRunning);
    assertThat(cluster.pods(longest)).hasSize(1).allMatch(Pod::isRunning);
    assertThat(longest.revision().length()).isLessThanOrEqualTo(63);
  }
}
