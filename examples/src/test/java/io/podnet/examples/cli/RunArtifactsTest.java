package io.podnet.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Pod;
import io.podnet.core.engine.SimTime;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunArtifactsTest {

  @TempDir Path dir;

  @Test
  void podStarted_kubeProxyReplacementOnTheHostNetwork_neitherCapturedNorDrawnAsAPod() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();
    RunArtifacts artifacts = new RunArtifacts(dir);
    artifacts.clusterBuilt(cluster);
    Pod proxy = cluster.pods().get(0);

    cluster.deletePod(proxy.key());
    cluster.runPod("web-1");
    cluster.run(SimTime.SECOND);

    assertThat(cluster.pods()).anyMatch(p -> p.hostNetwork() && p.isRunning());
    assertThat(artifacts.closeCaptures())
        .containsExactly("node-1-eth0.pcap", "node-1-web-1-eth0.pcap");
    assertThat(artifacts.topologyDiagram()).contains("Pod web-1").doesNotContain("kube-proxy");
  }
}
