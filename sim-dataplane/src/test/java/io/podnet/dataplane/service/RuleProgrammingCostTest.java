package io.podnet.dataplane.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuleProgrammingCostTest {

  private static final RuleProgrammingCost COST = RuleProgrammingCost.MEASURED;

  @Test
  void fullSyncLines_renderedServices_countsEveryRestoreLine() {
    List<Service> services = new ArrayList<>();
    Map<Service, List<Endpoint>> eps = new HashMap<>();
    for (int i = 0; i < 50; i++) {
      Service s =
          Service.of(
              "ns",
              "s" + i,
              Ipv4Address.parse("172.30.0.0").plus(i),
              ServicePort.of("p", "TCP", 80, 80));
      services.add(s);
      eps.put(
          s,
          List.of(
              Endpoint.of(Ipv4Address.parse("10.1.0.0").plus(2 * i), 80, true),
              Endpoint.of(Ipv4Address.parse("10.1.0.0").plus(2 * i + 1), 80, true)));
    }

    String text = KubeProxyIptables.render(services, eps, Cidr.parse("10.0.0.0/8"));

    assertThat((long) text.split("\n").length).isEqualTo(RuleProgrammingCost.fullSyncLines(50, 2));
  }

  @Test
  void fullSyncNanos_1k10k30kServices_linearSecondsScale() {
    double s1k = COST.fullSyncNanos(1_000, 2) / 1e9;
    double s10k = COST.fullSyncNanos(10_000, 2) / 1e9;
    double s30k = COST.fullSyncNanos(30_000, 2) / 1e9;

    assertThat(s1k).isCloseTo(0.207, within(0.01));
    assertThat(s10k).isCloseTo(2.024, within(0.01));
    assertThat(s30k).isCloseTo(6.06, within(0.01));
    assertThat((s30k - s10k) / (s10k - s1k)).isCloseTo(20_000.0 / 9_000, within(1e-6));
  }

  @Test
  void minimalSyncNanos_30kServices_stillLinearButSmallerThanFull() {
    long minimal = COST.minimalSyncNanos(30_000, 2);

    assertThat(minimal).isLessThan(COST.fullSyncNanos(30_000, 2) / 5);
    assertThat(minimal).isGreaterThan(COST.minimalSyncNanos(1_000, 2) * 10);
  }

  @Test
  void mapUpdateNanos_anyNodeSize_constantAndFarBelowRestore() {
    assertThat(COST.mapUpdateNanos()).isEqualTo(10_000);
    assertThat(COST.mapUpdateNanos() * 1_000).isLessThan(COST.fullSyncNanos(30_000, 2));
  }

  @Test
  void of_negativeCost_rejectedNamingIt() {
    assertThatThrownBy(() -> RuleProgrammingCost.of(0, -1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("per line -1");
  }
}
