package io.podnet.core.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Keeps every record and its canonical line in memory, in trace order, for tests to inspect. */
public final class MemoryTraceSink implements TraceSink {

  private final List<TraceRecord> records = new ArrayList<>();
  private final List<String> lines = new ArrayList<>();

  @Override
  public void accept(TraceRecord record, String canonicalLine) {
    records.add(record);
    lines.add(canonicalLine);
  }

  /** The records seen so far, oldest first (an unmodifiable live view). */
  public List<TraceRecord> records() {
    return Collections.unmodifiableList(records);
  }

  /** The canonical lines seen so far, oldest first (an unmodifiable live view). */
  public List<String> lines() {
    return Collections.unmodifiableList(lines);
  }
}
