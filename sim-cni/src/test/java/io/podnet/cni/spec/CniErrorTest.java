package io.podnet.cni.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CniErrorTest {

  @Test
  void codes_matchTheSpec() {
    assertThat(
            new int[] {
              CniError.INCOMPATIBLE_VERSION,
              CniError.UNSUPPORTED_FIELD,
              CniError.UNKNOWN_CONTAINER,
              CniError.INVALID_ENVIRONMENT,
              CniError.IO_FAILURE,
              CniError.DECODE_FAILURE,
              CniError.INVALID_CONFIG,
              CniError.TRY_AGAIN_LATER,
              CniError.PLUGIN_NOT_AVAILABLE,
              CniError.LIMITED_CONNECTIVITY
            })
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 11, 50, 51);
  }

  @Test
  void render_withoutDetails_isMsg() {
    CniError e = CniError.of(7, "missing network name:");

    assertThat(e.render()).isEqualTo("missing network name:");
    assertThat(e.details()).isEmpty();
    assertThat(e).hasToString("missing network name:");
  }

  @Test
  void render_withDetails_joinsWithSemicolon() {
    CniError e = CniError.of(1, "incompatible CNI versions", "config is \"9.9.9\"");

    assertThat(e.render()).isEqualTo("incompatible CNI versions; config is \"9.9.9\"");
  }

  @Test
  void toJson_withDetails_hasSpecFieldsInOrder() {
    CniError e = CniError.of(7, "Invalid Configuration", "bad mtu");

    assertThat(Json.write(e.toJson("1.1.0")))
        .isEqualTo(
            "{\"cniVersion\":\"1.1.0\",\"code\":7,\"msg\":\"Invalid Configuration\","
                + "\"details\":\"bad mtu\"}");
  }

  @Test
  void toJson_withoutDetails_omitsDetails() {
    assertThat(Json.write(CniError.of(11, "busy").toJson("1.0.0")))
        .isEqualTo("{\"cniVersion\":\"1.0.0\",\"code\":11,\"msg\":\"busy\"}");
  }

  @Test
  void equals_sameFields_equal() {
    assertThat(CniError.of(5, "io", "")).isEqualTo(CniError.of(5, "io"));
    assertThat(CniError.of(5, "io")).isNotEqualTo(CniError.of(6, "io"));
    assertThat(CniError.of(5, "io").hashCode()).isEqualTo(CniError.of(5, "io", "").hashCode());
  }

  @Test
  void of_negativeCode_throws() {
    assertThatThrownBy(() -> CniError.of(-1, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("CNI error code must not be negative: -1");
  }

  @Test
  void cniException_messageIsRender() {
    CniException e = CniException.of(100, "failed to set bridge addr", "cni0 already has an IP");

    assertThat(e.getMessage()).isEqualTo("failed to set bridge addr; cni0 already has an IP");
    assertThat(e.error().code()).isEqualTo(100);
    assertThat(new CniException(CniError.of(3, "gone")).getMessage()).isEqualTo("gone");
  }

  @Test
  void cniConfigException_formatsFileLineColumn() {
    CniConfigException e =
        new CniConfigException(
            CniError.of(7, "error parsing configuration list: no name"), "a", 3, 4);

    assertThat(e.getMessage()).isEqualTo("a:3:4: error parsing configuration list: no name");
    assertThat(e.file()).isEqualTo("a");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.column()).isEqualTo(4);
  }

  @Test
  void cniConfigException_unknownPosition_omitsIt() {
    CniConfigException e = new CniConfigException(CniError.of(6, "bad\nthing"), "f.conf", 0, 0);

    assertThat(e.getMessage()).isEqualTo("f.conf: bad thing");
  }
}
