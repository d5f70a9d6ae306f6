package io.podnet.core.trace;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Writes each record's canonical line, followed by a newline, to an {@link Appendable}. */
public final class TextTraceSink implements TraceSink {

  private final Appendable out;

  private TextTraceSink(Appendable out) {
    this.out = out;
  }

  /** A sink writing to {@code out}; the caller owns and closes it. */
  public static TextTraceSink to(Appendable out) {
    return new TextTraceSink(out);
  }

  @Override
  public void accept(TraceRecord record, String canonicalLine) {
    try {
      out.append(canonicalLine).append('\n');
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write trace line", e);
    }
  }
}
