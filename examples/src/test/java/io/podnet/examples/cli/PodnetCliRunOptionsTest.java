package io.podnet.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code podnet run} options, {@code inspect}, {@code version} and {@code completion}. */
class PodnetCliRunOptionsTest {

  private static final String SCENARIO =
      """
      name: cli-options
      seed: 7
      cluster: {nodes: 2, podCIDR: 10.244.0.0/16, cni: bridge, services: iptables}
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
                      - {name: web, image: nginx, ports: [{containerPort: 8080}]}
            - apiVersion: v1
              kind: Service
              metadata: {name: web}
              spec:
                selector: {app: web}
                ports: [{name: http, port: 80, targetPort: 8080}]
        - at: 2s
          ping: {from: web-0, to: web-1}
        - at: 3s
          curl: {from: web-0, to: "web:80"}
        - at: 4s
          expect: {reachable: {from: web-0, to: web-1}}
      """;

  @TempDir Path dir;
  private Path file;
  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();

  @BeforeEach
  void writeScenario() throws Exception {
    file = Files.writeString(dir.resolve("s.yaml"), SCENARIO);
  }

  private int run(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    return PodnetCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void run_out_writesTranscriptTraceAndWalksEqualToWhatIsPrinted() throws Exception {
    Path o = dir.resolve("o");
    assertThat(run("run", file.toString(), "--out", o.toString())).isZero();
    assertThat(Files.readString(o.resolve("transcript.txt"))).isEqualTo(out.toString());
    List<String> trace = Files.readAllLines(o.resolve("trace.jsonl"));
    assertThat(trace).isNotEmpty();
    assertThat(trace.get(0))
        .matches("\\{\"time\":0,\"at\":\"0\\.0+s\",\"kind\":\"\\w+\",\"line\":\".+\"}");
    assertThat(trace).anyMatch(l -> l.contains("\"kind\":\"PacketHop\""));
    String walks = Files.readString(o.resolve("walks.txt"));
    assertThat(walks)
        .startsWith("[2.000000000s] ping web-0 -> web-1: 64 bytes from ")
        .contains("[3.000000000s] curl web-0 -> web:80: ")
        .contains(" hop node-1 ");
    // the expect step's ping is an expectation, not a ping step: two walks only
    assertThat(walks.lines().filter(l -> l.startsWith("["))).hasSize(2);
  }

  @Test
  void run_outTwice_filesAreByteIdentical() throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    assertThat(run("run", file.toString(), "--out", a.toString(), "--trace")).isZero();
    assertThat(run("run", file.toString(), "--out", b.toString(), "--trace")).isZero();
    for (String name : List.of("transcript.txt", "trace.jsonl", "walks.txt")) {
      assertThat(Files.readAllBytes(a.resolve(name)))
          .as(name)
          .isNotEmpty()
          .isEqualTo(Files.readAllBytes(b.resolve(name)));
    }
  }

  @Test
  void run_seedOverride_changesHeaderAndDigest() {
    assertThat(run("run", file.toString())).isZero();
    String seven = out.toString();
    assertThat(run("run", file.toString(), "--seed", "99")).isZero();
    assertThat(seven).startsWith("scenario: cli-options, seed 7\n");
    assertThat(out.toString()).startsWith("scenario: cli-options, seed 99\n");
    assertThat(digest(out.toString())).isNotEqualTo(digest(seven));
  }

  @Test
  void run_quiet_printsNothingAndKeepsExitCode() {
    assertThat(run("run", file.toString(), "--quiet")).isZero();
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void run_quietWithFailedExpectation_exitsOne() throws Exception {
    Path bad =
        Files.writeString(
            dir.resolve("bad.yaml"),
            SCENARIO.replace(
                "expect: {reachable: {from: web-0, to: web-1}}",
                "expect: {podIpIn: {pod: web-0, cidr: 10.9.0.0/16}}"));
    assertThat(run("run", bad.toString(), "--quiet")).isEqualTo(1);
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void run_trace_printsCanonicalLinesAfterTranscript() {
    assertThat(run("run", file.toString())).isZero();
    String plain = out.toString();
    assertThat(run("run", file.toString(), "--trace")).isZero();
    assertThat(out.toString()).startsWith(plain + "\n").contains(" link underlay add 1: lo");
  }

  @Test
  void run_outIsAFile_exitsTwoWithOneLine() throws Exception {
    Path f = Files.writeString(dir.resolve("f"), "x");
    assertThat(run("run", file.toString(), "--out", f.toString())).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("podnet: --out: " + f + " is not a directory\n");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void run_badSeed_exitsTwoWithOneLine() {
    assertThat(run("run", file.toString(), "--seed", "x")).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo("podnet: Invalid value for option '--seed': 'x' is not a long\n");
  }

  @Test
  void inspect_nodeRouteAtTime_printsOnlyTheCommandsOutput() {
    assertThat(
            run("inspect", file.toString(), "--at", "5s", "--node", "node-1", "--", "ip", "route"))
        .isZero();
    assertThat(out.toString())
        .startsWith("default via ")
        .contains("10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1")
        .doesNotContain("scenario:");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void inspect_podBeforeItExists_exitsTwoWithOneLine() {
    // at 0s the apply step has run; a pod that is never created does not exist
    assertThat(run("inspect", file.toString(), "--at", "1s", "--pod", "db-0", "--", "ip", "addr"))
        .isEqualTo(2);
    assertThat(err.toString()).isEqualTo("podnet: pod \"db-0\" does not exist\n");
  }

  @Test
  void inspect_podAddr_printsThePodsInterfaces() {
    assertThat(run("inspect", file.toString(), "--at", "2s", "--pod", "web-0", "--", "ip", "addr"))
        .isZero();
    assertThat(out.toString()).contains("eth0").contains("inet 10.244.");
  }

  @Test
  void inspect_badTime_exitsTwoWithOneLine() {
    assertThat(
            run("inspect", file.toString(), "--at", "5x", "--node", "node-1", "--", "ip", "route"))
        .isEqualTo(2);
    assertThat(err.toString()).startsWith("podnet: --at: invalid time \"5x\"").hasLineCount(1);
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void inspect_unknownNode_exitsTwoWithOneLine() {
    assertThat(
            run("inspect", file.toString(), "--at", "5s", "--node", "node-9", "--", "ip", "route"))
        .isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo("podnet: node \"node-9\" does not exist (has [node-1, node-2])\n");
  }

  @Test
  void inspect_unsupportedCommand_exitsTwoWithOneLine() {
    assertThat(
            run("inspect", file.toString(), "--at", "5s", "--node", "node-1", "--", "ip", "rule"))
        .isEqualTo(2);
    assertThat(err.toString())
        .startsWith("podnet: unsupported command \"ip rule\"")
        .hasLineCount(1);
  }

  @Test
  void inspect_routeGetFromANode_printsTheRouteTheKernelPicks() {
    assertThat(inspectRouteGetOnNode1("192.168.1.12")).isZero();
    assertThat(out.toString())
        .isEqualTo("192.168.1.12 dev eth0 src 192.168.1.11 uid 0 \n    cache \n");
  }

  @Test
  void inspect_routeGetOfANonAddress_exitsTwoWithOneLine() {
    assertThat(inspectRouteGetOnNode1("10.244.1")).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "podnet: ip route get expects an IPv4 address such as 10.244.1.5, got \"10.244.1\"\n");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void inspect_commandPipedIntoGrep_printsTheSelectedLines() {
    assertThat(inspectOnNode1At2s("ip", "route", "|", "grep", "-v", "dev eth0")).isZero();
    assertThat(out.toString())
        .as("node-1's routes but those by eth0")
        .isEqualTo("10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1 \n");
  }

  private int inspectRouteGetOnNode1(String address) {
    return inspectOnNode1At2s("ip", "route", "get", address);
  }

  private int inspectOnNode1At2s(String... command) {
    List<String> args =
        new ArrayList<>(
            List.of("inspect", file.toString(), "--at", "2s", "--node", "node-1", "--"));
    args.addAll(List.of(command));
    return run(args.toArray(String[]::new));
  }

  @Test
  void inspect_neitherNodeNorPod_exitsTwoWithOneLine() {
    assertThat(run("inspect", file.toString(), "--at", "5s", "--", "ip", "route")).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo("podnet: inspect: expected exactly one of --node NAME or --pod NAME\n");
  }

  @Test
  void version_printsVersionAndJavaLine() {
    assertThat(run("version")).isZero();
    assertThat(out.toString().lines().toList()).hasSize(2).first().isEqualTo("podnet 0.1.0");
    assertThat(out.toString().lines().toList().get(1))
        .startsWith("Java " + Runtime.version().feature());
  }

  @Test
  void completion_printsBashScriptCoveringSubcommandsAndOptions() {
    assertThat(run("completion")).isZero();
    assertThat(out.toString())
        .startsWith("#!/usr/bin/env bash")
        .contains("complete -F _complete_podnet")
        .contains("inspect")
        .contains("--quiet")
        .contains("--out");
  }

  private static String digest(String transcript) {
    return transcript.substring(transcript.lastIndexOf("trace digest: "));
  }
}
