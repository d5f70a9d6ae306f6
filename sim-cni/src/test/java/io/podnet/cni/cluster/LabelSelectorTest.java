package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LabelSelectorTest {

  private static final Map<String, String> LABELS = Map.of("app", "web", "tier", "front");

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      value = {
        "app=web; true",
        "app==web; true",
        "app = web; true",
        "app=db; false",
        "app!=db; true",
        "app!=web; false",
        "zone!=a; true",
        "app; true",
        "zone; false",
        "!zone; true",
        "!app; false",
        "app=web,tier=front; true",
        "app=web,tier=back; false",
        "app=web, !zone; true",
      })
  void matches_equalityAndExistence_asKubectlSelects(String selector, boolean expected) {
    assertThat(LabelSelector.parse(selector).matches(LABELS)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"app=web,", "app in (web,db)", "a=b=c", "!app=web", "=web", "a b"})
  void parse_unsupportedOrMalformed_namesTheRequirementAndTheForms(String selector) {
    assertThatThrownBy(() -> LabelSelector.parse(selector))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid label selector \"" + selector + "\" at \"")
        .hasMessageEndingWith(
            "(expected key=value, key==value, key!=value, key or !key, separated by commas)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " "})
  void parse_blank_selectsEverythingAsKubectlsEmptySelectorDoes(String selector) {
    assertThat(LabelSelector.parse(selector)).isSameAs(LabelSelector.EVERYTHING);
    assertThat(LabelSelector.EVERYTHING.matches(Map.of())).isTrue();
  }
}
