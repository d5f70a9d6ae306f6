package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link Toleration}: the API server's validation, matching, kubectl's rendering. */
class TolerationTest {

  private static final String NOT_READY = "node.kubernetes.io/not-ready";
  private static final String UNREACHABLE = "node.kubernetes.io/unreachable";

  @Test
  void of_secondsWithoutNoExecute_apiServersMessage() {
    assertThatThrownBy(() -> Toleration.of("spray", "Equal", "mortein", "NoSchedule", 3600L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when"
                + " `tolerationSeconds` is set");
  }

  @Test
  void of_emptyKeyWithEqual_apiServersMessage() {
    assertThatThrownBy(() -> Toleration.of("", "Equal", "", "", null))
        .hasMessage(
            "operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty,"
                + " which means \"match all values and all keys\"");
  }

  @Test
  void of_existsWithValue_apiServersMessage() {
    assertThatThrownBy(() -> Toleration.of("dedicated", "Exists", "gpu", "", null))
        .hasMessage(
            "operator: Invalid value: \"gpu\": value must be empty when `operator` is 'Exists'");
  }

  @Test
  void of_unknownOperatorOrEffect_apiServersSupportedValues() {
    assertThatThrownBy(() -> Toleration.of("dedicated", "In", "", "", null))
        .hasMessage("operator: Unsupported value: \"In\": supported values: \"Equal\", \"Exists\"");
    assertThatThrownBy(() -> Toleration.of("dedicated", "Exists", "", "NoRun", null))
        .hasMessage(
            "effect: Unsupported value: \"NoRun\": supported values: \"NoSchedule\","
                + " \"PreferNoSchedule\", \"NoExecute\"");
  }

  @Test
  void of_badKeyOrValue_namesWhatALabelMustBe() {
    assertThatThrownBy(() -> Toleration.of("-bad", "Exists", "", "", null))
        .hasMessage(
            "key: Invalid value: \"-bad\": expected [prefix/]name, name up to 63 of"
                + " [A-Za-z0-9-_.]");
    assertThatThrownBy(() -> Toleration.of("dedicated", "", "a b", "", null))
        .hasMessage("operator: Invalid value: \"a b\": expected up to 63 of [A-Za-z0-9-_.]");
  }

  @Test
  void tolerates_keyValueAndEffect_asTheSchedulerMatches() {
    Toleration any = Toleration.of("", "Exists", "", "", null);
    Toleration notReadyNoExecute = Toleration.of(NOT_READY, "Exists", "", "NoExecute", 5L);
    Toleration equalEmpty = Toleration.of(NOT_READY, "", "", "", null);
    Toleration equalOther = Toleration.of(NOT_READY, "Equal", "x", "", null);

    assertThat(any.tolerates(UNREACHABLE, "NoSchedule")).isTrue();
    assertThat(notReadyNoExecute.tolerates(NOT_READY, "NoExecute")).isTrue();
    assertThat(notReadyNoExecute.tolerates(NOT_READY, "NoSchedule")).isFalse();
    assertThat(notReadyNoExecute.tolerates(UNREACHABLE, "NoExecute")).isFalse();
    assertThat(equalEmpty.operator()).isEqualTo("Equal");
    assertThat(equalEmpty.tolerates(NOT_READY, "NoSchedule")).isTrue();
    assertThat(equalOther.tolerates(NOT_READY, "NoExecute")).isFalse();
  }

  @Test
  void toString_asKubectlDescribePodListsIt() {
    assertThat(Toleration.defaultFor(NOT_READY))
        .hasToString("node.kubernetes.io/not-ready:NoExecute op=Exists for 300s");
    assertThat(Toleration.of("", "Exists", "", "", null)).hasToString("op=Exists");
    assertThat(Toleration.of("", "Exists", "", "NoSchedule", null))
        .hasToString(":NoSchedule op=Exists");
    assertThat(Toleration.of("dedicated", "Equal", "gpu", "NoSchedule", null))
        .hasToString("dedicated=gpu:NoSchedule");
  }

  @Test
  void admit_noTolerations_bothDefaultsOf300Seconds() {
    assertThat(NodeLifecycleController.admit(List.of()))
        .extracting(Toleration::toString)
        .containsExactly(
            "node.kubernetes.io/not-ready:NoExecute op=Exists for 300s",
            "node.kubernetes.io/unreachable:NoExecute op=Exists for 300s");
  }

  @Test
  void admit_ownUnreachableToleration_keptAndOnlyNotReadyAdded() {
    Toleration own = Toleration.of(UNREACHABLE, "Exists", "", "NoExecute", 30L);

    assertThat(NodeLifecycleController.admit(List.of(own)))
        .extracting(Toleration::toString)
        .containsExactly(
            "node.kubernetes.io/unreachable:NoExecute op=Exists for 30s",
            "node.kubernetes.io/not-ready:NoExecute op=Exists for 300s");
  }

  @Test
  void admit_everyKeyOrOnlyNoSchedule_coversBothOrNeither() {
    Toleration every = Toleration.of("", "Exists", "", "", null);
    Toleration noSchedule = Toleration.of(NOT_READY, "Exists", "", "NoSchedule", null);

    assertThat(NodeLifecycleController.admit(List.of(every))).containsExactly(every);
    assertThat(NodeLifecycleController.admit(List.of(noSchedule))).hasSize(3);
  }
}
