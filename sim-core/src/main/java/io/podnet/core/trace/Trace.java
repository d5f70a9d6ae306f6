package io.podnet.core.trace;

import com.google.common.io.BaseEncoding;
import io.podnet.core.engine.SimTime;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The ordered record of a run. Every record's canonical line (UTF-8, each followed by {@code \n})
 * is fed to a SHA-256 digest, the run's determinism fingerprint: the same inputs and seed give the
 * same digest, byte for byte. Sinks see the records too; without sinks the trace only digests,
 * which is the cheap default.
 *
 * <p>Formatting reuses one buffer, so recording a record allocates nothing beyond what the record
 * itself needs while no sink is attached; the hottest lines skip formatting altogether, copied from
 * pieces their callers encoded once ({@link #beginLine}). Lines are gathered into blocks of a few
 * kilobytes before they reach the digest, which gives the same digest as feeding them one by one.
 */
public final class Trace {

  private final MessageDigest sha256;
  private final List<TraceSink> sinks = new ArrayList<>();
  private final StringBuilder line = new StringBuilder(256);

  /** The time a line last began with and that time's canonical text (empty before). */
  private long textTime = Long.MIN_VALUE;

  private String timeText = "";

  /** The time {@link #timeBytes} is the ASCII text of: encoded lines only, made when asked. */
  private long bytesTime = Long.MIN_VALUE;

  private byte[] timeBytes = new byte[0];

  private static final int BLOCK = 8192;

  /** Lines not yet fed to the digest: {@code bytes[0, pending)}. */
  private byte[] bytes = new byte[BLOCK];

  private int pending;
  private long count;

  /** The line's characters, copied out in one call rather than read one by one. */
  private char[] chars = new char[256];

  private Trace() {
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }

  /** A trace that keeps only its digest until a sink is added. */
  public static Trace digestOnly() {
    return new Trace();
  }

  /** Adds a sink that sees every later record; returns this trace. */
  public Trace addSink(TraceSink sink) {
    sinks.add(sink);
    return this;
  }

  /** Whether any sink is attached (when not, callers may skip building record objects). */
  public boolean hasSinks() {
    return !sinks.isEmpty();
  }

  /** Records one step. */
  public void record(TraceRecord record) {
    line.setLength(0);
    record.appendCanonical(line);
    digestLine();
    if (!sinks.isEmpty()) {
      String text = line.toString();
      for (TraceSink sink : sinks) {
        sink.accept(record, text);
      }
    }
  }

  /**
   * Records a line already formatted into {@link #scratch(long)} by the caller, for hot paths that
   * have no sink and want to avoid building a record object. Its text must equal what the
   * corresponding record's {@link TraceRecord#appendCanonical} would produce.
   */
  public void recordScratch() {
    if (!sinks.isEmpty()) {
      throw new IllegalStateException("recordScratch is only for traces without sinks");
    }
    digestLine();
  }

  /**
   * The reusable line buffer for {@link #recordScratch()}, holding only the canonical text of
   * {@code time} ({@link SimTime#appendTo}), with which every line begins. The text is made once
   * per time: the many lines of one event share it.
   */
  public StringBuilder scratch(long time) {
    textOf(time);
    line.setLength(0);
    return line.append(timeText);
  }

  /** Makes {@link #timeText} that of {@code time}. */
  private void textOf(long time) {
    if (time != textTime) {
      line.setLength(0);
      timeText = SimTime.appendTo(line, time).toString();
      textTime = time;
    }
  }

  /**
   * Begins a line of {@code time}'s canonical text that the caller continues with {@link
   * #appendEncoded} and ends with {@link #endLine}: for the hottest lines of traces without sinks,
   * made of pieces each encoded once and reused (the UTF-8 of a text is the UTF-8 of its pieces one
   * after another), so that recording one copies bytes and formats nothing. The digest is the same
   * as when the line's text is recorded.
   */
  public void beginLine(long time) {
    if (!sinks.isEmpty()) {
      throw new IllegalStateException("encoded lines are only for traces without sinks");
    }
    if (time != bytesTime) {
      textOf(time);
      timeBytes = timeText.getBytes(StandardCharsets.US_ASCII);
      bytesTime = time;
    }
    appendEncoded(timeBytes);
  }

  /** Continues the line {@link #beginLine} began with {@code utf8}, a piece's UTF-8 bytes. */
  public void appendEncoded(byte[] utf8) {
    int n = utf8.length;
    if (pending + n > bytes.length) {
      flush();
      if (n > bytes.length) {
        sha256.update(utf8);
        return;
      }
    }
    System.arraycopy(utf8, 0, bytes, pending, n);
    pending += n;
  }

  /** Ends the line {@link #beginLine} began. */
  public void endLine() {
    if (pending == bytes.length) {
      flush();
    }
    bytes[pending++] = '\n';
    count++;
  }

  /** Number of records so far. */
  public long recordCount() {
    return count;
  }

  /** Lowercase hex SHA-256 over the canonical lines recorded so far. */
  public String digest() {
    try {
      flush();
      MessageDigest copy = (MessageDigest) sha256.clone();
      return BaseEncoding.base16().lowerCase().encode(copy.digest());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("SHA-256 digests are cloneable", e);
    }
  }

  private void digestLine() {
    int n = line.length();
    if (pending + n + 1 > bytes.length) {
      flush();
      if (n + 1 > bytes.length) {
        bytes = new byte[n + 1];
      }
    }
    char[] chars = this.chars;
    if (chars.length < n) {
      chars = new char[Math.max(n, 2 * chars.length)];
      this.chars = chars;
    }
    line.getChars(0, n, chars, 0);
    byte[] b = bytes;
    int at = pending;
    for (int i = 0; i < n; i++) {
      char c = chars[i];
      if (c >= 0x80) {
        flush();
        sha256.update((line + "\n").getBytes(StandardCharsets.UTF_8));
        count++;
        return;
      }
      b[at + i] = (byte) c;
    }
    b[at + n] = '\n';
    pending = at + n + 1;
    count++;
  }

  private void flush() {
    sha256.update(bytes, 0, pending);
    pending = 0;
  }
}
