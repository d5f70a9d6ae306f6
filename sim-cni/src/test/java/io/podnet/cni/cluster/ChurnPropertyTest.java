package io.podnet.cni.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.AfterFailureMode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.statistics.Statistics;

/**
 * Property-based churn: random sequences of {@link ChurnOp}s on random small clusters (one to three
 * nodes, any seed), for every CNI strategy and both service modes, with {@link ChurnRun}'s
 * invariants checked after every step and the CNI contract after every {@link
 * ChurnOp.Kind#CONVERGE} (each sequence ends with one).
 *
 * <p>Size: each property runs {@value #TRIES} sequences of 1 to {@value #MAX_STEPS} steps and
 * asserts afterwards that at least {@value #MIN_STEPS_PER_PROPERTY} steps applied (a step that
 * cannot apply is skipped and not counted), so the ten properties apply at least 20,000 steps
 * together: about 32,000 in about 40 seconds on two cores at the time of writing, as jqwik's
 * statistics report per property. Run them alone with {@code mvn -B -o test -pl sim-cni -am
 * -Dtest='Churn*Test' -Dsurefire.failIfNoSpecifiedTests=false}.
 *
 * <p>Replaying a failure: jqwik prints the failing property's {@code seed}, the original sample and
 * the shrunk sample (the node count, the cluster seed and the steps, each as {@code createPod(node
 * 2, app 1)}), and the assertion names the step and the sequence up to it. Put the seed into that
 * property's annotation, {@code @Property(tries = TRIES, seed = "-1313413246703441196")}, and run
 * it again: the same seed generates the same samples (keep {@code tries}, since the generation size
 * depends on it) and the simulation is deterministic ({@link ChurnDeterminismTest}), so the run
 * fails the same way and shrinks to the same sequence. {@code
 * src/test/resources/junit-platform.properties} sets {@code jqwik.failures.after.default =
 * RANDOM_SEED} and keeps jqwik's database under {@code target}, so no run depends on an earlier
 * run's failures: every run draws fresh seeds, and a seed written into the annotation is the one
 * way to replay.
 */
@PropertyDefaults(afterFailure = AfterFailureMode.RANDOM_SEED)
final class ChurnPropertyTest {

  /** Sequences per property. */
  static final int TRIES = 200;

  /** Longest sequence, before the final {@link ChurnOp.Kind#CONVERGE}. */
  static final int MAX_STEPS = 60;

  /** Steps each property must have applied over all its tries. */
  static final int MIN_STEPS_PER_PROPERTY = 2_000;

  private long steps;
  private boolean falsified;

  @Property(tries = TRIES)
  void churn_bridgeIptables_invariantsHold(
      @ForAll @IntRange(min = 1, max = 3) int nodes,
      @ForAll long seed,
      @ForAll("sequences") List<ChurnOp> ops) {
    churn(ChurnStrategy.BRIDGE, ServiceMode.IPTABLES, nodes, seed, ops);
  }

  @Property(tries = TRIES)
  void churn_bridgeHashMap_invariantsHold(
      @ForAll @IntRange(min = 1, max = 3) int nodes,
      @ForAll long seed,
      @ForAll("sequences") List<ChurnOp> ops) {
    churn(ChurnStrategy.BRIDGE, ServiceMode.HASH_MAP, nodes, seed, ops);
  }

  @Property(tries = TRIES)
  void churn_ptpIptables_invariantsHold(
      @ForAll @IntRange(min = 1, max = 3) int nodes,
      @ForAll long seed,
      @ForAll("sequences") List<ChurnOp> ops) {
    churn(ChurnStrategy.PTP, ServiceMode.IPTABLES, nodes, seed, ops);
  }

  @Property(tries = TRIES)
  void churn_ptpHashMap_invariantsHold(
      @ForAll @IntRange(min = 1, max = 3) int nodes,
      @ForAll long seed,
      @ForAll("sequences") List<ChurnOp> ops) {
    churn(ChurnStrategy.PTP, ServiceMode.HASH_MAP, nodes, seed, ops);
  }

  @Property(tries = TRIES)
  void churn_flannelIptables_invariantsHold(
      @ForAll @IntRange(min = 1, max = 3) int nodes,
      @ForAll long seed,
      @ForAll("sequences") List<ChurnOp> ops) {
    churn(ChurnStrategy.FLANNEL, ServiceMode.IPTABLES, nodes, seed, ops);
  }

  @Property(tries = TRIES)
  void churn_flannelHashMap_invariantsHold(
      @ForAll @IntRange(min = 1, max = 3) int nodes,
      @ForAll long seed,
      @ForAll("sequences") List<ChurnOp> ops) {
    churn(ChurnStrategy.FLANNEL, ServiceMode.HASH_MAP, nodes, seed, ops);
  }

  @Property(tries = TRIES)
  void churn_calicoIptables_invariantsHold(
      @ForAll @IntRange(min = 1, max = 3) int nodes,
      @ForAll long seed,
      @ForAll("sequences") List<ChurnOp> ops) {
    churn(ChurnStrategy.CALICO, ServiceMode.IPTABLES, nodes, seed, ops);
  }

  @Property(tries = TRIES)
  void churn_calicoHashMap_invariantsHold(
      @ForAll @IntRange(min = 1, max = 3) int nodes,
      @ForAll long seed,
      @ForAll("sequences") List<ChurnOp> ops) {
    churn(ChurnStrategy.CALICO, ServiceMode.HASH_MAP, nodes, seed, ops);
  }

  @Property(tries = TRIES)
  void churn_ciliumIptables_invariantsHold(
      @ForAll @IntRange(min = 1, max = 3) int nodes,
      @ForAll long seed,
      @ForAll("sequences") List<ChurnOp> ops) {
    churn(ChurnStrategy.CILIUM, ServiceMode.IPTABLES, nodes, seed, ops);
  }

  @Property(tries = TRIES)
  void churn_ciliumHashMap_invariantsHold(
      @ForAll @IntRange(min = 1, max = 3) int nodes,
      @ForAll long seed,
      @ForAll("sequences") List<ChurnOp> ops) {
    churn(ChurnStrategy.CILIUM, ServiceMode.HASH_MAP, nodes, seed, ops);
  }

  @AfterProperty
  void enoughSteps() {
    if (falsified) {
      return;
    }
    assertThat(steps)
        .as("steps applied over all tries of this property")
        .isGreaterThanOrEqualTo(MIN_STEPS_PER_PROPERTY);
  }

  private void churn(
      ChurnStrategy strategy, ServiceMode mode, int nodes, long seed, List<ChurnOp> ops) {
    boolean passed = false;
    try {
      ChurnRun run = new ChurnRun(strategy, mode, nodes, seed);
      List<ChurnOp> all = new ArrayList<>(ops);
      all.add(ChurnOp.of(ChurnOp.Kind.CONVERGE));
      for (int i = 0; i < all.size(); i++) {
        ChurnOp op = all.get(i);
        if (!run.step(op)) {
          continue;
        }
        steps++;
        Statistics.collect(op.kind());
        assertThat(run.violations())
            .as("after step %d, %s, of %s", i + 1, op, all.subList(0, i + 1))
            .isEmpty();
      }
      passed = true;
    } finally {
      falsified |= !passed;
    }
  }

  @Provide
  Arbitrary<List<ChurnOp>> sequences() {
    return sequenceArbitrary();
  }

  /** Sequences of 1 to {@value #MAX_STEPS} steps, their lengths uniformly distributed. */
  static Arbitrary<List<ChurnOp>> sequenceArbitrary() {
    return ops()
        .list()
        .ofMinSize(1)
        .ofMaxSize(MAX_STEPS)
        .withSizeDistribution(RandomDistribution.uniform());
  }

  /** One step, weighted so that pods come and go often and faults now and then. */
  static Arbitrary<ChurnOp> ops() {
    Arbitrary<Integer> pick = Arbitraries.integers().between(0, 15);
    Arbitrary<Integer> percent = Arbitraries.of(0, 5, 30, 100);
    Arbitrary<Integer> times = Arbitraries.integers().between(1, 3);
    Arbitrary<Integer> seconds = Arbitraries.of(1, 10, 60);
    return Arbitraries.frequencyOf(
        Tuple.of(12, op(ChurnOp.Kind.CREATE_POD, pick, pick)),
        Tuple.of(7, op(ChurnOp.Kind.DELETE_POD, pick, pick)),
        Tuple.of(3, op(ChurnOp.Kind.CREATE_SERVICE, pick, pick)),
        Tuple.of(2, op(ChurnOp.Kind.DELETE_SERVICE, pick, pick)),
        Tuple.of(2, op(ChurnOp.Kind.CRASH_NODE, pick, pick)),
        Tuple.of(2, op(ChurnOp.Kind.RESTORE_NODE, pick, pick)),
        Tuple.of(2, op(ChurnOp.Kind.CUT_LINK, pick, pick)),
        Tuple.of(2, op(ChurnOp.Kind.RESTORE_LINK, pick, pick)),
        Tuple.of(2, op(ChurnOp.Kind.LOSE_PACKETS, pick, percent)),
        Tuple.of(3, op(ChurnOp.Kind.REMOVE_PLUGIN, pick, pick)),
        Tuple.of(3, op(ChurnOp.Kind.INSTALL_PLUGIN, pick, pick)),
        Tuple.of(3, op(ChurnOp.Kind.UDP_TO_POD, pick, pick)),
        Tuple.of(3, op(ChurnOp.Kind.UDP_TO_SERVICE, pick, pick)),
        Tuple.of(3, op(ChurnOp.Kind.REPEAT_DEL, pick, times)),
        Tuple.of(2, op(ChurnOp.Kind.GC, pick, pick)),
        Tuple.of(2, op(ChurnOp.Kind.WAIT, seconds, pick)),
        Tuple.of(1, Arbitraries.just(ChurnOp.of(ChurnOp.Kind.CONVERGE))));
  }

  private static Arbitrary<ChurnOp> op(
      ChurnOp.Kind kind, Arbitrary<Integer> a, Arbitrary<Integer> b) {
    return Combinators.combine(a, b).as((x, y) -> new ChurnOp(kind, x, y));
  }
}
