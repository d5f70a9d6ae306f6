package io.podnet.core.packet;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import org.jspecify.annotations.Nullable;

/**
 * An ARP packet for Ethernet and IPv4 (RFC 826), 28 bytes after the Ethernet header. The static
 * methods read the fields of a packet in place, without allocating.
 */
public final class ArpPacket {

  /** Packet length in bytes for Ethernet/IPv4. */
  public static final int LENGTH = 28;

  /** Operation code of a request ("who has targetIp? tell senderIp"). */
  public static final int OP_REQUEST = 1;

  /** Operation code of a reply ("senderIp is at senderMac"). */
  public static final int OP_REPLY = 2;

  private static final int HTYPE_ETHERNET = 1;

  private final int op;
  private final MacAddress senderMac;
  private final Ipv4Address senderIp;
  private final MacAddress targetMac;
  private final Ipv4Address targetIp;

  private ArpPacket(
      int op,
      MacAddress senderMac,
      Ipv4Address senderIp,
      MacAddress targetMac,
      Ipv4Address targetIp) {
    this.op = op;
    this.senderMac = senderMac;
    this.senderIp = senderIp;
    this.targetMac = targetMac;
    this.targetIp = targetIp;
  }

  /** Returns a request asking for the MAC of {@code targetIp}; the target MAC is all zeros. */
  public static ArpPacket request(
      MacAddress senderMac, Ipv4Address senderIp, Ipv4Address targetIp) {
    return new ArpPacket(OP_REQUEST, senderMac, senderIp, MacAddress.ZERO, targetIp);
  }

  /** Returns a reply telling {@code targetMac}/{@code targetIp} that senderIp is at senderMac. */
  public static ArpPacket reply(
      MacAddress senderMac, Ipv4Address senderIp, MacAddress targetMac, Ipv4Address targetIp) {
    return new ArpPacket(OP_REPLY, senderMac, senderIp, targetMac, targetIp);
  }

  /**
   * Decodes the packet at {@code b[off, off + len)}, rejecting truncation, anything but Ethernet
   * hardware with IPv4 protocol addresses, and operations other than request and reply.
   */
  public static ArpPacket decode(byte[] b, int off, int len) {
    Bytes.checkLength("ARP packet", len, LENGTH);
    int htype = Bytes.u16(b, off);
    if (htype != HTYPE_ETHERNET) {
      throw new IllegalArgumentException(
          "unsupported ARP hardware type: " + htype + " (expected 1 for Ethernet)");
    }
    int ptype = Bytes.u16(b, off + 2);
    if (ptype != EtherType.IPV4) {
      throw new IllegalArgumentException(
          "unsupported ARP protocol type: 0x"
              + Integer.toHexString(ptype)
              + " (expected 0x0800 for IPv4)");
    }
    int hlen = Bytes.u8(b, off + 4);
    int plen = Bytes.u8(b, off + 5);
    if (hlen != 6 || plen != 4) {
      throw new IllegalArgumentException(
          "unsupported ARP address lengths: hlen "
              + hlen
              + ", plen "
              + plen
              + " (expected hlen 6, plen 4)");
    }
    int op = op(b, off);
    if (op != OP_REQUEST && op != OP_REPLY) {
      throw new IllegalArgumentException(
          "unsupported ARP operation: " + op + " (expected 1 request or 2 reply)");
    }
    return new ArpPacket(
        op,
        MacAddress.of(senderMac(b, off)),
        Ipv4Address.of(senderIp(b, off)),
        MacAddress.of(targetMac(b, off)),
        Ipv4Address.of(targetIp(b, off)));
  }

  /** Returns {@link #OP_REQUEST} or {@link #OP_REPLY}. */
  public int op() {
    return op;
  }

  /** Returns the sender's hardware address. */
  public MacAddress senderMac() {
    return senderMac;
  }

  /** Returns the sender's protocol address. */
  public Ipv4Address senderIp() {
    return senderIp;
  }

  /** Returns the target's hardware address (all zeros in a request). */
  public MacAddress targetMac() {
    return targetMac;
  }

  /** Returns the target's protocol address. */
  public Ipv4Address targetIp() {
    return targetIp;
  }

  /** Writes the 28 packet bytes to {@code b[off, off + 28)}. */
  public void encode(byte[] b, int off) {
    Bytes.put16(b, off, HTYPE_ETHERNET);
    Bytes.put16(b, off + 2, EtherType.IPV4);
    b[off + 4] = 6;
    b[off + 5] = 4;
    Bytes.put16(b, off + 6, op);
    senderMac.writeTo(b, off + 8);
    Bytes.put32(b, off + 14, senderIp.toInt());
    targetMac.writeTo(b, off + 18);
    Bytes.put32(b, off + 24, targetIp.toInt());
  }

  /** Returns the operation of the packet at {@code off}. */
  public static int op(byte[] b, int off) {
    return Bytes.u16(b, off + 6);
  }

  /** Returns the sender MAC bits of the packet at {@code off}. */
  public static long senderMac(byte[] b, int off) {
    return MacAddress.readLong(b, off + 8);
  }

  /** Returns the sender IPv4 bits of the packet at {@code off}. */
  public static int senderIp(byte[] b, int off) {
    return Bytes.i32(b, off + 14);
  }

  /** Returns the target MAC bits of the packet at {@code off}. */
  public static long targetMac(byte[] b, int off) {
    return MacAddress.readLong(b, off + 18);
  }

  /** Returns the target IPv4 bits of the packet at {@code off}. */
  public static int targetIp(byte[] b, int off) {
    return Bytes.i32(b, off + 24);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof ArpPacket)) {
      return false;
    }
    ArpPacket p = (ArpPacket) o;
    return p.op == op
        && p.senderMac.equals(senderMac)
        && p.senderIp.equals(senderIp)
        && p.targetMac.equals(targetMac)
        && p.targetIp.equals(targetIp);
  }

  @Override
  public int hashCode() {
    int h = op;
    h = 31 * h + senderMac.hashCode();
    h = 31 * h + senderIp.hashCode();
    h = 31 * h + targetMac.hashCode();
    return 31 * h + targetIp.hashCode();
  }

  /** Returns the tcpdump form, e.g. {@code Request who-has 10.244.1.1 tell 10.244.1.2}. */
  @Override
  public String toString() {
    return op == OP_REQUEST
        ? "Request who-has " + targetIp + " tell " + senderIp
        : "Reply " + senderIp + " is-at " + senderMac;
  }
}
