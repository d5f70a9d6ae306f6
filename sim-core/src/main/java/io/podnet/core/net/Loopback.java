package io.podnet.core.net;

import io.podnet.core.addr.MacAddress;
import io.podnet.core.engine.Simulation;
import java.util.List;

/**
 * The loopback device {@code lo}: every namespace has one, ifindex 1, down until brought up, when
 * it gets {@code 127.0.0.1/8} like the kernel gives it. What it transmits comes back in, in order,
 * once the frame's processing time has passed.
 */
public final class Loopback extends Device {

  /** The loopback MTU Linux uses. */
  public static final int MTU = 65536;

  Loopback() {
    super("lo", MacAddress.ZERO, MTU);
  }

  @Override
  public boolean hasCarrier() {
    return true;
  }

  /** {@code GSO_MAX_SIZE}: gen_lo_setup raises it. */
  @Override
  protected int tsoMaxSize() {
    return GSO_MAX_SIZE;
  }

  @Override
  public String kind() {
    return "loopback";
  }

  @Override
  protected String baseFlags() {
    return "LOOPBACK";
  }

  @Override
  protected String linkType() {
    return "loopback";
  }

  /** None: loopback_setup sets no bounds, so {@code ip -d link} shows {@code minmtu 0}. */
  @Override
  protected int minMtu() {
    return 0;
  }

  /** None: {@code maxmtu 0}. */
  @Override
  protected int maxMtu() {
    return 0;
  }

  @Override
  protected String hardwareAddresses() {
    return MacAddress.ZERO + " brd " + MacAddress.ZERO;
  }

  @Override
  protected List<String> fdbLines() {
    return List.of();
  }

  @Override
  protected boolean usesArp() {
    return false;
  }

  @Override
  protected boolean takesLargeSegments() {
    return true;
  }

  @Override
  protected void transmit(Frame frame) {
    Simulation sim = namespace().host().network().simulation();
    sim.scheduleAt(lastDeparture(), () -> receive(frame));
  }
}
