package io.podnet.cni.plugins;

import static io.podnet.cni.plugins.PluginFixture.hostLocal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.cni.runtime.CniRuntimeException;
import io.podnet.cni.spec.CniError;
import io.podnet.cni.spec.CniResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PortmapPluginTest {

  private static final String CHAIN =
      "{\"cniVersion\":\"1.0.0\",\"name\":\"mynet\",\"plugins\":["
          + "{\"type\":\"bridge\",\"isGateway\":true,\"ipam\":"
          + hostLocal("10.244.1.0/24")
          + "},"
          + "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true}}]}";

  private final PluginFixture node = new PluginFixture();

  @Test
  void add_chainedWithoutMappings_passesThePreviousResultThrough() {
    node.config(CHAIN).sandbox("c1");

    CniResult result = node.add("c1");

    assertThat(result.interfaces())
        .extracting(CniResult.Interface::name)
        .startsWith("cni0")
        .endsWith("eth0");
    assertThat(result.ips()).hasSize(1);
    assertThat(result.ips().get(0).interfaceIndex()).isEqualTo(2);
    assertThat(node.runtime.cachedResult(new io.podnet.cni.runtime.Attachment("c1", "eth0")))
        .contains(result);
  }

  @Test
  void add_withPortMappings_failsWithCode2() {
    node.config(CHAIN).sandbox("c1");
    Map<String, Object> rc =
        Map.of(
            "portMappings",
            List.of(Map.of("hostPort", 8080, "containerPort", 80, "protocol", "tcp")));

    assertThatThrownBy(() -> node.add("c1", rc))
        .isInstanceOfSatisfying(
            CniRuntimeException.class,
            e -> {
              assertThat(e).hasMessageStartingWith("plugin type=\"portmap\" failed (add): ");
              assertThat(e.error()).map(CniError::code).contains(CniError.UNSUPPORTED_FIELD);
            });
  }

  @Test
  void add_notChained_failsBecauseItNeedsAPrevResult() {
    node.config(
            "{\"cniVersion\":\"1.0.0\",\"name\":\"mynet\",\"plugins\":["
                + "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true}}]}")
        .sandbox("c1");

    assertThatThrownBy(() -> node.add("c1"))
        .hasMessage("plugin type=\"portmap\" failed (add): must be called as chained plugin");
  }

  @Test
  void del_chain_succeedsAndRunsPortmapFirst() {
    node.config(CHAIN).sandbox("c1");
    node.add("c1");

    assertThatCode(() -> node.del("c1")).doesNotThrowAnyException();
    assertThat(node.files().exists("/var/lib/cni/networks/mynet/10.244.1.2")).isFalse();
  }

  @Test
  void check_chain_succeeds() {
    node.config(CHAIN).sandbox("c1");
    node.add("c1");

    assertThatCode(() -> node.check("c1")).doesNotThrowAnyException();
  }
}
