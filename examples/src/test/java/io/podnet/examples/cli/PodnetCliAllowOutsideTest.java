package io.podnet.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paths in a scenario that lead out of its folder ({@code ../}, absolute, a symlink) are refused
 * with one line unless {@code --allow-outside} is given to {@code run}, {@code validate} or {@code
 * inspect}.
 */
class PodnetCliAllowOutsideTest {

  private static final String CONFLIST =
      """
      {"cniVersion": "1.0.0", "name": "mine", "plugins": [{"type": "bridge", "bridge": "cni0",
       "isGateway": true, "isDefaultGateway": true,
       "ipam": {"type": "host-local", "ranges": [[{"subnet": "${podCIDR}"}]]}}]}
      """;

  private static final String PODS =
      """
      - {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {nodeName: node-1}}
      - {apiVersion: v1, kind: Pod, metadata: {name: b}, spec: {nodeName: node-2}}
      """;

  private static final String INLINE_PODS =
      "[{apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {nodeName: node-1}},"
          + " {apiVersion: v1, kind: Pod, metadata: {name: b}, spec: {nodeName: node-2}}]";

  @TempDir Path dir;
  private Path scenarios;
  private Path shared;
  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();

  @BeforeEach
  void writeSharedFiles() throws IOException {
    scenarios = Files.createDirectories(dir.resolve("scenarios"));
    shared = Files.createDirectories(dir.resolve("shared"));
    Files.writeString(shared.resolve("10-mine.conflist"), CONFLIST);
    Files.writeString(shared.resolve("pods.yaml"), PODS);
  }

  private int run(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    return PodnetCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  private Path scenario(String cni, String apply) throws IOException {
    return Files.writeString(
        scenarios.resolve("s.yaml"),
        "cluster: {nodes: 2, cni: "
            + cni
            + "}\n"
            + "steps:\n"
            + "  - at: 0s\n"
            + "    apply: "
            + apply
            + "\n"
            + "  - at: 1s\n"
            + "    expect: {reachable: {from: a, to: b}}\n");
  }

  @Test
  void validate_conflistUpAFolder_refusedWithOneLine_exitTwo_acceptedWithAllowOutside()
      throws IOException {
    Path file = scenario("../shared/10-mine.conflist", INLINE_PODS);

    assertThat(run("validate", file.toString())).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(refusal(file, "1:26: cluster.cni", "../shared/10-mine.conflist", ""));
    assertThat(out.toString()).isEmpty();

    assertThat(run("validate", "--allow-outside", file.toString())).isZero();
    assertThat(err.toString()).isEmpty();
    assertThat(out.toString()).isEqualTo(file + ": valid (s.yaml)\n");
  }

  @Test
  void run_absoluteManifestPath_refusedExitTwo_runsWithAllowOutside() throws IOException {
    Path manifests = shared.resolve("pods.yaml");
    Path file = scenario("bridge", manifests.toString());

    assertThat(run("run", file.toString())).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(refusal(file, "4:12: steps[0].apply", manifests.toString(), ""));
    assertThat(out.toString()).isEmpty();

    assertThat(run("run", "--allow-outside", file.toString())).isZero();
    assertThat(out.toString())
        .contains("pod/a created\npod/b created\n")
        .contains("expect reachable a -> b ... OK\n");
  }

  @Test
  void inspect_symlinkedConflistLeadingOutside_refusedExitTwo_acceptedWithAllowOutside()
      throws IOException {
    Path link = scenarios.resolve("10-link.conflist");
    Files.createSymbolicLink(link, shared.resolve("10-mine.conflist"));
    Path file = scenario("10-link.conflist", INLINE_PODS);

    String[] inspect = {"inspect", file.toString(), "--at", "1s", "--node", "node-1"};
    assertThat(run(concat(inspect, "--", "ip", "route"))).isEqualTo(2);
    String target = shared.resolve("10-mine.conflist").toRealPath().toString();
    assertThat(err.toString())
        .isEqualTo(
            refusal(
                file, "1:26: cluster.cni", "10-link.conflist", "a symlink to " + target + "; "));

    assertThat(run(concat(inspect, "--allow-outside", "--", "ip", "route"))).isZero();
    assertThat(out.toString()).contains("10.244.2.0/24 via 192.168.1.12 dev eth0");
  }

  @Test
  void validate_symlinkInsideTheFolder_isAccepted() throws IOException {
    Path inner = Files.createDirectories(scenarios.resolve("net"));
    Files.writeString(inner.resolve("10-mine.conflist"), CONFLIST);
    Files.createSymbolicLink(
        scenarios.resolve("10-link.conflist"), inner.resolve("10-mine.conflist"));
    Path file = scenario("10-link.conflist", INLINE_PODS);

    assertThat(run("validate", file.toString())).isZero();
    assertThat(err.toString()).isEmpty();
  }

  /** The one line that refuses a path leading out of the scenario's folder. */
  private static String refusal(Path file, String where, String path, String how) {
    return "podnet: "
        + file
        + ":"
        + where
        + ": path \""
        + path
        + "\" escapes the scenario's folder ("
        + how
        + "expected a path inside it; --allow-outside permits it)\n";
  }

  private static String[] concat(String[] head, String... tail) {
    String[] all = new String[head.length + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }
}
