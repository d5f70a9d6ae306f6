package io.podnet.cni.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests for {@link Attachment}: the spec's checks of container ids and interface names. */
class AttachmentTest {

  @Test
  void new_randomContainerIds_acceptedExactlyWhenTheSpecPatternMatches() {
    Pattern spec = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$");
    String alphabet = "aZ09_.-/ :\n\tä";
    SplittableRandom random = new SplittableRandom(20261128L);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder id = new StringBuilder();
      for (int n = random.nextInt(5); n > 0; n--) {
        id.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      boolean accepted;
      try {
        new Attachment(id.toString(), "eth0");
        accepted = true;
      } catch (IllegalArgumentException e) {
        accepted = false;
      }
      assertThat(accepted).as("\"%s\"", id).isEqualTo(spec.matcher(id).matches());
    }
  }

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
