package io.podnet.dataplane.bgp;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The path attributes of an UPDATE that this model understands (RFC 4271 section 5, RFC 4456
 * section 8): ORIGIN, AS_PATH (one AS_SEQUENCE), NEXT_HOP, MULTI_EXIT_DISC, LOCAL_PREF,
 * ORIGINATOR_ID and CLUSTER_LIST. Immutable; AS numbers, addresses and cluster ids are unsigned
 * 32-bit values held in {@code int}s. Absent optional attributes are -1 (MED, LOCAL_PREF) or 0
 * (ORIGINATOR_ID).
 */
final class PathAttributes {

  static final int ORIGIN_IGP = 0;
  static final int ORIGIN_EGP = 1;
  static final int ORIGIN_INCOMPLETE = 2;

  static final int[] NO_INTS = new int[0];

  final int origin;
  final int[] asPath;
  final int nextHop;
  final long med;
  final long localPref;
  final int originatorId;
  final int[] clusterList;
  private final int hash;

  PathAttributes(
      int origin,
      int[] asPath,
      int nextHop,
      long med,
      long localPref,
      int originatorId,
      int[] clusterList) {
    if (origin < 0 || origin > 2) {
      throw new IllegalArgumentException("ORIGIN must be in [0, 2]: " + origin);
    }
    this.origin = origin;
    this.asPath = asPath;
    this.nextHop = nextHop;
    this.med = med;
    this.localPref = localPref;
    this.originatorId = originatorId;
    this.clusterList = clusterList;
    int h = origin * 31 + Arrays.hashCode(asPath);
    h = h * 31 + nextHop;
    h = h * 31 + Long.hashCode(med);
    h = h * 31 + Long.hashCode(localPref);
    h = h * 31 + originatorId;
    this.hash = h * 31 + Arrays.hashCode(clusterList);
  }

  /** Attributes of a locally originated route: IGP, empty AS path, no MED. */
  static PathAttributes local(int nextHop, long localPref) {
    return new PathAttributes(ORIGIN_IGP, NO_INTS, nextHop, -1, localPref, 0, NO_INTS);
  }

  PathAttributes withNextHop(int hop) {
    return new PathAttributes(origin, asPath, hop, med, localPref, originatorId, clusterList);
  }

  PathAttributes withLocalPref(long pref) {
    return new PathAttributes(origin, asPath, nextHop, med, pref, originatorId, clusterList);
  }

  /** For an eBGP peer: own AS prepended, next hop self, no LOCAL_PREF or reflection attributes. */
  PathAttributes forExternal(int ownAs, int self, boolean keepMed) {
    int[] path = new int[asPath.length + 1];
    path[0] = ownAs;
    System.arraycopy(asPath, 0, path, 1, asPath.length);
    return new PathAttributes(origin, path, self, keepMed ? med : -1, -1, 0, NO_INTS);
  }

  /** Reflected by a route reflector (RFC 4456 section 8): ORIGINATOR_ID set, cluster prepended. */
  PathAttributes reflected(int originator, int clusterId) {
    int[] clusters = new int[clusterList.length + 1];
    clusters[0] = clusterId;
    System.arraycopy(clusterList, 0, clusters, 1, clusterList.length);
    return new PathAttributes(
        origin,
        asPath,
        nextHop,
        med,
        localPref,
        originatorId != 0 ? originatorId : originator,
        clusters);
  }

  boolean asPathContains(int as) {
    for (int a : asPath) {
      if (a == as) {
        return true;
      }
    }
    return false;
  }

  boolean clusterListContains(int id) {
    for (int c : clusterList) {
      if (c == id) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o == this
        || o instanceof PathAttributes p
            && p.hash == hash
            && p.origin == origin
            && Arrays.equals(p.asPath, asPath)
            && p.nextHop == nextHop
            && p.med == med
            && p.localPref == localPref
            && p.originatorId == originatorId
            && Arrays.equals(p.clusterList, clusterList);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append("origin ").append(new String[] {"IGP", "EGP", "INCOMPLETE"}[origin]);
    sb.append(" as-path [");
    for (int i = 0; i < asPath.length; i++) {
      sb.append(i == 0 ? "" : " ").append(Integer.toUnsignedString(asPath[i]));
    }
    sb.append("] next-hop ").append(Prefixes.address(nextHop));
    if (med >= 0) {
      sb.append(" med ").append(med);
    }
    if (localPref >= 0) {
      sb.append(" local-pref ").append(localPref);
    }
    if (originatorId != 0) {
      sb.append(" originator ").append(Prefixes.address(originatorId));
    }
    if (clusterList.length > 0) {
      sb.append(" cluster-list [");
      for (int i = 0; i < clusterList.length; i++) {
        sb.append(i == 0 ? "" : " ").append(Prefixes.address(clusterList[i]));
      }
      sb.append(']');
    }
    return sb.toString();
  }
}
