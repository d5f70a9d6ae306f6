package io.podnet.core.packet;

import io.podnet.core.addr.MacAddress;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * An Ethernet II header (IEEE 802.3): destination MAC, source MAC and EtherType, 14 bytes. The
 * static methods read and write the fields of a frame in place, without allocating.
 */
public final class EthernetHeader {

  /** Header length in bytes. */
  public static final int LENGTH = 14;

  private final MacAddress dst;
  private final MacAddress src;
  private final int etherType;

  private EthernetHeader(MacAddress dst, MacAddress src, int etherType) {
    this.dst = dst;
    this.src = src;
    this.etherType = etherType;
  }

  /** Returns a header; {@code etherType} must be in [0, 0xFFFF]. */
  public static EthernetHeader of(MacAddress dst, MacAddress src, int etherType) {
    return new EthernetHeader(dst, src, Bytes.check("EtherType", etherType, 0xFFFF));
  }

  /** Decodes the header at {@code b[off, off + len)}; fewer than 14 bytes is rejected. */
  public static EthernetHeader decode(byte[] b, int off, int len) {
    Bytes.checkLength("Ethernet header", len, LENGTH);
    return new EthernetHeader(
        MacAddress.readFrom(b, off), MacAddress.readFrom(b, off + 6), etherType(b, off));
  }

  /** Returns the destination MAC. */
  public MacAddress dst() {
    return dst;
  }

  /** Returns the source MAC. */
  public MacAddress src() {
    return src;
  }

  /** Returns the EtherType, e.g. {@link EtherType#IPV4}. */
  public int etherType() {
    return etherType;
  }

  /** Writes the 14 header bytes to {@code b[off, off + 14)}. */
  public void encode(byte[] b, int off) {
    dst.writeTo(b, off);
    src.writeTo(b, off + 6);
    Bytes.put16(b, off + 12, etherType);
  }

  /** Returns the destination MAC bits of the frame at {@code off}. */
  public static long dst(byte[] b, int off) {
    return MacAddress.readLong(b, off);
  }

  /** Returns the source MAC bits of the frame at {@code off}. */
  public static long src(byte[] b, int off) {
    return MacAddress.readLong(b, off + 6);
  }

  /** Returns the EtherType of the frame at {@code off}. */
  public static int etherType(byte[] b, int off) {
    return Bytes.u16(b, off + 12);
  }

  /** Overwrites the destination MAC of the frame at {@code off}. */
  public static void setDst(byte[] b, int off, long mac) {
    MacAddress.writeLong(mac, b, off);
  }

  /** Overwrites the source MAC of the frame at {@code off}. */
  public static void setSrc(byte[] b, int off, long mac) {
    MacAddress.writeLong(mac, b, off + 6);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof EthernetHeader)) {
      return false;
    }
    EthernetHeader h = (EthernetHeader) o;
    return h.dst.equals(dst) && h.src.equals(src) && h.etherType == etherType;
  }

  @Override
  public int hashCode() {
    return (dst.hashCode() * 31 + src.hashCode()) * 31 + etherType;
  }

  /** Returns e.g. {@code 0a:58:0a:f4:01:02 > 0a:58:0a:f4:01:01, ethertype 0x0800}. */
  @Override
  public String toString() {
    return src + " > " + dst + ", ethertype 0x" + String.format(Locale.ROOT, "%04x", etherType);
  }
}
