package io.podnet.core.net;

/**
 * Why the kernel model dropped a packet. Drops are data in the trace and in probe results, never
 * exceptions; the text is stable because it reaches digests.
 */
public enum DropReason {
  /** The device is administratively down. */
  DEVICE_DOWN("device down"),
  /** The device has no carrier: no link, a cut link, or a veth whose peer is down. */
  NO_CARRIER("no carrier"),
  /** The frame is longer than the link's MTU allows. */
  LINK_MTU("frame exceeds link MTU"),
  /** The link lost the frame (its loss rate, see {@link Link#setLossRate}). */
  LINK_LOSS("lost on the link"),
  /** The destination MAC is neither ours, broadcast nor multicast. */
  OTHER_HOST("destination MAC not ours"),
  /** Neither IPv4 nor ARP. */
  UNSUPPORTED_ETHERTYPE("unsupported ethertype"),
  /** The frame could not be parsed. */
  MALFORMED("malformed packet"),
  /** The IPv4 header checksum is wrong. */
  BAD_CHECKSUM("bad IPv4 header checksum"),
  /** The packet is not for this namespace and {@code ip_forward} is 0. */
  FORWARDING_DISABLED("ip_forward disabled"),
  /** No route matched the destination. */
  NO_ROUTE("no route to host"),
  /** A blackhole route matched. */
  BLACKHOLE("blackhole route"),
  /** An unreachable or prohibit route matched. */
  UNREACHABLE_ROUTE("unreachable route"),
  /** The TTL reached zero while forwarding. */
  TTL_EXCEEDED("TTL exceeded"),
  /** The packet is larger than the path MTU and has DF set. */
  FRAG_NEEDED("fragmentation needed and DF set"),
  /** ARP resolution of the next hop failed. */
  NEIGHBOUR_FAILED("neighbour resolution failed"),
  /** Too many packets wait for the same unresolved next hop. */
  NEIGHBOUR_QUEUE_FULL("neighbour queue full"),
  /** A bridge does not send a frame back out of the port it came in on (hairpin off). */
  BRIDGE_INGRESS_PORT("destination is the ingress port"),
  /** The frame crossed too many devices without being routed: a layer-2 loop. */
  L2_LOOP("layer-2 hop limit reached"),
  /** No socket listens on the destination port. */
  PORT_UNREACHABLE("port unreachable"),
  /** The transport protocol is not handled locally. */
  PROTOCOL_UNREACHABLE("protocol unreachable"),
  /** A netfilter rule or another hook dropped the packet. */
  FILTERED("filtered"),
  /** A tunnel device has no destination for the frame (no matching FDB entry, no default). */
  NO_TUNNEL_DESTINATION("no tunnel destination"),
  /** An encapsulated packet carries a tunnel id (a VNI) that no device here serves. */
  UNKNOWN_TUNNEL_ID("unknown tunnel id"),
  /** Not every fragment of a datagram arrived in time. */
  REASSEMBLY_TIMEOUT("fragment reassembly timeout"),
  /** A tc program redirected the frame to a device outside the namespace. */
  REDIRECT_FAILED("redirect target unavailable");

  private final String text;

  DropReason(String text) {
    this.text = text;
  }

  /** The stable text used in traces and results. */
  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }
}
