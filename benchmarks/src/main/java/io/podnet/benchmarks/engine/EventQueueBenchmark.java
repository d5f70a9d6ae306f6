package io.podnet.benchmarks.engine;

import io.podnet.core.engine.Event;
import io.podnet.core.engine.Simulation;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The classic hold model: with {@code pending} events queued, each operation removes the earliest
 * event and schedules one at a random later time, so the queue size stays constant. {@code
 * simulation} runs it through the public {@link Simulation} API; {@code priorityQueueBaseline}
 * through a minimal engine on {@link PriorityQueue}, with the same delays drawn from the same
 * precomputed table.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EventQueueBenchmark {

  private static final int DELAY_COUNT = 1 << 16;
  private static final double MEAN_DELAY_NANOS = 1_000_000;

  /** What every state shares: the queue size and the precomputed exponential delays. */
  @State(Scope.Thread)
  public abstract static class HoldState {

    @Param({"1000", "10000", "100000", "1000000"})
    int pending;

    final long[] delays = new long[DELAY_COUNT];
    int nextDelay;

    final long nextDelay() {
      long delay = delays[nextDelay];
      nextDelay = (nextDelay + 1) & (DELAY_COUNT - 1);
      return delay;
    }

    final void fillDelays() {
      SplittableRandom random = new SplittableRandom(42);
      for (int i = 0; i < DELAY_COUNT; i++) {
        delays[i] = (long) (-MEAN_DELAY_NANOS * Math.log(1.0 - random.nextDouble()));
      }
    }
  }

  /** A {@link Simulation} holding {@code pending} events of one self-rescheduling callback. */
  public static class SimulationState extends HoldState {

    Simulation simulation = Simulation.create(1);

    @Setup(Level.Trial)
    public void setUp() {
      fillDelays();
      simulation = Simulation.create(1);
      Event reschedule =
          new Event() {
            @Override
            public void fire() {
              simulation.schedule(nextDelay(), this);
            }
          };
      for (int i = 0; i < pending; i++) {
        simulation.schedule(nextDelay(), reschedule);
      }
    }
  }

  /** The baseline engine: a {@link PriorityQueue} of small (time, seq, event) records. */
  public static class BaselineState extends HoldState {

    final BaselineEngine engine = new BaselineEngine();

    @Setup(Level.Trial)
    public void setUp() {
      fillDelays();
      Event reschedule =
          new Event() {
            @Override
            public void fire() {
              engine.schedule(nextDelay(), this);
            }
          };
      for (int i = 0; i < pending; i++) {
        engine.schedule(nextDelay(), reschedule);
      }
    }
  }

  /** A straightforward engine on {@link PriorityQueue}, as one would write it first. */
  static final class BaselineEngine {
    private final PriorityQueue<Scheduled> queue = new PriorityQueue<>();
    private long now;
    private long nextSeq;

    void schedule(long delay, Event event) {
      queue.add(new Scheduled(now + delay, nextSeq++, event));
    }

    boolean step() {
      Scheduled next = queue.poll();
      if (next == null) {
        return false;
      }
      now = next.time();
      next.event().fire();
      return true;
    }
  }

  /** A queued baseline event, ordered by (time, seq). */
  record Scheduled(long time, long seq, Event event) implements Comparable<Scheduled> {
    @Override
    public int compareTo(Scheduled other) {
      int byTime = Long.compare(time, other.time);
      return byTime != 0 ? byTime : Long.compare(seq, other.seq);
    }
  }

  /** One hold operation through {@link Simulation#step()}. */
  @Benchmark
  public boolean simulation(SimulationState state) {
    return state.simulation.step();
  }

  /** One hold operation through the {@link PriorityQueue} baseline engine. */
  @Benchmark
  public boolean priorityQueueBaseline(BaselineState state) {
    return state.engine.step();
  }
}
