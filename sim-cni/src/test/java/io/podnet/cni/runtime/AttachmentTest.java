package io.podnet.cni.runtime;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AttachmentTest {

  @ParameterizedTest
  @ValueSource(strings = {"", "-abc", "_abc", "a b", "a/b", "ä"})
  void new_invalidContainerId_namesTheValueAndThePattern(String id) {
    assertThatThrownBy(() -> new Attachment(id, "eth0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + id + "\"")
        .hasMessageContaining("^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "..", "a/b", "eth:0", "eth 0", "sixteen-chars-xx"})
  void new_invalidInterfaceName_namesTheValue(String ifName) {
    assertThatThrownBy(() -> new Attachment("c1", ifName))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid interface name \"" + ifName + "\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"eth0", "fifteen-chars-x", "net1.100", "lo"})
  void new_validInterfaceName_isAccepted(String ifName) {
    assertThatCode(() -> new Attachment("a0_.-Z", ifName)).doesNotThrowAnyException();
  }
}
