package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.random.RandomStreams;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class EndpointCountsTest {

  private static RandomGenerator random(long seed) {
    return RandomStreams.of(seed).stream("bulk-services");
  }

  @Test
  void sample_tenThousandOfTheThresholds_spanOneTo250WithMeanAbout12() {
    int[] counts = EndpointCounts.THRESHOLDS.sample(10_000, random(1));

    assertThat(Arrays.stream(counts).min().orElseThrow()).isEqualTo(1);
    assertThat(Arrays.stream(counts).max().orElseThrow()).isEqualTo(250);
    assertThat(Arrays.stream(counts).average().orElseThrow()).isBetween(11.5, 12.7);
    assertThat(EndpointCounts.THRESHOLDS.mean()).isBetween(12.0, 12.2);
    assertThat(Arrays.stream(counts).filter(c -> c == 1).count()).isGreaterThan(3500);
  }

  @Test
  void sample_sameSeed_sameCountsAndOtherSeed_sameCountsInAnotherOrder() {
    int[] a = EndpointCounts.THRESHOLDS.sample(1000, random(1));
    int[] b = EndpointCounts.THRESHOLDS.sample(1000, random(1));
    int[] c = EndpointCounts.THRESHOLDS.sample(1000, random(2));

    assertThat(b).isEqualTo(a);
    assertThat(c).isNotEqualTo(a);
    assertThat(Arrays.stream(c).sorted().toArray()).isEqualTo(Arrays.stream(a).sorted().toArray());
  }

  @Test
  void layout_podsEnough_everyServiceHasItsOwnAppOfItsCount() {
    int[] counts = EndpointCounts.THRESHOLDS.sample(100, random(3));
    int total = Arrays.stream(counts).sum();

    EndpointCounts.Layout layout = EndpointCounts.THRESHOLDS.layout(100, total + 7, random(3));

    assertThat(layout.apps()).isEqualTo(100);
    int[] sizes = new int[100];
    for (int pod = 0; pod < total + 7; pod++) {
      if (layout.appOfPod(pod) >= 0) {
        sizes[layout.appOfPod(pod)]++;
      }
    }
    assertThat(sizes).isEqualTo(counts);
    assertThat(layout.appOfPod(total + 6)).isEqualTo(-1);
    assertThat(layout.appOfService(42)).isEqualTo(42);
  }

  @Test
  void layout_fewerPods_servicesShareTheAppsRoundRobin() {
    EndpointCounts.Layout layout = EndpointCounts.THRESHOLDS.layout(1000, 120, random(4));

    assertThat(layout.apps()).isBetween(2, 119);
    assertThat(layout.appOfPod(119)).isEqualTo(layout.apps() - 1);
    assertThat(layout.appOfService(layout.apps())).isZero();
    assertThat(layout.appOfService(layout.apps() + 1)).isEqualTo(1);
  }

  @Test
  void powerLaw_badBounds_refusedNamingThem() {
    assertThatThrownBy(() -> EndpointCounts.powerLaw(0, 250, 1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("endpoint counts must satisfy 1 <= min <= max <= 5000: min 0, max 250");
    assertThatThrownBy(() -> EndpointCounts.powerLaw(1, 250, -1))
        .hasMessage("exponent must be in [0, 10]: -1.0");
  }
}
