package io.podnet.cni.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.podnet.cni.spec.CniResult;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Iproute2;
import io.podnet.core.net.NetNamespace;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoopbackPluginTest {

  private final PluginFixture node = new PluginFixture();

  @Test
  void addLoopback_bringsLoUpWith127001Slash8() {
    NetNamespace c1 = node.sandbox("c1");
    assertThat(c1.loopback().isUp()).isFalse();

    CniResult result = node.runtime.addLoopback("c1", PluginFixture.netns("c1"), Map.of());

    assertThat(c1.loopback().isUp()).isTrue();
    assertThat(c1.loopback().addresses()).contains(IfAddress.parse("127.0.0.1/8"));
    assertThat(Iproute2.ipAddrShow(c1)).contains("inet 127.0.0.1/8");
    assertThat(result.interfaces()).extracting(CniResult.Interface::name).containsExactly("lo");
    assertThat(result.ips().get(0).address()).isEqualTo(IfAddress.parse("127.0.0.1/8"));
    assertThat(c1.ping(Ipv4Address.parse("127.0.0.1")).success()).isTrue();
  }

  @Test
  void delLoopback_takesLoDown() {
    NetNamespace c1 = node.sandbox("c1");
    node.runtime.addLoopback("c1", PluginFixture.netns("c1"), Map.of());

    node.runtime.delLoopback("c1", PluginFixture.netns("c1"), Map.of());

    assertThat(c1.loopback().isUp()).isFalse();
  }

  @Test
  void delLoopback_namespaceMissing_succeeds() {
    assertThatCode(() -> node.runtime.delLoopback("c1", "/var/run/netns/never-created", Map.of()))
        .doesNotThrowAnyException();
  }

  @Test
  void addLoopback_binaryMissing_failsLikeContainerd() {
    node.sandbox("c1");
    node.runtime.removePlugin("loopback");

    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> node.runtime.addLoopback("c1", PluginFixture.netns("c1"), Map.of())))
        .hasMessage(
            "plugin type=\"loopback\" failed (add): failed to find plugin \"loopback\" in path"
                + " [/opt/cni/bin]");
  }
}
