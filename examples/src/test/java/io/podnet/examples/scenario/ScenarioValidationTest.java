package io.podnet.examples.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad scenario files: each gives exactly one line naming the file, line and column and what was
 * expected, exit code 2, and no stack trace, from both {@code validate} and {@code run}.
 */
class ScenarioValidationTest {

  /** What an unsupported kubectl command's error says is supported. */
  private static final String KUBECTL =
      " (expected get pods [-o wide] [-n NAMESPACE | -A] [-l SELECTOR] [--show-labels] [-w], get"
          + " services [NAME] [-o wide] [-n NAMESPACE | -A], get endpoints NAME [-o wide] [-n"
          + " NAMESPACE], describe service NAME [-n NAMESPACE] or describe pod NAME [-n"
          + " NAMESPACE])";

  static final String BASE =
      """
      name: t
      seed: 1
      cluster:
        nodes: 2
        cni: bridge
      steps:
        - at: 0s
          apply:
            - {apiVersion: v1, kind: Pod, metadata: {name: a, labels: {app: web}}}
            - {apiVersion: v1, kind: Pod, metadata: {name: b}}
        - at: 1s
          ping: {from: a, to: b}
      """;

  static final String APPLY =
      """
          apply:
            - {apiVersion: v1, kind: Pod, metadata: {name: a, labels: {app: web}}}
            - {apiVersion: v1, kind: Pod, metadata: {name: b}}
      """;

  @TempDir Path dir;

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("name: t", "nmae: t", "1:1: unknown key \"nmae\" (did you mean \"name\"?)"),
        Arguments.of(
            "  cni: bridge",
            "  cni: bridge\n  serviceCIDR: 10.96.0.0/31",
            "6:16: cluster.serviceCIDR: service CIDR 10.96.0.0/31 is too small (expected a prefix"
                + " of at most /30: the kubernetes Service takes its first address)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    exec: {node: node-1, command: cilium status}",
            "12:35: steps[1].exec.command: cilium status needs the cilium agent (expected"
                + " cluster.cni: cilium, not bridge)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    expect: {crosses: {from: a, to: b}}",
            "12:23: steps[1].expect.crosses: missing key \"device\""),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    expect: {crosses: {from: a, to: b, device: \"bad name!\"}}",
            "12:48: steps[1].expect.crosses.device: \"bad name!\" is not a device name (expected"
                + " e.g. cni0)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    expect: {ruleCount: {node: node-9, table: nat, is: 1}}",
            "12:32: steps[1].expect.ruleCount.node: no node \"node-9\" (expected node-1 to"
                + " node-2)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    expect: {ruleCount: {node: node-1, table: natt, is: 1}}",
            "12:47: steps[1].expect.ruleCount.table: \"natt\" is not a table (expected filter,"
                + " nat, mangle or raw)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    expect: {ruleCount: {node: node-1, table: nat, is: 1, atMost: 3}}",
            "12:25: steps[1].expect.ruleCount: expected exactly one of is, atLeast, atMost"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    expect: {ruleCount: {node: node-1, table: nat, atLeast: many}}",
            "12:61: steps[1].expect.ruleCount.atLeast: expected a rule count, got \"many\""),
        Arguments.of(
            "  nodes: 2",
            "  node: 2",
            "4:3: unknown key \"cluster.node\" (did you mean \"nodes\"?)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    pingg: {from: a, to: b}",
            "12:5: unknown key \"steps[1].pingg\" (did you mean \"ping\"?)"),
        Arguments.of(
            "  nodes: 2",
            "  nodes: two",
            "4:10: cluster.nodes: expected an integer from 1 to 5000, got \"two\""),
        Arguments.of(
            "  nodes: 2",
            "  nodes: 6000",
            "4:10: cluster.nodes: 6000 is out of range (expected 1 to 5000)"),
        Arguments.of("seed: 1", "seed: lots", "2:7: seed: expected an integer, got \"lots\""),
        Arguments.of("seed: 1", "seed: 1\nseed: 2", "3:1: duplicate key \"seed\""),
        Arguments.of(
            "  cni: bridge",
            "  cni: flanel-vxlan",
            "5:8: cluster.cni: unknown preset \"flanel-vxlan\" (did you mean \"flannel-vxlan\"?) or"
                + " a path to a conflist"),
        Arguments.of(
            "  cni: bridge",
            "  cni: ../outside.conflist",
            "5:8: cluster.cni: path \"../outside.conflist\" escapes the scenario's folder"
                + " (expected a path inside it; --allow-outside permits it)"),
        Arguments.of(
            "  cni: bridge",
            "  cni: nets/10-mine.conflist",
            "5:8: cluster.cni: conflist \"nets/10-mine.conflist\" not found (expected a file"
                + " inside the scenario's folder)"),
        Arguments.of(
            "  cni: bridge",
            "  cni: bridge\n  services: ipvs",
            "6:13: cluster.services: \"ipvs\" is not a mode (expected one of: iptables,"
                + " hash-map)"),
        Arguments.of(
            "  cni: bridge",
            "  cni: [bridge",
            "6:6: invalid YAML: while parsing a flow sequence: expected ',' or ']', but got :"),
        Arguments.of(
            "  - at: 1s",
            "  - at: 500ms\n    kubectl: get pods -o wide\n  - at: 200ms",
            "13:9: steps[2].at: 200ms is before the previous step's 500ms (expected steps in time"
                + " order)"),
        Arguments.of(
            "  - at: 1s",
            "  - at: 1x",
            "11:9: steps[1].at: \"1x\" is not a time (expected a number and a unit: s, ms, us or ns,"
                + " e.g. 2s)"),
        Arguments.of(
            "kind: Pod, metadata: {name: b}",
            "kind: ConfigMap, metadata: {name: b}",
            "10:32: steps[0].apply[1].kind: unsupported kind \"ConfigMap\" (expected Pod,"
                + " Deployment, StatefulSet, Service or Namespace)"),
        Arguments.of(
            "metadata: {name: b}}",
            "metadata: {name: b, namespace: prod}}",
            "10:68: steps[0].apply[1] (Pod b): namespaces \"prod\" not found (expected a"
                + " Namespace \"prod\" applied before it, or one of: default, kube-node-lease,"
                + " kube-public, kube-system)"),
        Arguments.of(
            "- {apiVersion: v1, kind: Pod, metadata: {name: b}}",
            "- {apiVersion: v1, kind: Namespace, metadata: {name: Prod}}",
            "10:60: steps[0].apply[1] (Namespace): metadata.name: \"Prod\" is not a lowercase"
                + " RFC 1123 label (expected at most 63 lower case letters, digits or '-',"
                + " starting and ending with a letter or digit)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    delete: {namespace: kube-system}",
            "12:25: steps[1].delete.namespace: namespaces \"kube-system\" is forbidden: this"
                + " namespace may not be deleted (expected a namespace other than default,"
                + " kube-public, kube-system)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    delete: {namespace: prod}",
            "12:25: steps[1].delete.namespace: namespaces \"prod\" not found (no namespace has"
                + " been applied yet)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    kubectl: get pods -n",
            "12:14: steps[1].kubectl: unsupported kubectl command \"get pods -n\"" + KUBECTL),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    kubectl: get pods -n kube-system -l k8s-app=a=b",
            "12:14: steps[1].kubectl: invalid label selector \"k8s-app=a=b\" at \"k8s-app=a=b\""
                + " (expected key=value, key==value, key!=value, key or !key, separated by"
                + " commas)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    kubectl: describe pod a --show-labels",
            "12:14: steps[1].kubectl: unsupported kubectl command \"describe pod a --show-labels\""
                + KUBECTL),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    kubectl: describe pod a -w",
            "12:14: steps[1].kubectl: unsupported kubectl command \"describe pod a -w\"" + KUBECTL),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    kubectl: get svc web -w",
            "12:14: steps[1].kubectl: unsupported kubectl command \"get svc web -w\"" + KUBECTL),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    kubectl: get svc web",
            "12:14: steps[1].kubectl: no Service \"web\" at this step (no Service has been applied"
                + " yet)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    delete: {service: kubernetes}",
            "12:23: steps[1].delete.service: \"kubernetes\" is the API server's own Service, which"
                + " it makes again at once (expected a Service the scenario applied)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    kubectl: get svc -l app=web",
            "12:14: steps[1].kubectl: unsupported kubectl command \"get svc -l app=web\""
                + KUBECTL),
        Arguments.of(
            "kind: Pod, metadata: {name: b}}",
            "kind: Deployment, metadata: {name: b}, spec: {replicas: many}}",
            "10:82: steps[0].apply[1] (Deployment): spec.replicas: expected an integer, got"
                + " \"many\""),
        Arguments.of(
            "kind: Pod, metadata: {name: b}}",
            "kind: Deployment, metadata: {name: b}, spec: {replicas: 100000}}",
            "10:82: steps[0].apply[1] (Deployment b): spec.replicas: 100000 is out of range"
                + " (expected 0 to 1000)"),
        Arguments.of(
            APPLY,
            "    apply: manifests/web.yaml\n",
            "8:12: steps[0].apply: manifest file \"manifests/web.yaml\" not found (expected a file"
                + " inside the scenario's folder)"),
        Arguments.of(
            "{from: a, to: b}",
            "{from: a, to: c}",
            "12:25: steps[1].ping.to: no pod or Service \"c\" at this step (did you mean"
                + " \"a\"?)"),
        Arguments.of(
            "{from: a, to: b}",
            "{from: z, to: b}",
            "12:18: steps[1].ping.from: no pod \"z\" at this step (did you mean \"a\"?)"),
        Arguments.of(
            "  - at: 1s",
            "  - at: 1s\n    delete: {pod: b}\n  - at: 1s",
            "14:25: steps[2].ping.to: no pod or Service \"b\" at this step (did you mean"
                + " \"a\"?)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    crashNode: node-9",
            "12:16: steps[1].crashNode: no node \"node-9\" (expected node-1 to node-2)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    exec: {node: node-1, command: ip rule}",
            "12:35: steps[1].exec.command: unsupported command \"ip rule\" (expected one of: ip"
                + " link [show [DEV]], ip -d link show [DEV], ip addr, ip route, ip route get"
                + " ADDRESS, ip neigh, bridge fdb show, iptables-save, conntrack -L, cilium"
                + " status)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    ping: {from: a, to: b, count: 0}",
            "12:35: steps[1].ping.count: expected a number of requests from 1 to 1000, got 0"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    traceroute: {from: a, to: b, size: 100}",
            "12:34: unknown key \"steps[1].traceroute.size\" (expected one of: from, to)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    traceroute: {from: a, to: c}",
            "12:31: steps[1].traceroute.to: no pod or Service \"c\" at this step (did you mean"
                + " \"a\"?)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    exec: {node: node-1, command: ip route | wc -l}",
            "12:35: steps[1].exec.command: only grep can follow a | (got \"wc -l\")"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    exec: {node: node-1, command: ip route | grep -q 10.244}",
            "12:35: steps[1].exec.command: grep: unsupported option -q (expected -i, -v, -w, -c,"
                + " -E, -F, -e PATTERN, --)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    exec: {pod: a, command: ip route get pod-b}",
            "12:29: steps[1].exec.command: ip route get expects an IPv4 address such as"
                + " 10.244.1.5, got \"pod-b\""),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    exec: {pod: a, command: iptables-save}",
            "12:29: steps[1].exec.command: iptables-save runs on a node (expected exec: {node:"
                + " NAME, command: iptables-save})"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    expect: {podPhase: {pod: a, is: Runing}}",
            "12:37: steps[1].expect.podPhase.is: unknown phase \"Runing\" (did you mean"
                + " \"Running\"?)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    ping: {from: a, to: b}\n    kubectl: get pods",
            "13:5: steps[1]: more than one action (ping and kubectl); expected one per step"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    curl: {from: a, to: b}",
            "12:25: steps[1].curl.to: expected HOST:PORT with a port from 1 to 65535 (HOST a"
                + " pod, a Service or an IP), got \"b\""),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    cutLink: node-3",
            "12:14: steps[1].cutLink: no node \"node-3\" (expected node-1 to node-2)"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    packetLoss: {node: node-2, percent: 150}",
            "12:41: steps[1].packetLoss.percent: expected a number in [0, 100], got 150"),
        Arguments.of(
            "    ping: {from: a, to: b}",
            "    linkLatency: {node: node-2, latency: -5ms}",
            "12:42: steps[1].linkLatency.latency: \"-5ms\" is not a latency (expected a number"
                + " >= 0 and a unit: s, ms, us or ns, e.g. 5ms)"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void badInput_oneLineWithFileLineColumn_exitTwo_noStackTrace(
      String from, String to, String expected) throws IOException {
    assertThat(BASE).contains(from);
    Path file = dir.resolve("s.yaml");
    Files.writeString(file, BASE.replace(from, to));

    for (String command : new String[] {"validate", "run"}) {
      ScenarioRunTest.Run r = ScenarioRunTest.cli(command, file.toString());

      assertThat(r.err()).isEqualTo("podnet: " + file + ":" + expected + "\n");
      assertThat(r.err()).doesNotContain("\tat ", "Exception");
      assertThat(r.out()).isEmpty();
      assertThat(r.code()).isEqualTo(2);
    }
  }
}
