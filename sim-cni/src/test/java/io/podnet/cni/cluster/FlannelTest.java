package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.cni.spec.Json;
import io.podnet.core.net.Iproute2;
import org.junit.jupiter.api.Test;

class FlannelTest {

  private final Cluster cluster =
      Cluster.flannel(Flanneld.Backend.HOST_GW).nodes(2).seed(5).build();

  @Test
  void nodeAdded_writesSubnetEnvLikeFlanneld() {
    assertThat(cluster.node("node-1").host().files().read("/run/flannel/subnet.env"))
        .contains(
            "FLANNEL_NETWORK=10.244.0.0/16\n"
                + "FLANNEL_SUBNET=10.244.1.1/24\n"
                + "FLANNEL_MTU=1500\n"
                + "FLANNEL_IPMASQ=true\n");
  }

  @Test
  void runPod_podRoutes_defaultAndTheFlannelNetworkViaTheGateway() {
    Pod pod = cluster.runPod("web-1");

    assertThat(Iproute2.ipRouteShow(pod.requireNetns()))
        .isEqualTo(
            "default via 10.244.1.1 dev eth0 \n"
                + "10.244.0.0/16 via 10.244.1.1 dev eth0 \n"
                + "10.244.1.0/24 dev eth0 proto kernel scope link src 10.244.1.2 \n");
  }

  @Test
  void runPod_delegateConfigSavedAndRemovedOnDelete() {
    Pod pod = cluster.runPod("web-1");
    String saved = "/var/lib/cni/flannel/" + pod.sandboxId().orElseThrow();
    var files = cluster.node("node-1").host().files();

    var delegate = Json.parse(files.read(saved).orElseThrow());
    assertThat(delegate.path("type").asText()).isEqualTo("bridge");
    assertThat(delegate.path("name").asText()).isEqualTo("cbr0");
    assertThat(delegate.path("mtu").asInt()).isEqualTo(1500);
    assertThat(delegate.path("ipMasq").asBoolean()).isFalse();
    assertThat(delegate.path("isGateway").asBoolean()).isTrue();
    assertThat(delegate.path("hairpinMode").asBoolean()).isTrue();
    assertThat(delegate.path("ipam").path("ranges").get(0).get(0).path("subnet").asText())
        .isEqualTo("10.244.1.0/24");
    assertThat(delegate.path("ipam").path("routes").get(0).path("dst").asText())
        .isEqualTo("10.244.0.0/16");

    cluster.deletePod("web-1");

    assertThat(files.exists(saved)).isFalse();
  }

  @Test
  void runPod_noSubnetEnv_failsWithFlannelsMessage() {
    cluster.node("node-1").host().files().delete("/run/flannel/subnet.env");

    Pod pod = cluster.runPod("web-1", "node-1");

    assertThat(pod.events())
        .anySatisfy(
            e ->
                assertThat(e.message())
                    .endsWith(
                        "plugin type=\"flannel\" failed (add): loadFlannelSubnetEnv failed: open"
                            + " /run/flannel/subnet.env: no such file or directory"));
  }

  @Test
  void build_hostGwBackend_routesToTheOtherNodesPodCidrViaItsAddress() {
    assertThat(Iproute2.ipRouteShow(cluster.node("node-1").host().root()))
        .contains("10.244.2.0/24 via 192.168.1.12 dev eth0 \n");
  }
}
