package io.podnet.core.net;

import io.podnet.core.addr.MacAddress;
import org.jspecify.annotations.Nullable;

/** A physical network interface; a {@link Link} joins it to one other NIC. */
public final class Nic extends Device {

  private @Nullable Link link;

  Nic(String name, MacAddress mac, int mtu) {
    super(name, mac, mtu);
  }

  /** The link this NIC is plugged into, if any. */
  public @Nullable Link link() {
    return link;
  }

  @Override
  public boolean hasCarrier() {
    return link != null && link.isUp();
  }

  @Override
  public String kind() {
    return "ether";
  }

  /** {@code mq}: the kernel's root qdisc for a device with more than one transmit queue. */
  @Override
  protected String qdisc() {
    return "mq";
  }

  /** A virtio queue pair per vCPU, which is what makes its qdisc {@code mq}. */
  @Override
  protected int queues() {
    return HOST_CPUS;
  }

  /** The node's first virtio device. */
  @Override
  protected String parentDetails() {
    return "parentbus virtio parentdev virtio0 ";
  }

  @Override
  protected boolean takesLargeSegments() {
    return true;
  }

  @Override
  protected void transmit(Frame frame) {
    Link l = link;
    if (l != null) {
      l.carry(this, frame);
    }
  }

  void plug(Link l) {
    if (link != null) {
      throw new IllegalStateException("NIC " + this + " is already connected by a link");
    }
    this.link = l;
    carrierMayHaveChanged();
  }

  void unplug() {
    this.link = null;
    carrierMayHaveChanged();
  }

  /** Called by the link when a frame arrives off the wire. */
  void arrive(Frame frame) {
    receive(frame);
  }
}
