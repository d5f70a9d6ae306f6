package io.podnet.core.packet;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;

/**
 * Builders of complete Ethernet frames with every length and checksum right, for tests and for the
 * simulated hosts that originate traffic. Frames are not padded to the 60-byte Ethernet minimum,
 * matching what a capture on the sending host shows.
 */
public final class Frames {

  private static final int IP_OFF = EthernetHeader.LENGTH;
  private static final int L4_OFF = IP_OFF + Ipv4Header.MIN_LENGTH;

  private static final byte[] EMPTY = new byte[0];

  private Frames() {}

  /** Returns a broadcast ARP request from {@code src}/{@code srcIp} asking for {@code targetIp}. */
  public static byte[] arpRequest(MacAddress src, Ipv4Address srcIp, Ipv4Address targetIp) {
    return arp(MacAddress.BROADCAST, src, ArpPacket.request(src, srcIp, targetIp));
  }

  /**
   * Returns a unicast ARP reply telling {@code targetMac} that {@code senderIp} is at senderMac.
   */
  public static byte[] arpReply(
      MacAddress senderMac, Ipv4Address senderIp, MacAddress targetMac, Ipv4Address targetIp) {
    return arp(targetMac, senderMac, ArpPacket.reply(senderMac, senderIp, targetMac, targetIp));
  }

  private static byte[] arp(MacAddress dst, MacAddress src, ArpPacket packet) {
    byte[] frame = new byte[EthernetHeader.LENGTH + ArpPacket.LENGTH];
    EthernetHeader.of(dst, src, EtherType.ARP).encode(frame, 0);
    packet.encode(frame, EthernetHeader.LENGTH);
    return frame;
  }

  /**
   * Returns an IPv4 frame carrying {@code payload} as is; the header's total length must equal its
   * header length plus the payload length.
   */
  public static byte[] ipv4(
      MacAddress dstMac, MacAddress srcMac, Ipv4Header header, byte[] payload) {
    if (header.totalLength() != header.headerLength() + payload.length) {
      throw new IllegalArgumentException(
          "IPv4 total length "
              + header.totalLength()
              + " does not match header and payload (expected "
              + (header.headerLength() + payload.length)
              + ")");
    }
    byte[] frame = new byte[EthernetHeader.LENGTH + header.totalLength()];
    EthernetHeader.of(dstMac, srcMac, EtherType.IPV4).encode(frame, 0);
    header.encode(frame, IP_OFF);
    System.arraycopy(payload, 0, frame, IP_OFF + header.headerLength(), payload.length);
    return frame;
  }

  /**
   * Returns an ICMP echo request or reply whose {@code payloadLength} data bytes follow the pattern
   * {@code byte i = (byte) i}; {@code payloadLength} 56 gives ping's default 84-byte datagram.
   */
  public static byte[] icmpEcho(
      boolean request,
      MacAddress dstMac,
      MacAddress srcMac,
      Ipv4Address src,
      Ipv4Address dst,
      int ttl,
      boolean dontFragment,
      int ipId,
      int echoId,
      int echoSeq,
      int payloadLength) {
    byte[] data = new byte[Bytes.check("echo payload length", payloadLength, 0xFFFF - 28)];
    for (int i = 0; i < payloadLength; i++) {
      data[i] = (byte) i;
    }
    IcmpMessage message =
        request
            ? IcmpMessage.echoRequest(echoId, echoSeq, data)
            : IcmpMessage.echoReply(echoId, echoSeq, data);
    Ipv4Header header =
        Ipv4Header.of(src, dst, IpProtocol.ICMP, message.length())
            .withTtl(ttl)
            .withDontFragment(dontFragment)
            .withIdentification(ipId);
    byte[] frame = ipv4(dstMac, srcMac, header, new byte[message.length()]);
    message.encode(frame, L4_OFF);
    return frame;
  }

  /**
   * Returns an ICMP error (or any ICMP message) sent by router or host {@code from} to {@code to}.
   */
  public static byte[] icmpError(
      MacAddress dstMac,
      MacAddress srcMac,
      Ipv4Address from,
      Ipv4Address to,
      int ttl,
      int ipId,
      IcmpMessage message) {
    Ipv4Header header =
        Ipv4Header.of(from, to, IpProtocol.ICMP, message.length())
            .withTtl(ttl)
            .withIdentification(ipId);
    byte[] frame = ipv4(dstMac, srcMac, header, new byte[message.length()]);
    message.encode(frame, L4_OFF);
    return frame;
  }

  /** Returns a UDP datagram carrying {@code payload}, with the UDP checksum computed. */
  public static byte[] udp(
      MacAddress dstMac,
      MacAddress srcMac,
      Ipv4Address src,
      Ipv4Address dst,
      int ttl,
      boolean dontFragment,
      int ipId,
      int srcPort,
      int dstPort,
      byte[] payload) {
    UdpHeader udp = UdpHeader.of(srcPort, dstPort, payload.length);
    Ipv4Header header =
        Ipv4Header.of(src, dst, IpProtocol.UDP, udp.length())
            .withTtl(ttl)
            .withDontFragment(dontFragment)
            .withIdentification(ipId);
    byte[] frame = ipv4(dstMac, srcMac, header, new byte[udp.length()]);
    udp.encode(frame, L4_OFF);
    System.arraycopy(payload, 0, frame, L4_OFF + UdpHeader.LENGTH, payload.length);
    UdpHeader.writeChecksum(frame, L4_OFF, udp.length(), src.toInt(), dst.toInt());
    return frame;
  }

  /**
   * Returns a TCP segment without payload or options, with Don't Fragment set as Linux does and the
   * TCP checksum computed.
   */
  public static byte[] tcp(
      MacAddress dstMac,
      MacAddress srcMac,
      Ipv4Address src,
      Ipv4Address dst,
      int ttl,
      int ipId,
      int srcPort,
      int dstPort,
      long seq,
      long ack,
      int flags,
      int window) {
    return tcp(
        dstMac, srcMac, src, dst, ttl, ipId, srcPort, dstPort, seq, ack, flags, window, EMPTY, 0,
        0);
  }

  /**
   * Returns a TCP segment without options carrying {@code payload[offset, offset + length)}, with
   * Don't Fragment set as Linux does and the TCP checksum computed.
   */
  public static byte[] tcp(
      MacAddress dstMac,
      MacAddress srcMac,
      Ipv4Address src,
      Ipv4Address dst,
      int ttl,
      int ipId,
      int srcPort,
      int dstPort,
      long seq,
      long ack,
      int flags,
      int window,
      byte[] payload,
      int offset,
      int length) {
    if (offset < 0 || length < 0 || offset + length > payload.length) {
      throw new IllegalArgumentException(
          "payload range ["
              + offset
              + ", "
              + (offset + length)
              + ") is outside the payload of "
              + payload.length
              + " bytes");
    }
    TcpHeader tcp = TcpHeader.of(srcPort, dstPort, seq, ack, flags, window);
    int segment = TcpHeader.MIN_LENGTH + length;
    Ipv4Header header =
        Ipv4Header.of(src, dst, IpProtocol.TCP, segment)
            .withTtl(ttl)
            .withDontFragment(true)
            .withIdentification(ipId);
    byte[] frame = new byte[L4_OFF + segment];
    EthernetHeader.of(dstMac, srcMac, EtherType.IPV4).encode(frame, 0);
    header.encode(frame, IP_OFF);
    tcp.encode(frame, L4_OFF);
    System.arraycopy(payload, offset, frame, L4_OFF + TcpHeader.MIN_LENGTH, length);
    TcpHeader.writeChecksum(frame, L4_OFF, segment, src.toInt(), dst.toInt());
    return frame;
  }
}
