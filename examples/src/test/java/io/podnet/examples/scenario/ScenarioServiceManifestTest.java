package io.podnet.examples.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Service manifests beyond ClusterIP in scenario files: NodePort and LoadBalancer types,
 * externalIPs, externalTrafficPolicy, session affinity, source ranges and the LoadBalancer's
 * ingress IP, checked before the run and applied to the cluster.
 */
class ScenarioServiceManifestTest {

  private static final String SCENARIO =
      """
      name: svc
      seed: 3
      cluster:
        nodes: 2
        cni: bridge
        services: MODE
      steps:
        - at: 0s
          apply:
            - apiVersion: v1
              kind: Pod
              metadata: {name: web, labels: {app: web}}
              spec: {nodeName: node-2, containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]}
            - apiVersion: v1
              kind: Pod
              metadata: {name: client}
              spec: {nodeName: node-1, containers: [{name: c, image: busybox}]}
            - apiVersion: v1
              kind: Service
              metadata: {name: web}
              spec:
                type: LoadBalancer
                selector: {app: web}
                ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]
                externalTrafficPolicy: Cluster
                sessionAffinity: ClientIP
              status:
                loadBalancer: {ingress: [{ip: 1.2.3.4}]}
        - at: 2s
          curl: {from: client, to: "192.168.1.11:30080"}
        - at: 2s
          exec: {node: node-1, command: iptables-save}
        - at: 3s
          curl: {from: client, to: "192.168.1.12:30080"}
      """;

  @TempDir Path dir;

  @ParameterizedTest
  @MethodSource("modes")
  void run_loadBalancerServiceWithNodePort_reachableOnEveryNodesAddress(String mode)
      throws IOException {
    Path file = dir.resolve("svc.yaml");
    Files.writeString(file, SCENARIO.replace("MODE", mode));

    ScenarioRunTest.Run r = ScenarioRunTest.cli("run", file.toString());

    assertThat(r.err()).isEmpty();
    assertThat(r.code()).as(r.out()).isEqualTo(0);
    assertThat(r.out()).contains("Connection to 192.168.1.11 30080 port [tcp/*] succeeded!");
    if (mode.equals("iptables")) {
      assertThat(r.out())
          .contains("\"default/web:http loadbalancer IP\" -m tcp --dport 80 -j KUBE-EXT-")
          .contains("-m tcp --dport 30080 -j KUBE-EXT-")
          .contains("--rcheck --seconds 10800 --reap");
    }
  }

  @Test
  void run_kubectlGetService_loadBalancerWithItsIngressIpThenPendingWithout() throws IOException {
    Path file = dir.resolve("svc.yaml");
    String withGet =
        SCENARIO.replace("MODE", "iptables") + "  - at: 3s\n    kubectl: get svc web -o wide\n";
    Files.writeString(file, withGet);
    Path pending = dir.resolve("pending.yaml");
    Files.writeString(pending, withGet.replace("loadBalancer: {ingress: [{ip: 1.2.3.4}]}", "{}"));

    ScenarioRunTest.Run r = ScenarioRunTest.cli("run", file.toString());
    ScenarioRunTest.Run p = ScenarioRunTest.cli("run", pending.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(p.code()).as(p.err()).isZero();

    assertThat(r.out())
        .containsPattern(
            "\\$ kubectl get svc web -o wide\nNAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\\(S\\) +AGE"
                + " +SELECTOR\nweb +LoadBalancer +10\\.[0-9.]+ +1\\.2\\.3\\.4 +80:30080/TCP +3s"
                + " +app=web\n");
    assertThat(p.out())
        .containsPattern("\nweb +LoadBalancer +10\\.[0-9.]+ +<pending> +80:30080/TCP ");
  }

  static Stream<String> modes() {
    return Stream.of("iptables", "hash-map");
  }

  static Stream<Arguments> badFields() {
    return Stream.of(
        Arguments.of(
            "type: LoadBalancer",
            "type: ExternalName",
            "22:17: steps[0].apply[2] (Service web): spec.type: unsupported value \"ExternalName\""
                + " (expected ClusterIP, NodePort or LoadBalancer)"),
        Arguments.of(
            "nodePort: 30080",
            "nodePort: 80",
            "24:70: steps[0].apply[2] (Service web): spec.ports[0].nodePort: 80 is not in the"
                + " valid range 30000-32767"),
        Arguments.of(
            "type: LoadBalancer",
            "type: ClusterIP",
            "24:70: steps[0].apply[2] (Service web): spec.ports[0].nodePort: may not be used when"
                + " type is ClusterIP (expected NodePort or LoadBalancer)"),
        Arguments.of(
            "externalTrafficPolicy: Cluster",
            "externalTrafficPolicy: Global",
            "25:34: steps[0].apply[2] (Service web): spec.externalTrafficPolicy: unsupported"
                + " value \"Global\" (expected Cluster or Local)"),
        Arguments.of(
            "sessionAffinity: ClientIP",
            "sessionAffinity: Sticky",
            "26:28: steps[0].apply[2] (Service web): spec.sessionAffinity: unsupported value"
                + " \"Sticky\" (expected None or ClientIP)"),
        Arguments.of(
            "{ip: 1.2.3.4}",
            "{ip: 1.2.3}",
            "28:41: steps[0].apply[2] (Service web): status.loadBalancer.ingress[0].ip:"
                + " \"1.2.3\" (expected an IPv4 address)"));
  }

  @ParameterizedTest
  @MethodSource("badFields")
  void validate_badServiceField_oneLineAtTheField_exitTwo(String from, String to, String expected)
      throws IOException {
    String base = SCENARIO.replace("MODE", "iptables");
    assertThat(base).contains(from);
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, base.replace(from, to));

    ScenarioRunTest.Run r = ScenarioRunTest.cli("validate", file.toString());

    assertThat(r.err()).isEqualTo("podnet: " + file + ":" + expected + "\n");
    assertThat(r.code()).isEqualTo(2);
  }

  @Test
  void validate_loadBalancerFields_noWarningsForModeledFields() throws IOException {
    Path file = dir.resolve("ok.yaml");
    Files.writeString(file, SCENARIO.replace("MODE", "iptables"));

    ScenarioRunTest.Run r = ScenarioRunTest.cli("validate", file.toString());

    assertThat(r.code()).isEqualTo(0);
    assertThat(r.err()).doesNotContain("warning");
  }
}
