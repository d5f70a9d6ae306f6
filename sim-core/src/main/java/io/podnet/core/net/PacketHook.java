package io.podnet.core.net;

import org.jspecify.annotations.Nullable;

/**
 * A handler registered on a {@link HookPoint} of a namespace, the way netfilter modules register
 * with the kernel. It may rewrite the packet in place (NAT) and says whether it continues.
 */
@FunctionalInterface
public interface PacketHook {

  /**
   * Inspects or rewrites a packet.
   *
   * @param point where the packet is
   * @param frame the frame; its IPv4 header is at {@link Frame#l3Offset()}
   * @param in the device it came in by, or null for locally generated packets
   * @param out the device it will leave by, or null before routing
   * @return null to let the packet continue, or the drop to apply
   */
  @Nullable Drop process(HookPoint point, Frame frame, @Nullable Device in, @Nullable Device out);
}
