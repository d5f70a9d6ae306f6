package io.podnet.core.packet;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import java.util.ArrayList;
import java.util.List;

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

  /**
   * Cuts the TCP segment of the Ethernet frame at {@code frame[offset, offset + length)} into
   * segments of at most {@code mss} payload bytes, as a NIC doing TCP segmentation offload (or the
   * kernel's GSO) puts it on the wire: each a copy of the Ethernet, IPv4 and TCP headers with its
   * own total length, an IP identification one more than the segment before, a sequence number
   * advanced by the payload before it, FIN and PSH only on the last, and both checksums computed.
   *
   * @throws IllegalArgumentException if {@code mss} is not positive
   */
  public static List<byte[]> tcpSegments(byte[] frame, int offset, int length, int mss) {
    if (mss <= 0) {
      throw new IllegalArgumentException("mss must be positive: " + mss);
    }
    int ip = offset + EthernetHeader.LENGTH;
    int ipHeader = Ipv4Header.headerLength(frame, ip);
    int tcp = ip + ipHeader;
    int tcpHeader = TcpHeader.headerLength(frame, tcp);
    int headers = EthernetHeader.LENGTH + ipHeader + tcpHeader;
    int payload = Ipv4Header.totalLength(frame, ip) - ipHeader - tcpHeader;
    int id = Ipv4Header.identification(frame, ip);
    long seq = TcpHeader.seq(frame, tcp);
    int flags = TcpHeader.flags(frame, tcp);
    int src = Ipv4Header.src(frame, ip);
    int dst = Ipv4Header.dst(frame, ip);
    List<byte[]> out = new ArrayList<>(Math.max(1, (payload + mss - 1) / mss));
    int done = 0;
    do {
      int size = Math.min(mss, payload - done);
      boolean last = done + size == payload;
      byte[] b = new byte[headers + size];
      System.arraycopy(frame, offset, b, 0, headers);
      System.arraycopy(frame, offset + headers + done, b, headers, size);
      int segIp = EthernetHeader.LENGTH;
      int segTcp = segIp + ipHeader;
      Bytes.put16(b, segIp + 2, ipHeader + tcpHeader + size);
      Bytes.put16(b, segIp + 4, (id + out.size()) & 0xFFFF);
      Ipv4Header.rewriteChecksum(b, segIp);
      Bytes.put32(b, segTcp + 4, (int) (seq + done));
      b[segTcp + 13] = (byte) (last ? flags : flags & ~(TcpHeader.FIN | TcpHeader.PSH));
      TcpHeader.writeChecksum(b, segTcp, tcpHeader + size, src, dst);
      out.add(b);
      done += size;
    } while (done < payload);
    return out;
  }
}
