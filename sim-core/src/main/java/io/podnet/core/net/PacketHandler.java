package io.podnet.core.net;

/**
 * Receives packets addressed to this namespace that a kernel module consumes instead of a socket:
 * the UDP port of a VXLAN or Geneve device, or IP protocol 4 for an IPIP tunnel. The frame's IPv4
 * header is at {@link Frame#l3Offset()}; {@code payloadOffset} and {@code payloadLength} delimit
 * what follows the UDP header (for a UDP port) or the IPv4 header (for a protocol).
 */
@FunctionalInterface
public interface PacketHandler {

  /** Handles one packet that arrived by {@code in}. */
  void receive(Device in, Frame frame, int payloadOffset, int payloadLength);
}
