package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.net.Iproute2;
import io.podnet.core.net.ProbeResult;
import io.podnet.core.trace.Trace;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ClusterTest {

  private static final long MS = SimTime.MILLISECOND;
  private static final String SANDBOX_ID = "[0-9a-f]{64}";
  private static final String STORE = "/var/lib/cni/networks/bridge";

  // ---------------------------------------------------------------- topology

  @Test
  void build_bridgePresetTwoNodes_givesEachNodeAPodCidrAnAddressAndHostGwRoutes() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();

    assertThat(cluster.nodes()).extracting(Node::name).containsExactly("node-1", "node-2");
    Node n1 = cluster.node("node-1");
    Node n2 = cluster.node("node-2");
    assertThat(n1.podCidr()).isEqualTo(Cidr.parse("10.244.1.0/24"));
    assertThat(n2.podCidr()).isEqualTo(Cidr.parse("10.244.2.0/24"));
    assertThat(n1.internalIp()).isEqualTo(Ipv4Address.parse("192.168.1.11"));
    assertThat(n2.internalIp()).isEqualTo(Ipv4Address.parse("192.168.1.12"));
    assertThat(n1.isReady()).isTrue();
    assertThat(Iproute2.ipRouteShow(n1.host().root()))
        .contains("10.244.2.0/24 via 192.168.1.12 dev eth0");
    assertThat(n1.runtime().loadConfig().file()).endsWith("10-bridge.conflist");
    assertThat(n1.host().files().read("/etc/cni/net.d/10-bridge.conflist").orElseThrow())
        .contains("\"subnet\": \"10.244.1.0/24\"");
    assertThat(n1.runtime().hasPlugin("bridge")).isTrue();
    assertThat(n1.runtime().hasPlugin("loopback")).isTrue();
  }

  // ---------------------------------------------------------------- scheduling and IPs

  @Test
  void runPod_twoPodsOnOneNode_getHostLocalOrderDotTwoThenDotThree() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();

    Pod first = cluster.runPod("web-1", "node-1");
    Pod second = cluster.runPod("web-2", "node-1");

    assertThat(first.status()).isEqualTo(PodStatus.RUNNING);
    assertThat(first.requireIp()).isEqualTo(Ipv4Address.parse("10.244.1.2"));
    assertThat(second.requireIp()).isEqualTo(Ipv4Address.parse("10.244.1.3"));
    assertThat(first.node()).contains(cluster.node("node-1"));
  }

  @Test
  void runPod_scheduler_putsEachPodOnTheNodeWithFewestPodsFirstInOrder() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();

    Pod a = cluster.runPod("default/web-1");
    Pod b = cluster.runPod("web-2");
    Pod c = cluster.runPod("web-3");
    Pod d = cluster.runPod("web-4");

    assertThat(List.of(a, b, c, d))
        .extracting(p -> p.node().orElseThrow().name())
        .containsExactly("node-1", "node-2", "node-1", "node-2");
    assertThat(List.of(a, b, c, d))
        .extracting(p -> p.requireIp().toString())
        .containsExactly("10.244.1.2", "10.244.2.2", "10.244.1.3", "10.244.2.3");
    assertThat(a.events())
        .extracting(PodEvent::reason, PodEvent::from, PodEvent::message)
        .containsExactly(
            tuple(
                "Scheduled", "default-scheduler", "Successfully assigned default/web-1 to node-1"));
  }

  @Test
  void createPod_lifecycle_pendingThenContainerCreatingThenRunningOnTheSimulatedClock() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();

    Pod pod = cluster.createPod("web-1");

    // scheduler binds after 5 ms; the sandbox takes 50 ms; loopback, bridge, host-local and
    // portmap run 10 ms each; the container starts 100 ms later: Running at 195 ms
    assertThat(pod.status()).isEqualTo(PodStatus.PENDING);
    assertThat(pod.node()).isEmpty();
    cluster.run(4 * MS);
    assertThat(pod.status()).isEqualTo(PodStatus.PENDING);
    cluster.run(2 * MS);
    assertThat(pod.status()).isEqualTo(PodStatus.CONTAINER_CREATING);
    assertThat(pod.node()).contains(cluster.node("node-1"));
    assertThat(pod.ip()).isEmpty();
    cluster.run(100 * MS);
    assertThat(pod.status()).isEqualTo(PodStatus.CONTAINER_CREATING);
    assertThat(pod.sandboxId()).hasValueSatisfying(id -> assertThat(id).matches(SANDBOX_ID));
    cluster.run(88 * MS);
    assertThat(cluster.simulation().now()).isEqualTo(194 * MS);
    assertThat(pod.status()).isEqualTo(PodStatus.CONTAINER_CREATING);
    cluster.run(2 * MS);
    assertThat(pod.status()).isEqualTo(PodStatus.RUNNING);
    assertThat(pod.requireIp()).isEqualTo(Ipv4Address.parse("10.244.1.2"));
  }

  @Test
  void runPod_pod_seesEth0AtIndex3AndReachesPodsOnBothNodes() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();
    Pod a = cluster.runPod("web-1", "node-1");
    Pod b = cluster.runPod("web-2", "node-2");
    Pod c = cluster.runPod("web-3", "node-1");

    assertThat(Iproute2.ipLinkShow(a.requireNetns())).contains("3: eth0@if");
    assertThat(Iproute2.ipRouteShow(a.requireNetns())).contains("default via 10.244.1.1 dev eth0");
    ProbeResult sameNode = a.requireNetns().ping(c.requireIp());
    ProbeResult otherNode = a.requireNetns().ping(b.requireIp());
    assertThat(sameNode.success()).as(sameNode.toString()).isTrue();
    assertThat(otherNode.success()).as(otherNode.toString()).isTrue();
    assertThat(otherNode.from()).isEqualTo(b.requireIp());
  }

  // ---------------------------------------------------------------- sandbox failures

  @Test
  void runPod_bridgeBinaryMissing_staysContainerCreatingWithContainerdsMessage() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();
    cluster.node("node-1").runtime().removePlugin("bridge");

    Pod pod = cluster.runPod("web-1", "node-1");

    assertThat(pod.status()).isEqualTo(PodStatus.CONTAINER_CREATING);
    assertThat(pod.ip()).isEmpty();
    PodEvent failed = only(pod, "FailedCreatePodSandBox");
    assertThat(failed.type()).isEqualTo("Warning");
    assertThat(failed.from()).isEqualTo("kubelet");
    assertThat(failed.message())
        .matches(
            "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup"
                + " network for sandbox \""
                + SANDBOX_ID
                + "\": plugin type=\"bridge\" failed \\(add\\): failed to find plugin \"bridge\""
                + " in path \\[/opt/cni/bin\\]");
    assertThat(Kubectl.getPodsWide(cluster)).contains("ContainerCreating").contains("0/1");
  }

  @Test
  void runPod_bridgeInstalledAgain_retryTenSecondsLaterSucceedsWithSandboxChanged() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();
    cluster.node("node-1").runtime().removePlugin("bridge");
    Pod pod = cluster.runPod("web-1", "node-1");
    long failedAt = only(pod, "FailedCreatePodSandBox").lastSeen();
    cluster.node("node-1").runtime().installPlugin("bridge");

    cluster.run(9 * SimTime.SECOND);
    assertThat(pod.status()).isEqualTo(PodStatus.CONTAINER_CREATING);
    cluster.run(2 * SimTime.SECOND);

    assertThat(pod.status()).isEqualTo(PodStatus.RUNNING);
    assertThat(pod.requireIp()).isEqualTo(Ipv4Address.parse("10.244.1.2"));
    PodEvent changed = only(pod, "SandboxChanged");
    assertThat(changed.type()).isEqualTo("Normal");
    assertThat(changed.message())
        .isEqualTo("Pod sandbox changed, it will be killed and re-created.");
    assertThat(changed.firstSeen() - failedAt).isEqualTo(10 * SimTime.SECOND);
    // the failed sandbox's namespace was removed: only the new one is left
    assertThat(cluster.node("node-1").host().namespaces()).hasSize(2);
  }

  @Test
  void runPod_delAfterAFailedAddFails_keepsTheSandboxUntilItsDelSucceedsAndLeaksNothing() {
    // bridge takes an IP and makes the veth, then portmap is missing: ADD fails, and so does DEL
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();
    Node node = cluster.node("node-1");
    node.runtime().removePlugin("portmap");
    Pod pod = cluster.runPod("web-1");
    String failed = pod.sandboxId().orElseThrow();
    assertThat(node.host().files().read("/var/lib/cni/networks/bridge/10.244.1.2"))
        .hasValueSatisfying(owner -> assertThat(owner).startsWith(failed));

    cluster.run(11 * SimTime.SECOND);
    assertThat(pod.events()).extracting(PodEvent::reason).contains("FailedKillPod");
    assertThat(pod.sandboxId()).contains(failed);
    node.runtime().installPlugin("portmap");
    cluster.run(11 * SimTime.SECOND);

    assertThat(pod.status()).isEqualTo(PodStatus.RUNNING);
    String running = pod.sandboxId().orElseThrow();
    List<String> held =
        node.host().files().paths().stream()
            .filter(p -> p.startsWith("/var/lib/cni/networks/bridge/10."))
            .toList();
    assertThat(held).hasSize(1);
    assertThat(node.host().files().read(held.get(0)))
        .hasValueSatisfying(owner -> assertThat(owner).startsWith(running));
    assertThat(node.host().files().paths())
        .filteredOn(p -> p.startsWith("/var/lib/cni/results/"))
        .allMatch(p -> p.contains(running));
    assertThat(node.host().namespaces()).hasSize(2);
  }

  @Test
  void runPod_slash30PodCidrExhausted_eventCarriesHostLocalsExhaustionMessage() {
    // node-1's podCIDR is 10.244.0.4/30: host-local's range is .5-.6 and .5 is the gateway
    Cluster cluster = Cluster.bridge().nodeCidrMaskSize(30).seed(7).build();
    assertThat(cluster.node("node-1").podCidr()).isEqualTo(Cidr.parse("10.244.0.4/30"));

    Pod first = cluster.runPod("web-1");
    Pod second = cluster.runPod("web-2");

    assertThat(first.requireIp()).isEqualTo(Ipv4Address.parse("10.244.0.6"));
    assertThat(second.status()).isEqualTo(PodStatus.CONTAINER_CREATING);
    assertThat(only(second, "FailedCreatePodSandBox").message())
        .matches(
            "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup"
                + " network for sandbox \""
                + SANDBOX_ID
                + "\": plugin type=\"bridge\" failed \\(add\\): failed to allocate for range 0:"
                + " no IP addresses available in range set: 10\\.244\\.0\\.5-10\\.244\\.0\\.6");
  }

  @Test
  void build_noConflist_nodeIsNotReadyWithTheKubeletsMessageAndTaintedNotReady() {
    Cluster cluster = Cluster.builder().nodes(1).seed(7).build();

    Node node = cluster.node("node-1");

    assertThat(node.isReady()).isFalse();
    assertThat(node.notReadyReason())
        .contains(
            "container runtime network not ready: NetworkReady=false"
                + " reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin"
                + " not initialized");
    assertThat(node.taints())
        .containsExactly(
            "node.kubernetes.io/not-ready:NoExecute", "node.kubernetes.io/not-ready:NoSchedule");
  }

  @Test
  void runPod_noConflistAndNoNodePinned_failsScheduling() {
    Cluster cluster = Cluster.builder().nodes(1).seed(7).build();

    Pod pod = cluster.runPod("web-1");

    assertThat(pod.status()).isEqualTo(PodStatus.PENDING);
    assertThat(pod.node()).isEmpty();
    PodEvent event = only(pod, "FailedScheduling");
    assertThat(event.from()).isEqualTo("default-scheduler");
    assertThat(event.message())
        .isEqualTo(
            "0/1 nodes are available: 1 node(s) had untolerated taint"
                + " {node.kubernetes.io/not-ready: }. preemption: 0/1 nodes are available: 1"
                + " Preemption is not helpful for scheduling.");
  }

  @Test
  void runPod_noConflistOnThePinnedNode_getsNetworkNotReadyThenRunsOnceTheConfigArrives() {
    Cluster cluster = Cluster.builder().nodes(1).seed(7).build();

    Pod pod = cluster.runPod("web-1", "node-1");

    PodEvent event = only(pod, "NetworkNotReady");
    assertThat(event.type()).isEqualTo("Warning");
    assertThat(event.message())
        .isEqualTo(
            "network is not ready: container runtime network not ready: NetworkReady=false"
                + " reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin"
                + " not initialized");
    assertThat(pod.isRunning()).isFalse();
    assertThat(pod.sandboxId()).isEmpty();

    cluster
        .node("node-1")
        .runtime()
        .writeConfig("10-bridge.conflist", Conflists.BRIDGE.replace("${podCIDR}", "10.244.1.0/24"));
    cluster.run(3 * SimTime.SECOND);

    assertThat(pod.isRunning()).isTrue();
    assertThat(pod.requireIp()).isEqualTo(Ipv4Address.parse("10.244.1.2"));
  }

  // ---------------------------------------------------------------- deletion

  @Test
  void deletePod_freesTheIpAndTheVethAndTheNextPodGetsDotFour() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();
    Pod first = cluster.runPod("web-1");
    cluster.runPod("web-2");
    Node node = cluster.node("node-1");
    List<String> vethsBefore = veths(node);
    assertThat(node.host().files().exists(STORE + "/10.244.1.2")).isTrue();

    cluster.deletePod("web-1");

    assertThat(first.isDeleted()).isTrue();
    assertThat(cluster.pod("web-1")).isEmpty();
    assertThat(node.host().files().exists(STORE + "/10.244.1.2")).isFalse();
    assertThat(veths(node)).hasSize(vethsBefore.size() - 1);
    Teardown teardown = cluster.teardowns().get(0);
    assertThat(teardown.ip()).isEqualTo(Ipv4Address.parse("10.244.1.2"));
    assertThat(teardown.hostInterfaces()).hasSize(2).startsWith("cni0");
    assertThat(veths(node)).doesNotContain(teardown.hostInterfaces().get(1));
    assertThat(node.host().namespaces()).hasSize(2);
    assertThat(node.host().files().list("/var/lib/cni/results"))
        .noneMatch(f -> f.contains(teardown.containerId()));

    Pod third = cluster.runPod("web-3");

    assertThat(third.requireIp()).isEqualTo(Ipv4Address.parse("10.244.1.4"));
  }

  @Test
  void deletePod_pendingPod_isRemovedAtOnce() {
    Cluster cluster = Cluster.builder().nodes(1).seed(7).build();
    Pod pod = cluster.runPod("web-1");

    cluster.deletePod("web-1");

    assertThat(pod.isDeleted()).isTrue();
    assertThat(cluster.pods()).filteredOn(p -> !p.hostNetwork()).isEmpty();
  }

  // ---------------------------------------------------------------- determinism

  @Test
  void run_sameSeedTwice_givesTheSameTraceDigest() {
    String first = scenarioDigest(7);
    String second = scenarioDigest(7);

    assertThat(first).isEqualTo(second).hasSize(64);
    assertThat(scenarioDigest(8)).isNotEqualTo(first);
  }

  private static String scenarioDigest(long seed) {
    Cluster cluster = Cluster.bridge().nodes(2).seed(seed).trace(Trace.digestOnly()).build();
    cluster.runPod("web-1");
    cluster.runPod("web-2");
    cluster.node("node-1").runtime().removePlugin("bridge");
    cluster.runPod("web-3", "node-1");
    cluster.node("node-1").runtime().installPlugin("bridge");
    cluster.run(11 * SimTime.SECOND);
    cluster.deletePod("web-1");
    assertThat(cluster.network().trace().recordCount()).isPositive();
    return cluster.network().trace().digest();
  }

  // ---------------------------------------------------------------- helpers

  private static PodEvent only(Pod pod, String reason) {
    List<PodEvent> matching = pod.events().stream().filter(e -> e.reason().equals(reason)).toList();
    assertThat(matching).as("events " + reason + " of " + pod.events()).hasSize(1);
    return matching.get(0);
  }

  private static List<String> veths(Node node) {
    return node.host().root().devices().stream()
        .map(d -> d.name())
        .filter(n -> n.startsWith("veth"))
        .toList();
  }

  @Test
  void uuid_randomLongs_versionFourTextOfTheirHexDigits() {
    SplittableRandom random = new SplittableRandom(4122);
    SplittableRandom same = new SplittableRandom(4122);
    for (int i = 0; i < 1000; i++) {
      long hi = (same.nextLong() & ~0xF000L) | 0x4000L;
      long lo = (same.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
      String h = String.format(Locale.ROOT, "%016x%016x", hi, lo);
      String expected =
          String.join(
              "-",
              h.substring(0, 8),
              h.substring(8, 12),
              h.substring(12, 16),
              h.substring(16, 20),
              h.substring(20));

      assertThat(Cluster.uuid(random)).isEqualTo(expected);
    }
  }
}
