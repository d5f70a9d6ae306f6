package io.podnet.examples.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code bulkServices} and {@code programmed} steps and the {@code programmed} expectation. */
class ServicePropagationTest {

  private static final String PING = "    ping: {from: a, to: b}";

  private static final String BULK = "    bulkServices: {count: 3, selector: {app: web}, port: 80}";

  private static final String SCALE =
      """
      name: scale
      seed: 7
      cluster: {nodes: 2, cni: bridge, services: MODE}
      steps:
        - at: 0s
          apply:
            - apiVersion: v1
              kind: Pod
              metadata: {name: web, labels: {app: web}}
              spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]}
            - {apiVersion: v1, kind: Pod, metadata: {name: client}}
        - at: 1s
          bulkServices: {count: 200, selector: {app: web}, port: 80, targetPort: 8080}
        - at: 5s
          apply:
            - apiVersion: v1
              kind: Service
              metadata: {name: small}
              spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
        - at: 5s
          programmed: {service: small}
        - at: 6s
          bulkServices: {count: 1000, selector: {app: web}, port: 80, targetPort: 8080}
        - at: 10s
          apply:
            - apiVersion: v1
              kind: Service
              metadata: {name: large}
              spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
        - at: 10s
          programmed: {service: large}
        - at: 11s
          expect:
            programmed: {service: large, EXPECT}
        - at: 12s
          curl: {from: client, to: "bulk-01200:80"}
      """;

  @TempDir Path dir;

  private ScenarioRunTest.Run run(String mode, String expect) throws IOException {
    Path file = dir.resolve("scale.yaml");
    Files.writeString(file, SCALE.replace("MODE", mode).replace("EXPECT", expect));
    return ScenarioRunTest.cli("run", file.toString());
  }

  /** The LATENCY column of node-1's row in the {@code programmed} table of {@code service}. */
  private static double latencyMillis(String transcript, String service) {
    Matcher m =
        Pattern.compile(
                "# service/"
                    + service
                    + ", created at [0-9.]+s: when each node's dataplane started answering for"
                    + " it\nNODE +SYNC STARTED +PROGRAMMED +LATENCY +SYNC\nnode-1 +[0-9.]+s +[0-9.]+s"
                    + " +([0-9.]+)ms ")
            .matcher(transcript);
    assertThat(m.find()).as(transcript).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void run_iptables_bulkServicesArePrintedInShortAndTheLargerClusterProgramsSlower()
      throws IOException {
    ScenarioRunTest.Run r = run("iptables", "slowerThan: small");

    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .contains(
            "$ kubectl apply -f -    # 200 generated ClusterIP Services selecting app=web, port 80"
                + " -> 8080\nservice/bulk-00001 created\n... 198 more\nservice/bulk-00200"
                + " created\n")
        .contains("service/bulk-00201 created\n... 998 more\nservice/bulk-01200 created\n")
        .containsPattern("node-2 +10\\.000000000s +10\\.[0-9]+s +[0-9.]+ms +iptables-restore")
        .contains("lines (partial)\n")
        .contains("expect programmed large slower than small ... OK\n")
        .contains("80 port [tcp/http] succeeded!");
    assertThat(latencyMillis(r.out(), "large")).isGreaterThan(latencyMillis(r.out(), "small"));
    assertThat(r.code()).isZero();
  }

  @Test
  void run_minimizeIptablesRestoreOff_everySyncAFullRestoreAndSlowerThanPartial()
      throws IOException {
    ScenarioRunTest.Run partial = run("iptables", "slowerThan: small");
    ScenarioRunTest.Run full =
        run(
            "iptables, kubeProxy: {featureGates: {MinimizeIPTablesRestore: false}}",
            "slowerThan: small");

    assertThat(full.out())
        .contains("services iptables (kube-proxy feature gate MinimizeIPTablesRestore=false)\n")
        .doesNotContain("(partial)")
        .containsPattern(
            "node-1 +10\\.000000000s +[0-9.]+s +[0-9.]+ms +iptables-restore"
                + " --noflush, [0-9]+ lines \\(full\\)\n");
    assertThat(latencyMillis(full.out(), "large"))
        .isGreaterThan(latencyMillis(partial.out(), "large"));
    assertThat(full.code()).isZero();
  }

  @Test
  void run_hashMap_sameLatencyWhateverTheServiceCount() throws IOException {
    ScenarioRunTest.Run r = run("hash-map", "within: 1ms, notSlowerThan: small");

    assertThat(r.out())
        .contains("bpf map update, 1 Service\n")
        .contains("expect programmed large within 1ms, not slower than small ... OK\n");
    assertThat(latencyMillis(r.out(), "large")).isEqualTo(latencyMillis(r.out(), "small"));
    assertThat(r.code()).isZero();
  }

  static Stream<Arguments> failing() {
    return Stream.of(
        Arguments.of(
            "within: 1ms",
            "expect programmed large within 1ms \\.\\.\\. FAILED: node-1 did not answer for large"
                + " within 1\\.000ms \\(it took [0-9.]+ms\\)\n"),
        Arguments.of(
            "notSlowerThan: small",
            "expect programmed large not slower than small \\.\\.\\. FAILED: node-1 took"
                + " [0-9.]+ms for large and [0-9.]+ms for small\n"));
  }

  @ParameterizedTest
  @MethodSource("failing")
  void run_expectationThatIptablesMisses_failsSayingWhyAndExitsOne(String expect, String line)
      throws IOException {
    ScenarioRunTest.Run r = run("iptables", expect);

    assertThat(r.out()).containsPattern(line);
    assertThat(r.code()).isEqualTo(1);
  }

  @Test
  void run_serviceCreatedDuringABulkRestore_waitsForIt() throws IOException {
    Path file = dir.resolve("busy.yaml");
    Files.writeString(
        file,
        SCALE
            .replace("MODE", "iptables")
            .replace("EXPECT", "slowerThan: small")
            .replace("- at: 10s\n    apply:", "- at: 6.01s\n    apply:")
            .replace("- at: 10s\n    programmed", "- at: 6.01s\n    programmed"));

    ScenarioRunTest.Run r = ScenarioRunTest.cli("run", file.toString());

    Matcher m =
        Pattern.compile("node-1 +([0-9.]+)s +[0-9.]+s +[0-9.]+ms +iptables-restore[^\n]*\n")
            .matcher(r.out().substring(r.out().indexOf("# service/large")));
    assertThat(m.find()).as(r.out()).isTrue();
    assertThat(Double.parseDouble(m.group(1))).isGreaterThan(6.01);
    assertThat(r.out()).contains("expect programmed large slower than small ... OK\n");
  }

  /** The base scenario with its ping step replaced by {@code steps}. */
  private static String step(String steps) {
    return ScenarioValidationTest.BASE.replace(PING, steps);
  }

  static Stream<Arguments> badInput() {
    String twoSteps = BULK + "\n  - at: 2s\n";
    return Stream.of(
        Arguments.of(
            step("    bulkServices: {count: 0, selector: {app: web}, port: 80}"),
            "12:27: steps[1].bulkServices.count: expected an integer from 1 to 50000, got 0"),
        Arguments.of(
            step("    bulkServices: {count: 2000000000000, selector: {app: web}, port: 80}"),
            "12:27: steps[1].bulkServices.count: expected an integer from 1 to 50000, got"
                + " 2000000000000"),
        Arguments.of(
            step("    bulkServices: {count: lots, selector: {app: web}, port: 80}"),
            "12:27: steps[1].bulkServices.count: expected an integer from 1 to 50000, got"
                + " \"lots\""),
        Arguments.of(
            step(
                "    bulkServices: {count: 30000, selector: {app: web}, port: 80}\n  - at: 2s\n"
                    + "    bulkServices: {count: 30000, selector: {app: web}, port: 80}"),
            "14:27: steps[2].bulkServices.count: 30000 more would make 60000 generated Services"
                + " (expected at most 50000 in a scenario)"),
        Arguments.of(
            step("    bulkServices: {count: 300, selector: {app: web}, port: 80}")
                .replace("  cni: bridge", "  cni: bridge\n  serviceCIDR: 10.96.0.0/24"),
            "13:27: steps[1].bulkServices.count: 300 Services do not fit in the Service CIDR"
                + " 10.96.0.0/24 (253 ClusterIPs)"),
        Arguments.of(
            step("    bulkServices: {count: 300, port: 80}"),
            "12:19: steps[1].bulkServices: expected count, selector and port (targetPort"
                + " defaults to port)"),
        Arguments.of(
            step("    bulkServices: {count: 3, selector: {app: web}, port: 70000}"),
            "12:58: steps[1].bulkServices.port: expected a port number from 1 to 65535, got"
                + " 70000"),
        Arguments.of(
            step("    bulkServices: {count: 3, selector: {app: \"we b\"}, port: 80}"),
            "12:46: steps[1].bulkServices.selector.app: expected a label (a name and a value of"
                + " letters, digits, '-', '_', '.'), got \"we b\""),
        Arguments.of(
            step("    bulkServices: {count: 3, selector: {app: web}, port: 80, tagretPort: 8080}"),
            "12:62: unknown key \"steps[1].bulkServices.tagretPort\" (did you mean"
                + " \"targetPort\"?)"),
        Arguments.of(
            step("    programmed: {service: web}"),
            "12:27: steps[1].programmed.service: no Service \"web\" at this step (no Service has"
                + " been applied yet)"),
        Arguments.of(
            step(twoSteps + "    expect: {programmed: {service: bulk-00002, within: 0s}}"),
            "14:56: steps[2].expect.programmed.within: \"0s\" is not a duration from 1ns to 60s"
                + " (expected a number and a unit: s, ms, us or ns, e.g. 50ms)"),
        Arguments.of(
            step(twoSteps + "    expect: {programmed: {service: bulk-00002, within: 90s}}"),
            "14:56: steps[2].expect.programmed.within: \"90s\" is not a duration from 1ns to 60s"
                + " (expected a number and a unit: s, ms, us or ns, e.g. 50ms)"),
        Arguments.of(
            step(
                twoSteps
                    + "    expect: {programmed: {service: bulk-00002, slowerThan: bulk-00002}}"),
            "14:60: steps[2].expect.programmed.slowerThan: expected another Service than"
                + " \"bulk-00002\""),
        Arguments.of(
            step(
                twoSteps
                    + "    expect: {programmed: {service: bulk-00002, notSlowerThan: bulk-0009}}"),
            "14:63: steps[2].expect.programmed.notSlowerThan: no Service \"bulk-0009\" at this"
                + " step (did you mean \"bulk-00001\"?)"),
        Arguments.of(
            step(BULK)
                .replace(
                    "  cni: bridge", "  cni: bridge\n  kubeProxy: {featureGates: {Foo: true}}"),
            "6:30: unknown key \"cluster.kubeProxy.featureGates.Foo\" (expected one of:"
                + " MinimizeIPTablesRestore)"),
        Arguments.of(
            step(BULK)
                .replace(
                    "  cni: bridge",
                    "  cni: bridge\n  kubeProxy: {featureGates: {MinimizeIPTablesRestore: no}}"),
            "6:55: cluster.kubeProxy.featureGates.MinimizeIPTablesRestore: expected true or false,"
                + " got no"),
        Arguments.of(
            step(BULK)
                .replace(
                    "  cni: bridge",
                    "  cni: bridge\n  services: hash-map\n  kubeProxy: {featureGates: {}}"),
            "7:14: cluster.kubeProxy: there is no kube-proxy with services: hash-map (expected"
                + " services: iptables)"),
        Arguments.of(
            step(twoSteps + "    programmed: {service: bulk-00002, within: 1s}"),
            "14:39: unknown key \"steps[2].programmed.within\" (expected one of: service)"),
        Arguments.of(
            step(
                "    apply: [{apiVersion: v1, kind: Service, metadata: {name: bulk-00002}, spec:"
                    + " {selector: {app: web}, ports: [{port: 80}]}}]\n  - at: 2s\n"
                    + BULK),
            "14:19: steps[2].bulkServices: Service \"bulk-00002\" already exists"));
  }

  @ParameterizedTest
  @MethodSource("badInput")
  void validateAndRun_badBulkOrProgrammedInput_oneLineWithFileLineColumn_exitTwo(
      String text, String expected) throws IOException {
    Path file = dir.resolve("s.yaml");
    Files.writeString(file, text);

    for (String command : new String[] {"validate", "run"}) {
      ScenarioRunTest.Run r = ScenarioRunTest.cli(command, file.toString());

      assertThat(r.err()).isEqualTo("podnet: " + file + ":" + expected + "\n");
      assertThat(r.out()).isEmpty();
      assertThat(r.code()).isEqualTo(2);
    }
  }
}
