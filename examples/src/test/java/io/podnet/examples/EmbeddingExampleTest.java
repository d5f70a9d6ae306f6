package io.podnet.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Pod;
import io.podnet.cni.contract.ClusterAssert;
import io.podnet.core.addr.Cidr;
import io.podnet.core.engine.SimTime;
import io.podnet.core.net.ProbeResult;
import org.junit.jupiter.api.Test;

/**
 * PodNet embedded in a JUnit 5 test, the way a plugin or a tool would use it: build a simulated
 * cluster, run pods on it, send a packet, and check the CNI contract. Copy this class as a start.
 */
class EmbeddingExampleTest {

  @Test
  void runPod_twoNodesOnTheBridgePlugin_podsGetUniqueReachableIpsAndTheContractHolds() {
    // Two nodes on the reference bridge plugin; seed 7 makes every run the same, byte for byte.
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();

    // runPod schedules a pod, lets the kubelet call CNI ADD, and returns once it runs.
    Pod web = cluster.runPod("default/web", "node-1");
    Pod client = cluster.runPod("default/client", "node-2");

    assertThat(web.isRunning()).isTrue();
    assertThat(Cidr.parse("10.244.1.0/24").contains(web.requireIp())).isTrue();
    assertThat(client.requireIp()).isNotEqualTo(web.requireIp());

    // A ping from one pod's network namespace to the other's IP, across the two nodes.
    ProbeResult ping = client.requireNetns().ping(web.requireIp());
    assertThat(ping.success()).as(ping.message()).isTrue();

    // The four rules of the CNI contract: unique IPs, reachable without NAT, routes, clean-up.
    ClusterAssert.assertThat(cluster).satisfiesCniContract();

    // Rule 4: deleting a pod frees its IP and its veth, and the contract still holds.
    cluster.deletePod("default/web");
    cluster.run(5 * SimTime.SECOND);
    ClusterAssert.assertThat(cluster).satisfiesCniContract();
  }

  @Test
  void build_sameSeedTwice_sameTraceDigest() {
    String first = digestOfARun();
    String second = digestOfARun();

    assertThat(first).isEqualTo(second);
  }

  private static String digestOfARun() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();
    Pod a = cluster.runPod("default/a", "node-1");
    Pod b = cluster.runPod("default/b", "node-2");
    a.requireNetns().ping(b.requireIp());
    return cluster.network().trace().digest();
  }
}
