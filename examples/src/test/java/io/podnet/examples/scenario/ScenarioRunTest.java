package io.podnet.examples.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.examples.cli.PodnetCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code podnet run} and {@code podnet validate} on valid scenarios. */
class ScenarioRunTest {

  static final String BASICS =
      """
      name: basics
      seed: 7
      cluster:
        nodes: 2
        podCIDR: 10.244.0.0/16
        cni: bridge
        services: iptables
      steps:
        - at: 0s
          apply:
            - apiVersion: apps/v1
              kind: StatefulSet
              metadata: {name: web}
              spec:
                replicas: 2
                selector: {matchLabels: {app: web}}
                template:
                  metadata: {labels: {app: web}}
                  spec:
                    containers:
                      - name: web
                        image: nginx
                        ports: [{containerPort: 8080}]
            - apiVersion: v1
              kind: Service
              metadata: {name: web}
              spec:
                selector: {app: web}
                ports: [{name: http, port: 80, targetPort: 8080}]
        - at: 2s
          kubectl: get pods -o wide
        - at: 2s
          exec: {node: node-1, command: ip route}
        - at: 3s
          ping: {from: web-0, to: web-1}
        - at: 3s
          curl: {from: web-0, to: "web:80"}
        - at: 4s
          expect: {contract: holds, reachable: {from: web-0, to: web-1}}
      """;

  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  /**
   * Writes {@code scenario} to {@code dir/name}, runs it, asserts that it printed no error and
   * exited 0, and returns its transcript split at each step's {@code [time]} heading.
   */
  static String[] runSections(Path dir, String name, String scenario) throws IOException {
    Path file = Files.writeString(dir.resolve(name), scenario);
    Run r = cli("run", file.toString());
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    return r.out().split("\n\\[");
  }

  static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = PodnetCli.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  /** {@code podnet validate} on a file that must be invalid: exit code 2; returns its stderr. */
  static String invalid(Path file) {
    Run r = cli("validate", file.toString());
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    return r.err();
  }

  /**
   * {@code podnet run} on a scenario with a failing expectation: exit 1; returns the transcript.
   */
  static String failing(Path file) {
    Run r = cli("run", file.toString());
    assertThat(r.code()).as(r.err() + r.out()).isEqualTo(1);
    return r.out();
  }

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  @Test
  void run_basics_printsEachStepAsTheRealToolsDoAndEndsWithTheDigest() throws IOException {
    Run r = cli("run", write("basics.yaml", BASICS).toString());

    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .startsWith("scenario: basics, seed 7\ncluster: 2 nodes, cni bridge, services iptables\n")
        .contains(
            "[0.000000000s] $ kubectl apply -f -\nstatefulset.apps/web created\n"
                + "service/web created\n")
        .contains(
            "[2.000000000s] $ kubectl get pods -o wide\n"
                + "NAME    READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED NODE"
                + "   READINESS GATES\n"
                + "web-0   1/1     Running   0          2s    10.244.1.2   node-1   <none>       "
                + "    <none>\n"
                + "web-1   1/1     Running   0          1s    10.244.2.2   node-2   <none>       "
                + "    <none>\n")
        .contains(
            "[2.000000000s] $ ip route    # on node-1\n"
                + "default via 192.168.0.1 dev eth0 \n"
                + "10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1 \n"
                + "10.244.2.0/24 via 192.168.1.12 dev eth0 \n")
        .contains(
            "[3.000000000s] $ kubectl exec web-0 -- ping -c 1 10.244.2.2\n"
                + "PING 10.244.2.2 (10.244.2.2) 56(84) bytes of data.\n"
                + "64 bytes from 10.244.2.2: icmp_seq=1 ttl=62 time=0.400 ms\n"
                + "\n"
                + "--- 10.244.2.2 ping statistics ---\n"
                + "1 packets transmitted, 1 received, 0% packet loss, time 0ms\n"
                + "rtt min/avg/max/mdev = 0.400/0.400/0.400/0.000 ms\n")
        .containsPattern(
            "\\$ kubectl exec web-0 -- nc -zv (10\\.\\d+\\.\\d+\\.\\d+) 80    # curl web:80 \\(TCP"
                + " connect\\)\nConnection to \\1 80 port \\[tcp/http\\] succeeded!\n")
        .contains("expect contract holds ... OK\n")
        .contains("expect reachable web-0 -> web-1 ... OK\n")
        .containsPattern("\ntrace digest: [0-9a-f]{64}\n$");
  }

  @Test
  void run_getPodsWatch_printsEachChangeAtItsTimeAfterTheStepThatCausedIt() throws IOException {
    String[] sections =
        runSections(
            dir,
            "watch.yaml",
            """
            name: watch
            seed: 7
            cluster: {nodes: 1, cni: bridge}
            steps:
              - at: 0s
                kubectl: get pods -w
              - at: 1s
                apply:
                  - apiVersion: v1
                    kind: Pod
                    metadata: {name: web-1}
                    spec: {containers: [{name: web, image: nginx}]}
              - at: 5s
                delete: {pod: web-1}
            """);

    assertThat(sections)
        .containsSubsequence(
            "0.000000000s] $ kubectl get pods -w\n",
            "1.000000000s] $ kubectl apply -f -\npod/web-1 created\n",
            "1.000000000s] # kubectl get pods -w\n"
                + "NAME    READY   STATUS    RESTARTS   AGE\n"
                + "web-1   0/1     Pending   0          0s\n",
            "1.005000000s] # kubectl get pods -w\n"
                + "web-1   0/1     Pending   0          0s\n"
                + "web-1   0/1     ContainerCreating   0          0s\n",
            "1.195000000s] # kubectl get pods -w\n"
                + "web-1   1/1     Running             0          0s\n",
            "5.000000000s] $ kubectl delete pod web-1\npod \"web-1\" deleted\n",
            "5.000000000s] # kubectl get pods -w\n"
                + "web-1   1/1     Terminating         0          4s\n");
    assertThat(sections[sections.length - 1])
        .startsWith(
            "5.050000000s] # kubectl get pods -w\n"
                + "web-1   0/1     Terminating         0          4s\n"
                + "web-1   0/1     Terminating         0          4s\n\ntrace digest: ");
  }

  @Test
  void run_getPodsWithSelector_everySpellingListsKubeProxyAndAWatchFollowsItsReplacement()
      throws IOException {
    String[] sections =
        runSections(
            dir,
            "selector.yaml",
            """
            name: selector
            seed: 7
            cluster: {nodes: 1, cni: bridge}
            steps:
              - at: 1s
                kubectl: get pods -n kube-system -l k8s-app=kube-proxy
              - at: 1s
                kubectl: get pods -n kube-system --selector=k8s-app==kube-proxy
              - at: 1s
                kubectl: get pods -A -l=k8s-app!=kube-proxy
              - at: 1s
                kubectl: get pods -n kube-system --selector k8s-app --watch
              - at: 1s
                kubectl: get pods -n kube-system --show-labels
            """);

    String list =
        "NAME               READY   STATUS    RESTARTS   AGE\n"
            + "kube-proxy-7nlls   1/1     Running   0          1s\n";
    assertThat(sections[1])
        .isEqualTo(
            "1.000000000s] $ kubectl get pods -n kube-system -l k8s-app=kube-proxy\n" + list);
    assertThat(sections[2])
        .isEqualTo(
            "1.000000000s] $ kubectl get pods -n kube-system --selector=k8s-app==kube-proxy\n"
                + list);
    assertThat(sections[3])
        .isEqualTo(
            "1.000000000s] $ kubectl get pods -A -l=k8s-app!=kube-proxy\nNo resources found\n");
    assertThat(sections[4])
        .isEqualTo(
            "1.000000000s] $ kubectl get pods -n kube-system --selector k8s-app --watch\n" + list);
    assertThat(sections[5])
        .startsWith(
            "1.000000000s] $ kubectl get pods -n kube-system --show-labels\n"
                + "NAME               READY   STATUS    RESTARTS   AGE   LABELS\n"
                + "kube-proxy-7nlls   1/1     Running   0          1s    k8s-app=kube-proxy,"
                + "pod-template-generation=1\n\ntrace digest: ");
  }

  @Test
  void run_pingWithCountOverALossyLink_iputilsStatisticsCountTheLostRequests() throws IOException {
    String scenario =
        ScenarioValidationTest.BASE.replace(
            "    ping: {from: a, to: b}",
            "    packetLoss: {node: node-1, percent: 50}\n"
                + "  - at: 2s\n"
                + "    ping: {from: a, to: b, count: 20}");

    String[] sections = runSections(dir, "loss.yaml", scenario);

    String ping =
        Arrays.stream(sections).filter(x -> x.contains("ping -c 20 ")).findFirst().orElseThrow();
    Matcher m =
        Pattern.compile(
                "\n--- (\\S+) ping statistics ---\n20 packets transmitted, (\\d+) received,"
                    + "(?: \\+\\d+ errors,)? (\\d+)% packet loss, time \\d+ms\n"
                    + "rtt min/avg/max/mdev = [0-9./]+ ms\n")
            .matcher(ping);
    assertThat(m.find()).as(ping).isTrue();
    int received = Integer.parseInt(m.group(2));
    assertThat(received).isBetween(1, 19);
    assertThat(Integer.parseInt(m.group(3))).isEqualTo((20 - received) * 100 / 20);
    assertThat(ping.lines().filter(l -> l.contains(" bytes from "))).hasSize(received);
  }

  @Test
  void run_twice_givesTheSameBytes() throws IOException {
    Path file = write("basics.yaml", BASICS);

    Run first = cli("run", file.toString());
    Run second = cli("run", file.toString());

    assertThat(second.out()).isEqualTo(first.out());
    assertThat(second.code()).isEqualTo(first.code());
  }

  @Test
  void run_failedExpectation_saysWhyAndExitsOne() throws IOException {
    String text =
        BASICS.replace(
            "expect: {contract: holds, reachable: {from: web-0, to: web-1}}",
            "expect: {podIpIn: {pod: web-0, cidr: 10.244.2.0/24}, podPhase: {pod: web-1, is:"
                + " Running}}");
    Run r = cli("run", write("s.yaml", text).toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out())
        .contains(
            "expect podIpIn web-0 10.244.2.0/24 ... FAILED: 10.244.1.2 is not in"
                + " 10.244.2.0/24\n")
        .contains("expect podPhase web-1 is Running ... OK\n");
  }

  static final String INLINE_CNI =
      """
      name: inline
      seed: 1
      cluster:
        nodes: 2
        cni:
          cniVersion: 1.0.0
          name: mynet
          plugins:
            - type: bridge
              bridge: cni0
              isGateway: true
              isDefaultGateway: true
              ipam: {type: host-local, ranges: [[{subnet: "${podCIDR}"}]]}
      steps:
        - at: 0s
          apply:
            - {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {nodeName: node-1}}
            - {apiVersion: v1, kind: Pod, metadata: {name: b}, spec: {nodeName: node-2}}
        - at: 3s
          exec: {pod: a, command: ip route}
        - at: 3s
          expect: {reachable: {from: a, to: b}}
      """;

  @Test
  void run_inlineConflist_isInstalledOnEveryNodeWithItsPodCidr() throws IOException {
    Run r = cli("run", write("inline.yaml", INLINE_CNI).toString());

    assertThat(r.code()).as(r.err() + r.out()).isZero();
    assertThat(r.out())
        .contains("cluster: 2 nodes, cni inline, services iptables\n")
        .contains("default via 10.244.1.1 dev eth0 \n")
        .contains("expect reachable a -> b ... OK\n");
  }

  @Test
  void validate_inlineConflistLibcniRefuses_oneLineAtTheCniKey() throws IOException {
    Path file = write("inline.yaml", INLINE_CNI.replace("cniVersion: 1.0.0", "cniVersion: 9.9.9"));

    Run r = cli("validate", file.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "podnet: "
                + file
                + ":6:5: cluster.cni (inline conflist): incompatible CNI versions; config is"
                + " \"9.9.9\", plugin supports [\"0.3.0\" \"0.3.1\" \"0.4.0\" \"1.0.0\""
                + " \"1.1.0\"]\n");
  }

  static final String NAMED_NODES =
      """
      name: named
      seed: 2
      cluster:
        nodes:
          - {name: cp-1, address: 192.168.10.1}
          - {name: worker-1, address: 192.168.10.2}
        cni: flannel-vxlan
      steps:
        - at: 0s
          apply:
            - {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {nodeName: cp-1}}
            - {apiVersion: v1, kind: Pod, metadata: {name: b}, spec: {nodeName: worker-1}}
        - at: 2s
          exec: {node: worker-1, command: ip route}
        - at: 3s
          expect: {reachable: {from: a, to: b}}
      """;

  @Test
  void run_nodesGivenByNameAndAddress_areTheClustersNodes() throws IOException {
    Run r = cli("run", write("named.yaml", NAMED_NODES).toString());

    assertThat(r.code()).as(r.err() + r.out()).isZero();
    assertThat(r.out())
        .contains("  cp-1  eth0 192.168.10.1  podCIDR 10.244.1.0/24\n")
        .contains("  worker-1  eth0 192.168.10.2  podCIDR 10.244.2.0/24\n")
        .contains("$ ip route    # on worker-1\n")
        .contains("10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink \n")
        .contains("expect reachable a -> b ... OK\n");
  }

  @Test
  void validate_nodeListWithATakenAddress_oneLineAtTheAddressAndNoEchoes() throws IOException {
    Path file =
        write(
            "named.yaml", NAMED_NODES.replace("address: 192.168.10.2}", "address: 192.168.10.1}"));

    Run r = cli("validate", file.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "podnet: "
                + file
                + ":6:33: cluster.nodes[1].address: node address 192.168.10.1 is taken or"
                + " reserved (expected a free address in 192.168.0.0/16, not .0.0, .0.1,"
                + " .0.201-.0.240 or the broadcast)\n");
  }

  @Test
  void run_crossesAndRuleCountExpectations_holdOrSayWhatTheySaw() throws IOException {
    String text =
        BASICS.replace(
            "expect: {contract: holds, reachable: {from: web-0, to: web-1}}",
            "expect: {crosses: {from: web-0, to: web-1, device: cni0}, ruleCount: {node: node-1,"
                + " table: nat, chain: KUBE-SERVICES, atLeast: 2}}\n"
                + "  - at: 5s\n"
                + "    expect: {crosses: {from: web-0, to: web-1, device: flannel.1},"
                + " ruleCount: {node: node-1, table: nat, chain: KUBE-SERVICES, is: 7}}");
    Run r = cli("run", write("s.yaml", text).toString());

    assertThat(r.code()).as(r.err() + r.out()).isEqualTo(1);
    assertThat(r.out())
        .contains("expect crosses web-0 -> web-1 via cni0 ... OK\n")
        .contains("expect ruleCount node-1 nat KUBE-SERVICES atLeast 2 ... OK\n")
        .containsPattern(
            "expect crosses web-0 -> web-1 via flannel.1 ... FAILED: the walk crosses [^\n]*eth0"
                + "[^\n]*, not flannel.1\n")
        .contains(
            "expect ruleCount node-1 nat KUBE-SERVICES is 7 ... FAILED: nat KUBE-SERVICES has 3\n");
  }

  @Test
  void run_manifestFileAndConflistNextToTheScenario_andOneWarningPerUnmodeledField()
      throws IOException {
    write(
        "net/10-mine.conflist",
        """
        {"cniVersion": "1.0.0", "name": "mine", "plugins": [{"type": "bridge", "bridge": "cni0",
         "isGateway": true, "isDefaultGateway": true,
         "ipam": {"type": "host-local", "ranges": [[{"subnet": "${podCIDR}"}]]}}]}
        """);
    write(
        "manifests/pods.yaml",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: a}
        spec:
          restartPolicy: Always
          containers: [{name: c, image: busybox}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: b, annotations: {x: y}}
        """);
    Path file =
        write(
            "s.yaml",
            """
            cluster: {nodes: 2, cni: net/10-mine.conflist}
            steps:
              - at: 0s
                apply: manifests/pods.yaml
              - at: 1s
                exec: {pod: a, command: ip link show eth0}
              - at: 1s
                expect: {reachable: {from: a, to: b}, podPhase: {pod: b, is: Running}}
            """);

    Run r = cli("run", file.toString());

    Path manifests = dir.resolve("manifests/pods.yaml");
    assertThat(r.err())
        .isEqualTo(
            "podnet: "
                + manifests
                + ":5:3: warning: Pod a: spec.restartPolicy is not modeled by PodNet; ignored\n"
                + "podnet: "
                + manifests
                + ":10:21: warning: Pod b: metadata.annotations is not modeled by PodNet;"
                + " ignored\n");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("cni net/10-mine.conflist")
        .contains("pod/a created\npod/b created\n")
        .containsPattern("\\$ kubectl exec a -- ip link show eth0\n\\d+: eth0@if\\d+: ")
        .contains("expect reachable a -> b ... OK\n");
  }

  @Test
  void badConflist_pointsIntoTheConflist_exitTwo() throws IOException {
    write(
        "net/bad.conflist",
        "{\"cniVersion\": \"1.0.0\", \"name\": \"x\", \"plugins\": [{\"type\": }]}");
    Path file = write("s.yaml", "cluster: {nodes: 2, cni: net/bad.conflist}\nsteps: []\n");

    for (String command : new String[] {"validate", "run"}) {
      Run r = cli(command, file.toString());

      assertThat(r.err())
          .isEqualTo(
              "podnet: "
                  + dir.resolve("net/bad.conflist")
                  + ":1:59: error parsing configuration list: invalid character '}' looking for"
                  + " beginning of value\n");
      assertThat(r.code()).isEqualTo(2);
    }
  }

  @Test
  void validateAndRun_podCidrTooSmallForTheNodes_oneLineAtThePodCidr_exitTwo() throws IOException {
    Path file =
        write("s.yaml", "name: x\ncluster: {nodes: 300, podCIDR: 10.244.0.0/16}\nsteps: []\n");

    for (String command : new String[] {"validate", "run"}) {
      Run r = cli(command, file.toString());

      assertThat(r.err())
          .isEqualTo(
              "podnet: "
                  + file
                  + ":2:32: cluster.podCIDR: the podCIDR 10.244.0.0/16 holds 255 /24 node podCIDRs"
                  + " after the first, too few for 300 nodes (expected a podCIDR of /15 or"
                  + " shorter)\n");
      assertThat(r.out()).isEmpty();
      assertThat(r.code()).isEqualTo(2);
    }
  }

  @Test
  void run_missingDevice_printsWhatIpPrints_andANodePortServiceIsAppliedWithoutWarning()
      throws IOException {
    Path file =
        write(
            "s.yaml",
            """
            cluster: {nodes: 1}
            steps:
              - at: 0s
                apply:
                  - {apiVersion: v1, kind: Pod, metadata: {name: a, labels: {app: a}}}
                  - apiVersion: v1
                    kind: Service
                    metadata: {name: s}
                    spec: {type: NodePort, selector: {app: a}, ports: [{port: 80}]}
              - at: 1s
                exec: {pod: a, command: ip link show eth9}
              - at: 1s
                delete: {service: s}
              - at: 1s
                delete: {pod: a}
            """);

    Run r = cli("run", file.toString());

    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .contains("service/s created\n")
        .contains("$ kubectl exec a -- ip link show eth9\nDevice \"eth9\" does not exist.\n")
        .contains("$ kubectl delete service s\nservice \"s\" deleted\n")
        .contains("$ kubectl delete pod a\npod \"a\" deleted\n");
    assertThat(r.code()).isZero();
  }

  @Test
  void run_iptablesRestore_loadsTheDumpOnTheNode_printsNothing_andItsRulesApply()
      throws IOException {
    write(
        "rules/node-1.v4",
        """
        # Generated by iptables-save v1.8.9 (nf_tables)
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -d 10.244.2.0/24 -p icmp -j DROP
        COMMIT
        """);
    Path file =
        write(
            "s.yaml",
            "cluster: {nodes: 2, cni: bridge}\nsteps:\n"
                + TWO_PODS
                + """
              - at: 1s
                expect: {reachable: {from: a, to: b}}
              - at: 2s
                iptablesRestore: {node: node-1, file: rules/node-1.v4}
              - at: 2s
                exec: {node: node-1, command: iptables-save}
              - at: 3s
                expect: {unreachable: {from: a, to: b}}
            """);

    Run r = cli("run", file.toString());

    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .contains(
            "[2.000000000s] $ iptables-restore < rules/node-1.v4    # on node-1\n\n"
                + "[2.000000000s] $ iptables-save    # on node-1\n")
        .contains("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n")
        .contains("-A FORWARD -d 10.244.2.0/24 -p icmp -j DROP\nCOMMIT\n")
        .contains("expect reachable a -> b ... OK\n")
        .contains("expect unreachable a -> b ... OK\n");
    assertThat(r.code()).isZero();
  }

  /** A step at 0s applying pod a on node-1 and pod b on node-2. */
  static final String TWO_PODS =
      """
        - at: 0s
          apply:
            - {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {nodeName: node-1}}
            - {apiVersion: v1, kind: Pod, metadata: {name: b}, spec: {nodeName: node-2}}
      """;

  static final String LINKS =
      "name: links\nseed: 7\ncluster: {nodes: 2, cni: bridge}\nsteps:\n"
          + TWO_PODS
          + """
        - at: 1s
          ping: {from: a, to: b}
        - at: 2s
          cutLink: node-2
        - at: 2s
          expect: {unreachable: {from: a, to: b}}
        - at: 20s
          restoreLink: node-2
        - at: 21s
          expect: {reachable: {from: a, to: b}}
        - at: 22s
          linkLatency: {node: node-2, latency: 5ms}
        - at: 23s
          ping: {from: a, to: b}
        - at: 24s
          packetLoss: {node: node-2, percent: 100}
        - at: 24s
          expect: {unreachable: {from: a, to: b}}
        - at: 40s
          packetLoss: {node: node-2, percent: 0}
        - at: 41s
          expect: {reachable: {from: a, to: b}}
      """;

  @Test
  void run_linkSteps_cutRestoreDelayAndLoseOnTheNodesUplink() throws IOException {
    Path file = write("links.yaml", LINKS);

    Run r = cli("run", file.toString());

    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .contains("# cut the link of node-2 eth0\n")
        .contains("# restore the link of node-2 eth0\n")
        .contains(
            "$ tc qdisc replace dev eth0 root netem delay 5ms    # on node-2 (the whole link)")
        .contains(
            "$ tc qdisc replace dev eth0 root netem loss 100%    # on node-2 (the whole link)")
        .contains("ttl=62 time=10.")
        .doesNotContain("FAILED");
    assertThat(r.code()).isZero();
  }

  @Test
  void run_packetLoss_sameSeedSameTranscript() throws IOException {
    Path file = write("loss.yaml", LINKS.replace("percent: 100", "percent: 30"));

    Run first = cli("run", file.toString());
    Run second = cli("run", file.toString());

    assertThat(first.out()).isEqualTo(second.out());
  }

  @Test
  void validate_validFile_saysSoAndExitsZero() throws IOException {
    Path file = write("basics.yaml", BASICS);

    Run r = cli("validate", file.toString());

    assertThat(r.err()).isEmpty();
    assertThat(r.out()).isEqualTo(file + ": valid (basics)\n");
    assertThat(r.code()).isZero();
  }

  /** Lines the shipped scenarios' comments promise, by file name. */
  private static final Map<String, List<String>> PROMISED =
      Map.of(
          "services-at-scale-iptables.yaml",
          List.of(
              "icmp_seq=1 ttl=62 time=0.220 ms\n",
              "icmp_seq=1 ttl=62 time=0.400 ms\n",
              "icmp_seq=1 ttl=62 time=0.800 ms\n",
              "icmp_seq=2 ttl=62 time=0.200 ms\n"),
          "services-at-scale-ebpf.yaml",
          List.of("icmp_seq=1 ttl=62 time=0.200 ms\n"),
          "services-ebpf.yaml",
          List.of("dport=8080 src=", "KubeProxyReplacement:    True"),
          "services-iptables.yaml",
          List.of("kubernetes   ClusterIP   10.96.0.1      <none>        443/TCP"));

  @Test
  void everyShippedScenario_runsWithEveryExpectationHolding() throws IOException {
    List<Path> files = ThresholdsScenarioTest.shippedScenarios();
    assertThat(files).isNotEmpty();
    for (Path file : files) {
      Run r = cli("run", file.toString());
      assertThat(r.code()).as(file + "\n" + r.err() + r.out()).isZero();
      assertThat(r.out()).as(file.toString()).doesNotContain("FAILED").contains("trace digest: ");
      for (String line : PROMISED.getOrDefault(file.getFileName().toString(), List.of())) {
        assertThat(r.out()).as(file.toString()).contains(line);
      }
    }
    assertThat(files).extracting(f -> f.getFileName().toString()).containsAll(PROMISED.keySet());
  }
}
