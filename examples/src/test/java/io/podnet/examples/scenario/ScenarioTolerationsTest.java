package io.podnet.examples.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spec.tolerations} in manifests: a pod that tolerates {@code unreachable} for 30 s leaves a
 * crashed node 30 s after the taint, the others keep the 300 s that admission gives them.
 */
class ScenarioTolerationsTest {

  static final String SCENARIO =
      """
      name: tolerations
      seed: 7
      cluster: {nodes: 2, cni: bridge}
      steps:
        - at: 0s
          apply:
            - apiVersion: v1
              kind: Pod
              metadata: {name: fast}
              spec:
                nodeName: node-2
                tolerations:
                  - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute,
                     tolerationSeconds: 30}
            - {apiVersion: v1, kind: Pod, metadata: {name: slow}, spec: {nodeName: node-2}}
        - at: 1s
          crashNode: node-2
        - at: 80s
          kubectl: get pods
        - at: 82s
          kubectl: get pods
      """;

  @TempDir Path dir;

  @Test
  void run_podToleratingUnreachableFor30Seconds_terminatingBeforeTheDefaultOne()
      throws IOException {
    String[] sections = ScenarioRunTest.runSections(dir, "tolerations.yaml", SCENARIO);

    assertThat(sections[3]).contains("fast   1/1     Running").contains("slow   1/1     Running");
    assertThat(sections[4])
        .contains("fast   1/1     Terminating")
        .contains("slow   1/1     Running");
  }
}
