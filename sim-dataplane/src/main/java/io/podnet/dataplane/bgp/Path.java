package io.podnet.dataplane.bgp;

import io.podnet.core.addr.Ipv4Address;
import java.nio.charset.StandardCharsets;
import java.util.function.IntUnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * One candidate route for a prefix, an immutable value: its attributes, whether it is originated
 * here, and what best-path selection needs about the peer it came from (its address, router id,
 * whether it is external). Being a value, equal paths that many speakers learn from the same
 * reflector are held once ({@link Canonical}); the IGP cost to the next hop is the speaker's, asked
 * by {@link #compare} when two paths get that far with different next hops.
 */
final class Path {

  final PathAttributes attrs;
  final boolean local;
  final boolean ebgp;
  final int peerRouterId;
  final int peerAddress;

  /** {@link #traceText} and {@link #traceBytes}, once made. */
  private @Nullable String traceText;

  private byte @Nullable [] traceBytes;

  /** {@link #nextHopAddress}, once found. */
  private @Nullable Ipv4Address nextHopAddress;

  private Path(
      PathAttributes attrs, boolean local, boolean ebgp, int peerRouterId, int peerAddress) {
    this.attrs = attrs;
    this.local = local;
    this.ebgp = ebgp;
    this.peerRouterId = peerRouterId;
    this.peerAddress = peerAddress;
  }

  /** A route originated by the speaker with router id {@code routerId}. */
  static Path local(PathAttributes attrs, int routerId) {
    return new Path(attrs, true, false, routerId, 0);
  }

  /** A route learned from the peer at {@code peerAddress}. */
  static Path learned(PathAttributes attrs, boolean ebgp, int peerRouterId, int peerAddress) {
    return new Path(attrs, false, ebgp, peerRouterId, peerAddress);
  }

  /**
   * What a speaker's trace says of the path after the prefix it is best for: {@code via <next hop>
   * from <peer address or local>}, with a leading space. Made once: a reflector's path is the best
   * of thousands of clients.
   */
  String traceText() {
    String t = traceText;
    if (t == null) {
      StringBuilder out = new StringBuilder(40).append(" via ");
      Ipv4Address.appendTo(out, attrs.nextHop);
      out.append(" from ");
      if (local) {
        out.append("local");
      } else {
        Ipv4Address.appendTo(out, peerAddress);
      }
      t = out.toString();
      traceText = t;
    }
    return t;
  }

  /** {@link #traceText()} in ASCII, made once. */
  byte[] traceBytes() {
    byte[] b = traceBytes;
    if (b == null) {
      b = traceText().getBytes(StandardCharsets.US_ASCII);
      traceBytes = b;
    }
    return b;
  }

  /**
   * The next hop as the network's one instance of that address ({@link Canonical#address}), found
   * once: every client installs a route through the next hop of the same path.
   */
  Ipv4Address nextHopAddress(Canonical values) {
    Ipv4Address a = nextHopAddress;
    if (a == null) {
      a = values.address(attrs.nextHop);
      nextHopAddress = a;
    }
    return a;
  }

  /** Whether this path came from {@code peer}, or is originated here when {@code peer} is null. */
  boolean isFrom(@Nullable BgpPeer peer) {
    return peer == null ? local : !local && peerAddress == peer.address;
  }

  /** Whether the path is originated here or learned over eBGP: what iBGP peers may be told. */
  boolean isLocalOrExternal() {
    return local || ebgp;
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
   * eBGP over iBGP, lowest IGP cost to the next hop ({@code igpCost} of each next hop, asked only
   * when they differ), lowest router id (ORIGINATOR_ID if present), shortest CLUSTER_LIST, lowest
   * peer address.
   */
  static int compare(Path a, Path b, IntUnaryOperator igpCost) {
    if (a.local != b.local) {
      return a.local ? -1 : 1;
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
    if (a.attrs.nextHop != b.attrs.nextHop) {
      c = Integer.compare(igpCost.applyAsInt(a.attrs.nextHop), igpCost.applyAsInt(b.attrs.nextHop));
      if (c != 0) {
        return c;
      }
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

  /** Whether the path has these values: what {@link #equals} compares. */
  boolean is(PathAttributes attrs, boolean local, boolean ebgp, int peerRouterId, int peerAddress) {
    return this.local == local
        && this.ebgp == ebgp
        && this.peerRouterId == peerRouterId
        && this.peerAddress == peerAddress
        && this.attrs.equals(attrs);
  }

  /** The {@link #hashCode} of a path with these values. */
  static int hash(
      PathAttributes attrs, boolean local, boolean ebgp, int peerRouterId, int peerAddress) {
    int h = attrs.hashCode();
    h = h * 31 + peerAddress;
    h = h * 31 + peerRouterId;
    return h * 4 + (local ? 2 : 0) + (ebgp ? 1 : 0);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Path p && p.is(attrs, local, ebgp, peerRouterId, peerAddress);
  }

  @Override
  public int hashCode() {
    return hash(attrs, local, ebgp, peerRouterId, peerAddress);
  }
}
