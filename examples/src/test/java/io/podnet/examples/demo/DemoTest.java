package io.podnet.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {

  private static final Pattern DIGEST = Pattern.compile("trace digest: ([0-9a-f]{64})\n$");

  @Test
  void run_defaultSeed_pingsSucceedOnOneNodeAndAcrossNodes() {
    String out = Demo.of(42, null).run();
    assertThat(out)
        .contains("$ kubectl exec web-1 -- ping -c 1 10.244.1.3    # same node\n")
        .contains("64 bytes from 10.244.1.3: icmp_seq=1 ttl=64 time=")
        .contains("64 bytes from 10.244.2.2: icmp_seq=1 ttl=62 time=")
        .contains(
            "    # across nodes again\n"
                + "PING 10.244.2.2 (10.244.2.2) 56(84) bytes of data.\n"
                + "64 bytes from 10.244.2.2: icmp_seq=1 ttl=62 time=0.200 ms\n"
                + "\n"
                + "--- 10.244.2.2 ping statistics ---\n"
                + "1 packets transmitted, 1 received, 0% packet loss, time 0ms\n"
                + "rtt min/avg/max/mdev = 0.200/0.200/0.200/0.000 ms\n");
  }

  @Test
  void run_defaultSeed_showsTheArticlesVethPattern() {
    String out = Demo.of(42, null).run();
    assertThat(out)
        .containsPattern(
            "\n4: veth[0-9a-f]{8}@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue"
                + " master cni0 state UP mode DEFAULT group default \n    link/ether [0-9a-f:]{17}"
                + " brd ff:ff:ff:ff:ff:ff link-netns cni-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"
                + "[89ab][0-9a-f]{3}-[0-9a-f]{12}\n")
        .containsPattern("\n3: cni0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 ")
        .containsPattern(
            "\n3: eth0@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode"
                + " DEFAULT group default \n    link/ether [0-9a-f:]{17} brd ff:ff:ff:ff:ff:ff"
                + " link-netnsid 0\n")
        .contains(
            "default via 10.244.1.1 dev eth0 \n"
                + "10.244.1.0/24 dev eth0 proto kernel scope link src 10.244.1.2 \n");
  }

  @Test
  void run_defaultSeed_printsKubectlGetPodsWideAndTheContractCheck() {
    String out = Demo.of(42, null).run();
    assertThat(out)
        .contains(
            "NAME    READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED NODE  "
                + " READINESS GATES\n"
                + "web-1   1/1     Running   0          0s    10.244.1.2   node-1   <none>         "
                + "  <none>\n"
                + "web-2   1/1     Running   0          0s    10.244.2.2   node-2   <none>         "
                + "  <none>\n")
        .contains("CNI contract holds (4 pods, 12 pod pairs)\n");
  }

  @Test
  void run_walk_crossesBothBridgesTheUnderlayAndBothNodes() {
    String out = Demo.of(42, null).run();
    String walk = out.substring(out.indexOf("Hop-by-hop walk"), out.indexOf("trace digest"));
    assertThat(walk)
        .contains("hop node-1 - route #")
        .contains("10.244.2.0/24 via 192.168.1.12 dev eth0")
        .contains("hop underlay br0 bridge #")
        .containsPattern("hop node-2/cni-[0-9a-f-]{36} eth0 deliver #\\d+ icmp echo request")
        .containsPattern("hop node-1/cni-[0-9a-f-]{36} eth0 deliver #\\d+ icmp echo reply");
  }

  @Test
  void run_sameSeedTwice_givesByteIdenticalTranscripts() {
    assertThat(Demo.of(7, null).run()).isEqualTo(Demo.of(7, null).run());
  }

  @Test
  void run_differentSeeds_giveDifferentDigests() {
    assertThat(digest(Demo.of(7, null).run())).isNotEqualTo(digest(Demo.of(8, null).run()));
  }

  @Test
  void run_withPcapDirectory_writesOneCapturePerNodeNicAndPodEth0(@TempDir Path dir)
      throws Exception {
    Demo.of(42, dir).run();
    try (Stream<Path> files = Files.list(dir)) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertThat(names)
          .containsExactly(
              "node-1-eth0.pcap",
              "node-1-web-1-eth0.pcap",
              "node-1-web-3-eth0.pcap",
              "node-2-eth0.pcap",
              "node-2-web-2-eth0.pcap",
              "node-2-web-4-eth0.pcap");
    }
    byte[] node1 = Files.readAllBytes(dir.resolve("node-1-eth0.pcap"));
    assertThat(node1.length).isGreaterThan(24 + 16 * 4);
    assertThat(Demo.of(42, dir.resolve("again")).run()).isNotEmpty();
    assertThat(Files.readAllBytes(dir.resolve("again/node-1-eth0.pcap"))).isEqualTo(node1);
  }

  private static String digest(String transcript) {
    Matcher m = DIGEST.matcher(transcript);
    assertThat(m.find()).as("transcript ends with the digest").isTrue();
    return m.group(1);
  }
}
