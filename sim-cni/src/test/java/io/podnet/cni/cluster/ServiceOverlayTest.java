package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.cni.calico.CalicoNode;
import io.podnet.core.engine.SimTime;
import io.podnet.core.net.ProbeResult;
import io.podnet.dataplane.service.Service;
import io.podnet.dataplane.service.ServicePort;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Services on clusters whose nodes talk through a tunnel: the decapsulated inner packet starts with
 * no conntrack entry (the kernel scrubs it), so it is never taken for the tunnel's own UDP or
 * IP-in-IP flow, and pod-to-pod traffic keeps working once kube-proxy runs.
 */
class ServiceOverlayTest {

  static Stream<Arguments> overlays() {
    List<Supplier<Cluster.Builder>> presets =
        List.of(
            () -> Cluster.flannel(Flanneld.Backend.VXLAN),
            () -> Cluster.calico(CalicoNode.of(CalicoNode.Mode.IPIP)),
            () -> Cluster.calico(CalicoNode.of(CalicoNode.Mode.VXLAN)),
            Cluster::cilium);
    List<String> names = List.of("flannel-vxlan", "calico-ipip", "calico-vxlan", "cilium");
    return Stream.of(ServiceMode.values())
        .flatMap(
            mode ->
                java.util.stream.IntStream.range(0, presets.size())
                    .mapToObj(i -> Arguments.of(names.get(i), presets.get(i), mode)));
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("overlays")
  void withAService_podsStillReachEachOtherAcrossNodes_andTheClusterIpAnswers(
      String name, Supplier<Cluster.Builder> preset, ServiceMode mode) {
    Cluster cluster = preset.get().nodes(2).seed(3).services(mode).build();
    Pod a = cluster.runPod(PodSpec.named("a").label("app", "web").onNode("node-1"));
    Pod b = cluster.runPod(PodSpec.named("b").label("app", "web").onNode("node-2"));
    a.requireNetns().listenTcp(8080);
    b.requireNetns().listenTcp(8080);
    Service svc =
        cluster.createService(
            "web", Map.of("app", "web"), List.of(ServicePort.of("http", "TCP", 80, 8080)));
    cluster.run(SimTime.SECOND);

    ProbeResult ping = a.requireNetns().ping(b.requireIp());
    assertThat(ping.success()).as(ping.message() + "\n" + ping.walk().render()).isTrue();
    for (int i = 0; i < 8; i++) {
      ProbeResult tcp = a.requireNetns().connectTcp(svc.clusterIp(), 80);
      assertThat(tcp.success()).as(tcp.message() + "\n" + tcp.walk().render()).isTrue();
    }
    cluster.run(SimTime.MILLISECOND);
    assertThat(b.requireNetns().tcpAccepted(8080)).isPositive();
  }
}
