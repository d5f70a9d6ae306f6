package io.podnet.cni.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void write_keepsInsertionOrderCompact() {
    assertThat(Json.write(Json.parse("{ \"z\": 1, \"a\": [true, null, \"s\"], \"m\": {} }")))
        .isEqualTo("{\"z\":1,\"a\":[true,null,\"s\"],\"m\":{}}");
  }

  @Test
  void write_escapesLikeGo() {
    assertThat(Json.write(Json.parse("\"<a&b>\\n\\t\\u0001\\u2028\\\"\\\\/\"")))
        .isEqualTo("\"\\u003ca\\u0026b\\u003e\\n\\t\\u0001\\u2028\\\"\\\\/\"");
  }

  @Test
  void write_numbersLikeGoFloat64() {
    assertThat(Json.write(Json.parse("[1.0, 0.5, 1e21, 1e-7, 123456789012345678901, -2.50, 0]")))
        .isEqualTo("[1,0.5,1e+21,1e-7,123456789012345678901,-2.5,0]");
  }

  @Test
  void pretty_indentsLikeMarshalIndent() {
    assertThat(Json.pretty(Json.parse("{\"a\":[1,{\"b\":[]}],\"c\":{}}")))
        .isEqualTo(
            """
            {
              "a": [
                1,
                {
                  "b": []
                }
              ],
              "c": {}
            }""");
  }

  @Test
  void pretty_customIndent() {
    assertThat(Json.pretty(Json.parse("{\"a\":1}"), "    ")).isEqualTo("{\n    \"a\": 1\n}");
  }

  @Test
  void mapper_serialisesLinkedMapsInOrder() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("zeta", 1);
    m.put("alpha", "x");

    assertThat(Json.write(Json.mapper().valueToTree(m))).isEqualTo("{\"zeta\":1,\"alpha\":\"x\"}");
  }

  @Test
  void parse_invalid_throwsIllegalArgument() {
    assertThatThrownBy(() -> Json.parse("{\"a\":"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid JSON: ");
    assertThatThrownBy(() -> Json.parse(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unexpected end of JSON input");
  }
}
