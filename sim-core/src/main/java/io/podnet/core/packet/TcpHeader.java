package io.podnet.core.packet;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A TCP header without options (RFC 9293): ports, sequence and acknowledgment numbers, flags,
 * window and checksum. Like UDP, the checksum covers an IPv4 pseudo-header and is filled in on the
 * wire with {@link #writeChecksum}.
 */
public final class TcpHeader {

  /** Length in bytes of a header without options (data offset 5). */
  public static final int MIN_LENGTH = 20;

  /** No more data from sender. */
  public static final int FIN = 1;

  /** Synchronize sequence numbers. */
  public static final int SYN = 2;

  /** Reset the connection. */
  public static final int RST = 4;

  /** Push function. */
  public static final int PSH = 8;

  /** The acknowledgment field is significant. */
  public static final int ACK = 16;

  private final int srcPort;
  private final int dstPort;
  private final long seq;
  private final long ack;
  private final int flags;
  private final int window;
  private final int checksum;

  private TcpHeader(
      int srcPort, int dstPort, long seq, long ack, int flags, int window, int checksum) {
    this.srcPort = srcPort;
    this.dstPort = dstPort;
    this.seq = seq;
    this.ack = ack;
    this.flags = flags;
    this.window = window;
    this.checksum = checksum;
  }

  /**
   * Returns a header with ports and window in [0, 65535], sequence and acknowledgment numbers in
   * [0, 2^32), flags in [0, 255] (e.g. {@code SYN | ACK}) and a zero (not yet computed) checksum.
   */
  public static TcpHeader of(int srcPort, int dstPort, long seq, long ack, int flags, int window) {
    return new TcpHeader(
        Bytes.check("source port", srcPort, 0xFFFF),
        Bytes.check("destination port", dstPort, 0xFFFF),
        checkSequence("sequence number", seq),
        checkSequence("acknowledgment number", ack),
        Bytes.check("TCP flags", flags, 0xFF),
        Bytes.check("window", window, 0xFFFF),
        0);
  }

  private static long checkSequence(String field, long value) {
    if (value < 0 || value > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(field + " must be in [0, 4294967295]: " + value);
    }
    return value;
  }

  /**
   * Decodes the header at {@code b[off, off + len)}, skipping any options; rejects a data offset
   * below 5 and truncation.
   */
  public static TcpHeader decode(byte[] b, int off, int len) {
    Bytes.checkLength("TCP header", len, MIN_LENGTH);
    int headerLength = headerLength(b, off);
    if (headerLength < MIN_LENGTH) {
      throw new IllegalArgumentException(
          "invalid TCP data offset: " + headerLength / 4 + " (expected at least 5)");
    }
    if (len < headerLength) {
      throw new IllegalArgumentException(
          "truncated TCP header: "
              + len
              + " bytes (expected at least "
              + headerLength
              + " for data offset "
              + headerLength / 4
              + ")");
    }
    return new TcpHeader(
        srcPort(b, off),
        dstPort(b, off),
        seq(b, off),
        ack(b, off),
        flags(b, off),
        Bytes.u16(b, off + 14),
        Bytes.u16(b, off + 16));
  }

  /**
   * Writes the 20 header bytes (data offset 5, urgent pointer 0) with the checksum field to {@code
   * b[off, off + 20)}.
   */
  public void encode(byte[] b, int off) {
    Bytes.put16(b, off, srcPort);
    Bytes.put16(b, off + 2, dstPort);
    Bytes.put32(b, off + 4, (int) seq);
    Bytes.put32(b, off + 8, (int) ack);
    b[off + 12] = (byte) ((MIN_LENGTH / 4) << 4);
    b[off + 13] = (byte) flags;
    Bytes.put16(b, off + 14, window);
    Bytes.put16(b, off + 16, checksum);
    Bytes.put16(b, off + 18, 0);
  }

  /** Computes and writes the checksum of the segment at {@code b[tcpOff, tcpOff + tcpLen)}. */
  public static void writeChecksum(byte[] b, int tcpOff, int tcpLen, int srcIp, int dstIp) {
    Bytes.put16(b, tcpOff + 16, 0);
    Bytes.put16(
        b, tcpOff + 16, Checksum.transport(srcIp, dstIp, IpProtocol.TCP, b, tcpOff, tcpLen));
  }

  /** Returns whether the segment at {@code b[tcpOff, tcpOff + tcpLen)} has a correct checksum. */
  public static boolean checksumValid(byte[] b, int tcpOff, int tcpLen, int srcIp, int dstIp) {
    return Checksum.transport(srcIp, dstIp, IpProtocol.TCP, b, tcpOff, tcpLen) == 0;
  }

  /** Returns the source port of the header at {@code off}. */
  public static int srcPort(byte[] b, int off) {
    return Bytes.u16(b, off);
  }

  /** Returns the destination port of the header at {@code off}. */
  public static int dstPort(byte[] b, int off) {
    return Bytes.u16(b, off + 2);
  }

  /** Returns the sequence number of the header at {@code off}. */
  public static long seq(byte[] b, int off) {
    return Integer.toUnsignedLong(Bytes.i32(b, off + 4));
  }

  /** Returns the acknowledgment number of the header at {@code off}. */
  public static long ack(byte[] b, int off) {
    return Integer.toUnsignedLong(Bytes.i32(b, off + 8));
  }

  /** Returns the header length in bytes (data offset times 4) of the header at {@code off}. */
  public static int headerLength(byte[] b, int off) {
    return (Bytes.u8(b, off + 12) >>> 4) * 4;
  }

  /** Returns the flags octet (e.g. {@code SYN | ACK}) of the header at {@code off}. */
  public static int flags(byte[] b, int off) {
    return Bytes.u8(b, off + 13);
  }

  /** Returns the source port. */
  public int srcPort() {
    return srcPort;
  }

  /** Returns the destination port. */
  public int dstPort() {
    return dstPort;
  }

  /** Returns the sequence number, unsigned 32-bit. */
  public long seq() {
    return seq;
  }

  /** Returns the acknowledgment number, unsigned 32-bit. */
  public long ack() {
    return ack;
  }

  /** Returns the flags octet. */
  public int flags() {
    return flags;
  }

  /** Returns the receive window. */
  public int window() {
    return window;
  }

  /** Returns the checksum field (0 when not computed). */
  public int checksum() {
    return checksum;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof TcpHeader)) {
      return false;
    }
    TcpHeader h = (TcpHeader) o;
    return h.srcPort == srcPort
        && h.dstPort == dstPort
        && h.seq == seq
        && h.ack == ack
        && h.flags == flags
        && h.window == window
        && h.checksum == checksum;
  }

  @Override
  public int hashCode() {
    int h = srcPort * 31 + dstPort;
    h = 31 * h + Long.hashCode(seq);
    h = 31 * h + Long.hashCode(ack);
    h = 31 * h + flags;
    h = 31 * h + window;
    return 31 * h + checksum;
  }

  /** Returns e.g. {@code TCP 40000 > 80, flags 0x02, seq 1000, ack 0, win 64240}. */
  @Override
  public String toString() {
    return "TCP "
        + srcPort
        + " > "
        + dstPort
        + ", flags 0x"
        + String.format(Locale.ROOT, "%02x", flags)
        + ", seq "
        + seq
        + ", ack "
        + ack
        + ", win "
        + window;
  }
}
