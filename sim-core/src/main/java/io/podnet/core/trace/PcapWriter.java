package io.podnet.core.trace;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Writes Ethernet frames to a classic libpcap capture (draft-ietf-opsawg-pcap) with nanosecond
 * timestamps: magic 0xa1b23c4d, version 2.4, LINKTYPE_ETHERNET, all fields little-endian as libpcap
 * writes them on x86. Timestamps are simulated time, so the same frames give the same bytes; I/O
 * failures are rethrown as {@link UncheckedIOException}.
 */
public final class PcapWriter implements Closeable {

  /** Frames longer than this are truncated in the capture (orig_len keeps the real length). */
  static final int SNAPLEN = 262_144;

  private static final int MAGIC_NANOS = 0xa1b23c4d;
  private static final int LINKTYPE_ETHERNET = 1;
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final OutputStream out;
  private final byte[] recordHeader = new byte[16];
  private int frameCount;
  private boolean closed;

  private PcapWriter(OutputStream out) {
    this.out = out;
  }

  /** Returns a writer that has written the 24-byte global header to {@code out}. */
  public static PcapWriter to(OutputStream out) {
    PcapWriter writer = new PcapWriter(out);
    byte[] header = new byte[24];
    putInt(header, 0, MAGIC_NANOS);
    putShort(header, 4, 2);
    putShort(header, 6, 4);
    putInt(header, 8, 0);
    putInt(header, 12, 0);
    putInt(header, 16, SNAPLEN);
    putInt(header, 20, LINKTYPE_ETHERNET);
    writer.emit(header, 0, header.length);
    return writer;
  }

  /**
   * Appends the frame {@code frame[off, off + len)} captured at simulated time {@code timeNanos}
   * (non-negative, at most 2^32 - 1 seconds); frames above the snap length are truncated.
   */
  public void write(long timeNanos, byte[] frame, int off, int len) {
    if (closed) {
      throw new IllegalStateException("pcap writer is closed");
    }
    if (timeNanos < 0) {
      throw new IllegalArgumentException(
          "capture time must be non-negative nanoseconds: " + timeNanos);
    }
    long seconds = timeNanos / NANOS_PER_SECOND;
    if (seconds > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(
          "capture time must fit in 32-bit seconds (at most 4294967295 s): " + timeNanos + " ns");
    }
    Objects.checkFromIndexSize(off, len, frame.length);
    int included = Math.min(len, SNAPLEN);
    putInt(recordHeader, 0, (int) seconds);
    putInt(recordHeader, 4, (int) (timeNanos % NANOS_PER_SECOND));
    putInt(recordHeader, 8, included);
    putInt(recordHeader, 12, len);
    emit(recordHeader, 0, recordHeader.length);
    emit(frame, off, included);
    frameCount++;
  }

  /** Returns how many frames have been written. */
  public int frameCount() {
    return frameCount;
  }

  /** Closes the underlying stream; further writes are an {@link IllegalStateException}. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      try {
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private void emit(byte[] b, int off, int len) {
    try {
      out.write(b, off, len);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void putInt(byte[] b, int off, int value) {
    b[off] = (byte) value;
    b[off + 1] = (byte) (value >>> 8);
    b[off + 2] = (byte) (value >>> 16);
    b[off + 3] = (byte) (value >>> 24);
  }

  private static void putShort(byte[] b, int off, int value) {
    b[off] = (byte) value;
    b[off + 1] = (byte) (value >>> 8);
  }
}
