package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.engine.SimTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DaemonSetTest {

  private static final LabelSelector KUBE_PROXY = LabelSelector.parse("k8s-app=kube-proxy");
  private static final String NAME = "kube-proxy-[bcdfghjklmnpqrstvwxz2456789]{5}";

  private static List<Pod> kubeProxies(Cluster cluster) {
    return cluster.pods().stream().filter(p -> KUBE_PROXY.matches(p.labels())).toList();
  }

  @Test
  void build_iptablesMode_aRunningKubeProxyPodOnEveryNodeWithTheNodesAddress() {
    Cluster cluster = Cluster.bridge().nodes(3).seed(7).build();

    assertThat(
            Kubectl.getPods(
                cluster, Kubectl.GetPods.in("kube-system").withWide().withSelector(KUBE_PROXY)))
        .matches(
            "NAME               READY   STATUS    RESTARTS   AGE   IP             NODE     NOMINATED"
                + " NODE   READINESS GATES\n"
                + "("
                + NAME
                + "   1/1     Running   0          0s    192\\.168\\.1\\.1([123])   node-\\2  "
                + " <none>           <none>\n){3}");
    assertThat(kubeProxies(cluster))
        .allSatisfy(
            p -> {
              assertThat(p.hostNetwork()).isTrue();
              assertThat(p.requireIp()).isEqualTo(p.node().orElseThrow().internalIp());
              assertThat(p.requireNetns()).isSameAs(p.node().orElseThrow().host().root());
            })
        .extracting(p -> p.node().orElseThrow().name())
        .containsExactlyInAnyOrder("node-1", "node-2", "node-3");
  }

  @Test
  void build_hashMapMode_noKubeProxyAsWithCiliumsReplacement() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).services(ServiceMode.HASH_MAP).build();

    assertThat(Kubectl.getPods(cluster, Kubectl.GetPods.in("kube-system").withSelector(KUBE_PROXY)))
        .isEqualTo("No resources found in kube-system namespace.\n");
  }

  @Test
  void describePod_kubeProxy_toleratesEveryTaintAsTheDaemonSetControllerMakesIt() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();
    Pod proxy = kubeProxies(cluster).get(0);

    assertThat(Kubectl.describePod(cluster, proxy.key()))
        .contains("IP:               192.168.1.11\n")
        .contains(
            "  IP:           192.168.1.11\nControlled By:  DaemonSet/kube-proxy\nTolerations:")
        .contains(
            "Tolerations:      op=Exists\n"
                + "                  node.kubernetes.io/disk-pressure:NoSchedule op=Exists\n"
                + "                  node.kubernetes.io/memory-pressure:NoSchedule op=Exists\n"
                + "                  node.kubernetes.io/network-unavailable:NoSchedule op=Exists\n"
                + "                  node.kubernetes.io/not-ready:NoExecute op=Exists\n"
                + "                  node.kubernetes.io/pid-pressure:NoSchedule op=Exists\n"
                + "                  node.kubernetes.io/unreachable:NoExecute op=Exists\n"
                + "                  node.kubernetes.io/unschedulable:NoSchedule op=Exists\n");
  }

  @Test
  void deletePod_kubeProxy_replacedOnItsNodeByTheSchedulerWithoutCallingCni() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();
    Pod old = kubeProxies(cluster).get(1);
    Node node = old.node().orElseThrow();
    int execs = node.runtime().execCount();

    cluster.deletePod(old.key());
    cluster.run(SimTime.SECOND);

    List<Pod> now = kubeProxies(cluster);
    assertThat(now).hasSize(2).doesNotContain(old);
    Pod replacement = now.stream().filter(p -> p.node().orElseThrow() == node).findFirst().get();
    assertThat(replacement.name()).matches(NAME).isNotEqualTo(old.name());
    assertThat(replacement.isRunning()).isTrue();
    assertThat(replacement.requireIp()).isEqualTo(node.internalIp());
    assertThat(replacement.events())
        .extracting(PodEvent::reason, PodEvent::from, PodEvent::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "Scheduled",
                "default-scheduler",
                "Successfully assigned " + replacement.key() + " to " + node.name()));
    assertThat(node.runtime().execCount()).isEqualTo(execs);
  }

  @Test
  void deletePod_kubeProxyOnANodeWhoseNetworkIsNotReady_replacementStillRuns() {
    Cluster cluster = Cluster.builder().nodes(1).seed(7).build();
    assertThat(cluster.node("node-1").isReady()).isFalse();

    cluster.deletePod(kubeProxies(cluster).get(0).key());
    cluster.run(SimTime.SECOND);

    assertThat(kubeProxies(cluster))
        .singleElement()
        .satisfies(p -> assertThat(p.isRunning()).isTrue());
  }

  @Test
  void crashNode_kubeProxyTolerates_notEvictedWhileTheOtherPodsAre() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();
    Pod web = cluster.runPod("web-1", "node-2");
    Pod proxy =
        kubeProxies(cluster).stream()
            .filter(p -> p.node().orElseThrow().name().equals("node-2"))
            .findFirst()
            .get();

    cluster.crashNode("node-2");
    cluster.run(400 * SimTime.SECOND);

    assertThat(web.status()).isEqualTo(PodStatus.TERMINATING);
    assertThat(proxy.status()).isEqualTo(PodStatus.RUNNING);
    assertThat(cluster.pod(proxy.key())).contains(proxy);
  }

  @Test
  void deletePod_replacementDeletedBeforeItIsBound_theNodeStillGetsOne() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();
    Node node = kubeProxies(cluster).get(0).node().orElseThrow();

    Pod first = cluster.startDeletingPod(kubeProxies(cluster).get(0).key());
    Pod unbound = kubeProxies(cluster).get(2);
    assertThat(unbound.node()).isEmpty();
    cluster.deletePod(unbound.key());
    cluster.run(SimTime.SECOND);
    assertThat(first.isDeleted()).isTrue();
    cluster.run(SimTime.SECOND);

    assertThat(unbound.node()).isEmpty();
    assertThat(kubeProxies(cluster))
        .hasSize(2)
        .allSatisfy(p -> assertThat(p.isRunning()).isTrue())
        .extracting(p -> p.node().orElseThrow())
        .containsOnlyOnce(node);
  }

  @Test
  void deletePod_kubeProxy_leavesNoNamespaceOnTheDeletedPod() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();
    Pod proxy = kubeProxies(cluster).get(0);

    cluster.deletePod(proxy.key());

    assertThat(proxy.isDeleted()).isTrue();
    assertThat(proxy.netns()).isEmpty();
  }

  @Test
  void checkSpecPromises_kubeProxy_refusedAsOutsideTheCniContract() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();
    Pod proxy = kubeProxies(cluster).get(0);

    assertThatThrownBy(
            () -> io.podnet.cni.contract.ContractChecker.checkSpecPromises(cluster, proxy.key()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "pod " + proxy.key() + " is on the host network; the CNI contract does not cover it");
  }

  static Stream<Arguments> agents() {
    return Stream.of(
        Arguments.of(
            Cluster.flannel(Flanneld.Backend.VXLAN),
            "kube-flannel",
            "kube-flannel-ds",
            "app=flannel,k8s-app=flannel,tier=node,pod-template-generation=1",
            ":NoSchedule op=Exists"),
        Arguments.of(
            Cluster.calico(),
            "kube-system",
            "calico-node",
            "k8s-app=calico-node,pod-template-generation=1",
            ":NoSchedule op=Exists|CriticalAddonsOnly op=Exists|:NoExecute op=Exists"),
        Arguments.of(
            Cluster.cilium(),
            "kube-system",
            "cilium",
            "k8s-app=cilium,app.kubernetes.io/name=cilium-agent,app.kubernetes.io/part-of=cilium",
            "op=Exists"));
  }

  @ParameterizedTest
  @MethodSource("agents")
  void build_networkAgent_itsDaemonSetHasAHostNetworkPodOnEveryNodeInBothModes(
      Cluster.Builder preset,
      String namespace,
      String name,
      String selector,
      String manifestTolerations) {
    for (ServiceMode mode : ServiceMode.values()) {
      Cluster cluster = preset.nodes(2).seed(7).services(mode).build();

      List<Pod> agents =
          cluster.pods().stream()
              .filter(p -> LabelSelector.parse(selector).matches(p.labels()))
              .toList();

      assertThat(agents)
          .hasSize(2)
          .allSatisfy(
              p -> {
                assertThat(p.namespace()).isEqualTo(namespace);
                assertThat(p.name()).matches(name + "-[bcdfghjklmnpqrstvwxz2456789]{5}");
                assertThat(p.hostNetwork()).isTrue();
                assertThat(p.isRunning()).isTrue();
                assertThat(p.requireIp()).isEqualTo(p.node().orElseThrow().internalIp());
                assertThat(p.controlledBy()).contains("DaemonSet/" + name);
                assertThat(p.tolerations())
                    .extracting(Toleration::toString)
                    .startsWith(manifestTolerations.split("\\|"))
                    .contains(
                        "node.kubernetes.io/not-ready:NoExecute op=Exists",
                        "node.kubernetes.io/network-unavailable:NoSchedule op=Exists")
                    .noneMatch(t -> t.contains(" for "));
              });
      assertThat(kubeProxies(cluster)).hasSize(mode == ServiceMode.IPTABLES ? 2 : 0);
      assertThat(io.podnet.cni.contract.ContractChecker.check(cluster).holds()).isTrue();
    }
  }

  @Test
  void onPodStarted_daemonPodReplacedAndAPodRun_toldOnceEachAfterItsRunningTraceLine() {
    List<String> lines = new java.util.ArrayList<>();
    io.podnet.core.trace.Trace trace = io.podnet.core.trace.Trace.digestOnly();
    trace.addSink((record, line) -> lines.add(line));
    Cluster cluster = Cluster.flannel(Flanneld.Backend.VXLAN).nodes(1).seed(7).trace(trace).build();
    List<String> told = new java.util.ArrayList<>();
    cluster.onPodStarted(
        pod -> {
          assertThat(lines.get(lines.size() - 1)).contains("pod " + pod.key() + " Running");
          told.add(pod.key());
        });
    Pod agent = cluster.pods().get(cluster.pods().size() - 1);

    cluster.deletePod(agent.key());
    cluster.runPod("web-1");
    cluster.deletePod("web-1");
    cluster.run(SimTime.SECOND);

    assertThat(told).hasSize(2);
    assertThat(told.get(0)).matches("kube-flannel/kube-flannel-ds-[a-z0-9]{5}");
    assertThat(told.get(1)).isEqualTo("default/web-1");
  }

  @Test
  void of_badNamespaceNameOrLabel_refused() {
    assertThatThrownBy(() -> DaemonSet.of("Bad_NS", "agent", Map.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid pod \"Bad_NS/agent-xxxxx\"");
    assertThatThrownBy(() -> DaemonSet.of("kube-system", "a".repeat(250), Map.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> DaemonSet.of("kube-system", "agent", Map.of("k", "bad value"), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid label value \"bad value\" for k (expected ");
    assertThat(DaemonSet.of("kube-system", "agent", Map.of("k", "v"), List.of()))
        .hasToString("kube-system/agent");
  }

  @Test
  void of_twoBadLabels_namesTheFirstByKeyWhateverTheMapOrder() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("zone", "bad value");
    labels.put("app", "also bad");

    assertThatThrownBy(() -> DaemonSet.of("kube-system", "agent", labels, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid label value \"also bad\" for app (expected ");
  }

  @Test
  void build_agentTemplateWithItsOwnTemplateGeneration_theControllersLabelWins() {
    DaemonSet ds =
        DaemonSet.of("kube-system", "agent", Map.of("pod-template-generation", "7"), List.of());
    NetworkAgent agent =
        new NetworkAgent() {
          @Override
          public void nodesReady(Cluster cluster) {}

          @Override
          public java.util.Optional<DaemonSet> daemonSet() {
            return java.util.Optional.of(ds);
          }
        };
    Cluster cluster = Cluster.bridge().agent(agent).nodes(1).seed(7).build();

    assertThat(cluster.pods())
        .filteredOn(p -> p.controlledBy().orElse("").equals("DaemonSet/agent"))
        .singleElement()
        .satisfies(p -> assertThat(p.labels()).containsEntry("pod-template-generation", "1"));
  }
}
