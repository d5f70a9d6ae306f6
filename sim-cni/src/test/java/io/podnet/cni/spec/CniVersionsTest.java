package io.podnet.cni.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CniVersionsTest {

  @Test
  void supported_isAscendingAndEndsWithLatest() {
    assertThat(CniVersions.SUPPORTED).containsExactly("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");
    assertThat(CniVersions.SUPPORTED).isSortedAccordingTo(CniVersions::compare);
    assertThat(CniVersions.LATEST).isEqualTo(CniVersions.SUPPORTED.get(4));
  }

  @Test
  void isSupported_knownAndUnknown() {
    assertThat(CniVersions.isSupported("0.4.0")).isTrue();
    assertThat(CniVersions.isSupported("0.2.0")).isFalse();
    assertThat(CniVersions.isSupported("1.1")).isFalse();
    assertThat(CniVersions.isSupported("")).isFalse();
  }

  @Test
  void compare_numericNotLexicographic() {
    assertThat(CniVersions.compare("0.10.0", "0.9.0")).isPositive();
    assertThat(CniVersions.compare("0.3.1", "0.4.0")).isNegative();
    assertThat(CniVersions.compare("1.0.0", "1.0.0")).isZero();
    assertThat(CniVersions.compare("1.1", "1.1.0")).isZero();
    assertThat(CniVersions.compare("", "0.1.0")).isZero();
  }

  @Test
  void compare_malformed_throwsNamingTheVersion() {
    assertThatThrownBy(() -> CniVersions.compare("1.x.0", "1.0.0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "invalid CNI version \"1.x.0\": part \"x\" is not a number (expected"
                + " major.minor.patch)");
    assertThatThrownBy(() -> CniVersions.compare("1.0.0", "1.0.0.0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid CNI version \"1.0.0.0\": too many parts (expected major.minor.patch)");
  }

  @Test
  void highestSupported_mixedCandidates_picksHighestSupported() {
    assertThat(CniVersions.highestSupported(List.of("0.2.0", "1.0.0", "0.4.0", "2.0.0")))
        .isEqualTo("1.0.0");
  }

  @Test
  void highestSupported_noneSupported_throwsNamingCandidates() {
    assertThatThrownBy(() -> CniVersions.highestSupported(List.of("0.1.0", "2.0.0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "none of the CNI versions [0.1.0 2.0.0] is supported (supported: [0.3.0 0.3.1 0.4.0"
                + " 1.0.0 1.1.0])");
  }
}
