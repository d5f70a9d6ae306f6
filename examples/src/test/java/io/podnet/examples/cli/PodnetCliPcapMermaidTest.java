package io.podnet.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.trace.Tshark;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code podnet run --out DIR --pcap --mermaid} on the bridge-basics scenario. */
class PodnetCliPcapMermaidTest {

  private static final Path SCENARIO = Path.of("scenarios/bridge-basics.yaml");
  private static final List<String> CAPTURES =
      List.of(
          "node-1-eth0.pcap",
          "node-1-web-0-eth0.pcap",
          "node-2-eth0.pcap",
          "node-2-web-1-eth0.pcap");

  @TempDir Path dir;

  private static String run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = PodnetCli.execute(args, new PrintWriter(out), new PrintWriter(err));
    assertThat(code).as("exit code, stderr: %s", err).isZero();
    return out.toString();
  }

  @Test
  void capturesAreByteIdenticalAcrossRunsAndDecodeWithoutMalformedPackets() throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    Path plain = dir.resolve("plain");
    String first = run("run", SCENARIO.toString(), "--out", a.toString(), "--pcap");
    run("run", SCENARIO.toString(), "--out", b.toString(), "--pcap");
    String without = run("run", SCENARIO.toString(), "--out", plain.toString());
    assertThat(first).as("capturing changes nothing in the run").isEqualTo(without);
    for (String name : CAPTURES) {
      Path file = a.resolve(name);
      assertThat(file).exists();
      assertThat(Files.readAllBytes(file)).as(name).isEqualTo(Files.readAllBytes(b.resolve(name)));
      List<String> frames = Tshark.run(file);
      assertThat(frames).as(name).isNotEmpty();
      assertThat(Tshark.run(file, "-Y", "_ws.malformed || _ws.expert.severity == error"))
          .as("malformed packets in %s", name)
          .isEmpty();
      assertThat(String.join("\n", frames)).as(name).contains("ICMP").contains("Echo (ping)");
    }
    assertThat(String.join("\n", Tshark.run(a.resolve("node-1-web-0-eth0.pcap")))).contains("TCP");
    assertThat(Files.list(a).map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pcap")))
        .containsExactlyInAnyOrderElementsOf(CAPTURES);
  }

  @Test
  void mermaidDiagramsShowTheTopologyAndTheFirstPodsCniAdd() throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    run("run", SCENARIO.toString(), "--out", a.toString(), "--mermaid");
    run("run", SCENARIO.toString(), "--out", b.toString(), "--mermaid");
    String topology = Files.readString(a.resolve("topology.mmd"));
    String cniAdd = Files.readString(a.resolve("cni-add.mmd"));
    assertThat(topology).isEqualTo(Files.readString(b.resolve("topology.mmd")));
    assertThat(cniAdd).isEqualTo(Files.readString(b.resolve("cni-add.mmd")));
    assertThat(a.resolve("node-1-eth0.pcap")).doesNotExist();

    List<String> t = topology.lines().map(String::strip).toList();
    assertThat(t.get(0)).isEqualTo("graph TB");
    assertThat(t)
        .contains(
            "subgraph node_1 [\"node-1\"]",
            "subgraph node_1_host [\"Host Network Namespace\"]",
            "node_1_eth0[\"eth0 (192.168.1.11)\"]",
            "node_1_cni0[\"cni0<br>(CNI Mechanism: bridge)\"]",
            "subgraph node_1_pod_web_0 [\"Pod web-0 Network Namespace\"]",
            "node_1_pod_web_0_eth0[\"eth0 (10.244.1.2)\"]",
            "node_1_eth0 --- node_1_cni0",
            "subgraph node_2 [\"node-2\"]",
            "node_2_eth0[\"eth0 (192.168.1.12)\"]",
            "node_2_pod_web_1_eth0[\"eth0 (10.244.2.2)\"]",
            "node_2_eth0 --- node_2_cni0");
    assertThat(t)
        .anySatisfy(l -> assertThat(l).matches("node_1_cni0 --- node_1_veth[0-9a-f]+"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .matches("node_1_veth[0-9a-f]+ -- \"Virtual Cable\" --- node_1_pod_web_0_eth0"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .matches(
                        "node_2_veth[0-9a-f]+ -- \"Virtual Cable\" --- node_2_pod_web_1_eth0"));

    List<String> s = cniAdd.lines().map(String::strip).toList();
    assertThat(s)
        .startsWith(
            "sequenceDiagram",
            "participant S as Scheduler",
            "participant K as Kubelet",
            "participant C as CNI Plugin",
            "participant P as Pod Network")
        .contains(
            "S->>K: 1. Schedule Pod default/web-0 to node-1",
            "K->>P: 2. Create Network Namespace",
            "K->>C: 3. Call CNI ADD (network bridge: bridge, portmap)",
            "activate C",
            "C->>P: 4b. Assign IP Address 10.244.1.2/24 (ipam host-local)",
            "C->>P: 4c. Setup Routes",
            "C->>C: chained plugin portmap ADD",
            "C-->>K: 5. Return Success",
            "deactivate C",
            "K->>P: 6. Start App Container");
    assertThat(s)
        .anySatisfy(
            l ->
                assertThat(l)
                    .matches(
                        "C->>P: 4a\\. Create veth pair \\(veth[0-9a-f]+ on the host, eth0 in the"
                            + " pod\\)"));
  }

  @Test
  void pcapAndMermaidNeedOut() {
    StringWriter err = new StringWriter();
    int code =
        PodnetCli.execute(
            new String[] {"run", SCENARIO.toString(), "--pcap"},
            new PrintWriter(new StringWriter()),
            new PrintWriter(err));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--pcap needs --out DIR");
  }
}
