package io.podnet.core.net;

import io.podnet.core.engine.Event;
import io.podnet.core.engine.Simulation;
import io.podnet.core.packet.EthernetHeader;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * A full-duplex wire between two NICs with latency, bandwidth and an MTU. Each direction serialises
 * its frames one after another, each once its processing time has passed ({@link
 * Frame#addProcessingNanos}), so a burst queues behind the frame on the wire; a frame arrives after
 * its serialisation time plus the latency, and the frames of one direction arrive in the order they
 * were sent. A cut link carries nothing. The latency can be changed while the simulation runs, and
 * a loss rate drops each frame put on the wire with that probability, drawn from the simulation's
 * random stream {@code "link-loss/A<->B"} (the same drops on every run with the same seed); a lost
 * frame is a {@link DropReason#LINK_LOSS} drop. A TCP segment larger than the MSS ({@link
 * Frame#gsoSize}) crosses as its segments would: it fits when each of them fits the MTU, its
 * serialisation counts each one's headers, and on a lossy link each is lost or not on its own.
 *
 * <p>Each direction keeps its frames in flight in a queue with a single pending event, for the
 * frame at its head: a switch flooding an ARP request to thousands of ports puts thousands of
 * frames on the wires at once, and a cluster's worth of such floods would otherwise be millions of
 * events. A frame that several wires carry (a flood) is copied for its receiver on arrival.
 */
public final class Link {

  private final Nic a;
  private final Nic b;
  private final Simulation simulation;
  private LinkSpec spec;
  private double lossRate;
  private @Nullable RandomGenerator loss;
  private boolean up = true;
  private final Direction fromA;
  private final Direction fromB;

  Link(Nic a, Nic b, LinkSpec spec, Simulation simulation) {
    this.a = a;
    this.b = b;
    this.spec = spec;
    this.simulation = simulation;
    this.fromA = new Direction(b);
    this.fromB = new Direction(a);
  }

  /** One direction of the wire: its frames in flight, in order, each with its arrival time. */
  private final class Direction implements Event {
    private static final int KEPT_CAPACITY = 16;

    final Nic to;
    long busyUntil;
    private Frame[] frames = new Frame[0];
    private long[] arrivals = new long[0];
    private int head;
    private int size;

    Direction(Nic to) {
      this.to = to;
    }

    void put(Frame frame, long arrival) {
      if (size == frames.length) {
        grow();
      }
      int tail = (head + size) & (frames.length - 1);
      frames[tail] = frame;
      arrivals[tail] = arrival;
      if (size++ == 0) {
        simulation.scheduleAt(arrival, this);
      }
    }

    /** Doubles the ring (a power of two), its frames moved to the front in order. */
    private void grow() {
      int capacity = Math.max(4, 2 * frames.length);
      Frame[] f = new Frame[capacity];
      long[] t = new long[capacity];
      int first = Math.min(size, frames.length - head);
      System.arraycopy(frames, head, f, 0, first);
      System.arraycopy(frames, 0, f, first, size - first);
      System.arraycopy(arrivals, head, t, 0, first);
      System.arraycopy(arrivals, 0, t, first, size - first);
      frames = f;
      arrivals = t;
      head = 0;
    }

    /** The head frame arrives; the next one's arrival is scheduled. */
    @Override
    public void fire() {
      Frame frame = frames[head];
      frames[head] = null;
      head = (head + 1) & (frames.length - 1);
      if (--size > 0) {
        // A latency lowered since keeps the order: the next frame arrives now at the earliest.
        simulation.scheduleAt(Math.max(simulation.now(), arrivals[head]), this);
      } else if (frames.length > KEPT_CAPACITY) {
        frames = new Frame[0];
        arrivals = new long[0];
        head = 0;
      }
      to.arrive(frame.isShared() ? frame.copy() : frame);
    }
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
    a.carrierMayHaveChanged();
    b.carrierMayHaveChanged();
  }

  /**
   * Puts {@code frame} on the wire from {@code from} once its processing time has passed and the
   * wire is free, and has it arrive a serialization time and the latency later.
   */
  void carry(Nic from, Frame frame) {
    NetNamespace ns = from.namespace();
    if (!up) {
      ns.stack().drop(from, frame, Drop.of(DropReason.NO_CARRIER));
      return;
    }
    int packet = frame.largestWirePacket();
    if (packet > spec.mtu()) {
      ns.stack().drop(from, frame, Drop.of(DropReason.LINK_MTU, packet + " > " + spec.mtu()));
      return;
    }
    Direction d = from == a ? fromA : fromB;
    long ready = Math.max(simulation.now(), frame.notBefore());
    if (lossRate > 0 && frame.gsoSize() != 0) {
      // Each segment on the wire is lost or not on its own; the stream hears when the last one
      // carried has left, whichever that is.
      TcpStream sender = frame.sender;
      frame.sender = null;
      for (Frame segment : frame.wireFrames()) {
        carry(from, segment);
      }
      if (sender != null) {
        sender.transmitted(d.busyUntil);
      }
      return;
    }
    if (lossRate > 0 && lossStream().nextDouble() < lossRate) {
      ns.stack().drop(from, frame, Drop.of(DropReason.LINK_LOSS));
      return;
    }
    long done = Math.max(ready, d.busyUntil) + serializationNanos(frame);
    d.busyUntil = done;
    TcpStream sender = frame.sender;
    if (sender != null) {
      frame.sender = null;
      sender.transmitted(done);
    }
    d.put(frame, done + spec.latencyNanos());
  }

  /** The time to put {@code frame} on the wire: a large segment's takes its segments' times. */
  private long serializationNanos(Frame frame) {
    int n = frame.wirePackets();
    if (n == 1) {
      return spec.serializationNanos(frame.length());
    }
    int full = EthernetHeader.LENGTH + frame.largestWirePacket();
    int last = frame.length() - (n - 1) * frame.gsoSize();
    return (n - 1) * spec.serializationNanos(full) + spec.serializationNanos(last);
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
