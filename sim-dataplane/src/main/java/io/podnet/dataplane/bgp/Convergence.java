package io.podnet.dataplane.bgp;

import io.podnet.core.engine.Simulation;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Measures BGP convergence in simulated time: how long after "now" (an event: a cold start, a
 * crash) the speakers' Loc-RIBs stop changing.
 */
public final class Convergence {

  private Convergence() {}

  /**
   * Runs {@code sim} until no speaker's Loc-RIB has changed for {@code quietNanos}, and returns the
   * time from the start of the call to the last change (0 if nothing changed). After a failure the
   * quiet period must be longer than the hold time, or the call returns before the peers notice.
   */
  public static long untilQuiet(Simulation sim, List<BgpSpeaker> speakers, long quietNanos) {
    if (quietNanos <= 0) {
      throw new IllegalArgumentException("quiet period must be > 0 ns: " + quietNanos);
    }
    long start = sim.now();
    long changes = changes(speakers);
    while (true) {
      long last = Math.max(start, lastChange(speakers));
      sim.runUntil(Math.max(sim.now(), last + quietNanos));
      long now = changes(speakers);
      if (now == changes) {
        return last - start;
      }
      changes = now;
    }
  }

  /**
   * Runs {@code sim} in slices of {@code sliceNanos} until every speaker's Loc-RIB holds {@code
   * prefixes} prefixes, and returns the time from the start of the call to the last change then;
   * {@link IllegalStateException} if that has not happened within {@code limitNanos}.
   */
  public static long untilLocRibSize(
      Simulation sim, List<BgpSpeaker> speakers, int prefixes, long sliceNanos, long limitNanos) {
    long start = sim.now();
    inSlices(
        sim,
        sliceNanos,
        limitNanos,
        () ->
            allHave(speakers, prefixes)
                ? null
                : "speakers did not reach " + prefixes + " prefixes within " + limitNanos + " ns");
    return Math.max(0, lastChange(speakers) - start);
  }

  /**
   * Runs {@code sim} in slices of {@code sliceNanos} until every session of every speaker is
   * Established at once, and returns the time from the start of the call to the end of the slice in
   * which that was first seen; {@link IllegalStateException} naming a speaker still short of its
   * sessions if that has not happened within {@code limitNanos}. A session whose first connect was
   * refused or lost comes up only at its next connect retry, so a quiet Loc-RIB alone does not show
   * that every route has arrived.
   */
  public static long untilEstablished(
      Simulation sim, List<BgpSpeaker> speakers, long sliceNanos, long limitNanos) {
    long start = sim.now();
    return inSlices(
        sim,
        sliceNanos,
        limitNanos,
        () -> {
          BgpSpeaker s = firstShort(speakers);
          return s == null
              ? null
              : s
                  + " has "
                  + s.establishedSessions()
                  + " of "
                  + s.sessions()
                  + " sessions Established after "
                  + (sim.now() - start)
                  + " ns";
        });
  }

  /**
   * Runs {@code sim} in slices of {@code sliceNanos} while {@code shortfall} says what is still
   * missing (null once nothing is), and returns the time that took; {@link IllegalStateException}
   * with the shortfall if something is still missing after {@code limitNanos}.
   */
  private static long inSlices(
      Simulation sim, long sliceNanos, long limitNanos, Supplier<@Nullable String> shortfall) {
    if (sliceNanos <= 0) {
      throw new IllegalArgumentException("slice must be > 0 ns: " + sliceNanos);
    }
    long start = sim.now();
    for (String missing = shortfall.get(); missing != null; missing = shortfall.get()) {
      if (sim.now() - start >= limitNanos) {
        throw new IllegalStateException(missing);
      }
      sim.runUntil(sim.now() + sliceNanos);
    }
    return sim.now() - start;
  }

  /** The first speaker with a session not Established, or null. */
  private static @Nullable BgpSpeaker firstShort(List<BgpSpeaker> speakers) {
    for (BgpSpeaker s : speakers) {
      if (s.establishedSessions() < s.sessions()) {
        return s;
      }
    }
    return null;
  }

  private static boolean allHave(List<BgpSpeaker> speakers, int prefixes) {
    for (BgpSpeaker s : speakers) {
      if (s.locRibSize() != prefixes) {
        return false;
      }
    }
    return true;
  }

  private static long changes(List<BgpSpeaker> speakers) {
    long n = 0;
    for (BgpSpeaker s : speakers) {
      n += s.routeChanges();
    }
    return n;
  }

  private static long lastChange(List<BgpSpeaker> speakers) {
    long last = -1;
    for (BgpSpeaker s : speakers) {
      last = Math.max(last, s.lastRouteChange());
    }
    return last;
  }
}
