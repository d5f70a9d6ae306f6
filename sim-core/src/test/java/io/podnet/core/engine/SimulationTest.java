package io.podnet.core.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.hash.HashCode;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Tests for {@link Simulation}: ordering, cancellation, the run loop and determinism. */
class SimulationTest {

  private final Simulation sim = Simulation.create(1);
  private final List<String> log = new ArrayList<>();

  private Event record(String label) {
    return () -> log.add(label + "@" + sim.now());
  }

  @Test
  void create_newSimulation_isIdleAtTimeZero() {
    Simulation fresh = Simulation.create(7);

    assertThat(fresh.seed()).isEqualTo(7);
    assertThat(fresh.now()).isZero();
    assertThat(fresh.pendingEvents()).isZero();
    assertThat(fresh.firedEvents()).isZero();
    assertThat(fresh.step()).isFalse();
  }

  @Test
  void step_eventsScheduledOutOfOrder_fireByTimeAndAdvanceClock() {
    sim.schedule(30, record("c"));
    sim.schedule(10, record("a"));
    sim.scheduleAt(20, record("b"));

    assertThat(sim.step()).isTrue();
    assertThat(sim.now()).isEqualTo(10);
    sim.runUntilIdle();

    assertThat(log).containsExactly("a@10", "b@20", "c@30");
    assertThat(sim.now()).isEqualTo(30);
    assertThat(sim.firedEvents()).isEqualTo(3);
  }

  @Test
  void step_manyEventsAtEqualTimes_fireInSchedulingOrderAfterHeapGrowth() {
    List<Integer> fired = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      int id = i;
      sim.scheduleAt(100 * (i % 3), () -> fired.add(id));
    }

    sim.runUntilIdle();

    List<Integer> expected = new ArrayList<>();
    for (int residue = 0; residue < 3; residue++) {
      for (int i = residue; i < 5_000; i += 3) {
        expected.add(i);
      }
    }
    assertThat(fired).isEqualTo(expected);
  }

  @Test
  void schedule_fromEventAtSameTime_firesAfterAlreadyQueuedEqualTimeEvents() {
    sim.schedule(
        5,
        () -> {
          log.add("first");
          sim.schedule(0, () -> log.add("scheduled by first"));
        });
    sim.schedule(5, () -> log.add("second"));
    sim.schedule(5, () -> log.add("third"));

    sim.runUntil(5);

    assertThat(log).containsExactly("first", "second", "third", "scheduled by first");
  }

  @Test
  void cancel_beforeFire_neverFiresAndPendingCountDrops() {
    long handle = sim.schedule(10, record("cancelled"));
    sim.schedule(20, record("kept"));

    assertThat(sim.cancel(handle)).isTrue();

    assertThat(sim.pendingEvents()).isEqualTo(1);
    assertThat(sim.runUntilIdle()).isEqualTo(1);
    assertThat(log).containsExactly("kept@20");
  }

  @Test
  void cancel_afterFire_returnsFalse() {
    long handle = sim.schedule(10, record("a"));
    sim.runUntilIdle();

    assertThat(sim.cancel(handle)).isFalse();
    assertThat(log).containsExactly("a@10");
  }

  @Test
  void cancel_twice_returnsFalseTheSecondTime() {
    long handle = sim.schedule(10, record("a"));

    assertThat(sim.cancel(handle)).isTrue();
    assertThat(sim.cancel(handle)).isFalse();
    assertThat(sim.pendingEvents()).isZero();
  }

  @Test
  void cancel_unknownHandle_returnsFalse() {
    sim.schedule(10, record("a"));

    assertThat(sim.cancel(-1)).isFalse();
    assertThat(sim.cancel(1L << 40)).isFalse();
    assertThat(sim.cancel(12345)).isFalse();
    assertThat(sim.pendingEvents()).isEqualTo(1);
  }

  @Test
  void cancel_staleHandleAfterSlotReuse_doesNotCancelNewEvent() {
    long first = sim.schedule(10, record("first"));
    sim.runUntilIdle();
    long second = sim.schedule(10, record("second"));

    assertThat(second).isNotEqualTo(first);
    assertThat(sim.cancel(first)).isFalse();
    sim.runUntilIdle();
    assertThat(log).containsExactly("first@10", "second@20");
  }

  @Test
  void cancel_ownHandleWhileFiring_returnsFalse() {
    AtomicReference<Boolean> result = new AtomicReference<>();
    long[] handle = new long[1];
    handle[0] = sim.schedule(10, () -> result.set(sim.cancel(handle[0])));

    sim.runUntilIdle();

    assertThat(result.get()).isFalse();
  }

  @Test
  void cancel_laterEventFromEvent_preventsIt() {
    long victim = sim.schedule(20, record("victim"));
    sim.schedule(10, () -> sim.cancel(victim));

    sim.runUntilIdle();

    assertThat(log).isEmpty();
    assertThat(sim.firedEvents()).isEqualTo(1);
  }

  @Test
  void cancel_mostOfManyEvents_remainingFireInOrder() {
    List<Long> handles = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      handles.add(sim.scheduleAt(1_000 - i, record("e" + i)));
    }
    for (int i = 0; i < 1_000; i++) {
      if (i % 10 != 0) {
        assertThat(sim.cancel(handles.get(i))).isTrue();
      }
    }

    assertThat(sim.pendingEvents()).isEqualTo(100);
    sim.runUntilIdle();

    List<String> expected = new ArrayList<>();
    for (int i = 990; i >= 0; i -= 10) {
      expected.add("e" + i + "@" + (1_000 - i));
    }
    assertThat(log).isEqualTo(expected);
  }

  @Test
  void runUntil_bound_firesExactlyEventsUpToBoundAndSetsClock() {
    sim.schedule(10, record("a"));
    sim.schedule(20, record("b"));
    sim.schedule(21, record("c"));
    sim.schedule(15, () -> sim.schedule(5, record("chained")));

    sim.runUntil(20);

    assertThat(log).containsExactly("a@10", "b@20", "chained@20");
    assertThat(sim.now()).isEqualTo(20);
    assertThat(sim.pendingEvents()).isEqualTo(1);
  }

  @Test
  void runUntil_noEventsBeforeBound_advancesClockOnly() {
    sim.schedule(100, record("later"));

    sim.runUntil(50);

    assertThat(sim.now()).isEqualTo(50);
    assertThat(log).isEmpty();
    sim.schedule(10, record("relative"));
    sim.runUntilIdle();
    assertThat(log).containsExactly("relative@60", "later@100");
  }

  @Test
  void runUntil_timeInThePast_throwsIllegalArgument() {
    sim.runUntil(100);

    assertThatThrownBy(() -> sim.runUntil(99))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("99")
        .hasMessageContaining("100");
  }

  @Test
  void schedule_negativeDelay_throwsIllegalArgument() {
    assertThatThrownBy(() -> sim.schedule(-5, record("x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("delay must be >= 0: -5");
    assertThat(sim.pendingEvents()).isZero();
  }

  @Test
  void schedule_delayOverflowingClock_throwsIllegalArgument() {
    sim.runUntil(10);

    assertThatThrownBy(() -> sim.schedule(Long.MAX_VALUE, record("x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(String.valueOf(Long.MAX_VALUE));
  }

  @Test
  void scheduleAt_timeBeforeNow_throwsIllegalArgument() {
    sim.runUntil(100);

    assertThatThrownBy(() -> sim.scheduleAt(99, record("x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("time must be >= now (100): 99");
  }

  @Test
  void step_fromInsideEvent_throwsIllegalState() {
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    sim.schedule(
        1,
        () -> {
          try {
            sim.step();
          } catch (IllegalStateException e) {
            thrown.set(e);
          }
        });
    sim.schedule(2, record("next"));

    sim.runUntil(1);

    assertThat(thrown.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("step");
    assertThat(log).isEmpty();
  }

  @Test
  void runUntil_fromInsideEvent_throwsIllegalState() {
    sim.schedule(1, () -> sim.runUntil(10));

    assertThatThrownBy(sim::runUntilIdle)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("runUntil()");
  }

  @Test
  void step_afterEventThrew_simulationStillUsable() {
    sim.schedule(
        1,
        () -> {
          throw new IllegalStateException("boom");
        });
    sim.schedule(2, record("after"));

    assertThatThrownBy(sim::step).hasMessage("boom");

    assertThat(sim.step()).isTrue();
    assertThat(log).containsExactly("after@2");
  }

  @Test
  void runUntilIdle_selfReschedulingEvent_throwsIllegalStateNamingLimit() {
    Event[] forever = new Event[1];
    forever[0] = () -> sim.schedule(1, forever[0]);
    sim.schedule(0, forever[0]);

    assertThatThrownBy(() -> sim.runUntilIdle(1_000))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("1000");
    assertThat(sim.firedEvents()).isEqualTo(1_000);
  }

  @Test
  void runUntilIdle_exactlyLimitEvents_returnsCount() {
    for (int i = 0; i < 3; i++) {
      sim.schedule(i, record("e" + i));
    }

    assertThat(sim.runUntilIdle(3)).isEqualTo(3);
    assertThat(sim.pendingEvents()).isZero();
  }

  @Test
  void runUntilIdle_negativeLimit_throwsIllegalArgument() {
    assertThatThrownBy(() -> sim.runUntilIdle(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxEvents must be >= 0: -1");
  }

  @Test
  void run_sameSeedTwice_producesSameSequence() {
    assertThat(randomRunDigest(42)).isEqualTo(randomRunDigest(42));
  }

  @Test
  void run_differentSeeds_produceDifferentSequences() {
    assertThat(randomRunDigest(42)).isNotEqualTo(randomRunDigest(43));
  }

  /** Runs chains of events whose delays come from a seeded stream; digests (time, label). */
  private static HashCode randomRunDigest(long seed) {
    Simulation run = Simulation.create(seed);
    RandomGenerator x = run.random().stream("x");
    Hasher hasher = Hashing.sha256().newHasher();
    for (int chain = 0; chain < 5; chain++) {
      String label = "chain-" + chain;
      Event[] event = new Event[1];
      event[0] =
          () -> {
            hasher.putString(SimTime.format(run.now()) + " " + label + "\n", UTF_8);
            run.schedule(x.nextLong(1_000), event[0]);
          };
      run.schedule(x.nextLong(1_000), event[0]);
    }
    run.runUntil(SimTime.parse("1ms"));
    assertThat(run.firedEvents()).isGreaterThan(1_000);
    return hasher.hash();
  }
}
