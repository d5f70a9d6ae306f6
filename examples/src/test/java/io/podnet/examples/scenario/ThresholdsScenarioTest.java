package io.podnet.examples.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scenarios/thresholds.yaml} scaled down: the same file with 12 nodes in 2 racks and 40 apps
 * and Services instead of 5,000 nodes and 10,000 (the full size takes minutes and more heap than a
 * test has, so the suites that run every shipped scenario leave it out).
 */
class ThresholdsScenarioTest {

  private static final Path FILE = Path.of("scenarios/thresholds.yaml");

  @TempDir Path dir;

  /**
   * The shipped scenario files, sorted, but the full-size one, which only this test runs (scaled
   * down).
   */
  static List<Path> shippedScenarios() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("scenarios"))) {
      return s.filter(p -> p.toString().endsWith(".yaml"))
          .filter(p -> !p.equals(FILE))
          .sorted()
          .toList();
    }
  }

  private Path scaledDown() throws IOException {
    String text = Files.readString(FILE);
    String small =
        text.replace("nodes: 5000", "nodes: 12")
            .replace("racks: 21", "racks: 2")
            .replace("count: 10000", "count: 40");
    assertThat(small).as("the sizes this test rewrites").isNotEqualTo(text);
    assertThat(small).doesNotContain("5000", "10000");
    Path file = dir.resolve("thresholds-small.yaml");
    Files.writeString(file, small);
    return file;
  }

  @Test
  void fullSize_validates() {
    Scenario s = Scenario.load(FILE);

    assertThat(s.nodes()).isEqualTo(5000);
    assertThat(s.racks()).isEqualTo(21);
  }

  @Test
  void run_scaledDown_buildsSettlesAndHoldsTheContract() throws IOException {
    ScenarioRunTest.Run r = ScenarioRunTest.cli("run", scaledDown().toString());

    assertThat(r.code()).as(r.err() + r.out()).isZero();
    String out = r.out();
    assertThat(out)
        .contains("cluster: 12 nodes, cni flannel-vxlan, services iptables\n")
        .contains(
            "$ kubectl apply -f -    # 360 pods, 30 on each of 12 nodes (pod-node-1-1 to"
                + " pod-node-12-30), labels tier=web\n")
        .contains(
            "# 17 apps (label app=app-00001...), sizes from a power law 1..250, exponent 1.5"
                + " (mean 12.1): 360 pods in apps, the largest 161\n")
        .contains("$ kubectl apply -f -    # 40 generated ClusterIP Services selecting apps")
        .contains(
            "settled after 1.100000000s: 384/384 pods Running on 12 nodes; 41 Services with 738"
                + " endpoints, programmed on every node\n")
        .contains("CNI contract holds (360 pods, 129240 pod pairs)\n")
        .contains("expect contract holds (by classes) ... OK\n")
        .doesNotContain("FAILED");
  }

  @Test
  void run_scaledDownTwice_sameTranscript() throws IOException {
    Path file = scaledDown();

    String first = ScenarioRunTest.cli("run", file.toString()).out();
    String second = ScenarioRunTest.cli("run", file.toString()).out();

    assertThat(second).isEqualTo(first).contains("trace digest: ");
  }
}
