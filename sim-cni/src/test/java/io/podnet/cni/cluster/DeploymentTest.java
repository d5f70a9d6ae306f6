package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.engine.SimTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Cluster#createDeployment}: a ReplicaSet that names, spreads and replaces its pods. */
class DeploymentTest {

  private static final String SUFFIX = "-[bcdfghjklmnpqrstvwxz2456789]{5}";

  @Test
  void createDeployment_threeReplicas_podsNamedAfterTheReplicaSetSpreadAndRunning() {
    Cluster cluster = Cluster.bridge().nodes(3).seed(7).build();

    Deployment web = cluster.createDeployment("web", 3, Map.of("app", "web"));
    cluster.run(SimTime.SECOND);

    assertThat(web.replicaSetName()).matches("web-[4-9bcdf]{1,10}");
    List<Pod> pods = cluster.pods(web);
    assertThat(pods).hasSize(3).allMatch(Pod::isRunning);
    assertThat(pods).allMatch(p -> p.name().matches(web.replicaSetName() + SUFFIX));
    String hash = web.replicaSetName().substring("web-".length());
    assertThat(pods)
        .allMatch(p -> p.labels().equals(Map.of("app", "web", "pod-template-hash", hash)));
    assertThat(pods)
        .extracting(p -> p.controlledBy().orElseThrow())
        .containsOnly("ReplicaSet/" + web.replicaSetName());
    assertThat(pods)
        .extracting(p -> p.node().orElseThrow().name())
        .containsExactly("node-1", "node-2", "node-3");
  }

  @Test
  void deletePod_ofADeployment_replacedAtOnceByAPodWithANewName() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();
    Deployment web = cluster.createDeployment("web", 2, Map.of("app", "web"));
    cluster.run(SimTime.SECOND);
    Pod gone = cluster.pods(web).get(0);

    cluster.deletePod(gone.key());
    cluster.run(SimTime.SECOND);

    List<Pod> pods = cluster.pods(web);
    assertThat(pods).hasSize(2).allMatch(Pod::isRunning);
    assertThat(pods).extracting(Pod::name).doesNotContain(gone.name());
    assertThat(cluster.runPod("bare").controlledBy()).isEmpty();
  }

  @Test
  void deleteDeployment_running_podsGoAndAreNotReplaced() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();
    Deployment web = cluster.createDeployment("web", 2, Map.of("app", "web"));
    cluster.run(SimTime.SECOND);

    cluster.deleteDeployment("web");
    cluster.run(5 * SimTime.SECOND);

    assertThat(cluster.pods(web)).isEmpty();
    assertThatThrownBy(() -> cluster.deleteDeployment("web"))
        .hasMessage("deployment \"default/web\" does not exist");
  }

  @Test
  void createDeployment_sameSeedTwice_sameNames() {
    assertThat(names(11)).isEqualTo(names(11)).isNotEqualTo(names(12));
  }

  @Test
  void createDeployment_badInput_refusedWithTheValueAndWhatWasExpected() {
    Cluster cluster = Cluster.bridge().seed(7).build();
    cluster.createDeployment("web", 1, Map.of("app", "web"));

    assertThatThrownBy(() -> cluster.createDeployment("web", 1, Map.of("app", "web")))
        .hasMessage("deployment \"default/web\" already exists");
    assertThatThrownBy(() -> cluster.createDeployment("api", -1, Map.of("app", "api")))
        .hasMessage("replicas must be >= 0: -1");
    assertThatThrownBy(() -> cluster.createDeployment("api", 1, Map.of()))
        .hasMessage("deployment \"default/api\" needs labels (expected at least one)");
    assertThatThrownBy(() -> cluster.createDeployment("Api", 1, Map.of("app", "api")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid pod \"Api\"");
  }

  @Test
  void createDeployment_templatePinnedToANode_everyReplicaBoundThere() {
    Cluster cluster = Cluster.bridge().nodes(3).seed(7).build();

    Deployment web =
        cluster.createDeployment("web", 3, PodSpec.template().label("app", "web").onNode("node-2"));
    cluster.run(SimTime.SECOND);

    assertThat(cluster.pods(web))
        .hasSize(3)
        .allMatch(Pod::isRunning)
        .extracting(p -> p.node().orElseThrow().name())
        .containsOnly("node-2");
  }

  @Test
  void createDeployment_longName_podNamesCutAsTheApiServersGeneratorCutsThem() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();
    String name = "a".repeat(60);

    Deployment web = cluster.createDeployment(name, 2, Map.of("app", "web"));
    cluster.run(SimTime.SECOND);

    assertThat(cluster.pods(web))
        .hasSize(2)
        .allMatch(Pod::isRunning)
        .extracting(Pod::name)
        .allMatch(n -> n.matches("a{58}[bcdfghjklmnpqrstvwxz2456789]{5}"));
  }

  @Test
  void createDeployment_pinnedToAMissingNode_refusedLeavingNothingBehind() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();

    assertThatThrownBy(
            () ->
                cluster.createDeployment(
                    "web", 1, PodSpec.template().label("app", "web").onNode("node-9")))
        .hasMessageStartingWith("node \"node-9\" does not exist");
    Deployment web = cluster.createDeployment("web", 1, Map.of("app", "web"));
    cluster.run(SimTime.SECOND);

    assertThat(cluster.pods(web)).hasSize(1).allMatch(Pod::isRunning);
  }

  @Test
  void templateHash_manyDraws_onlyTheDigitsSafeEncodeStringMakes() {
    java.util.SplittableRandom stream = new java.util.SplittableRandom(3);
    for (int i = 0; i < 1000; i++) {
      assertThat(Workloads.templateHash(stream)).matches("[4-9bcdf]{1,10}");
    }
    assertThat(Workloads.templateHash(new FixedInt(0))).isEqualTo("4");
    assertThat(Workloads.templateHash(new FixedInt(-1))).isEqualTo("86f8fbc6f9");
  }

  /** A generator whose {@code nextInt()} is always one value. */
  private record FixedInt(int value) implements java.util.random.RandomGenerator {
    @Override
    public int nextInt() {
      return value;
    }

    @Override
    public long nextLong() {
      return value;
    }
  }

  private static List<String> names(long seed) {
    Cluster cluster = Cluster.bridge().nodes(2).seed(seed).build();
    Deployment web = cluster.createDeployment("web", 2, Map.of("app", "web"));
    cluster.run(SimTime.SECOND);
    return cluster.pods(web).stream().map(Pod::name).toList();
  }

  @Test
  void createDeployment_templateWithItsOwnPodTemplateHash_theReplicaSetsHashWins() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();

    Deployment web =
        cluster.createDeployment("web", 1, Map.of("app", "web", "pod-template-hash", "mine"));
    cluster.run(SimTime.SECOND);

    assertThat(cluster.pods(web).get(0).labels())
        .containsEntry("pod-template-hash", web.replicaSetName().substring("web-".length()));
  }
}
