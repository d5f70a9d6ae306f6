package io.podnet.examples.calico;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.cni.calico.CalicoNode;
import io.podnet.core.engine.SimTime;
import org.junit.jupiter.api.Test;

class CalicoConvergenceTest {

  @Test
  void measure_hundredNodeFullMesh_4950SessionsAndEveryBlockEverywhere() {
    CalicoConvergence.Result r =
        CalicoConvergence.measure("full mesh", CalicoNode.of(CalicoNode.Mode.BGP), 100, 4950);

    assertThat(r.sessions()).isEqualTo(100 * 99 / 2);
    assertThat(r.converged()).isTrue();
    assertThat(r.convergedNanos()).isPositive().isLessThan(SimTime.SECOND);
  }

  @Test
  void measure_hundredNodesTwoReflectors_197SessionsAndEveryBlockEverywhere() {
    CalicoConvergence.Result r =
        CalicoConvergence.measure(
            "2 route reflectors", CalicoNode.withRouteReflectors(CalicoNode.Mode.BGP, 2), 100, 197);

    assertThat(r.sessions()).isEqualTo(1 + 2 * 98);
    assertThat(r.converged()).isTrue();
  }
}
