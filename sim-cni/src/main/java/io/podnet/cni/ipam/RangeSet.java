package io.podnet.cni.ipam;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A host-local range set: ranges that together yield one address per ADD. The ranges never overlap
 * (checked when the configuration is loaded).
 *
 * @param ranges the ranges, in configuration order (the allocator walks them in this order)
 */
record RangeSet(List<Range> ranges) {

  /** Copies the list. */
  RangeSet {
    ranges = List.copyOf(ranges);
  }

  /** Whether any range of the set contains {@code ip}. */
  boolean contains(int ip) {
    return rangeFor(ip).isPresent();
  }

  /** The range that contains {@code ip}, if any. */
  Optional<Range> rangeFor(int ip) {
    return ranges.stream().filter(r -> r.contains(ip)).findFirst();
  }

  /** Whether any range of this set overlaps any range of {@code other}. */
  boolean overlaps(RangeSet other) {
    return ranges.stream().anyMatch(r -> other.ranges.stream().anyMatch(r::overlaps));
  }

  /**
   * The ranges as {@code start-end}, joined by a comma (host-local's {@code RangeSet.String}), for
   * example {@code 10.1.0.1-10.1.0.254,10.2.0.1-10.2.0.254}.
   */
  @Override
  public String toString() {
    return ranges.stream().map(Range::toString).collect(Collectors.joining(","));
  }
}
