package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.net.ProbeResult;
import io.podnet.dataplane.service.ServiceOptions;
import io.podnet.dataplane.service.ServicePort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class KubectlTest {

  private static final long S = SimTime.SECOND;
  private static final long MS = SimTime.MILLISECOND;
  private static final long M = 60 * S;
  private static final long H = 60 * M;
  private static final long D = 24 * H;

  // ---------------------------------------------------------------- humanDuration

  /** Cases from apimachinery's duration.HumanDuration and its tests. */
  @ParameterizedTest(name = "{0} s -> {1}")
  @CsvSource({
    "0, 0s",
    "1, 1s",
    "59, 59s",
    "70, 70s",
    "119, 119s",
    "120, 2m",
    "125, 2m5s",
    "190, 3m10s",
    "599, 9m59s",
    "600, 10m",
    "4200, 70m",
    "10799, 179m",
    "10800, 3h",
    "19800, 5h30m",
    "28799, 7h59m",
    "28800, 8h",
    "169200, 47h",
    "172800, 2d",
    "176400, 2d1h",
    "273600, 3d4h",
    "687600, 7d23h",
    "698400, 8d",
  })
  void humanDuration_kubectlExamples_matchKubernetes(long seconds, String expected) {
    assertThat(Kubectl.humanDuration(seconds * S)).isEqualTo(expected);
  }

  @Test
  void humanDuration_daysAndYears_matchKubernetes() {
    assertThat(Kubectl.humanDuration(8 * D + 2 * H)).isEqualTo("8d");
    assertThat(Kubectl.humanDuration(367 * D)).isEqualTo("367d");
    assertThat(Kubectl.humanDuration(400 * D)).isEqualTo("400d");
    assertThat(Kubectl.humanDuration(2 * 365 * D + 25 * H)).isEqualTo("2y1d");
    assertThat(Kubectl.humanDuration(3 * 365 * D)).isEqualTo("3y");
    assertThat(Kubectl.humanDuration(8 * 365 * D + 2 * H)).isEqualTo("8y");
  }

  @Test
  void humanDuration_slightlyNegative_isZeroAndMoreIsInvalid() {
    assertThat(Kubectl.humanDuration(-1500 * SimTime.MILLISECOND)).isEqualTo("0s");
    assertThat(Kubectl.humanDuration(-2 * S)).isEqualTo("<invalid>");
  }

  @Test
  void humanDuration_subSecond_truncates() {
    assertThat(Kubectl.humanDuration(999 * SimTime.MILLISECOND)).isEqualTo("0s");
    assertThat(Kubectl.humanDuration(119_999 * SimTime.MILLISECOND)).isEqualTo("119s");
  }

  // ---------------------------------------------------------------- get pods -o wide

  @Test
  void getPodsWide_runningAndPendingPods_printKubectlsColumnsSortedByName() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();
    cluster.runPod("web-1");
    cluster.node("node-1").runtime().removePlugin("bridge");
    cluster.runPod("frontend-2");
    cluster.run(65 * S);

    String out = Kubectl.getPodsWide(cluster);

    assertThat(out)
        .isEqualTo(
            "NAME         READY   STATUS              RESTARTS   AGE   IP           NODE    "
                + " NOMINATED NODE   READINESS GATES\n"
                + "frontend-2   0/1     ContainerCreating   0          65s   <none>       node-1  "
                + " <none>           <none>\n"
                + "web-1        1/1     Running             0          65s   10.244.1.2   node-1  "
                + " <none>           <none>\n");
  }

  @Test
  void getPods_createdOutOfNameOrder_listedByNamespaceThenNameAsEtcdKeepsThem() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).services(ServiceMode.HASH_MAP).build();
    cluster.runPod("web-2");
    cluster.runPod("kube-system/coredns-0");
    cluster.runPod("web-10");

    assertThat(Kubectl.getPods(cluster, null, false))
        .isEqualTo(
            "NAMESPACE     NAME        READY   STATUS    RESTARTS   AGE\n"
                + "default       web-10      1/1     Running   0          0s\n"
                + "default       web-2       1/1     Running   0          0s\n"
                + "kube-system   coredns-0   1/1     Running   0          0s\n");
  }

  // ---------------------------------------------------------------- get pods -w

  @Test
  void watchPods_podCreatedAfterwards_headerComesWithItsFirstRowAndWiderCellsWidenLaterRows() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();
    PodWatch watch = Kubectl.watchPods(cluster, Kubectl.GetPods.in("default").withWide());
    assertThat(watch.take()).isEmpty();

    cluster.createPod("web-1");
    cluster.run(1 * S);

    assertThat(watch.take())
        .containsExactly(
            new PodWatch.Output(
                0,
                "NAME    READY   STATUS    RESTARTS   AGE   IP       NODE     NOMINATED NODE  "
                    + " READINESS GATES\n"
                    + "web-1   0/1     Pending   0          0s    <none>   <none>   <none>          "
                    + " <none>\n"),
            new PodWatch.Output(
                5 * MS,
                "web-1   0/1     Pending   0          0s    <none>   node-1   <none>          "
                    + " <none>\n"),
            new PodWatch.Output(
                5 * MS,
                "web-1   0/1     ContainerCreating   0          0s    <none>   node-1   <none>  "
                    + "         <none>\n"),
            new PodWatch.Output(
                195 * MS,
                "web-1   1/1     Running             0          0s    10.244.1.2   node-1  "
                    + " <none>           <none>\n"));
  }

  @Test
  void watchPods_podDeleted_terminatingReadyUntilTheContainerStopsThenDeletedWithItsIp() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();
    cluster.runPod("web-1");
    cluster.run(3 * S);
    PodWatch watch = Kubectl.watchPods(cluster, Kubectl.GetPods.in("default").withWide());
    watch.take();
    cluster.node("node-1").runtime().removePlugin("bridge");

    long start = cluster.simulation().now();
    cluster.startDeletingPod("web-1");
    cluster.run(1 * S);
    List<PodWatch.Output> whileDelFails = watch.take();
    cluster.node("node-1").runtime().installPlugin("bridge");
    cluster.run(10 * S);

    String terminating =
        "Terminating   0          3s    10.244.1.2   node-1   <none>           <none>\n";
    assertThat(whileDelFails)
        .containsExactly(
            new PodWatch.Output(start, "web-1   1/1     " + terminating),
            new PodWatch.Output(start + 50 * MS, "web-1   0/1     " + terminating));
    assertThat(watch.take())
        .singleElement()
        .satisfies(
            deleted -> {
              assertThat(deleted.at()).isGreaterThan(start + S);
              assertThat(deleted.text())
                  .isEqualTo(
                      "web-1   0/1     " + terminating.replace("3s ", (deleted.at() / S) + "s"));
            });
    assertThat(cluster.pod("web-1")).isEmpty();
  }

  @Test
  void watchPods_unboundPodDeleted_deletedAtOnceStillPending() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();
    PodWatch watch = Kubectl.watchPods(cluster, Kubectl.GetPods.in("default"));

    cluster.createPod("web-1");
    cluster.startDeletingPod("web-1");
    cluster.run(1 * S);

    assertThat(watch.take())
        .extracting(PodWatch.Output::text)
        .containsExactly(
            "NAME    READY   STATUS    RESTARTS   AGE\nweb-1   0/1     Pending   0          0s\n",
            "web-1   0/1     Pending   0          0s\n");
    assertThat(cluster.pod("web-1")).isEmpty();
  }

  @Test
  void watchPods_podPinnedToANode_itsFirstRowAlreadyNamesTheNode() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();
    PodWatch watch = Kubectl.watchPods(cluster, Kubectl.GetPods.in("default").withWide());

    cluster.runPod("web-1", "node-1");

    assertThat(watch.take())
        .extracting(PodWatch.Output::text)
        .first()
        .asString()
        .endsWith(
            "web-1   0/1     Pending   0          0s    <none>   node-1   <none>          "
                + " <none>\n");
    watch.stop();
    cluster.deletePod("web-1");
    assertThat(watch.take()).isEmpty();
  }

  @Test
  void watchPods_selector_printsOnlyThePodsItSelects() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();
    PodWatch watch =
        Kubectl.watchPods(
            cluster, Kubectl.GetPods.in("default").withSelector(LabelSelector.parse("app=web")));

    cluster.runPod(PodSpec.named("db-1").label("app", "db"));
    cluster.runPod(PodSpec.named("web-1").label("app", "web"));

    assertThat(watch.take())
        .extracting(PodWatch.Output::text)
        .hasSize(4)
        .allSatisfy(text -> assertThat(text).contains("web-1").doesNotContain("db-1"));
  }

  @Test
  void watchPods_existingPods_listedSortedInOneFlushAndOtherNamespacesIgnored() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();
    cluster.runPod("web-2");
    cluster.runPod("web-10");
    long started = cluster.simulation().now();
    PodWatch watch = Kubectl.watchPods(cluster, Kubectl.GetPods.in("default"));

    cluster.runPod("kube-system/coredns-0");
    cluster.runPod("api");

    List<PodWatch.Output> out = watch.take();
    assertThat(out.get(0))
        .isEqualTo(
            new PodWatch.Output(
                started,
                "NAME     READY   STATUS    RESTARTS   AGE\n"
                    + "web-10   1/1     Running   0          0s\n"
                    + "web-2    1/1     Running   0          0s\n"));
    assertThat(out.subList(1, out.size()))
        .extracting(PodWatch.Output::text)
        .containsExactly(
            "api      0/1     Pending   0          0s\n",
            "api      0/1     Pending   0          0s\n",
            "api      0/1     ContainerCreating   0          0s\n",
            "api      1/1     Running             0          0s\n");
  }

  @Test
  void watchPods_allNamespaces_rowsOfEveryNamespaceWithTheNamespaceColumn() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).services(ServiceMode.HASH_MAP).build();
    PodWatch watch = Kubectl.watchPods(cluster, Kubectl.GetPods.allNamespaces());

    cluster.runPod("kube-system/coredns-0");

    List<PodWatch.Output> out = watch.take();
    assertThat(out).hasSize(4);
    assertThat(out.get(0).text())
        .isEqualTo(
            "NAMESPACE     NAME        READY   STATUS    RESTARTS   AGE\n"
                + "kube-system   coredns-0   0/1     Pending   0          0s\n");
    assertThat(out.get(3).text())
        .isEqualTo("kube-system   coredns-0   1/1     Running             0          0s\n");
  }

  @Test
  void getPodsWide_unscheduledPod_showsNoneForIpAndNode() {
    Cluster cluster = Cluster.builder().nodes(1).seed(7).build();
    cluster.runPod("web-1");

    String[] lines = Kubectl.getPodsWide(cluster).split("\n");

    assertThat(lines).hasSize(2);
    assertThat(lines[0])
        .isEqualTo(
            "NAME    READY   STATUS    RESTARTS   AGE   IP       NODE     NOMINATED NODE  "
                + " READINESS GATES");
    assertThat(lines[1])
        .isEqualTo(
            "web-1   0/1     Pending   0          0s    <none>   <none>   <none>          "
                + " <none>");
  }

  @Test
  void getPodsWide_noPods_saysNoResourcesFoundLikeKubectl() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();

    assertThat(Kubectl.getPodsWide(cluster))
        .isEqualTo("No resources found in default namespace.\n");
  }

  @Test
  void getPods_allNamespaces_addsALeadingNamespaceColumnAndListsKubeProxy() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();
    cluster.runPod("web-1");
    cluster.runPod("kube-system/coredns-0");

    assertThat(Kubectl.getPods(cluster, null, true))
        .matches(
            "NAMESPACE     NAME               READY   STATUS    RESTARTS   AGE   IP             NODE "
                + "    NOMINATED NODE   READINESS GATES\n"
                + "default       web-1              1/1     Running   0          0s    10\\.244\\.1\\.2 "
                + "    node-1   <none>           <none>\n"
                + "kube-system   coredns-0          1/1     Running   0          0s    10\\.244\\.1\\.3 "
                + "    node-1   <none>           <none>\n"
                + "kube-system   kube-proxy-[bcdfghjklmnpqrstvwxz2456789]{5}   1/1     Running   0 "
                + "         0s    192\\.168\\.1\\.11   node-1   <none>           <none>\n");
  }

  @Test
  void getPods_oneNamespaceNotWide_printsItsPodsInFiveColumns() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).services(ServiceMode.HASH_MAP).build();
    cluster.runPod("web-1");
    cluster.runPod("kube-system/coredns-0");

    assertThat(Kubectl.getPods(cluster, "kube-system", false))
        .isEqualTo(
            "NAME        READY   STATUS    RESTARTS   AGE\n"
                + "coredns-0   1/1     Running   0          0s\n");
    assertThat(Kubectl.getPodsWide(cluster)).contains("web-1").doesNotContain("coredns-0");
  }

  @Test
  void getPods_nothingToShow_saysNoResourcesFoundAsKubectlDoes() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).services(ServiceMode.HASH_MAP).build();
    cluster.runPod("web-1");

    assertThat(Kubectl.getPods(cluster, "prod", true))
        .isEqualTo("No resources found in prod namespace.\n");
    cluster.deletePod("web-1");
    assertThat(Kubectl.getPods(cluster, null, false)).isEqualTo("No resources found\n");
  }

  // ---------------------------------------------------------------- describe

  @Test
  void events_repeatedEvent_isCountedAndColumnsArePaddedToTheWidestPlusTwo() {
    Pod pod = new Pod("default", "web-1", "uid", 0, Map.of(), false);
    pod.event(
        "Normal",
        "Scheduled",
        "default-scheduler",
        "Successfully assigned default/web-1 to node-1",
        0);
    pod.event("Warning", "FailedCreatePodSandBox", "kubelet", "boom", 10 * S);
    pod.event("Warning", "FailedCreatePodSandBox", "kubelet", "boom", 20 * S);
    pod.event("Warning", "FailedCreatePodSandBox", "kubelet", "boom", 30 * S);

    String out = Kubectl.events(pod, 35 * S);

    assertThat(out)
        .isEqualTo(
            "Events:\n"
                + "  Type     Reason                  Age               From               Message\n"
                + "  ----     ------                  ----              ----               -------\n"
                + "  Normal   Scheduled               35s               default-scheduler "
                + " Successfully assigned default/web-1 to node-1\n"
                + "  Warning  FailedCreatePodSandBox  5s (x3 over 25s)  kubelet            boom\n");
  }

  @Test
  void events_articleExample_hasTheArticlesLayout() {
    // the article's "kubectl describe pod web-1" events, Scheduled 5s ago and the failure 1s ago
    Pod pod = new Pod("default", "web-1", "uid", 0, Map.of(), false);
    pod.event(
        "Normal",
        "Scheduled",
        "default-scheduler",
        "Successfully assigned default/web-1 to node-1",
        0);
    pod.event("Warning", "FailedCreatePodSandBox", "kubelet", "x", 4 * S);

    String out = Kubectl.events(pod, 5 * S);

    assertThat(out)
        .startsWith(
            "Events:\n"
                + "  Type     Reason                  Age   From               Message\n"
                + "  ----     ------                  ----  ----               -------\n"
                + "  Normal   Scheduled               5s    default-scheduler  Successfully"
                + " assigned default/web-1 to node-1\n"
                + "  Warning  FailedCreatePodSandBox  1s    kubelet            x\n");
  }

  @Test
  void events_none_printsNone() {
    assertThat(Kubectl.events(new Pod("default", "web-1", "uid", 0, Map.of(), false), 0))
        .isEqualTo("Events:  <none>\n");
  }

  @Test
  void describePod_networkNotReadyRepeats_showsTheCountOverTheSpan() {
    Cluster cluster = Cluster.builder().nodes(1).seed(7).build();
    cluster.runPod("web-1", "node-1");
    // NetworkNotReady every 2 s from 50 ms on: 16 times by 30.05 s
    cluster.run(30 * S);

    String out = Kubectl.describePod(cluster, "web-1");

    assertThat(out)
        .contains("Name:             web-1\n")
        .contains("Namespace:        default\n")
        .contains("Node:             node-1/192.168.1.11\n")
        .contains("Status:           Pending\n")
        .contains(
            "IPs:              <none>\n"
                + "Tolerations:      node.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n"
                + "                  node.kubernetes.io/unreachable:NoExecute op=Exists for 300s\n"
                + "Events:\n")
        .contains(
            "  Warning  NetworkNotReady  0s (x16 over 30s)  kubelet  network is not ready:"
                + " container runtime network not ready:");
  }

  @Test
  void describePod_ownedByAReplicaSet_listsItsLabelsAndControllerAndABarePodNeither() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).services(ServiceMode.HASH_MAP).build();
    Deployment web = cluster.createDeployment("web", 1, Map.of("app", "web"));
    cluster.runPod("bare");
    cluster.run(S);
    Pod owned = cluster.pods(web).get(0);

    String hash = web.replicaSetName().substring("web-".length());
    assertThat(Kubectl.describePod(cluster, owned.key()))
        .contains(
            "\nLabels:           app=web\n                  pod-template-hash="
                + hash
                + "\nStatus:")
        .as("kubectl's tabwriter aligns the IP with the Controlled By line after it")
        .contains("\nIPs:\n  IP:           10.244.1.")
        .contains("\nControlled By:  ReplicaSet/" + web.replicaSetName() + "\nTolerations:");
    assertThat(Kubectl.describePod(cluster, "bare"))
        .contains("\nNode:             node-1/192.168.1.11\nLabels:           <none>\nStatus:")
        .contains("\nIPs:\n  IP:  10.244.1.")
        .doesNotContain("Controlled By:");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "false|false|NAME    READY   STATUS    RESTARTS   AGE   LABELS;"
            + "web-1   1/1     Running   0          0s    app=web,tier=front",
        "true|false|NAMESPACE   NAME    READY   STATUS    RESTARTS   AGE   LABELS;"
            + "default     web-1   1/1     Running   0          0s    app=web,tier=front",
        "false|true|NAME    READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED NODE"
            + "   READINESS GATES   LABELS;web-1   1/1     Running   0          0s    10.244.1.2   node-1"
            + "   <none>           <none>            app=web,tier=front",
        "true|true|NAMESPACE   NAME    READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED"
            + " NODE   READINESS GATES   LABELS;default     web-1   1/1     Running   0          0s    10.244.1.2"
            + "   node-1   <none>           <none>            app=web,tier=front",
      })
  void getPods_showLabels_aLabelsColumnAfterEveryOtherAsKubectlFormatsThem(
      boolean all, boolean wide, String expected) {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).services(ServiceMode.HASH_MAP).build();
    cluster.runPod(PodSpec.named("web-1").label("tier", "front").label("app", "web"));
    Kubectl.GetPods get =
        (all ? Kubectl.GetPods.allNamespaces() : Kubectl.GetPods.in("default")).withShowLabels();

    assertThat(Kubectl.getPods(cluster, wide ? get.withWide() : get))
        .isEqualTo(expected.replace(";", "\n") + "\n");
  }

  @Test
  void getPods_showLabelsOnAPodWithoutLabels_printsNone() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).services(ServiceMode.HASH_MAP).build();
    cluster.runPod("bare");

    assertThat(Kubectl.getPods(cluster, Kubectl.GetPods.in("default").withShowLabels()))
        .isEqualTo(
            "NAME   READY   STATUS    RESTARTS   AGE   LABELS\n"
                + "bare   1/1     Running   0          0s    <none>\n");
  }

  // ---------------------------------------------------------------- get service

  private static final List<ServicePort> HTTP = List.of(ServicePort.of("http", "TCP", 80, 8080));

  @Test
  void kubernetesService_freshCluster_theApiServersServiceAsKubectlShowsIt() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();
    cluster.run(5 * SimTime.SECOND);

    assertThat(Kubectl.getService(cluster, "kubernetes", true))
        .isEqualTo(
            "NAME         TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE   SELECTOR\n"
                + "kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   5s    <none>\n");
    assertThat(Kubectl.getEndpoints(cluster, "kubernetes"))
        .endsWith(
            "NAME         ENDPOINTS           AGE\n" + "kubernetes   192.168.1.11:6443   5s\n");
    assertThat(Kubectl.describeService(cluster, "kubernetes"))
        .isEqualTo(
            String.join(
                "\n",
                "Name:                     kubernetes",
                "Namespace:                default",
                "Labels:                   component=apiserver",
                "                          provider=kubernetes",
                "Annotations:              <none>",
                "Selector:                 <none>",
                "Type:                     ClusterIP",
                "IP Family Policy:         SingleStack",
                "IP Families:              IPv4",
                "IP:                       10.96.0.1",
                "IPs:                      10.96.0.1",
                "Port:                     https  443/TCP",
                "TargetPort:               6443/TCP",
                "Endpoints:                192.168.1.11:6443",
                "Session Affinity:         None",
                "Internal Traffic Policy:  Cluster",
                "Events:                   <none>",
                ""));
  }

  @ParameterizedTest
  @EnumSource(ServiceMode.class)
  void kubernetesService_connectFromAPodOnAnotherNode_reachesTheApiServerOnNode1(ServiceMode mode) {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).services(mode).build();
    Pod client = cluster.runPod(PodSpec.named("client").onNode("node-2"));

    ProbeResult r = client.requireNetns().connectTcp(Ipv4Address.parse("10.96.0.1"), 443);

    assertThat(r.message()).isEqualTo("Connection to 10.96.0.1 443 port [tcp/https] succeeded!");
    assertThat(r.receiver()).isSameAs(cluster.node("node-1").host().root());
  }

  @Test
  void describeService_labelledService_printsItsLabelsOneALineSorted() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();
    cluster.createService(
        "web", Map.of("app", "web"), List.of(ServicePort.of("http", "TCP", 80, 8080)));

    cluster.labelService("web", Map.of("tier", "front", "app", "web"));

    assertThat(Kubectl.describeService(cluster, "web"))
        .startsWith(
            "Name:                     web\n"
                + "Namespace:                default\n"
                + "Labels:                   app=web\n"
                + "                          tier=front\n"
                + "Annotations:              <none>\n");
    assertThatThrownBy(() -> cluster.labelService("web", Map.of("bad key", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid label key \"bad key\"");
  }

  @Test
  void kubernetesService_deleted_refusedAsTheApiServerKeepsIt() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();

    assertThatThrownBy(() -> cluster.deleteService("kubernetes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "service \"default/kubernetes\" is the API server's own; it makes it again at once");
  }

  @Test
  void serviceCidr_slash31_refusedForItHasNoRoomBesidesTheKubernetesService() {
    assertThatThrownBy(() -> Cluster.bridge().serviceCidr("10.96.0.0/31"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "service CIDR 10.96.0.0/31 is too small (expected a prefix of at most /30: the"
                + " kubernetes Service takes its first address)");
  }

  @Test
  void getServices_namespaceOrAll_everyServiceByNamespaceAndNameWithTheApiServers() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(7).build();
    cluster.createService(
        "web", Map.of("app", "web"), List.of(ServicePort.of("http", "TCP", 80, 8080)));
    cluster.createService(
        "kube-system/dns", Map.of("app", "dns"), List.of(ServicePort.of("dns", "UDP", 53, 53)));
    cluster.run(3 * SimTime.SECOND);
    String web = cluster.services().get(1).clusterIp().toString();
    String dns = cluster.services().get(2).clusterIp().toString();

    assertThat(Kubectl.getServices(cluster, "default", false))
        .isEqualTo(
            table(
                new String[] {"NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"},
                new String[] {"kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP", "3s"},
                new String[] {"web", "ClusterIP", web, "<none>", "80/TCP", "3s"}));
    assertThat(Kubectl.getServices(cluster, null, false))
        .isEqualTo(
            table(
                new String[] {
                  "NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"
                },
                new String[] {
                  "default", "kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP", "3s"
                },
                new String[] {"default", "web", "ClusterIP", web, "<none>", "80/TCP", "3s"},
                new String[] {"kube-system", "dns", "ClusterIP", dns, "<none>", "53/UDP", "3s"}));
    assertThat(Kubectl.getServices(cluster, "other", false))
        .isEqualTo("No resources found in other namespace.\n");
  }

  /** Rows laid out as kubectl's printer does: each column its widest cell plus three. */
  private static String table(String[]... rows) {
    int[] widths = new int[rows[0].length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        sb.append(row[c]);
        if (c < row.length - 1) {
          sb.append(" ".repeat(widths[c] + 3 - row[c].length()));
        }
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  @Test
  void getService_clusterIp_kubectlsColumnsAndWideSelector() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(3).build();
    cluster.createService("web", Map.of("tier", "front", "app", "web"), HTTP);
    cluster.run(90 * S);

    // seed 3 gives this ClusterIP; the columns are its width plus 3
    assertThat(Kubectl.getService(cluster, "web", false))
        .isEqualTo(
            "NAME   TYPE        CLUSTER-IP      EXTERNAL-IP   PORT(S)   AGE\n"
                + "web    ClusterIP   10.109.135.13   <none>        80/TCP    90s\n");
    assertThat(Kubectl.getService(cluster, "web", true))
        .isEqualTo(
            "NAME   TYPE        CLUSTER-IP      EXTERNAL-IP   PORT(S)   AGE   SELECTOR\n"
                + "web    ClusterIP   10.109.135.13   <none>        80/TCP    90s   app=web,tier=front\n");
  }

  @Test
  void getService_nodePortsExternalIpsAndLoadBalancers_typeExternalIpAndPortsAsKubectlPrints() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(3).build();
    List<ServicePort> two =
        List.of(
            ServicePort.of("http", "TCP", 80, 8080).withNodePort(30080),
            ServicePort.of("dns", "UDP", 53, 5353).withNodePort(30053));
    cluster.createService(
        "np",
        Map.of("app", "web"),
        two,
        ServiceOptions.NONE.withExternalIps(List.of(Ipv4Address.parse("192.0.2.10"))));
    cluster.createService(
        "pending",
        Map.of("app", "web"),
        List.of(HTTP.get(0).withNodePort(30081)),
        ServiceOptions.NONE.withLoadBalancerType());
    cluster.createService(
        "lb",
        Map.of("app", "web"),
        List.of(HTTP.get(0).withNodePort(30082)),
        ServiceOptions.NONE.withLoadBalancerIngress(
            List.of(Ipv4Address.parse("203.0.113.20"), Ipv4Address.parse("203.0.113.10"))));

    // seed 3 gives these ClusterIPs
    assertThat(Kubectl.getService(cluster, "np", false))
        .isEqualTo(
            "NAME   TYPE       CLUSTER-IP      EXTERNAL-IP   PORT(S)                     AGE\n"
                + "np     NodePort   10.109.135.13   192.0.2.10    80:30080/TCP,53:30053/UDP   0s\n");
    assertThat(Kubectl.getService(cluster, "pending", false))
        .isEqualTo(
            "NAME      TYPE           CLUSTER-IP       EXTERNAL-IP   PORT(S)        AGE\n"
                + "pending   LoadBalancer   10.109.149.230   <pending>     80:30081/TCP   0s\n");
    assertThat(Kubectl.getService(cluster, "lb", false))
        .as("ingress IPs sorted, cut to 16 characters unless wide")
        .isEqualTo(
            "NAME   TYPE           CLUSTER-IP     EXTERNAL-IP        PORT(S)        AGE\n"
                + "lb     LoadBalancer   10.103.24.32   203.0.113.10,...   80:30082/TCP   0s\n");
    assertThat(Kubectl.getService(cluster, "lb", true))
        .isEqualTo(
            "NAME   TYPE           CLUSTER-IP     EXTERNAL-IP                 PORT(S)        AGE"
                + "   SELECTOR\n"
                + "lb     LoadBalancer   10.103.24.32   203.0.113.10,203.0.113.20   80:30082/TCP   0s"
                + "    app=web\n");
  }

  @Test
  void serviceOptions_ingressIpsWithoutTheType_typeIsLoadBalancer() {
    assertThat(
            new ServiceOptions(
                    List.of(), List.of(Ipv4Address.parse("1.2.3.4")), List.of(), false, 0, 0, false)
                .loadBalancer())
        .as("ingress IPs make the type LoadBalancer")
        .isTrue();
  }

  @Test
  void getService_noSuchServiceOrNoSuchName_kubectlsNotFoundError() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(3).build();
    cluster.createService("web", Map.of("app", "web"), HTTP);

    assertThat(Kubectl.getService(cluster, "kube-system/web", false))
        .isEqualTo("Error from server (NotFound): services \"web\" not found\n");
    assertThat(Kubectl.getService(cluster, "Web_1", false))
        .isEqualTo("Error from server (NotFound): services \"Web_1\" not found\n");
    assertThat(Kubectl.getService(cluster, "default/web", false)).contains("\nweb    ClusterIP ");
  }

  // ---------------------------------------------------------------- get endpoints

  private static final String DEPRECATED =
      "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\n";

  /** {@code count} pods labelled app=web, named web-0..., on {@code node}. */
  private static void webPods(Cluster cluster, int from, int count, String node) {
    for (int i = from; i < from + count; i++) {
      cluster.createPod(PodSpec.named("web-" + i).label("app", "web").onNode(node));
    }
  }

  @Test
  void getEndpoints_tenPodsTwoPorts_addressesSortedAsTextPortsByHashThreeThenMore() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(3).build();
    webPods(cluster, 0, 10, "node-1");
    cluster.createService(
        "web",
        Map.of("app", "web"),
        List.of(ServicePort.of("http", "TCP", 80, 80), ServicePort.of("https", "TCP", 443, 443)));
    cluster.run(90 * S);

    // 10.244.1.2 ... 10.244.1.11 sort as text: .10 and .11 first; https's dump hashes below
    // http's, so its port comes first; 10 addresses x 2 ports = 20 entries, 3 shown
    assertThat(Kubectl.getEndpoints(cluster, "web"))
        .isEqualTo(
            DEPRECATED
                + "NAME   ENDPOINTS                                                     AGE\n"
                + "web    10.244.1.10:443,10.244.1.11:443,10.244.1.2:443 + 17 more...   90s\n");
  }

  @Test
  void getEndpoints_twoPodsOnePort_everyAddressWithTheTargetPort() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(3).build();
    webPods(cluster, 0, 1, "node-2");
    webPods(cluster, 1, 1, "node-1");
    cluster.createService("web", Map.of("app", "web"), HTTP);
    cluster.run(90 * S);

    assertThat(Kubectl.getEndpoints(cluster, "web"))
        .isEqualTo(
            DEPRECATED
                + "NAME   ENDPOINTS                         AGE\n"
                + "web    10.244.1.2:8080,10.244.2.2:8080   90s\n");
  }

  @Test
  void getEndpoints_noPodThenOnlyPodsOnANotReadyNode_noneThenAnEmptyCell() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(3).build();
    cluster.createService("web", Map.of("app", "web"), HTTP);
    cluster.run(S);
    assertThat(Kubectl.getEndpoints(cluster, "web"))
        .isEqualTo(DEPRECATED + "NAME   ENDPOINTS   AGE\n" + "web    <none>      1s\n");

    webPods(cluster, 0, 2, "node-2");
    cluster.run(30 * S);
    cluster.crashNode("node-2");
    cluster.run(60 * S);

    assertThat(cluster.node("node-2").isReady()).isFalse();
    assertThat(Kubectl.getEndpoints(cluster, "web"))
        .as("the pods are not-ready addresses, which kubectl does not print")
        .isEqualTo(DEPRECATED + "NAME   ENDPOINTS   AGE\n" + "web                91s\n");
  }

  @Test
  void getEndpoints_noSuchService_notFoundAfterTheWarning() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(3).build();

    assertThat(Kubectl.getEndpoints(cluster, "prod/web"))
        .isEqualTo(DEPRECATED + "Error from server (NotFound): endpoints \"web\" not found\n");
  }

  @Test
  void endpointPortHash_httpAndHttps_md5OfTheGoDump() {
    // md5 of "(v1.EndpointPort){Name:(string)http Port:(int32)80 Protocol:(v1.Protocol)TCP
    // AppProtocol:(*string)<nil>}", worked out apart from this code
    assertThat(Kubectl.endpointPortHash(ServicePort.of("http", "TCP", 80, 80)))
        .startsWith((byte) 0xa0, (byte) 0xaf, (byte) 0xc9, (byte) 0x28);
    assertThat(Kubectl.endpointPortHash(ServicePort.of("https", "TCP", 443, 443)))
        .startsWith((byte) 0x9b, (byte) 0x81, (byte) 0x22, (byte) 0x54);
  }

  // ---------------------------------------------------------------- describe service

  @Test
  void describeService_clusterIpWithThreeReadyPods_kubectlsFieldsAndTheSlicesEndpoints() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(3).build();
    webPods(cluster, 0, 2, "node-2");
    webPods(cluster, 2, 1, "node-1");
    cluster.createService("web", Map.of("app", "web"), HTTP);
    cluster.run(90 * S);

    assertThat(Kubectl.describeService(cluster, "web"))
        .isEqualTo(
            """
            Name:                     web
            Namespace:                default
            Labels:                   <none>
            Annotations:              <none>
            Selector:                 app=web
            Type:                     ClusterIP
            IP Family Policy:         SingleStack
            IP Families:              IPv4
            IP:                       10.109.135.13
            IPs:                      10.109.135.13
            Port:                     http  80/TCP
            TargetPort:               8080/TCP
            Endpoints:                10.244.2.2:8080,10.244.2.3:8080,10.244.1.2:8080
            Session Affinity:         None
            Internal Traffic Policy:  Cluster
            Events:                   <none>
            """);
  }

  @Test
  void describeService_fourthEndpointNotReady_kubectlsPlusZeroMore() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(3).build();
    webPods(cluster, 0, 3, "node-1");
    webPods(cluster, 3, 1, "node-2");
    cluster.createService("web", Map.of("app", "web"), HTTP);
    cluster.run(30 * S);
    cluster.crashNode("node-2");
    cluster.run(60 * S);

    assertThat(Kubectl.describeService(cluster, "web"))
        .contains(
            "Endpoints:                10.244.1.2:8080,10.244.1.3:8080,10.244.1.4:8080"
                + " + 0 more...\n");
  }

  @Test
  void describeService_noPods_emptyEndpointsFromThePlaceholderSlice() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(3).build();
    cluster.createService("web", Map.of("app", "web"), HTTP);

    assertThat(Kubectl.describeService(cluster, "web"))
        .contains("TargetPort:               8080/TCP\nEndpoints:                \nSession");
  }

  @Test
  void describeService_loadBalancerLocalWithSourceRanges_everyExternalField() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(3).build();
    cluster.createService(
        "lb",
        Map.of("app", "web"),
        List.of(ServicePort.of("", "TCP", 80, 8080).withNodePort(30080)),
        ServiceOptions.NONE
            .withExternalIps(List.of(Ipv4Address.parse("192.0.2.10")))
            .withLoadBalancerIngress(
                List.of(Ipv4Address.parse("203.0.113.20"), Ipv4Address.parse("203.0.113.10")))
            .withLoadBalancerSourceRanges(List.of(Cidr.parse("198.51.100.0/24")))
            .withExternalTrafficPolicyLocal(31480)
            .withClientIpAffinity(ServiceOptions.DEFAULT_AFFINITY_SECONDS));

    assertThat(Kubectl.describeService(cluster, "lb"))
        .isEqualTo(
            """
            Name:                        lb
            Namespace:                   default
            Labels:                      <none>
            Annotations:                 <none>
            Selector:                    app=web
            Type:                        LoadBalancer
            IP Family Policy:            SingleStack
            IP Families:                 IPv4
            IP:                          10.109.135.13
            IPs:                         10.109.135.13
            External IPs:                192.0.2.10
            LoadBalancer Ingress:        203.0.113.20 (VIP), 203.0.113.10 (VIP)
            Port:                        <unset>  80/TCP
            TargetPort:                  8080/TCP
            NodePort:                    <unset>  30080/TCP
            Endpoints:                  \s
            Session Affinity:            ClientIP
            External Traffic Policy:     Local
            Internal Traffic Policy:     Cluster
            HealthCheck NodePort:        31480
            LoadBalancer Source Ranges:  198.51.100.0/24
            Events:                      <none>
            """);
  }

  @Test
  void describeService_noSuchService_notFound() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(3).build();

    assertThat(Kubectl.describeService(cluster, "web"))
        .isEqualTo("Error from server (NotFound): services \"web\" not found\n");
  }

  @Test
  void describeService_twoPorts_eachPortsGroupWithItsOwnTargetPortEndpoints() {
    Cluster cluster = Cluster.bridge().nodes(1).seed(3).build();
    webPods(cluster, 0, 2, "node-1");
    cluster.createService(
        "web",
        Map.of("app", "web"),
        List.of(
            ServicePort.of("http", "TCP", 80, 8080),
            ServicePort.of("dns", "UDP", 53, 5353).withNodePort(30053)));
    cluster.run(90 * S);

    assertThat(Kubectl.describeService(cluster, "web"))
        .contains(
            """
            Type:                     NodePort
            """,
            """
            Port:                     http  80/TCP
            TargetPort:               8080/TCP
            Endpoints:                10.244.1.2:8080,10.244.1.3:8080
            Port:                     dns  53/UDP
            TargetPort:               5353/UDP
            NodePort:                 dns  30053/UDP
            Endpoints:                10.244.1.2:5353,10.244.1.3:5353
            Session Affinity:         None
            External Traffic Policy:  Cluster
            Internal Traffic Policy:  Cluster
            """);
  }

  @Test
  void describePod_terminatingOnALostNode_lastsFromTheDeletionTimestampAndTheBlockWidens() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();
    cluster.runPod("web", "node-2");
    cluster.crashNode("node-2");
    cluster.startDeletingPod("web");
    cluster.run(5 * SimTime.SECOND);
    assertThat(Kubectl.describePod(cluster, "web"))
        .as("deletionTimestamp is 30 s ahead: kubectl's HumanDuration of a negative time")
        .contains("\nStatus:                    Terminating (lasts <invalid>)\n");
    cluster.run(30 * SimTime.SECOND);

    assertThat(Kubectl.describePod(cluster, "web"))
        .startsWith(
            "Name:                      web\n"
                + "Namespace:                 default\n"
                + "Node:                      node-2/192.168.1.12\n"
                + "Labels:                    <none>\n"
                + "Status:                    Terminating (lasts 5s)\n"
                + "Termination Grace Period:  30s\n"
                + "IP:                        10.244.2.2\n"
                + "IPs:\n"
                + "  IP:  10.244.2.2\n"
                + "Tolerations:      node.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n");
  }
}
