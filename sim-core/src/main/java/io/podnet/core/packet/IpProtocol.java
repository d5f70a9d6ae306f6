package io.podnet.core.packet;

/** IP protocol numbers (IANA "Assigned Internet Protocol Numbers") carried in the IPv4 header. */
public final class IpProtocol {

  /** Internet Control Message Protocol (RFC 792). */
  public static final int ICMP = 1;

  /** IP in IP encapsulation (RFC 2003), as used by Calico's IPIP mode. */
  public static final int IPIP = 4;

  /** Transmission Control Protocol (RFC 9293). */
  public static final int TCP = 6;

  /** User Datagram Protocol (RFC 768). */
  public static final int UDP = 17;

  private IpProtocol() {}

  /**
   * Returns the lowercase name of a known protocol ("icmp", "ipip", "tcp", "udp"), else the number.
   */
  public static String name(int protocol) {
    switch (protocol) {
      case ICMP:
        return "icmp";
      case IPIP:
        return "ipip";
      case TCP:
        return "tcp";
      case UDP:
        return "udp";
      default:
        return Integer.toString(protocol);
    }
  }
}
