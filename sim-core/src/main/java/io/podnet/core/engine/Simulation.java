package io.podnet.core.engine;

import io.podnet.core.random.RandomStreams;
import java.util.Objects;

/**
 * One simulated world: a virtual clock in {@code long} nanoseconds, one event queue, and the random
 * streams derived from a master seed.
 *
 * <p>Nothing in a simulation happens by itself. Components {@linkplain #schedule schedule} {@link
 * Event}s, and the run loop ({@link #step()}, {@link #runUntil(long)}, {@link #runUntilIdle()})
 * fires them in a total order: by time, then by the order in which they were scheduled. The clock
 * jumps from one event's time to the next; it never reads the wall clock, and all randomness comes
 * from {@link #random()}. Two simulations created with the same seed and driven by the same calls
 * therefore fire the same events at the same times, which is what makes a run reproducible byte for
 * byte. A simulation is single-threaded; run independent simulations in parallel instead.
 *
 * <pre>{@code
 * Simulation sim = Simulation.create(42);
 * RandomGenerator jitter = sim.random().stream("arp-jitter");
 * long timer = sim.schedule(SimTime.parse("1s"), () -> log.add("timeout at " + sim.now()));
 * sim.schedule(250 * SimTime.MILLISECOND + jitter.nextLong(1_000), () -> sim.cancel(timer));
 * sim.runUntil(SimTime.parse("2s")); // fires the cancelling event; the timeout never fires
 * }</pre>
 *
 * <p>Handles returned by {@code schedule} are unique within a simulation and stay valid for {@link
 * #cancel(long)} forever: cancelling an event that already fired simply returns {@code false}.
 */
public final class Simulation {

  /** The event limit of {@link #runUntilIdle()}, a guard against self-perpetuating events. */
  static final long DEFAULT_MAX_EVENTS = 100_000_000L;

  private final long seed;
  private final RandomStreams random;
  private final EventQueue queue = new EventQueue();
  private long now;
  private long fired;
  private boolean running;

  private Simulation(long seed) {
    this.seed = seed;
    this.random = RandomStreams.of(seed);
  }

  /** Creates a simulation at time zero with no pending events. */
  public static Simulation create(long seed) {
    return new Simulation(seed);
  }

  /** Returns the master seed this simulation was created with. */
  public long seed() {
    return seed;
  }

  /** Returns the named random streams derived from {@link #seed()}. */
  public RandomStreams random() {
    return random;
  }

  /** Returns the current simulated time in nanoseconds. */
  public long now() {
    return now;
  }

  /**
   * Schedules {@code event} to fire {@code delayNanos} after {@link #now()}, after every event
   * already scheduled for that same time.
   *
   * @return a handle for {@link #cancel(long)}
   * @throws IllegalArgumentException if the delay is negative or the time overflows a {@code long}
   */
  public long schedule(long delayNanos, Event event) {
    if (delayNanos < 0) {
      throw new IllegalArgumentException("delay must be >= 0: " + delayNanos);
    }
    if (delayNanos > Long.MAX_VALUE - now) {
      throw new IllegalArgumentException(
          "delay must be <= " + (Long.MAX_VALUE - now) + " at time " + now + ": " + delayNanos);
    }
    return queue.push(now + delayNanos, Objects.requireNonNull(event, "event"));
  }

  /**
   * Schedules {@code event} to fire at absolute time {@code timeNanos}, after every event already
   * scheduled for that same time.
   *
   * @return a handle for {@link #cancel(long)}
   * @throws IllegalArgumentException if the time is before {@link #now()}
   */
  public long scheduleAt(long timeNanos, Event event) {
    if (timeNanos < now) {
      throw new IllegalArgumentException("time must be >= now (" + now + "): " + timeNanos);
    }
    return queue.push(timeNanos, Objects.requireNonNull(event, "event"));
  }

  /**
   * Cancels a pending event so that it never fires.
   *
   * @return true if the event was pending and is now cancelled; false if it already fired (or is
   *     firing), was already cancelled, or the handle is unknown
   */
  public boolean cancel(long handle) {
    return queue.cancel(handle);
  }

  /**
   * Fires the earliest pending event, first advancing the clock to its time.
   *
   * @return false if no event was pending
   * @throws IllegalStateException if called from inside an event
   */
  public boolean step() {
    checkNotRunning("step()");
    if (queue.size() == 0) {
      return false;
    }
    fireNext();
    return true;
  }

  /**
   * Fires, in order, every event scheduled at or before {@code timeNanos}, including events that
   * those events schedule within the bound, then sets the clock to {@code timeNanos}.
   *
   * @throws IllegalArgumentException if {@code timeNanos} is before {@link #now()}
   * @throws IllegalStateException if called from inside an event
   */
  public void runUntil(long timeNanos) {
    checkNotRunning("runUntil()");
    if (timeNanos < now) {
      throw new IllegalArgumentException("time must be >= now (" + now + "): " + timeNanos);
    }
    while (queue.size() != 0 && queue.peekTime() <= timeNanos) {
      fireNext();
    }
    now = timeNanos;
  }

  /**
   * Fires events until none is pending, at most 100 million of them.
   *
   * @return the number of events fired
   * @throws IllegalStateException if called from inside an event, or if events are still pending
   *     after the limit was reached
   */
  public long runUntilIdle() {
    return runUntilIdle(DEFAULT_MAX_EVENTS);
  }

  /**
   * Fires events until none is pending, at most {@code maxEvents} of them; the limit catches events
   * that keep rescheduling themselves.
   *
   * @return the number of events fired
   * @throws IllegalArgumentException if {@code maxEvents} is negative
   * @throws IllegalStateException if called from inside an event, or if events are still pending
   *     after {@code maxEvents} were fired
   */
  public long runUntilIdle(long maxEvents) {
    checkNotRunning("runUntilIdle()");
    if (maxEvents < 0) {
      throw new IllegalArgumentException("maxEvents must be >= 0: " + maxEvents);
    }
    long count = 0;
    while (queue.size() != 0) {
      if (count == maxEvents) {
        throw new IllegalStateException(
            "runUntilIdle exceeded its limit of "
                + maxEvents
                + " events at time "
                + SimTime.format(now)
                + "s with "
                + queue.size()
                + " still pending");
      }
      fireNext();
      count++;
    }
    return count;
  }

  /** Returns the number of events scheduled and neither fired nor cancelled. */
  public int pendingEvents() {
    return queue.size();
  }

  /** Returns the number of events fired since the simulation was created. */
  public long firedEvents() {
    return fired;
  }

  private void fireNext() {
    now = queue.peekTime();
    Event event = queue.poll();
    fired++;
    running = true;
    try {
      event.fire();
    } finally {
      running = false;
    }
  }

  private void checkNotRunning(String method) {
    if (running) {
      throw new IllegalStateException(method + " must not be called from inside an event");
    }
  }

  @Override
  public String toString() {
    return "Simulation{seed="
        + seed
        + ", now="
        + SimTime.format(now)
        + "s, pending="
        + queue.size()
        + ", fired="
        + fired
        + "}";
  }
}
