package io.podnet.core.net;

import io.podnet.core.engine.Simulation;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * A full-duplex wire between two NICs with latency, bandwidth and an MTU. Each direction serialises
 * its frames one after another, so a burst queues behind the frame on the wire; a frame arrives
 * after its serialisation time plus the latency. A cut link carries nothing. The latency can be
 * changed while the simulation runs, and a loss rate drops each frame put on the wire with that
 * probability, drawn from the simulation's random stream {@code "link-loss/A<->B"} (the same drops
 * on every run with the same seed); a lost frame is a {@link DropReason#LINK_LOSS} drop.
 */
public final class Link {

  private final Nic a;
  private final Nic b;
  private final Simulation simulation;
  private LinkSpec spec;
  private double lossRate;
  private @Nullable RandomGenerator loss;
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

  /**
   * Changes the one-way latency of frames put on the wire from now on (frames already on it keep
   * theirs).
   *
   * @throws IllegalArgumentException if {@code nanos} is negative
   */
  public void setLatency(long nanos) {
    spec = spec.withLatency(nanos);
  }

  /** The probability that a frame put on the wire is lost, in [0, 1]. */
  public double lossRate() {
    return lossRate;
  }

  /**
   * Sets the probability that a frame put on the wire is lost (0 for none, the default).
   *
   * @throws IllegalArgumentException if {@code rate} is not in [0, 1]
   */
  public void setLossRate(double rate) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("loss rate must be in [0, 1]: " + rate);
    }
    this.lossRate = rate;
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
    if (lossRate > 0 && lossStream().nextDouble() < lossRate) {
      ns.stack().drop(from, frame, Drop.of(DropReason.LINK_LOSS));
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
    TcpStream sender = frame.sender;
    if (sender != null) {
      frame.sender = null;
      sender.transmitted(done);
    }
    Nic to = fromA ? b : a;
    simulation.scheduleAt(done + spec.latencyNanos(), () -> to.arrive(frame));
  }

  private RandomGenerator lossStream() {
    RandomGenerator r = loss;
    if (r == null) {
      r = simulation.random().stream("link-loss/" + this);
      loss = r;
    }
    return r;
  }

  @Override
  public String toString() {
    return a + " <-> " + b;
  }
}
