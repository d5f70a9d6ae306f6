package io.podnet.dataplane.service;

/**
 * The work counters both {@link ServiceLookup} implementations keep: each lookup ends in {@link
 * #done}, which records its work and passes its result through.
 */
abstract sealed class CountingLookup implements ServiceLookup
    permits HashMapServiceLookup, IptablesServiceLookup {

  private int lastWork;
  private long totalWork;

  /** Records {@code work} as the last lookup's work and returns {@code result}. */
  final long done(int work, long result) {
    lastWork = work;
    totalWork += work;
    return result;
  }

  /**
   * Records {@code work} as the last lookup's work without adding it to the total again: for a
   * lookup made of lookups that each counted their own part.
   */
  final long counted(int work, long result) {
    lastWork = work;
    return result;
  }

  @Override
  public final int lastWork() {
    return lastWork;
  }

  @Override
  public final long totalWork() {
    return totalWork;
  }
}
