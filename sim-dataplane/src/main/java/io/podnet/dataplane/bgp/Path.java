package io.podnet.dataplane.bgp;

import org.jspecify.annotations.Nullable;

/**
 * One candidate route for a prefix: its attributes, the peer it came from (null when originated
 * here), and what best-path selection needs about that peer. Immutable.
 */
final class Path {

  final @Nullable BgpPeer from;
  final PathAttributes attrs;
  final boolean ebgp;
  final int peerRouterId;
  final int peerAddress;
  final int igpCost;

  Path(
      @Nullable BgpPeer from,
      PathAttributes attrs,
      boolean ebgp,
      int peerRouterId,
      int peerAddress,
      int igpCost) {
    this.from = from;
    this.attrs = attrs;
    this.ebgp = ebgp;
    this.peerRouterId = peerRouterId;
    this.peerAddress = peerAddress;
    this.igpCost = igpCost;
  }

  /**
   * The router id best-path selection compares: ORIGINATOR_ID when present (RFC 4456 section 9).
   */
  int effectiveRouterId() {
    return attrs.originatorId != 0 ? attrs.originatorId : peerRouterId;
  }

  /** The AS the route was learned from (the first of the AS_PATH), or 0 for an internal route. */
  int neighbourAs() {
    return attrs.asPath.length == 0 ? 0 : attrs.asPath[0];
  }

  /**
   * Negative when {@code a} is the better route, positive when {@code b} is, in the order of RFC
   * 4271 section 9.1.2.2 with RFC 4456 section 9: a local route first, then highest LOCAL_PREF,
   * shortest AS_PATH, lowest ORIGIN, lowest MED (only between routes from the same neighbour AS),
   * eBGP over iBGP, lowest IGP cost to the next hop, lowest router id (ORIGINATOR_ID if present),
   * shortest CLUSTER_LIST, lowest peer address.
   */
  static int compare(Path a, Path b) {
    if ((a.from == null) != (b.from == null)) {
      return a.from == null ? -1 : 1;
    }
    int c = Long.compare(localPref(b), localPref(a));
    if (c != 0) {
      return c;
    }
    c = Integer.compare(a.attrs.asPath.length, b.attrs.asPath.length);
    if (c != 0) {
      return c;
    }
    c = Integer.compare(a.attrs.origin, b.attrs.origin);
    if (c != 0) {
      return c;
    }
    if (a.neighbourAs() == b.neighbourAs()) {
      c = Long.compare(Math.max(a.attrs.med, 0), Math.max(b.attrs.med, 0));
      if (c != 0) {
        return c;
      }
    }
    if (a.ebgp != b.ebgp) {
      return a.ebgp ? -1 : 1;
    }
    c = Integer.compare(a.igpCost, b.igpCost);
    if (c != 0) {
      return c;
    }
    c = Integer.compareUnsigned(a.effectiveRouterId(), b.effectiveRouterId());
    if (c != 0) {
      return c;
    }
    c = Integer.compare(a.attrs.clusterList.length, b.attrs.clusterList.length);
    if (c != 0) {
      return c;
    }
    return Integer.compareUnsigned(a.peerAddress, b.peerAddress);
  }

  private static long localPref(Path p) {
    return p.attrs.localPref < 0 ? BgpSpeaker.DEFAULT_LOCAL_PREF : p.attrs.localPref;
  }
}
