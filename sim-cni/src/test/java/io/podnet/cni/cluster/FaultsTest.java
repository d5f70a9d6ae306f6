package io.podnet.cni.cluster;

import static io.podnet.cni.contract.ClusterAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.podnet.cni.calico.CalicoDatastore;
import io.podnet.cni.calico.CalicoNode;
import io.podnet.cni.contract.ContractChecker;
import io.podnet.cni.contract.Rule;
import io.podnet.cni.runtime.Attachment;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.net.Iproute2;
import io.podnet.core.net.Link;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Nic;
import io.podnet.core.net.Ping;
import io.podnet.core.net.PingOptions;
import io.podnet.dataplane.bgp.BgpSpeaker;
import io.podnet.dataplane.bgp.BgpState;
import io.podnet.dataplane.service.Endpoint;
import io.podnet.dataplane.service.Service;
import io.podnet.dataplane.service.ServicePort;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.ListAssert;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Faults, each shown the way the real system shows it and followed by the real system's recovery: a
 * node crash, a node whose network is not ready, a link cut, a BGP session flap, packet loss and
 * latency, a missing plugin binary, IPAM exhaustion, an MTU mismatch, and a CNI GC freeing what a
 * crashed container runtime leaked. Faults that every CNI can suffer run over every strategy.
 */
class FaultsTest {

  private static final long SECOND = SimTime.SECOND;
  private static final String NOT_POSTING = "Kubelet stopped posting node status.";
  private static final String NOT_READY = "node.kubernetes.io/not-ready";
  private static final String UNREACHABLE = "node.kubernetes.io/unreachable";
  private static final String CALICO_EXHAUSTED =
      "failed to request IPv4 addresses: Assigned 0 out of 1 requested IPv4 addresses;"
          + " No IPs available in pools: ";

  // ---------------------------------------------------------------- node crash

  @ParameterizedTest
  @EnumSource(ChurnStrategy.class)
  void crashNode_deploymentPod_unknownAfterGraceEvictedAfterTolerationReplacedAndFreedOnReturn(
      ChurnStrategy strategy) {
    Cluster cluster = strategy.builder().nodes(3).seed(21).build();
    Service service = webService(cluster);
    Deployment web = startWeb(cluster, 3);
    List<Pod> before = cluster.pods(web);
    assertThat(before).allMatch(Pod::isRunning);
    assertThat(before)
        .extracting(p -> p.node().orElseThrow().name())
        .containsExactly("node-1", "node-2", "node-3");
    Pod lost = before.get(2);
    Ipv4Address lostIp = lost.requireIp();
    Node node3 = cluster.node("node-3");

    cluster.crashNode("node-3");
    cluster.run(49 * SECOND);

    assertThat(node3.readyCondition())
        .containsExactly("True", "KubeletReady", "kubelet is posting ready status");
    assertThat(cluster.endpoints(service)).extracting(Endpoint::ip).contains(lostIp);

    cluster.run(SECOND);

    assertThat(node3.readyCondition()).containsExactly("Unknown", "NodeStatusUnknown", NOT_POSTING);
    assertThat(node3.taints())
        .containsExactly(
            "node.kubernetes.io/unreachable:NoExecute",
            "node.kubernetes.io/unreachable:NoSchedule");
    events(lost).contains(tuple("Warning", "NodeNotReady", "node-controller", "Node is not ready"));
    cluster.run(SECOND);
    assertThat(cluster.endpoints(service)).extracting(Endpoint::ip).doesNotContain(lostIp);

    cluster.run(298 * SECOND);
    assertThat(lost.status())
        .as("tolerated for 300 s after the taint")
        .isEqualTo(PodStatus.RUNNING);
    cluster.run(2 * SECOND);

    assertThat(lost.status()).isEqualTo(PodStatus.TERMINATING);
    events(lost).contains(evictionEvent("Marking for deletion Pod", lost));
    cluster.run(5 * SECOND);
    List<Pod> serving = serving(cluster, web);
    assertThat(serving).hasSize(3).allMatch(Pod::isRunning);
    Pod replacement = serving.get(2);
    assertThat(replacement.name())
        .matches(web.replicaSetName() + "-[bcdfghjklmnpqrstvwxz2456789]{5}");
    assertThat(replacement.controlledBy()).contains("ReplicaSet/" + web.replicaSetName());
    assertThat(replacement.node().orElseThrow().name()).isNotEqualTo("node-3");
    assertThat(replacement.requireIp()).isNotEqualTo(lostIp);
    assertThat(Kubectl.getPodsWide(cluster))
        .as("the status node-3's kubelet last posted, marked for deletion")
        .containsPattern(lost.name() + " +1/1 +Terminating ");
    assertThat(cluster).satisfiesCniContract();

    cluster.restoreNode("node-3");
    cluster.run(30 * SECOND);

    assertThat(lost.isDeleted())
        .as("the kubelet tears the evicted pod down on its return")
        .isTrue();
    assertThat(cluster.teardowns())
        .extracting(Teardown::pod, Teardown::ip)
        .containsExactly(tuple(lost.key(), lostIp));
    assertThat(node3.readyCondition()).first().isEqualTo("True");
    assertThat(node3.taints()).isEmpty();
    assertThat(cluster.runPod("after", "node-3").isRunning()).isTrue();
    assertThat(cluster).satisfiesCniContract();
  }

  @Test
  void crashNode_restoredWithinTheGracePeriod_neverTurnsUnknownAndKeepsItsPods() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(3).build();
    Deployment web = startWeb(cluster, 2);
    List<String> names = cluster.pods(web).stream().map(Pod::name).toList();

    cluster.crashNode("node-2");
    cluster.run(30 * SECOND);
    cluster.restoreNode("node-2");
    cluster.run(400 * SECOND);

    assertThat(cluster.node("node-2").readyCondition()).first().isEqualTo("True");
    assertThat(cluster.pods(web)).extracting(Pod::name).isEqualTo(names);
    assertThat(cluster.pods(web).get(1).events())
        .extracting(PodEvent::reason)
        .doesNotContain("NodeNotReady", "TaintManagerEviction");
  }

  @Test
  void crashNode_restoredAfterTheTaintBeforeTheToleration_evictionCancelledAndPodKept() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(3).build();
    Deployment web = startWeb(cluster, 2);
    Pod kept = cluster.pods(web).get(1);

    cluster.crashNode("node-2");
    cluster.run(100 * SECOND);
    cluster.restoreNode("node-2");
    cluster.run(400 * SECOND);

    assertThat(cluster.node("node-2").taints()).isEmpty();
    assertThat(kept.isRunning()).isTrue();
    assertThat(cluster.pods(web)).containsExactly(cluster.pods(web).get(0), kept);
    events(kept)
        .contains(evictionEvent("Cancelling deletion of Pod", kept))
        .doesNotContain(evictionEvent("Marking for deletion Pod", kept));
  }

  @Test
  void crashNode_podTolerating30Seconds_evicted30SecondsAfterTheUnreachableTaint() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(3).build();
    Pod pod =
        tolerant(
            cluster, "web", "node-2", Toleration.of(UNREACHABLE, "Exists", "", "NoExecute", 30L));
    cluster.run(5 * SECOND);

    cluster.crashNode("node-2");
    cluster.run(50 * SECOND + 29 * SECOND);
    assertThat(pod.status()).isEqualTo(PodStatus.RUNNING);
    cluster.run(SECOND);

    assertThat(pod.status()).isEqualTo(PodStatus.TERMINATING);
    events(pod).contains(evictionEvent("Marking for deletion Pod", pod));
  }

  @Test
  void crashNode_deploymentTolerating30Seconds_podReplaced30SecondsAfterTheTaint() {
    Cluster cluster = Cluster.bridge().nodes(3).seed(21).build();
    Deployment web =
        cluster.createDeployment(
            "web",
            3,
            Map.of("app", "web"),
            List.of(Toleration.of(UNREACHABLE, "Exists", "", "NoExecute", 30L)));
    cluster.run(5 * SECOND);
    Pod lost = cluster.pods(web).get(2);
    assertThat(lost.node()).map(Node::name).contains("node-3");
    assertThat(lost.tolerations()).contains(web.tolerations().get(0));

    cluster.crashNode("node-3");
    cluster.run(50 * SECOND + 29 * SECOND);
    assertThat(serving(cluster, web)).contains(lost);
    cluster.run(2 * SECOND);

    assertThat(lost.status()).isEqualTo(PodStatus.TERMINATING);
    assertThat(serving(cluster, web)).hasSize(3).doesNotContain(lost).allMatch(Pod::isRunning);
  }

  @Test
  void crashNode_podToleratingForever_staysThroughTheTaint() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(3).build();
    Pod pod = tolerant(cluster, "agent", "node-2", Toleration.of("", "Exists", "", "", null));
    cluster.run(5 * SECOND);

    cluster.crashNode("node-2");
    cluster.run(1000 * SECOND);

    assertThat(cluster.node("node-2").taints()).isNotEmpty();
    assertThat(Kubectl.describePod(cluster, "agent"))
        .as("no default added: the toleration covers every taint")
        .contains("Tolerations:      op=Exists\nEvents:");
    assertThat(pod.status()).isEqualTo(PodStatus.RUNNING);
    assertThat(pod.events()).extracting(PodEvent::reason).doesNotContain("TaintManagerEviction");
  }

  @Test
  void crashNode_notReadyToleratedForeverUnreachableFor10Seconds_countdownStartsAtTheSwap() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(35).build();
    Pod pod =
        tolerant(
            cluster,
            "web",
            "node-2",
            Toleration.of(NOT_READY, "Exists", "", "NoExecute", null),
            Toleration.of(UNREACHABLE, "Exists", "", "NoExecute", 10L));
    cluster.run(5 * SECOND);
    removeConfigs(cluster.node("node-2"));
    cluster.run(100 * SECOND);
    assertThat(pod.status()).as("not-ready is tolerated for ever").isEqualTo(PodStatus.RUNNING);

    cluster.crashNode("node-2");
    cluster.run(50 * SECOND + 9 * SECOND);
    assertThat(pod.status()).isEqualTo(PodStatus.RUNNING);
    cluster.run(SECOND);

    assertThat(pod.status()).isEqualTo(PodStatus.TERMINATING);
  }

  // ---------------------------------------------------------------- network not ready

  @ParameterizedTest
  @EnumSource(ChurnStrategy.class)
  void removeConfig_nodeReportsNetworkNotReady_taintedNotReadyAndItsPodsLeaveTheEndpoints(
      ChurnStrategy strategy) {
    Cluster cluster = strategy.builder().nodes(2).seed(31).build();
    Service service = webService(cluster);
    Deployment web = startWeb(cluster, 2);
    Pod onNode2 = cluster.pods(web).get(1);
    Node node2 = cluster.node("node-2");
    assertThat(node2.taints()).isEmpty();

    removeConfigs(node2);

    assertThat(node2.readyCondition())
        .containsExactly("False", "KubeletNotReady", Node.NETWORK_NOT_READY);
    assertThat(node2.taints())
        .containsExactly(
            "node.kubernetes.io/not-ready:NoExecute", "node.kubernetes.io/not-ready:NoSchedule");
    events(onNode2)
        .contains(tuple("Warning", "NodeNotReady", "node-controller", "Node is not ready"));
    assertThat(cluster.node("node-1").taints()).isEmpty();
    cluster.run(SECOND);
    assertThat(cluster.endpoints(service))
        .extracting(Endpoint::ip)
        .containsExactly(cluster.pods(web).get(0).requireIp());
  }

  @ParameterizedTest
  @EnumSource(ChurnStrategy.class)
  void removeConfig_for300Seconds_podsEvictedReplacedOnAReadyNodeAndTornDownOnceTheConfigIsBack(
      ChurnStrategy strategy) {
    Cluster cluster = strategy.builder().nodes(2).seed(32).build();
    Deployment web = startWeb(cluster, 2);
    Pod lost = cluster.pods(web).get(1);
    Ipv4Address lostIp = lost.requireIp();
    Node node2 = cluster.node("node-2");

    Map<String, String> configs = removeConfigs(node2);
    cluster.run(299 * SECOND);

    assertThat(lost.status()).as("tolerated for 300 s").isEqualTo(PodStatus.RUNNING);
    cluster.run(SECOND);
    assertThat(lost.status()).isEqualTo(PodStatus.TERMINATING);
    events(lost).contains(evictionEvent("Marking for deletion Pod", lost));
    cluster.run(5 * SECOND);
    List<Pod> serving = serving(cluster, web);
    assertThat(serving).hasSize(2).allMatch(Pod::isRunning);
    assertThat(serving)
        .extracting(p -> p.node().orElseThrow().name())
        .containsExactly("node-1", "node-1");
    assertThat(lost.isDeleted()).as("DEL needs the config too").isFalse();

    configs.forEach(node2.runtime()::writeConfig);
    cluster.run(11 * SECOND);

    assertThat(node2.readyCondition()).first().isEqualTo("True");
    assertThat(node2.taints()).isEmpty();
    assertThat(lost.isDeleted()).isTrue();
    assertThat(cluster.teardowns())
        .extracting(Teardown::pod, Teardown::ip)
        .containsExactly(tuple(lost.key(), lostIp));
    assertThat(cluster.runPod("after", "node-2").isRunning()).isTrue();
    assertThat(cluster).satisfiesCniContract();
  }

  @Test
  void removeConfig_configBackBeforeTheToleration_taintsGoDeletionCancelledAndPodsStay() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(33).build();
    Service service = webService(cluster);
    Deployment web = startWeb(cluster, 2);
    List<Pod> before = cluster.pods(web);
    Pod kept = before.get(1);
    Node node2 = cluster.node("node-2");

    Map<String, String> configs = removeConfigs(node2);
    cluster.run(299 * SECOND);
    configs.forEach(node2.runtime()::writeConfig);

    assertThat(node2.readyCondition())
        .containsExactly("True", "KubeletReady", "kubelet is posting ready status");
    assertThat(node2.taints()).isEmpty();
    events(kept).contains(evictionEvent("Cancelling deletion of Pod", kept));
    cluster.run(400 * SECOND);
    assertThat(cluster.pods(web)).isEqualTo(before).allMatch(Pod::isRunning);
    events(kept).doesNotContain(evictionEvent("Marking for deletion Pod", kept));
    assertThat(cluster.endpoints(service)).extracting(Endpoint::ip).contains(kept.requireIp());
  }

  @Test
  void removeConfig_podPinnedToTheTaintedNodeLater_toleratedFor300SecondsFromItsBinding() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(34).build();
    removeConfigs(cluster.node("node-1"));
    cluster.run(100 * SECOND);

    Pod pod = cluster.createPod("web", "node-1");
    cluster.run(299 * SECOND);

    assertThat(pod.isDeleted()).isFalse();
    assertThat(pod.events()).extracting(PodEvent::reason).contains("NetworkNotReady");
    cluster.run(2 * SECOND);
    assertThat(pod.isDeleted()).as("no sandbox to tear down: gone at once").isTrue();
    events(pod).contains(evictionEvent("Marking for deletion Pod", pod));
  }

  @Test
  void crashNode_countdownRunningThenUnreachableToleratedForever_deletionCancelled() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(35).build();
    Pod pod =
        notReadyThenCrashed(cluster, Toleration.of(UNREACHABLE, "Exists", "", "NoExecute", null));
    cluster.run(50 * SECOND);
    events(pod).contains(evictionEvent("Cancelling deletion of Pod", pod));
    cluster.run(400 * SECOND);

    assertThat(pod.status()).isEqualTo(PodStatus.RUNNING);
    events(pod).doesNotContain(evictionEvent("Marking for deletion Pod", pod));
  }

  @Test
  void crashNode_countdownRunningThenUnreachableNotTolerated_evictedAtTheSwap() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(35).build();
    Pod pod =
        notReadyThenCrashed(cluster, Toleration.of(UNREACHABLE, "Equal", "x", "NoExecute", null));
    cluster.run(49 * SECOND);
    assertThat(pod.status()).isEqualTo(PodStatus.RUNNING);
    cluster.run(SECOND);

    assertThat(pod.status())
        .as("at the swap, not 300 s after the not-ready taint")
        .isEqualTo(PodStatus.TERMINATING);
    events(pod)
        .contains(
            evictionEvent("Cancelling deletion of Pod", pod),
            evictionEvent("Marking for deletion Pod", pod));
  }

  @Test
  void createPod_oneNodeNotReadyOneUnreachable_failedSchedulingNamesEachTaint() {
    Cluster cluster = Cluster.bridge().nodes(3).seed(34).build();
    removeConfigs(cluster.node("node-1"));
    cluster.crashNode("node-2");
    cluster.crashNode("node-3");
    cluster.run(50 * SECOND);

    Pod pod = cluster.createPod("web");
    cluster.run(SECOND);

    assertThat(pod.events())
        .extracting(PodEvent::message)
        .contains(
            "0/3 nodes are available: 1 node(s) had untolerated taint"
                + " {node.kubernetes.io/not-ready: }, 2 node(s) had untolerated taint"
                + " {node.kubernetes.io/unreachable: }. preemption: 0/3 nodes are available: 3"
                + " Preemption is not helpful for scheduling.");
  }

  @Test
  void removeConfig_podToleratingAnotherValueOnly_evictedAtOnce() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(34).build();
    Pod pod =
        tolerant(
            cluster, "web", "node-1", Toleration.of(NOT_READY, "Equal", "x", "NoExecute", 600L));
    cluster.run(5 * SECOND);

    removeConfigs(cluster.node("node-1"));
    cluster.run(SECOND);

    assertThat(pod.tolerations())
        .extracting(Toleration::toString)
        .as("admission adds no default: the toleration names the taint and NoExecute")
        .containsExactly(
            "node.kubernetes.io/not-ready=x:NoExecute for 600s",
            "node.kubernetes.io/unreachable:NoExecute op=Exists for 300s");
    assertThat(pod.status()).isEqualTo(PodStatus.TERMINATING);
    events(pod).contains(evictionEvent("Marking for deletion Pod", pod));
  }

  @Test
  void createPod_toleratingNotReadyEveryEffect_scheduledOntoTheNotReadyNode() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(34).build();
    removeConfigs(cluster.node("node-1"));
    cluster.run(SECOND);

    Pod tolerant =
        cluster.createPod(
            PodSpec.named("agent").tolerate(Toleration.of(NOT_READY, "Exists", "", "", null)));
    Pod other = cluster.createPod("web");
    cluster.run(SECOND);

    assertThat(tolerant.node()).map(Node::name).contains("node-1");
    assertThat(tolerant.events()).extracting(PodEvent::reason).contains("Scheduled");
    assertThat(other.node()).isEmpty();
    assertThat(other.events()).extracting(PodEvent::reason).contains("FailedScheduling");
  }

  @Test
  void crashNode_alreadyNetworkNotReady_taintSwappedToUnreachableAndTheTolerationKeepsItsStart() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(35).build();
    Deployment web = startWeb(cluster, 2);
    Pod lost = cluster.pods(web).get(1);
    Node node2 = cluster.node("node-2");
    removeConfigs(node2);
    cluster.run(100 * SECOND);

    cluster.crashNode("node-2");
    cluster.run(49 * SECOND);
    assertThat(node2.readyCondition())
        .as("the status it last posted")
        .containsExactly("False", "KubeletNotReady", Node.NETWORK_NOT_READY);
    cluster.run(SECOND);

    assertThat(node2.readyCondition()).containsExactly("Unknown", "NodeStatusUnknown", NOT_POSTING);
    assertThat(node2.taints())
        .containsExactly(
            "node.kubernetes.io/unreachable:NoExecute",
            "node.kubernetes.io/unreachable:NoSchedule");
    assertThat(lost.events()).extracting(PodEvent::reason).containsOnlyOnce("NodeNotReady");
    cluster.run(149 * SECOND);
    assertThat(lost.status()).isEqualTo(PodStatus.RUNNING);
    cluster.run(SECOND);
    assertThat(lost.status())
        .as("300 s after the not-ready taint, not after the unreachable one")
        .isEqualTo(PodStatus.TERMINATING);
  }

  // ---------------------------------------------------------------- link cut

  @ParameterizedTest
  @EnumSource(ChurnStrategy.class)
  void cutLink_podsAcrossTheCutLoseEveryPingAndAnswerAgainOnceItIsBack(ChurnStrategy strategy) {
    Cluster cluster = strategy.builder().nodes(2).seed(5).build();
    Pod a = cluster.runPod("a", "node-1");
    Pod b = cluster.runPod("b", "node-2");
    Link link = uplink(cluster.node("node-2"));

    link.setUp(false);
    Ping cut = Ping.run(a.requireNetns(), b.requireIp(), 3, PingOptions.DEFAULT);

    assertThat(cut.output())
        .contains("3 packets transmitted, 0 received")
        .contains("100% packet loss");
    assertThat(ContractChecker.check(cluster).brokenRules()).contains(Rule.NO_NAT);
    link.setUp(true);
    cluster.run(5 * SECOND);
    Ping back = Ping.run(a.requireNetns(), b.requireIp(), 3, PingOptions.DEFAULT);
    assertThat(back.output()).contains("3 packets transmitted, 3 received, 0% packet loss");
    assertThat(cluster).satisfiesCniContract();
  }

  // ---------------------------------------------------------------- BGP session flap

  @Test
  void bgpSessionFlap_peerWithdrawsTheBlockAtTheNotificationAndRelearnsItOnceEstablished() {
    CalicoNode agent = CalicoNode.of(CalicoNode.Mode.BGP);
    Cluster cluster = Cluster.calico(agent).nodes(3).seed(9).build();
    Pod a = cluster.runPod("a", "node-1");
    Pod b = cluster.runPod("b", "node-2");
    NetNamespace node1 = cluster.node("node-1").host().root();
    Ipv4Address node2 = cluster.node("node-2").internalIp();
    BgpSpeaker speaker1 = agent.speaker(cluster.node("node-1")).orElseThrow();
    BgpSpeaker speaker2 = agent.speaker(cluster.node("node-2")).orElseThrow();
    String blockRoute = "via " + node2 + " dev eth0 proto bird";
    assertThat(speaker1.state(node2)).isEqualTo(BgpState.ESTABLISHED);
    assertThat(Iproute2.ipRouteShow(node1)).contains(blockRoute);

    speaker2.stop();
    cluster.run(SECOND);

    assertThat(speaker1.state(node2)).isNotEqualTo(BgpState.ESTABLISHED);
    assertThat(Iproute2.ipRouteShow(node1)).doesNotContain(blockRoute);
    assertThat(Ping.run(a.requireNetns(), b.requireIp(), 1, PingOptions.DEFAULT).received())
        .isZero();

    speaker2.start();
    cluster.run(30 * SECOND);

    assertThat(speaker1.state(node2)).isEqualTo(BgpState.ESTABLISHED);
    assertThat(Iproute2.ipRouteShow(node1)).contains(blockRoute);
    assertThat(cluster).satisfiesCniContract();
  }

  // ---------------------------------------------------------------- packet loss and latency

  @ParameterizedTest
  @EnumSource(ChurnStrategy.class)
  void lossyAndSlowLink_pingShowsTheLossAndTheDelayUntilTheLinkIsRepaired(ChurnStrategy strategy) {
    Cluster cluster = strategy.builder().nodes(2).seed(8).build();
    Pod a = cluster.runPod("a", "node-1");
    Pod b = cluster.runPod("b", "node-2");
    assertThat(Ping.run(a.requireNetns(), b.requireIp(), 1, PingOptions.DEFAULT).received())
        .isEqualTo(1);
    Link link = uplink(cluster.node("node-2"));
    long latency = link.spec().latencyNanos();

    link.setLossRate(0.3);
    link.setLatency(20 * SimTime.MILLISECOND);
    Ping bad = Ping.run(a.requireNetns(), b.requireIp(), 20, PingOptions.DEFAULT);
    link.setLossRate(0);
    link.setLatency(latency);

    Matcher stats = statistics(bad.output());
    int loss = Integer.parseInt(stats.group(2));
    assertThat(loss).as(bad.output()).isBetween(20, 80);
    assertThat(Double.parseDouble(stats.group(3)))
        .as("rtt min: 2 crossings of 20 ms")
        .isGreaterThan(40.0);
    Ping good = Ping.run(a.requireNetns(), b.requireIp(), 5, PingOptions.DEFAULT);
    Matcher repaired = statistics(good.output());
    assertThat(repaired.group(1)).isEqualTo("5");
    assertThat(repaired.group(2)).isEqualTo("0");
    assertThat(Double.parseDouble(repaired.group(4))).as("rtt max").isLessThan(1.0);
    assertThat(cluster).satisfiesCniContract();
  }

  // ---------------------------------------------------------------- missing plugin

  @ParameterizedTest
  @EnumSource(ChurnStrategy.class)
  void missingPluginBinary_sandboxFailsWithContainerdsMessageAndRunsOnceInstalled(
      ChurnStrategy strategy) {
    Cluster cluster = strategy.builder().nodes(2).seed(4).build();
    String type = strategy.plugins().get(0);
    Node node = cluster.node("node-1");
    node.runtime().removePlugin(type);

    Pod pod = cluster.runPod("web", "node-1");

    assertThat(pod.status()).isEqualTo(PodStatus.CONTAINER_CREATING);
    assertThat(Kubectl.describePod(cluster, "web"))
        .contains("FailedCreatePodSandBox")
        .contains(
            "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network"
                + " for sandbox \"")
        .contains("failed to find plugin \"" + type + "\" in path [/opt/cni/bin]");
    node.runtime().installPlugin(type);
    cluster.run(11 * SECOND);
    assertThat(pod.isRunning()).isTrue();
    assertThat(pod.events()).extracting(PodEvent::reason).contains("SandboxChanged");
    assertThat(cluster).satisfiesCniContract();
  }

  @ParameterizedTest
  @EnumSource(ChurnStrategy.class)
  void deletePod_loopbackBinaryMissing_podNetworkAndIpKeptUntilTheTeardownSucceeds(
      ChurnStrategy strategy) {
    Cluster cluster = strategy.builder().nodes(1).seed(4).build();
    Pod pod = cluster.runPod("web", "node-1");
    Ipv4Address ip = pod.requireIp();
    NetNamespace sandbox = pod.requireNetns();
    cluster.node("node-1").runtime().removePlugin("loopback");

    cluster.deletePod("web");
    cluster.run(SECOND);

    assertThat(pod.status()).isEqualTo(PodStatus.TERMINATING);
    assertThat(pod.events()).extracting(PodEvent::reason).contains("FailedKillPod");
    assertThat(sandbox.findDevice("eth0"))
        .as("the loopback goes first and its failure stops the teardown")
        .isPresent();
    assertThat(pod.ip()).contains(ip);
    cluster.node("node-1").runtime().installPlugin("loopback");
    cluster.run(11 * SECOND);
    assertThat(pod.isDeleted()).isTrue();
    assertThat(cluster).satisfiesCniContract();
  }

  // ---------------------------------------------------------------- IPAM exhaustion

  @ParameterizedTest
  @EnumSource(
      value = ChurnStrategy.class,
      names = {"BRIDGE", "PTP"})
  void ipamExhausted_podFailsWithHostLocalsMessageAndGetsTheFreedIpOnceOneIsDeleted(
      ChurnStrategy strategy) {
    // node-1's podCIDR 10.244.0.8/29: host-local hands out .10 to .14 (.9 is the gateway)
    Cluster cluster = strategy.builder().nodes(1).nodeCidrMaskSize(29).seed(6).build();

    exhaustThenFree(
        cluster,
        5,
        strategy.plugins().get(0),
        "failed to allocate for range 0: no IP addresses available in range set:"
            + " 10.244.0.9-10.244.0.14");
  }

  @ParameterizedTest
  @EnumSource(CalicoNode.Mode.class)
  void ipamExhausted_calicoPoolFull_podFailsWithCalicosMessageAndGetsTheFreedIpOnceOneIsDeleted(
      CalicoNode.Mode mode) {
    // one /29 block: 8 addresses, one of them for tunl0 or vxlan.calico when the mode has one
    Cluster cluster = calicoWithOneBlock(mode, 1);

    exhaustThenFree(
        cluster,
        mode == CalicoNode.Mode.BGP ? 8 : 7,
        "calico",
        CALICO_EXHAUSTED + "[10.244.0.0/29]");
  }

  @Test
  void ipamExhausted_calicoTwoPoolsFull_messageNamesEveryPool() {
    CalicoNode agent =
        CalicoNode.of(CalicoNode.Mode.BGP)
            .withIpPools("10.244.0.0/30", "10.245.0.0/30")
            .withBlockSize(30);
    Cluster cluster = Cluster.calico(agent).nodes(1).seed(6).build();

    exhaustThenFree(cluster, 8, "calico", CALICO_EXHAUSTED + "[10.244.0.0/30 10.245.0.0/30]");
  }

  @Test
  void ipamExhausted_ciliumPodCidrFull_podFailsWithTheAgentsMessageAndGetsTheFreedIp() {
    // node-1's pod CIDR 10.0.0.8/29: 6 addresses, one of them the router IP of cilium_host
    Cluster cluster = Cluster.cilium().nodes(1).nodeCidrMaskSize(29).seed(6).build();

    exhaustThenFree(
        cluster,
        5,
        "cilium-cni",
        "unable to allocate IP via local cilium agent: [POST /ipam][502] postIpamFailure"
            + " \"all CIDR ranges are exhausted\"");
  }

  @ParameterizedTest
  @EnumSource(CalicoNode.Mode.class)
  void calicoIpam_noBlockLeftToClaim_nodeBorrowsFromAnothersBlockAndItsPodIsReachable(
      CalicoNode.Mode mode) {
    Cluster cluster = calicoWithOneBlock(mode, 2);
    Pod a = cluster.runPod("a", "node-1");

    Pod b = cluster.runPod("b", "node-2");
    cluster.run(5 * SECOND);

    assertThat(b.isRunning()).isTrue();
    assertThat(Cidr.parse("10.244.0.0/29").contains(b.requireIp())).isTrue();
    CalicoDatastore store = cluster.network().shared(CalicoDatastore.class, CalicoDatastore::new);
    assertThat(store.blockAffinities()).containsOnlyKeys(Cidr.parse("10.244.0.0/29"));
    assertThat(Ping.run(a.requireNetns(), b.requireIp(), 1, PingOptions.DEFAULT).received())
        .isEqualTo(1);
    assertThat(Ping.run(b.requireNetns(), a.requireIp(), 1, PingOptions.DEFAULT).received())
        .isEqualTo(1);
    assertThat(cluster).satisfiesCniContract();
    String borrowedRoute = b.requireIp() + " via ";
    assertThat(Iproute2.ipRouteShow(cluster.node("node-1").host().root())).contains(borrowedRoute);

    cluster.deletePod("b");
    cluster.run(5 * SECOND);

    assertThat(Iproute2.ipRouteShow(cluster.node("node-1").host().root()))
        .doesNotContain(borrowedRoute);
    assertThat(cluster).satisfiesCniContract();
  }

  // ---------------------------------------------------------------- MTU mismatch

  @Test
  void mtuMismatch_podMtuAboveIpips_nodeAnswersFragNeededAndTheFixedMtuFitsTheTunnel() {
    CalicoNode agent = CalicoNode.of(CalicoNode.Mode.IPIP);
    Cluster cluster =
        Cluster.builder()
            .cni("10-calico.conflist", Conflists.CALICO.replace("${mtu}", "1500"))
            .agent(agent)
            .nodes(2)
            .seed(12)
            .build();
    Pod a = cluster.runPod("a", "node-1");
    Pod b = cluster.runPod("b", "node-2");
    assertThat(Iproute2.ipLinkShow(a.requireNetns(), "eth0")).contains("mtu 1500");
    PingOptions full = PingOptions.DEFAULT.withPayloadSize(1472).withDontFragment(true);

    Ping tooBig = Ping.run(a.requireNetns(), b.requireIp(), 1, full);

    assertThat(tooBig.output())
        .contains("Frag needed and DF set (mtu = 1480)")
        .contains("+1 errors");
    assertThat(Ping.run(a.requireNetns(), b.requireIp(), 1, full.withPayloadSize(1452)).received())
        .isEqualTo(1);
    cluster
        .node("node-1")
        .runtime()
        .installConfig("10-calico.conflist", Conflists.CALICO.replace("${mtu}", "1480"));
    Pod c = cluster.runPod("c", "node-1");
    assertThat(Iproute2.ipLinkShow(c.requireNetns(), "eth0")).contains("mtu 1480");
    assertThat(Ping.run(c.requireNetns(), b.requireIp(), 1, full).output())
        .as("the pod's own kernel now refuses what the tunnel cannot carry")
        .contains("ping: local error: message too long, mtu=1480");
    assertThat(Ping.run(c.requireNetns(), b.requireIp(), 1, full.withPayloadSize(1452)).received())
        .isEqualTo(1);
    assertThat(cluster).satisfiesCniContract();
  }

  // ---------------------------------------------------------------- GC

  @ParameterizedTest
  @EnumSource(ChurnStrategy.class)
  void gc_attachmentsLeakedByACrashedRuntime_delsThemAndFreesTheirIps(ChurnStrategy strategy) {
    Cluster cluster = strategy.builder().nodes(2).seed(13).build();
    Pod live = cluster.runPod("live", "node-1");
    Node node = cluster.node("node-1");
    // containerd lost its sandboxes in a crash: their netns went with the reboot, but the CNI
    // cache and the IPAM state on disk stay
    Map<String, Ipv4Address> leaked = new LinkedHashMap<>();
    for (int i = 1; i <= 3; i++) {
      NetNamespace ns = node.host().addNamespace("cni-ghost-" + i);
      leaked.put("ghost" + i, addSandbox(node, live, "ghost" + i, ns));
      node.host().deleteNamespace(ns);
    }
    String network = node.runtime().loadConfig().name();
    List<String> cached = node.host().files().list("/var/lib/cni/results");
    assertThat(cached)
        .contains(network + "-ghost1-eth0", network + "-ghost2-eth0", network + "-ghost3-eth0");

    List<String> errors =
        node.runtime().gc(List.of(new Attachment(live.sandboxId().orElseThrow(), "eth0")));

    assertThat(errors).isEmpty();
    assertThat(node.host().files().list("/var/lib/cni/results"))
        .noneMatch(f -> f.contains("ghost"));
    List<Ipv4Address> handedOut = new ArrayList<>();
    for (int i = 1; i <= 3000 && !handedOut.containsAll(leaked.values()); i++) {
      NetNamespace ns = node.host().addNamespace("cni-again-" + i);
      handedOut.add(addSandbox(node, live, "again" + i, ns));
      node.runtime().del(new Attachment("again" + i, "eth0"), Kubelet.netnsPath(ns), Map.of());
      node.host().deleteNamespace(ns);
    }
    assertThat(handedOut)
        .as("freed, so the IPAM hands them out again")
        .containsAll(leaked.values());
    assertThat(cluster.runPod("after", "node-1").isRunning()).isTrue();
    assertThat(cluster).satisfiesCniContract();
  }

  // ---------------------------------------------------------------- helpers

  /**
   * CNI ADD on {@code node} for sandbox {@code id} in {@code ns}, as containerd runs it for a pod
   * named after the id (in {@code like}'s namespace); returns the pod IP.
   */
  private static Ipv4Address addSandbox(Node node, Pod like, String id, NetNamespace ns) {
    Map<String, String> args = new LinkedHashMap<>(like.cniArgs(id));
    args.put("K8S_POD_NAME", id);
    return node.runtime()
        .add(new Attachment(id, "eth0"), Kubelet.netnsPath(ns), args, Map.of())
        .ips()
        .get(0)
        .address()
        .address();
  }

  /**
   * Runs pods {@code web-1}... on a one-node cluster whose IPAM holds {@code capacity} addresses,
   * then one more: it stays ContainerCreating with the kubelet's {@code FailedCreatePodSandBox}
   * wrapping {@code error} as libcni and containerd do. Deleting {@code web-3} frees an address
   * that the stuck pod gets at its next attempt.
   */
  private static void exhaustThenFree(
      Cluster cluster, int capacity, String pluginType, String error) {
    for (int i = 1; i <= capacity; i++) {
      assertThat(cluster.runPod("web-" + i).isRunning()).isTrue();
    }

    Pod stuck = cluster.runPod("web-" + (capacity + 1));

    assertThat(stuck.status()).isEqualTo(PodStatus.CONTAINER_CREATING);
    assertThat(stuck.events())
        .filteredOn(e -> e.reason().equals("FailedCreatePodSandBox"))
        .extracting(PodEvent::message)
        .isNotEmpty()
        .allMatch(
            m ->
                m.matches(
                    Pattern.quote(
                            "Failed to create pod sandbox: rpc error: code = Unknown desc = failed"
                                + " to setup network for sandbox \"")
                        + "[0-9a-f]{64}"
                        + Pattern.quote(
                            "\": plugin type=\"" + pluginType + "\" failed (add): " + error)),
            "the kubelet's FailedCreatePodSandBox wrapping " + error);
    assertThat(Kubectl.describePod(cluster, stuck.name())).contains(error);
    Ipv4Address freed = cluster.pod("web-3").orElseThrow().requireIp();
    cluster.deletePod("web-3");
    cluster.run(11 * SECOND);
    assertThat(stuck.isRunning()).isTrue();
    assertThat(stuck.requireIp()).isEqualTo(freed);
    assertThat(cluster).satisfiesCniContract();
  }

  /** A calico cluster whose one IP pool is a single /29 block, {@code 10.244.0.0/29}. */
  private static Cluster calicoWithOneBlock(CalicoNode.Mode mode, int nodes) {
    CalicoNode agent = CalicoNode.of(mode).withIpPools("10.244.0.0/29").withBlockSize(29);
    return Cluster.calico(agent).nodes(nodes).seed(6 + nodes).build();
  }

  /** The Service {@code web}: port 80 to 8080 of the pods labelled {@code app=web}. */
  private static Service webService(Cluster cluster) {
    return cluster.createService(
        "web", Map.of("app", "web"), List.of(ServicePort.of("http", "TCP", 80, 8080)));
  }

  /**
   * A pod on node-2 with {@code toleration} (admission adds the default for not-ready); node-2 is
   * then NotReady for 100 s (the pod's countdown runs) and crashes.
   */
  private static Pod notReadyThenCrashed(Cluster cluster, Toleration toleration) {
    Pod pod = tolerant(cluster, "web", "node-2", toleration);
    cluster.run(5 * SECOND);
    removeConfigs(cluster.node("node-2"));
    cluster.run(100 * SECOND);
    cluster.crashNode("node-2");
    return pod;
  }

  /** A pod pinned to {@code node} with {@code tolerations}. */
  private static Pod tolerant(
      Cluster cluster, String name, String node, Toleration... tolerations) {
    PodSpec spec = PodSpec.named(name).onNode(node);
    for (Toleration t : tolerations) {
      spec = spec.tolerate(t);
    }
    return cluster.createPod(spec);
  }

  /**
   * Creates the Deployment {@code web} of pods labelled {@code app=web}; runs 5 s to start them.
   */
  private static Deployment startWeb(Cluster cluster, int replicas) {
    Deployment web = cluster.createDeployment("web", replicas, Map.of("app", "web"));
    cluster.run(5 * SECOND);
    return web;
  }

  /** The pod's events as (type, reason, from, message) tuples. */
  private static ListAssert<Tuple> events(Pod pod) {
    return assertThat(
        pod.events().stream()
            .map(e -> tuple(e.type(), e.reason(), e.from(), e.message()))
            .toList());
  }

  /**
   * The taint eviction controller's event about a pod: {@code what} is {@code Marking for deletion
   * Pod} or {@code Cancelling deletion of Pod}.
   */
  private static Tuple evictionEvent(String what, Pod pod) {
    return tuple(
        "Normal", "TaintManagerEviction", "taint-eviction-controller", what + " " + pod.key());
  }

  /** The pods of a Deployment that are not being deleted. */
  private static List<Pod> serving(Cluster cluster, Deployment deployment) {
    return cluster.pods(deployment).stream()
        .filter(p -> p.status() != PodStatus.TERMINATING)
        .toList();
  }

  /** Removes every network configuration file of a node; returns them by file name. */
  private static Map<String, String> removeConfigs(Node node) {
    Map<String, String> removed = new LinkedHashMap<>();
    String dir = node.runtime().confDir();
    for (String name : node.host().files().list(dir)) {
      removed.put(name, node.host().files().read(dir + "/" + name).orElseThrow());
      node.runtime().removeConfig(name);
    }
    assertThat(removed).isNotEmpty();
    return removed;
  }

  private static Link uplink(Node node) {
    return ((Nic) node.host().root().device("eth0")).link();
  }

  /** ping's statistics: group 1 transmitted, 2 the loss percentage, 3 and 4 rtt min and max. */
  private static Matcher statistics(String output) {
    Matcher m =
        Pattern.compile(
                "(\\d+) packets transmitted, \\d+ received, (?:\\+\\d+ errors, )?(\\d+)% packet"
                    + " loss, time \\d+ms\\nrtt min/avg/max/mdev = ([\\d.]+)/[\\d.]+/([\\d.]+)/")
            .matcher(output);
    assertThat(m.find()).as(output).isTrue();
    return m;
  }
}
