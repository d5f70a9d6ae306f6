package io.podnet.core.net;

/**
 * The five netfilter hook points of the IPv4 path. Packets for this namespace pass PREROUTING then
 * INPUT; forwarded packets pass PREROUTING, FORWARD, POSTROUTING; locally generated ones pass
 * OUTPUT then POSTROUTING.
 */
public enum HookPoint {
  /** Every packet that arrives, before routing. */
  PREROUTING,
  /** Packets delivered to this namespace. */
  INPUT,
  /** Packets routed through this namespace. */
  FORWARD,
  /** Packets generated in this namespace, after the first routing decision. */
  OUTPUT,
  /** Every packet about to leave by a device. */
  POSTROUTING
}
