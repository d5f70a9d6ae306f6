package io.podnet.core.packet;

import io.podnet.core.addr.Ipv4Address;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Renders an Ethernet frame as the one-line text {@code tcpdump -n} prints after the link-level
 * prefix, e.g. {@code IP 10.244.1.2 > 10.244.2.3: ICMP echo request, id 1, seq 1, length 64}, for
 * ARP and for IPv4 with ICMP, UDP, TCP (without options) and IPIP (outer, then inner datagram).
 * Like tcpdump, a fragment other than the first prints as {@code IP 10.1.1.1 > 10.1.1.2:
 * ip-proto-17}; malformed or truncated input never throws but is described, e.g. {@code truncated
 * IPv4 header}.
 */
public final class PacketSummary {

  private static final int MAX_NESTED_IP = 4;
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final @Nullable String[] UNREACHABLE_FORMATS = {
    "net %s unreachable",
    "host %s unreachable",
    null,
    null,
    null,
    "%s unreachable - source route failed",
    "net %s unreachable - unknown",
    "host %s unreachable - unknown",
    "%s unreachable - source host isolated",
    "net %s unreachable - admin prohibited",
    "host %s unreachable - admin prohibited",
    "net %s unreachable - tos prohibited",
    "host %s unreachable - tos prohibited",
    "host %s unreachable - admin prohibited filter",
    "host %s unreachable - host precedence violation",
    "host %s unreachable - precedence cutoff"
  };

  private PacketSummary() {}

  /** Describes the frame at {@code frame[off, off + len)}; the range must lie within the array. */
  public static String describe(byte[] frame, int off, int len) {
    StringBuilder sb = new StringBuilder(96);
    appendTo(sb, frame, off, len);
    return sb.toString();
  }

  /** Appends the description of the frame at {@code frame[off, off + len)} to {@code sb}. */
  public static void appendTo(StringBuilder sb, byte[] frame, int off, int len) {
    Objects.checkFromIndexSize(off, len, frame.length);
    if (len < EthernetHeader.LENGTH) {
      sb.append("truncated Ethernet header, length ").append(len);
      return;
    }
    int etherType = EthernetHeader.etherType(frame, off);
    int payloadOff = off + EthernetHeader.LENGTH;
    int payloadLen = len - EthernetHeader.LENGTH;
    if (etherType == EtherType.ARP) {
      appendArp(sb, frame, payloadOff, payloadLen);
    } else if (etherType == EtherType.IPV4) {
      appendIpv4(sb, frame, payloadOff, payloadLen, 0);
    } else {
      sb.append("ethertype 0x");
      appendHex(sb, etherType, 4);
      sb.append(", length ").append(len);
    }
  }

  private static void appendArp(StringBuilder sb, byte[] b, int off, int len) {
    sb.append("ARP, ");
    if (len < ArpPacket.LENGTH) {
      sb.append("truncated, length ").append(len);
      return;
    }
    int htype = Bytes.u16(b, off);
    int ptype = Bytes.u16(b, off + 2);
    if (htype != 1 || ptype != EtherType.IPV4 || Bytes.u8(b, off + 4) != 6 || b[off + 5] != 4) {
      sb.append("htype ").append(htype).append(", ptype 0x");
      appendHex(sb, ptype, 4);
    } else if (ArpPacket.op(b, off) == ArpPacket.OP_REQUEST) {
      sb.append("Request who-has ");
      Ipv4Address.appendTo(sb, ArpPacket.targetIp(b, off));
      sb.append(" tell ");
      Ipv4Address.appendTo(sb, ArpPacket.senderIp(b, off));
    } else if (ArpPacket.op(b, off) == ArpPacket.OP_REPLY) {
      sb.append("Reply ");
      Ipv4Address.appendTo(sb, ArpPacket.senderIp(b, off));
      sb.append(" is-at ");
      appendMac(sb, ArpPacket.senderMac(b, off));
    } else {
      sb.append("op ").append(ArpPacket.op(b, off));
    }
    sb.append(", length ").append(len);
  }

  private static void appendIpv4(StringBuilder sb, byte[] b, int off, int len, int depth) {
    if (len < Ipv4Header.MIN_LENGTH) {
      sb.append("truncated IPv4 header");
      return;
    }
    int version = Ipv4Header.version(b, off);
    int headerLength = Ipv4Header.headerLength(b, off);
    int totalLength = Ipv4Header.totalLength(b, off);
    if (version != 4) {
      sb.append("IP bad version ").append(version);
      return;
    }
    if (headerLength < Ipv4Header.MIN_LENGTH) {
      sb.append("IP bad header length ").append(headerLength);
      return;
    }
    if (len < headerLength) {
      sb.append("truncated IPv4 header");
      return;
    }
    if (totalLength < headerLength) {
      sb.append("IP bad total length ").append(totalLength);
      return;
    }
    int src = Ipv4Header.src(b, off);
    int dst = Ipv4Header.dst(b, off);
    int protocol = Ipv4Header.protocol(b, off);
    int l4Off = off + headerLength;
    int available = Math.min(len, totalLength) - headerLength;
    int l4Length = totalLength - headerLength;
    sb.append("IP ");
    if (Ipv4Header.fragmentOffset(b, off) != 0) {
      appendAddresses(sb, src, dst);
      sb.append(" ip-proto-").append(protocol);
      return;
    }
    switch (protocol) {
      case IpProtocol.ICMP:
        appendAddresses(sb, src, dst);
        sb.append(' ');
        appendIcmp(sb, b, l4Off, available, l4Length);
        break;
      case IpProtocol.UDP:
        appendUdp(sb, b, l4Off, available, src, dst);
        break;
      case IpProtocol.TCP:
        appendTcp(sb, b, l4Off, available, l4Length, src, dst);
        break;
      case IpProtocol.IPIP:
        appendAddresses(sb, src, dst);
        sb.append(' ');
        if (depth < MAX_NESTED_IP) {
          appendIpv4(sb, b, l4Off, available, depth + 1);
        } else {
          sb.append("IPIP nested too deep, length ").append(l4Length);
        }
        break;
      default:
        appendAddresses(sb, src, dst);
        sb.append(" ip-proto-").append(protocol).append(' ').append(l4Length);
    }
  }

  private static void appendAddresses(StringBuilder sb, int src, int dst) {
    Ipv4Address.appendTo(sb, src);
    sb.append(" > ");
    Ipv4Address.appendTo(sb, dst);
    sb.append(':');
  }

  private static void appendEndpoints(
      StringBuilder sb, int src, int srcPort, int dst, int dstPort) {
    Ipv4Address.appendTo(sb, src);
    sb.append('.').append(srcPort).append(" > ");
    Ipv4Address.appendTo(sb, dst);
    sb.append('.').append(dstPort).append(':');
  }

  private static void appendUdp(StringBuilder sb, byte[] b, int off, int len, int src, int dst) {
    if (len < UdpHeader.LENGTH) {
      appendAddresses(sb, src, dst);
      sb.append(" truncated UDP header");
      return;
    }
    appendEndpoints(sb, src, UdpHeader.srcPort(b, off), dst, UdpHeader.dstPort(b, off));
    int udpLength = Bytes.u16(b, off + 4);
    if (udpLength < UdpHeader.LENGTH) {
      sb.append(" UDP, bad length ").append(udpLength);
    } else {
      sb.append(" UDP, length ").append(udpLength - UdpHeader.LENGTH);
    }
  }

  private static void appendTcp(
      StringBuilder sb, byte[] b, int off, int len, int segmentLength, int src, int dst) {
    if (len < TcpHeader.MIN_LENGTH) {
      appendAddresses(sb, src, dst);
      sb.append(" truncated TCP header");
      return;
    }
    appendEndpoints(sb, src, TcpHeader.srcPort(b, off), dst, TcpHeader.dstPort(b, off));
    int headerLength = TcpHeader.headerLength(b, off);
    if (headerLength < TcpHeader.MIN_LENGTH || headerLength > segmentLength) {
      sb.append(" tcp [bad hdr length ").append(headerLength).append(']');
      return;
    }
    int flags = TcpHeader.flags(b, off);
    int dataLength = segmentLength - headerLength;
    sb.append(" Flags [");
    appendTcpFlags(sb, flags);
    sb.append(']');
    long seq = TcpHeader.seq(b, off);
    if (dataLength > 0 || (flags & (TcpHeader.SYN | TcpHeader.FIN | TcpHeader.RST)) != 0) {
      sb.append(", seq ").append(seq);
      if (dataLength > 0) {
        sb.append(':').append((seq + dataLength) & 0xFFFF_FFFFL);
      }
    }
    if ((flags & TcpHeader.ACK) != 0) {
      sb.append(", ack ").append(TcpHeader.ack(b, off));
    }
    sb.append(", win ").append(Bytes.u16(b, off + 14));
    sb.append(", length ").append(dataLength);
  }

  /** Appends tcpdump's flag letters in its order (F S R P U E W, then '.' for ACK) or "none". */
  private static void appendTcpFlags(StringBuilder sb, int flags) {
    if (flags == 0) {
      sb.append("none");
      return;
    }
    String letters = "FSRP.UEW"; // by bit, FIN first; the ACK bit's '.' goes last
    for (int bit = 0; bit < letters.length(); bit++) {
      if ((flags & (1 << bit)) != 0 && (1 << bit) != TcpHeader.ACK) {
        sb.append(letters.charAt(bit));
      }
    }
    if ((flags & TcpHeader.ACK) != 0) {
      sb.append('.');
    }
  }

  private static void appendIcmp(StringBuilder sb, byte[] b, int off, int len, int icmpLength) {
    if (len < IcmpMessage.HEADER_LENGTH) {
      sb.append("truncated ICMP header");
      return;
    }
    sb.append("ICMP ");
    int type = IcmpMessage.type(b, off);
    int code = IcmpMessage.code(b, off);
    switch (type) {
      case IcmpMessage.ECHO_REQUEST:
      case IcmpMessage.ECHO_REPLY:
        sb.append(type == IcmpMessage.ECHO_REQUEST ? "echo request" : "echo reply")
            .append(", id ")
            .append(IcmpMessage.echoId(b, off))
            .append(", seq ")
            .append(IcmpMessage.echoSeq(b, off));
        break;
      case IcmpMessage.DEST_UNREACHABLE:
        if (!appendUnreachable(sb, b, off, len, code)) {
          sb.append("truncated unreachable");
        }
        break;
      case IcmpMessage.TIME_EXCEEDED:
        if (code == 0) {
          sb.append("time exceeded in-transit");
        } else if (code == 1) {
          sb.append("ip reassembly time exceeded");
        } else {
          sb.append("time exceeded-#").append(code);
        }
        break;
      default:
        sb.append("type-#").append(type);
    }
    sb.append(", length ").append(icmpLength);
  }

  /** Appends tcpdump's text for a destination unreachable; false if the quote is too short. */
  private static boolean appendUnreachable(StringBuilder sb, byte[] b, int off, int len, int code) {
    int quoted = off + IcmpMessage.HEADER_LENGTH;
    int quotedLen = len - IcmpMessage.HEADER_LENGTH;
    if (quotedLen < Ipv4Header.MIN_LENGTH) {
      return false;
    }
    int originalDst = Ipv4Header.dst(b, quoted);
    int originalProtocol = Ipv4Header.protocol(b, quoted);
    if (code == IcmpMessage.PROTOCOL_UNREACHABLE) {
      Ipv4Address.appendTo(sb, originalDst);
      sb.append(" protocol ").append(originalProtocol).append(" unreachable");
    } else if (code == IcmpMessage.PORT_UNREACHABLE) {
      int originalHeaderLength = Ipv4Header.headerLength(b, quoted);
      if (quotedLen < originalHeaderLength + 4) {
        return false;
      }
      int dstPort = Bytes.u16(b, quoted + originalHeaderLength + 2);
      Ipv4Address.appendTo(sb, originalDst);
      if (originalProtocol == IpProtocol.TCP || originalProtocol == IpProtocol.UDP) {
        sb.append(' ').append(IpProtocol.name(originalProtocol));
      } else {
        sb.append(" protocol ").append(originalProtocol);
      }
      sb.append(" port ").append(dstPort).append(" unreachable");
    } else if (code == IcmpMessage.FRAGMENTATION_NEEDED) {
      Ipv4Address.appendTo(sb, originalDst);
      sb.append(" unreachable - need to frag");
      int mtu = Bytes.u16(b, off + 6);
      if (mtu != 0) {
        sb.append(" (mtu ").append(mtu).append(')');
      }
    } else {
      @Nullable String format =
          code < UNREACHABLE_FORMATS.length ? UNREACHABLE_FORMATS[code] : null;
      if (format == null) {
        format = "#" + code + " %s unreachable";
      }
      int at = format.indexOf("%s");
      sb.append(format, 0, at);
      Ipv4Address.appendTo(sb, originalDst);
      sb.append(format, at + 2, format.length());
    }
    return true;
  }

  private static void appendMac(StringBuilder sb, long mac) {
    for (int shift = 40; shift >= 0; shift -= 8) {
      appendHex(sb, (int) (mac >>> shift) & 0xFF, 2);
      if (shift > 0) {
        sb.append(':');
      }
    }
  }

  private static void appendHex(StringBuilder sb, int value, int digits) {
    for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) {
      sb.append(HEX[(value >>> shift) & 0xF]);
    }
  }
}
