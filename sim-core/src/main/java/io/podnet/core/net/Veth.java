package io.podnet.core.net;

import io.podnet.core.addr.MacAddress;
import io.podnet.core.engine.Simulation;
import org.jspecify.annotations.Nullable;

/**
 * One end of a virtual Ethernet pair: what goes in one end comes out of the other, even when the
 * ends live in different namespaces. Created in pairs by {@link NetNamespace#addVethPair(String,
 * String)}; deleting one end deletes both. The crossing is queued like the kernel's backlog, as an
 * event of its own once the frame's processing time has passed ({@link Frame#addProcessingNanos}),
 * and the frames sent into one end come out of the other in that order; a frame still crossing when
 * the pair is deleted is lost.
 */
public final class Veth extends Device {

  private @Nullable Veth peer;

  Veth(String name, MacAddress mac, int mtu) {
    super(name, mac, mtu);
  }

  /** The other end of the pair. */
  public Veth peer() {
    if (peer == null) {
      throw new IllegalStateException("veth " + name() + " has been deleted");
    }
    return peer;
  }

  /** The peer's carrier is this end's admin state: its bridge, if any, hears of the change. */
  @Override
  protected void adminStateChanged() {
    if (peer != null) {
      peer.carrierMayHaveChanged();
    }
  }

  @Override
  public boolean hasCarrier() {
    return peer != null && peer.isUp();
  }

  /** {@code GSO_MAX_SIZE}: veth_setup raises it. */
  @Override
  protected int tsoMaxSize() {
    return GSO_MAX_SIZE;
  }

  @Override
  public String kind() {
    return "veth";
  }

  /** One per possible CPU, as veth asks for when its creator names no number. */
  @Override
  protected int queues() {
    return HOST_CPUS;
  }

  @Override
  protected int txQueueLength() {
    return 0;
  }

  @Override
  protected boolean takesLargeSegments() {
    return true;
  }

  @Override
  protected void transmit(Frame frame) {
    Veth other = peer;
    if (other == null) {
      return;
    }
    Simulation sim = namespace().host().network().simulation();
    sim.scheduleAt(
        lastDeparture(),
        () -> {
          if (other.peer != null) {
            other.receive(frame);
          }
        });
  }

  static void join(Veth a, Veth b) {
    a.peer = b;
    b.peer = a;
  }

  void unjoin() {
    peer = null;
  }
}
