package io.podnet.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests for {@link SimTime} parsing and formatting. */
class SimTimeTest {

  @ParameterizedTest
  @CsvSource({
    "0s, 0",
    "2s, 2000000000",
    "1.5s, 1500000000",
    "0.000000001s, 1",
    "250ms, 250000000",
    "0.5ms, 500000",
    "10us, 10000",
    "1.25us, 1250",
    "100ns, 100",
    "007ms, 7000000",
    "9223372036.854775807s, 9223372036854775807",
  })
  void parse_validDuration_returnsNanoseconds(String text, long nanos) {
    assertThat(SimTime.parse(text)).isEqualTo(nanos);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", "s", "1", "-1s", "+1s", "1.s", ".5s", "1 s", " 1s", "1m", "1sec", "1.5.2s", "abc"
      })
  void parse_malformedText_throwsIllegalArgumentNamingTextAndForm(String text) {
    assertThatThrownBy(() -> SimTime.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + text + "\"")
        .hasMessageContaining("expected a non-negative duration");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.5ns", "0.0001us", "1.0000001ms", "1.0000000001s"})
  void parse_finerThanNanosecond_throwsIllegalArgument(String text) {
    assertThatThrownBy(() -> SimTime.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("finer than 1ns")
        .hasMessageContaining(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"9223372036.854775808s", "9999999999999999999999ns", "10000000000s"})
  void parse_overflowingLong_throwsIllegalArgument(String text) {
    assertThatThrownBy(() -> SimTime.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fit in a long")
        .hasMessageContaining(text);
  }

  @Test
  void format_examples_secondsWithNineDecimals() {
    assertThat(SimTime.format(0)).isEqualTo("0.000000000");
    assertThat(SimTime.format(5)).isEqualTo("0.000000005");
    assertThat(SimTime.format(1_000_250_000)).isEqualTo("1.000250000");
    assertThat(SimTime.format(12 * SimTime.SECOND + 3 * SimTime.MICROSECOND))
        .isEqualTo("12.000003000");
    assertThat(SimTime.format(Long.MAX_VALUE)).isEqualTo("9223372036.854775807");
    assertThat(SimTime.format(Long.MIN_VALUE)).isEqualTo("-9223372036.854775808");
    assertThat(SimTime.format(2_147_483_647_999_999_999L)).isEqualTo("2147483647.999999999");
    assertThat(SimTime.format(2_147_483_648_000_000_000L)).isEqualTo("2147483648.000000000");
    assertThat(SimTime.format(-999_999_999)).isEqualTo("-0.999999999");
  }

  @Test
  void appendTo_afterText_appendsTheFormatOfFormat() {
    StringBuilder out = new StringBuilder("at ");

    SimTime.appendTo(out, 12 * SimTime.SECOND + 3 * SimTime.MICROSECOND).append(';');
    SimTime.appendTo(out, -5);

    assertThat(out).hasToString("at 12.000003000;-0.000000005");
  }

  @Test
  void format_negative_hasLeadingMinus() {
    assertThat(SimTime.format(-1_500_000_000)).isEqualTo("-1.500000000");
    assertThat(SimTime.format(-5)).isEqualTo("-0.000000005");
    assertThat(SimTime.format(Long.MIN_VALUE)).isEqualTo("-9223372036.854775808");
  }

  @Test
  void format_thenParseWithSecondsUnit_roundTrips() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 10_000; i++) {
      long nanos = i < 100 ? i : random.nextLong(0, Long.MAX_VALUE);
      assertThat(SimTime.parse(SimTime.format(nanos) + "s")).isEqualTo(nanos);
    }
  }

  @Test
  void constants_unitsRelateByThousands() {
    assertThat(SimTime.MICROSECOND).isEqualTo(1_000 * SimTime.NANOSECOND);
    assertThat(SimTime.MILLISECOND).isEqualTo(1_000 * SimTime.MICROSECOND);
    assertThat(SimTime.SECOND).isEqualTo(1_000 * SimTime.MILLISECOND);
  }
}
