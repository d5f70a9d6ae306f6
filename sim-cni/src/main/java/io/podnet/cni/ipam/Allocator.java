package io.podnet.cni.ipam;

import io.podnet.cni.spec.CniResult;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import java.util.List;
import java.util.Optional;

/**
 * host-local's allocator for one range set: a requested address if there is one, otherwise a
 * round-robin walk that starts just after the set's last reserved address (or at the first range's
 * start), steps forward, skips each range's gateway, moves to the next range after a range's end,
 * wraps around, and gives up after one full cycle. So a freed address is not handed out again until
 * the walk comes back to it.
 */
final class Allocator {

  private final RangeSet set;
  private final DiskStore store;
  private final int rangeId;

  Allocator(RangeSet set, DiskStore store, int rangeId) {
    this.set = set;
    this.store = store;
    this.rangeId = rangeId;
  }

  /**
   * Reserves an address for the attachment: {@code requested} if given, otherwise the next free
   * one. Failures are {@link io.podnet.cni.spec.CniException}s with host-local's unwrapped texts.
   */
  CniResult.IpConfig get(String id, String ifName, Optional<Integer> requested) {
    if (requested.isPresent()) {
      int ip = requested.get();
      Range r =
          set.rangeFor(ip)
              .orElseThrow(
                  () -> HostLocalIpam.error(Ipv4Address.format(ip) + " not in range set " + set));
      if (ip == r.gateway()) {
        throw HostLocalIpam.error(
            "requested ip " + Ipv4Address.format(ip) + " is subnet's gateway");
      }
      if (!store.reserve(id, ifName, ip, rangeId)) {
        throw HostLocalIpam.error(
            "requested IP address "
                + Ipv4Address.format(ip)
                + " is not available in range set "
                + set);
      }
      return ipConfig(ip, r);
    }
    // an attachment gets one address per range set: the spec forbids a second ADD
    for (int held : store.getById(id, ifName)) {
      if (set.contains(held)) {
        throw HostLocalIpam.error(
            Ipv4Address.format(held)
                + " has been allocated to "
                + id
                + ", duplicate allocation is not allowed");
      }
    }
    Walk walk = new Walk(set, store.lastReservedIp(rangeId).filter(set::contains));
    while (walk.next()) {
      if (store.reserve(id, ifName, walk.cur, rangeId)) {
        return ipConfig(walk.cur, set.ranges().get(walk.rangeIdx));
      }
    }
    throw HostLocalIpam.error("no IP addresses available in range set: " + set);
  }

  private static CniResult.IpConfig ipConfig(int ip, Range r) {
    return new CniResult.IpConfig(
        IfAddress.of(Ipv4Address.of(ip), r.subnet().prefixLength()),
        Ipv4Address.of(r.gateway()),
        -1);
  }

  /** The round-robin walk over a range set (host-local's {@code RangeIter}). */
  private static final class Walk {
    private final List<Range> ranges;
    private int rangeIdx;
    private int cur;
    private boolean started;
    private int startIp;
    private boolean startKnown;

    Walk(RangeSet set, Optional<Integer> lastReserved) {
      this.ranges = set.ranges();
      if (lastReserved.isPresent()) {
        // resume: the first candidate is the address after the last reserved one
        int last = lastReserved.get();
        for (int i = 0; i < ranges.size(); i++) {
          if (ranges.get(i).contains(last)) {
            rangeIdx = i;
            break;
          }
        }
        cur = last;
        started = true;
      }
    }

    /** Moves to the next candidate; false once the walk is back where it started. */
    boolean next() {
      while (true) {
        Range r = ranges.get(rangeIdx);
        if (!started) {
          started = true;
          cur = r.start();
          startIp = cur;
          startKnown = true;
          if (cur == r.gateway()) {
            continue;
          }
          return true;
        }
        if (cur == r.end()) {
          rangeIdx = (rangeIdx + 1) % ranges.size();
          r = ranges.get(rangeIdx);
          cur = r.start();
        } else {
          cur++;
        }
        if (!startKnown) {
          startIp = cur;
          startKnown = true;
        } else if (cur == startIp) {
          return false;
        }
        if (cur == r.gateway()) {
          continue;
        }
        return true;
      }
    }
  }
}
