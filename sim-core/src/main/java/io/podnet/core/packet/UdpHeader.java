package io.podnet.core.packet;

import org.jspecify.annotations.Nullable;

/**
 * A UDP header (RFC 768): ports, length (header included) and checksum. The checksum covers an IPv4
 * pseudo-header, so it is filled in on the wire with {@link #writeChecksum} once the addresses and
 * payload are in place.
 */
public final class UdpHeader {

  /** Header length in bytes. */
  public static final int LENGTH = 8;

  private final int srcPort;
  private final int dstPort;
  private final int length;
  private final int checksum;

  private UdpHeader(int srcPort, int dstPort, int length, int checksum) {
    this.srcPort = srcPort;
    this.dstPort = dstPort;
    this.length = length;
    this.checksum = checksum;
  }

  /**
   * Returns a header for {@code payloadLength} bytes of payload, ports in [0, 65535], with a zero
   * (not yet computed) checksum.
   */
  public static UdpHeader of(int srcPort, int dstPort, int payloadLength) {
    return new UdpHeader(
        Bytes.check("source port", srcPort, 0xFFFF),
        Bytes.check("destination port", dstPort, 0xFFFF),
        LENGTH + Bytes.check("UDP payload length", payloadLength, 0xFFFF - LENGTH),
        0);
  }

  /** Decodes the header at {@code b[off, off + len)}, rejecting truncation and a length below 8. */
  public static UdpHeader decode(byte[] b, int off, int len) {
    Bytes.checkLength("UDP header", len, LENGTH);
    int length = Bytes.u16(b, off + 4);
    if (length < LENGTH) {
      throw new IllegalArgumentException(
          "invalid UDP length: " + length + " (expected at least 8)");
    }
    return new UdpHeader(srcPort(b, off), dstPort(b, off), length, Bytes.u16(b, off + 6));
  }

  /** Writes the 8 header bytes, checksum field included, to {@code b[off, off + 8)}. */
  public void encode(byte[] b, int off) {
    Bytes.put16(b, off, srcPort);
    Bytes.put16(b, off + 2, dstPort);
    Bytes.put16(b, off + 4, length);
    Bytes.put16(b, off + 6, checksum);
  }

  /**
   * Computes and writes the checksum of the datagram at {@code b[udpOff, udpOff + udpLen)} over the
   * pseudo-header; a computed 0 is sent as 0xFFFF, since 0 means "no checksum".
   */
  public static void writeChecksum(byte[] b, int udpOff, int udpLen, int srcIp, int dstIp) {
    Bytes.put16(b, udpOff + 6, 0);
    int checksum = Checksum.transport(srcIp, dstIp, IpProtocol.UDP, b, udpOff, udpLen);
    Bytes.put16(b, udpOff + 6, checksum == 0 ? 0xFFFF : checksum);
  }

  /**
   * Returns whether the datagram at {@code b[udpOff, udpOff + udpLen)} has a correct checksum or
   * none (0).
   */
  public static boolean checksumValid(byte[] b, int udpOff, int udpLen, int srcIp, int dstIp) {
    return Bytes.u16(b, udpOff + 6) == 0
        || Checksum.transport(srcIp, dstIp, IpProtocol.UDP, b, udpOff, udpLen) == 0;
  }

  /** Returns the source port of the header at {@code off}. */
  public static int srcPort(byte[] b, int off) {
    return Bytes.u16(b, off);
  }

  /** Returns the destination port of the header at {@code off}. */
  public static int dstPort(byte[] b, int off) {
    return Bytes.u16(b, off + 2);
  }

  /** Returns the source port. */
  public int srcPort() {
    return srcPort;
  }

  /** Returns the destination port. */
  public int dstPort() {
    return dstPort;
  }

  /** Returns the length field: header plus payload, in bytes. */
  public int length() {
    return length;
  }

  /** Returns the checksum field (0 when not computed). */
  public int checksum() {
    return checksum;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof UdpHeader)) {
      return false;
    }
    UdpHeader h = (UdpHeader) o;
    return h.srcPort == srcPort
        && h.dstPort == dstPort
        && h.length == length
        && h.checksum == checksum;
  }

  @Override
  public int hashCode() {
    return ((srcPort * 31 + dstPort) * 31 + length) * 31 + checksum;
  }

  /** Returns e.g. {@code UDP 40000 > 53, length 20}. */
  @Override
  public String toString() {
    return "UDP " + srcPort + " > " + dstPort + ", length " + length;
  }
}
