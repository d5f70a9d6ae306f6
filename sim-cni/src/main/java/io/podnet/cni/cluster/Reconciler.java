package io.podnet.cni.cluster;

import io.podnet.core.engine.Simulation;

/**
 * A controller's reconcile loop on the simulated clock: {@link #request} asks for one pass, which
 * runs once the current instant's changes are all in, however many pods changed in it.
 */
final class Reconciler {

  private final Simulation sim;
  private final Runnable pass;
  private boolean pending;

  Reconciler(Simulation sim, Runnable pass) {
    this.sim = sim;
    this.pass = pass;
  }

  /** Schedules a pass at the current instant, unless one is already scheduled. */
  void request() {
    if (pending) {
      return;
    }
    pending = true;
    sim.schedule(
        0,
        () -> {
          pending = false;
          pass.run();
        });
  }
}
