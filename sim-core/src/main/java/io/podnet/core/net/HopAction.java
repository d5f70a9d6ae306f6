package io.podnet.core.net;

/** What happened to a packet at one hop of its walk. */
public enum HopAction {
  /** A socket in this namespace originated the packet. */
  SEND("send"),
  /** A device received the frame. */
  RX("rx"),
  /** A device transmitted the frame. */
  TX("tx"),
  /** A bridge forwarded or flooded the frame; the detail names the FDB entry or the flood. */
  BRIDGE("bridge"),
  /** The IP layer chose a route; the detail is the matched route as {@code ip route} prints it. */
  ROUTE("route"),
  /** Next-hop resolution: an ARP request sent, or a packet queued waiting for a reply. */
  ARP("arp"),
  /** A tunnel device wrapped the frame in outer headers; the detail names the tunnel and peer. */
  ENCAP("encap"),
  /** A tunnel device took the outer headers off; the detail names the tunnel. */
  DECAP("decap"),
  /** The packet reached its destination socket or protocol handler. */
  DELIVER("deliver"),
  /** The kernel answered with an ICMP error; the detail says which. */
  ICMP("icmp"),
  /**
   * A netfilter rule matched; the detail is the table and the rule as {@code iptables-save} prints
   * it ({@code nat -A KUBE-SERVICES ... -j KUBE-SVC-...}).
   */
  RULE("rule"),
  /** Connection tracking rewrote an address or port (NAT); the detail says from what to what. */
  NAT("nat"),
  /** The packet was dropped; the detail is the reason. */
  DROP("drop");

  private final String text;

  HopAction(String text) {
    this.text = text;
  }

  /** The word used in canonical trace lines. */
  public String text() {
    return text;
  }
}
