package io.podnet.core.trace;

/**
 * One observable step of a run: a packet hop, a state change, a pod phase change. Each record has
 * one canonical text form, a single line without its newline, which is what a run's digest and the
 * text sinks see. Implementations are immutable.
 */
public interface TraceRecord {

  /** Simulated time of the step, in nanoseconds. */
  long time();

  /** Appends the canonical one-line text of this record (no trailing newline). */
  void appendCanonical(StringBuilder out);
}
