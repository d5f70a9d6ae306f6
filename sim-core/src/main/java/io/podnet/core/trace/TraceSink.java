package io.podnet.core.trace;

/**
 * Receives every record of a {@link Trace} together with its canonical line. Sinks are optional: a
 * trace without sinks only keeps its digest, which is the cheap default.
 */
public interface TraceSink {

  /** Called once per record, in trace order; {@code canonicalLine} has no trailing newline. */
  void accept(TraceRecord record, String canonicalLine);
}
