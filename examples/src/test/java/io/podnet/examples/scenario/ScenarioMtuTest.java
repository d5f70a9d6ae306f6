package io.podnet.examples.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MTU mismatch of an overlay: a conflist that gives pods 1500 bytes on flannel's VXLAN, whose
 * tunnel takes 1450, and the {@code fragNeeded} expectation.
 */
class ScenarioMtuTest {

  @TempDir Path dir;

  @Test
  void run_mtuMismatchScenario_bigDfPingGetsFragNeededFromTheNodeThenFailsLocallyAtTheLearnedMtu() {
    ScenarioRunTest.Run r = ScenarioRunTest.cli("run", "scenarios/mtu-mismatch.yaml");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "cluster: 2 nodes, cni flannel-vxlan with conflist conf/10-flannel-mtu1500.conflist,")
        .containsPattern(
            "\\$ kubectl exec pod-a -- ip link show eth0\n3: eth0@if\\d+: .* mtu 1500 ")
        .containsPattern("\\$ ip link show flannel.1    # on node-1\n\\d+: flannel.1: .* mtu 1450 ")
        .contains(
            "$ kubectl exec pod-a -- ping -c 1 -M do -s 1422 10.244.2.2\n"
                + "PING 10.244.2.2 (10.244.2.2) 1422(1450) bytes of data.\n"
                + "1430 bytes from 10.244.2.2: icmp_seq=1 ttl=62 time=")
        .contains(
            "$ kubectl exec pod-a -- ping -c 1 -M do -s 1472 10.244.2.2\n"
                + "PING 10.244.2.2 (10.244.2.2) 1472(1500) bytes of data.\n"
                + "From 10.244.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1450)\n"
                + "\n"
                + "--- 10.244.2.2 ping statistics ---\n"
                + "1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n")
        .contains(
            "$ kubectl exec pod-a -- ping -c 1 -M do -s 1472 10.244.2.2\n"
                + "PING 10.244.2.2 (10.244.2.2) 1472(1500) bytes of data.\n"
                + "ping: local error: message too long, mtu=1450\n")
        .contains(
            "$ kubectl exec pod-a -- ip route get 10.244.2.2\n"
                + "10.244.2.2 via 10.244.1.1 dev eth0 src 10.244.1.2 uid 0 \n"
                + "    cache expires 600sec mtu 1450 \n")
        .contains(
            "$ kubectl exec pod-a -- ping -c 1 -M dont -s 1472 10.244.2.2\n"
                + "PING 10.244.2.2 (10.244.2.2) 1472(1500) bytes of data.\n"
                + "1480 bytes from 10.244.2.2: icmp_seq=1 ttl=62 time=")
        .contains(
            "$ kubectl exec pod-a -- ping -c 1 -s 1472 10.244.2.2\n"
                + "PING 10.244.2.2 (10.244.2.2) 1472(1500) bytes of data.\n"
                + "1480 bytes from 10.244.2.2: icmp_seq=1 ttl=62 time=")
        .contains("expect fragNeeded pod-b -> pod-a (1472 bytes) mtu 1450 ... OK\n");
  }

  @Test
  void run_fragNeededWhenThePodItselfHasTheSmallMtu_failsWithPingsLocalError() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("s.yaml"),
            """
            cluster: {nodes: 2, cni: flannel-vxlan}
            steps:
              - at: 0s
                apply:
                  - apiVersion: v1
                    kind: Pod
                    metadata: {name: a}
                    spec: {nodeName: node-1}
                  - apiVersion: v1
                    kind: Pod
                    metadata: {name: b}
                    spec: {nodeName: node-2}
              - at: 1s
                expect: {fragNeeded: {from: a, to: b, size: 1472}}
            """);

    assertThat(ScenarioRunTest.failing(file))
        .contains(
            "expect fragNeeded a -> b (1472 bytes) ... FAILED: ping got: ping: local error:"
                + " message too long, mtu=1450\n");
  }

  @Test
  void run_fragNeededWithAnotherMtu_failsNamingWhatThePingGot() throws IOException {
    String text =
        Files.readString(Path.of("scenarios/mtu-mismatch.yaml")).replace("mtu: 1450", "mtu: 1400");
    Files.createDirectories(dir.resolve("conf"));
    Files.copy(
        Path.of("scenarios/conf/10-flannel-mtu1500.conflist"),
        dir.resolve("conf/10-flannel-mtu1500.conflist"));
    Path file = Files.writeString(dir.resolve("mtu.yaml"), text);

    assertThat(ScenarioRunTest.failing(file))
        .containsPattern(
            "expect fragNeeded pod-b -> pod-a \\(1472 bytes\\) mtu 1400 \\.\\.\\. FAILED: ping got:"
                + " From 10.244.2.1 icmp_seq=\\d+ Frag needed and DF set \\(mtu = 1450\\)\n");
  }

  @Test
  void validate_conflistBesideAConflistCni_isOneLineAtTheKey() throws IOException {
    Files.copy(Path.of("scenarios/conf/10-flannel-mtu1500.conflist"), dir.resolve("a.conflist"));
    Path file =
        Files.writeString(
            dir.resolve("s.yaml"),
            "cluster: {nodes: 1, cni: a.conflist, conflist: b.conflist}\nsteps: []\n");

    assertThat(ScenarioRunTest.invalid(file))
        .isEqualTo(
            "podnet: "
                + file
                + ":1:48: cluster.conflist: expected it only with a preset cni (whose agent then"
                + " runs with this conflist), but cni is the conflist \"a.conflist\"\n");
  }

  @Test
  void validate_fragNeededWithoutSize_saysWhatIsExpected() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("s.yaml"),
            """
            cluster: {nodes: 2}
            steps:
              - at: 0s
                apply: [{apiVersion: v1, kind: Pod, metadata: {name: a}}]
              - at: 1s
                expect: {fragNeeded: {from: a, to: 10.244.2.9, mtu: 1450}}
            """);

    assertThat(ScenarioRunTest.invalid(file))
        .isEqualTo(
            "podnet: "
                + file
                + ":6:26: steps[1].expect.fragNeeded: missing key \"size\" (expected the ICMP"
                + " payload bytes of a ping too big for the path, e.g. 1472)\n");
  }
}
