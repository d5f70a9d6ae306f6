package io.podnet.cni.contract;

import static io.podnet.cni.contract.ClusterAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Pod;
import io.podnet.core.trace.Trace;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The contract every CNI strategy must pass, as an abstract JUnit 5 suite: a strategy's test class
 * extends it and says how to build its cluster.
 *
 * <pre>{@code
 * class BridgeContractTest extends CniContractSuite {
 *   @Override
 *   protected Cluster.Builder strategy() {
 *     return Cluster.bridge();
 *   }
 * }
 * }</pre>
 */
public abstract class CniContractSuite {

  /** The strategy under test; the suite sets the node count and the seed. */
  protected abstract Cluster.Builder strategy();

  /** The seed the suite's clusters use. */
  protected long seed() {
    return 7;
  }

  private Cluster cluster(int nodes) {
    return strategy().nodes(nodes).seed(seed()).build();
  }

  private static List<Pod> runPods(Cluster cluster, int count) {
    List<Pod> pods = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      Pod pod = cluster.runPod("default/web-" + i);
      assertThat(pod.isRunning()).as("%s is running; events %s", pod.key(), pod.events()).isTrue();
      pods.add(pod);
    }
    return pods;
  }

  @Test
  void contract_oneNodeThreePods_holds() {
    Cluster cluster = cluster(1);
    runPods(cluster, 3);
    assertThat(cluster).satisfiesCniContract();
  }

  @Test
  void contract_threeNodesSixPods_holds() {
    Cluster cluster = cluster(3);
    runPods(cluster, 6);
    ContractReport report = ContractChecker.check(cluster);
    assertThat(report.holds()).as(report.render()).isTrue();
    assertThat(report.podsChecked()).isEqualTo(6);
    assertThat(report.pairsChecked()).isEqualTo(30);
  }

  @Test
  void contract_twentyNodesTwentyPods_holds() {
    Cluster cluster = cluster(20);
    runPods(cluster, 20);
    ContractReport report = ContractChecker.check(cluster);
    assertThat(report.holds()).as(report.render()).isTrue();
    assertThat(report.pairsChecked()).isEqualTo(20 * 19);
  }

  @Test
  void checkByClasses_fourNodesTwelvePods_reportsWhatThePairCheckReports() {
    Cluster byPairs = cluster(4);
    runPods(byPairs, 12);
    Cluster byClasses = cluster(4);
    runPods(byClasses, 12);
    ContractReport expected = ContractChecker.check(byPairs);
    ContractReport report = ContractChecker.checkByClasses(byClasses);
    assertThat(report.violations()).isEqualTo(expected.violations());
    assertThat(report.podsChecked()).isEqualTo(expected.podsChecked());
    assertThat(report.pairsChecked()).isEqualTo(12 * 11).isEqualTo(expected.pairsChecked());
    assertThat(report.datagramsSent()).isLessThan(expected.datagramsSent());
  }

  @Test
  void contract_afterDeletingPods_holds() {
    Cluster cluster = cluster(2);
    runPods(cluster, 4);
    cluster.deletePod("default/web-1");
    cluster.deletePod("default/web-4");
    assertThat(cluster.teardowns()).hasSize(2);
    assertThat(cluster).satisfiesCniContract();
  }

  @Test
  void podIps_eachInTheClusterCidr() {
    Cluster cluster = cluster(2);
    for (Pod pod : runPods(cluster, 4)) {
      assertThat(cluster.clusterCidr().contains(pod.requireIp()))
          .as("%s at %s is in %s", pod.key(), pod.requireIp(), cluster.clusterCidr())
          .isTrue();
    }
  }

  @Test
  void specPromises_checkAfterAddAndRepeatedDel_succeed() {
    Cluster cluster = cluster(1);
    runPods(cluster, 2);
    assertThat(ContractChecker.checkSpecPromises(cluster, "default/web-1")).isEmpty();
    assertThat(cluster.pod("default/web-1")).isEmpty();
    assertThat(cluster).satisfiesCniContract();
  }

  @Test
  void run_sameSeedTwice_givesTheSameDigest() {
    String first = digestOfARun();
    String second = digestOfARun();
    assertThat(first).isEqualTo(second);
  }

  private String digestOfARun() {
    Cluster cluster = strategy().nodes(2).seed(seed()).trace(Trace.digestOnly()).build();
    runPods(cluster, 3);
    ContractChecker.check(cluster);
    return cluster.network().trace().digest();
  }
}
