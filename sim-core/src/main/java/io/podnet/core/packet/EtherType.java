package io.podnet.core.packet;

/** The EtherType values (IEEE 802.3, IANA registry) the simulator puts in Ethernet frames. */
public final class EtherType {

  /** Internet Protocol version 4. */
  public static final int IPV4 = 0x0800;

  /** Address Resolution Protocol (RFC 826). */
  public static final int ARP = 0x0806;

  /** Internet Protocol version 6. */
  public static final int IPV6 = 0x86DD;

  private EtherType() {}
}
