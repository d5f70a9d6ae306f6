package io.podnet.core.engine;

/**
 * A callback scheduled on a {@link Simulation} to run at a point of simulated time. An event may
 * schedule or cancel other events, but must not drive the simulation ({@link Simulation#step()},
 * {@link Simulation#runUntil(long)}) from inside {@link #fire()}.
 */
@FunctionalInterface
public interface Event {

  /** Runs this event; the simulation clock already reads the time it was scheduled for. */
  void fire();
}
