package io.podnet.core.net;

import io.podnet.core.engine.Simulation;

/**
 * A full-duplex wire between two NICs with latency, bandwidth and an MTU. Each direction serialises
 * its frames one after another, so a burst queues behind the frame on the wire; a frame arrives
 * after its serialisation time plus the latency. A cut link carries nothing.
 */
public final class Link {

  private final Nic a;
  private final Nic b;
  private final LinkSpec spec;
  private final Simulation simulation;
  private boolean up = true;
  private long busyUntilFromA;
  private long busyUntilFromB;

  Link(Nic a, Nic b, LinkSpec spec, Simulation simulation) {
    this.a = a;
    this.b = b;
    this.spec = spec;
    this.simulation = simulation;
  }

  /** One end. */
  public Nic a() {
    return a;
  }

  /** The other end. */
  public Nic b() {
    return b;
  }

  /** Latency, bandwidth and MTU. */
  public LinkSpec spec() {
    return spec;
  }

  /** Whether the link carries frames. */
  public boolean isUp() {
    return up;
  }

  /** Cuts the link (nothing passes; both NICs lose carrier) or restores it. */
  public void setUp(boolean isUp) {
    this.up = isUp;
  }

  void carry(Nic from, Frame frame) {
    NetNamespace ns = from.namespace();
    if (!up) {
      ns.stack().drop(from, frame, Drop.of(DropReason.NO_CARRIER));
      return;
    }
    if (frame.l3Length() > spec.mtu()) {
      ns.stack()
          .drop(from, frame, Drop.of(DropReason.LINK_MTU, frame.l3Length() + " > " + spec.mtu()));
      return;
    }
    long now = simulation.now();
    boolean fromA = from == a;
    long start = Math.max(now, fromA ? busyUntilFromA : busyUntilFromB);
    long done = start + spec.serializationNanos(frame.length());
    if (fromA) {
      busyUntilFromA = done;
    } else {
      busyUntilFromB = done;
    }
    Nic to = fromA ? b : a;
    simulation.scheduleAt(done + spec.latencyNanos(), () -> to.arrive(frame));
  }

  @Override
  public String toString() {
    return a + " <-> " + b;
  }
}
