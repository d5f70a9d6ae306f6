package io.podnet.core.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Tests for {@link PacketSummary}: tcpdump texts and robustness to garbage. */
class PacketSummaryTest {

  private static final MacAddress MAC_A = MacAddress.parse("0a:58:0a:f4:01:02");
  private static final MacAddress MAC_B = MacAddress.parse("0a:58:0a:f4:02:03");
  private static final MacAddress GATEWAY = MacAddress.parse("0a:58:0a:f4:01:01");
  private static final Ipv4Address POD_A = Ipv4Address.parse("10.244.1.2");
  private static final Ipv4Address POD_B = Ipv4Address.parse("10.244.2.3");
  private static final Ipv4Address GATEWAY_IP = Ipv4Address.parse("10.244.1.1");

  private static String describe(byte[] frame) {
    return PacketSummary.describe(frame, 0, frame.length);
  }

  private static byte[] udp(int payloadLength) {
    return Frames.udp(MAC_B, MAC_A, POD_A, POD_B, 64, false, 7, 40000, 53, new byte[payloadLength]);
  }

  private static byte[] error(IcmpMessage message) {
    return Frames.icmpError(MAC_A, GATEWAY, GATEWAY_IP, POD_A, 64, 0, message);
  }

  @Test
  void describe_echoRequestAndReply_likeTcpdump() {
    assertThat(describe(Frames.icmpEcho(true, MAC_B, MAC_A, POD_A, POD_B, 64, true, 1, 1, 1, 56)))
        .isEqualTo("IP 10.244.1.2 > 10.244.2.3: ICMP echo request, id 1, seq 1, length 64");
    assertThat(describe(Frames.icmpEcho(false, MAC_A, MAC_B, POD_B, POD_A, 64, true, 1, 1, 1, 56)))
        .isEqualTo("IP 10.244.2.3 > 10.244.1.2: ICMP echo reply, id 1, seq 1, length 64");
  }

  @Test
  void describe_unreachableErrors_likeTcpdump() {
    byte[] original = IcmpMessage.quote(udp(12), 14, 40);
    byte[] toUnknownNet =
        IcmpMessage.quote(
            Frames.icmpEcho(
                true,
                GATEWAY,
                MAC_A,
                POD_A,
                Ipv4Address.parse("10.244.9.9"),
                64,
                true,
                1,
                1,
                1,
                56),
            14,
            84);
    assertThat(describe(error(IcmpMessage.destinationUnreachable(0, toUnknownNet))))
        .isEqualTo("IP 10.244.1.1 > 10.244.1.2: ICMP net 10.244.9.9 unreachable, length 36");
    assertThat(describe(error(IcmpMessage.destinationUnreachable(1, original))))
        .isEqualTo("IP 10.244.1.1 > 10.244.1.2: ICMP host 10.244.2.3 unreachable, length 36");
    assertThat(describe(error(IcmpMessage.destinationUnreachable(2, original))))
        .isEqualTo(
            "IP 10.244.1.1 > 10.244.1.2: ICMP 10.244.2.3 protocol 17 unreachable, length 36");
    assertThat(describe(error(IcmpMessage.destinationUnreachable(3, original))))
        .isEqualTo(
            "IP 10.244.1.1 > 10.244.1.2: ICMP 10.244.2.3 udp port 53 unreachable, length 36");
    assertThat(describe(error(IcmpMessage.fragmentationNeeded(1450, original))))
        .isEqualTo(
            "IP 10.244.1.1 > 10.244.1.2: ICMP 10.244.2.3 unreachable - need to frag (mtu 1450),"
                + " length 36");
    assertThat(describe(error(IcmpMessage.destinationUnreachable(13, original))))
        .isEqualTo(
            "IP 10.244.1.1 > 10.244.1.2: ICMP host 10.244.2.3 unreachable - admin prohibited"
                + " filter, length 36");
  }

  @Test
  void describe_tcpPortUnreachable_namesTcp() {
    byte[] syn = Frames.tcp(MAC_B, MAC_A, POD_A, POD_B, 64, 1, 40000, 80, 1000, 0, 2, 64240);
    byte[] frame = error(IcmpMessage.destinationUnreachable(3, IcmpMessage.quote(syn, 14, 40)));
    assertThat(describe(frame))
        .isEqualTo(
            "IP 10.244.1.1 > 10.244.1.2: ICMP 10.244.2.3 tcp port 80 unreachable, length 36");
  }

  @Test
  void describe_timeExceeded_likeTcpdump() {
    byte[] original = IcmpMessage.quote(udp(12), 14, 40);
    assertThat(describe(error(IcmpMessage.timeExceeded(original))))
        .isEqualTo("IP 10.244.1.1 > 10.244.1.2: ICMP time exceeded in-transit, length 36");
  }

  @Test
  void describe_arp_likeTcpdump() {
    assertThat(describe(Frames.arpRequest(MAC_A, POD_A, GATEWAY_IP)))
        .isEqualTo("ARP, Request who-has 10.244.1.1 tell 10.244.1.2, length 28");
    assertThat(describe(Frames.arpReply(GATEWAY, GATEWAY_IP, MAC_A, POD_A)))
        .isEqualTo("ARP, Reply 10.244.1.1 is-at 0a:58:0a:f4:01:01, length 28");
  }

  @Test
  void describe_udp_printsPortsAndPayloadLength() {
    assertThat(describe(udp(12))).isEqualTo("IP 10.244.1.2.40000 > 10.244.2.3.53: UDP, length 12");
  }

  @Test
  void describe_tcpFlags_useTcpdumpLetters() {
    assertThat(describe(tcp(TcpHeader.SYN, 1000, 0)))
        .isEqualTo("IP 10.244.1.2.40000 > 10.244.2.3.80: Flags [S], seq 1000, win 64240, length 0");
    assertThat(describe(tcp(TcpHeader.SYN | TcpHeader.ACK, 2000, 1001)))
        .isEqualTo(
            "IP 10.244.1.2.40000 > 10.244.2.3.80: Flags [S.], seq 2000, ack 1001, win 64240,"
                + " length 0");
    assertThat(describe(tcp(TcpHeader.ACK, 1001, 2001)))
        .isEqualTo("IP 10.244.1.2.40000 > 10.244.2.3.80: Flags [.], ack 2001, win 64240, length 0");
    assertThat(describe(tcp(TcpHeader.RST, 1001, 0)))
        .isEqualTo("IP 10.244.1.2.40000 > 10.244.2.3.80: Flags [R], seq 1001, win 64240, length 0");
    assertThat(describe(tcp(TcpHeader.RST | TcpHeader.ACK, 0, 1001)))
        .isEqualTo(
            "IP 10.244.1.2.40000 > 10.244.2.3.80: Flags [R.], seq 0, ack 1001, win 64240,"
                + " length 0");
    assertThat(describe(tcp(TcpHeader.FIN | TcpHeader.ACK, 5, 6)))
        .isEqualTo(
            "IP 10.244.1.2.40000 > 10.244.2.3.80: Flags [F.], seq 5, ack 6, win 64240, length 0");
    assertThat(describe(tcp(TcpHeader.SYN | 0x40 | 0x80, 1, 0)))
        .isEqualTo("IP 10.244.1.2.40000 > 10.244.2.3.80: Flags [SEW], seq 1, win 64240, length 0");
    assertThat(describe(tcp(0, 5, 6)))
        .isEqualTo("IP 10.244.1.2.40000 > 10.244.2.3.80: Flags [none], win 64240, length 0");
  }

  @Test
  void describe_tcpWithData_printsSequenceRange() {
    TcpHeader tcp = TcpHeader.of(40000, 80, 1001, 2001, TcpHeader.PSH | TcpHeader.ACK, 502);
    byte[] segment = new byte[30];
    tcp.encode(segment, 0);
    Ipv4Header ip = Ipv4Header.of(POD_A, POD_B, IpProtocol.TCP, 30);
    assertThat(describe(Frames.ipv4(MAC_B, MAC_A, ip, segment)))
        .isEqualTo(
            "IP 10.244.1.2.40000 > 10.244.2.3.80: Flags [P.], seq 1001:1011, ack 2001, win 502,"
                + " length 10");
  }

  private static byte[] tcp(int flags, long seq, long ack) {
    return Frames.tcp(MAC_B, MAC_A, POD_A, POD_B, 64, 1, 40000, 80, seq, ack, flags, 64240);
  }

  @Test
  void describe_ipip_printsOuterThenInner() {
    byte[] inner = Frames.icmpEcho(true, MAC_B, MAC_A, POD_A, POD_B, 64, true, 1, 1, 1, 56);
    byte[] innerIp = Arrays.copyOfRange(inner, 14, inner.length);
    Ipv4Header outer =
        Ipv4Header.of(
            Ipv4Address.parse("192.168.0.1"),
            Ipv4Address.parse("192.168.0.2"),
            IpProtocol.IPIP,
            innerIp.length);
    assertThat(describe(Frames.ipv4(MAC_B, MAC_A, outer, innerIp)))
        .isEqualTo(
            "IP 192.168.0.1 > 192.168.0.2: IP 10.244.1.2 > 10.244.2.3: ICMP echo request, id 1,"
                + " seq 1, length 64");
  }

  @Test
  void describe_nonFirstFragment_printsProtocolNumberOnly() {
    Ipv4Header fragment =
        Ipv4Header.of(
                Ipv4Address.parse("10.1.1.1"), Ipv4Address.parse("10.1.1.2"), IpProtocol.ICMP, 8)
            .withFragment(false, 185);
    assertThat(describe(Frames.ipv4(MAC_B, MAC_A, fragment, new byte[8])))
        .isEqualTo("IP 10.1.1.1 > 10.1.1.2: ip-proto-1");
  }

  @Test
  void describe_unknownProtocolAndEtherType_printNumbers() {
    Ipv4Header gre = Ipv4Header.of(POD_A, POD_B, 47, 24);
    assertThat(describe(Frames.ipv4(MAC_B, MAC_A, gre, new byte[24])))
        .isEqualTo("IP 10.244.1.2 > 10.244.2.3: ip-proto-47 24");
    byte[] ipv6 = new byte[54];
    EthernetHeader.of(MAC_B, MAC_A, EtherType.IPV6).encode(ipv6, 0);
    assertThat(describe(ipv6)).isEqualTo("ethertype 0x86dd, length 54");
  }

  @Test
  void describe_truncatedFrames_describeTheProblem() {
    byte[] echo = Frames.icmpEcho(true, MAC_B, MAC_A, POD_A, POD_B, 64, true, 1, 1, 1, 56);
    assertThat(PacketSummary.describe(echo, 0, 10))
        .isEqualTo("truncated Ethernet header, length 10");
    assertThat(PacketSummary.describe(echo, 0, 30)).isEqualTo("truncated IPv4 header");
    assertThat(PacketSummary.describe(echo, 0, 38))
        .isEqualTo("IP 10.244.1.2 > 10.244.2.3: truncated ICMP header");
    byte[] arp = Frames.arpRequest(MAC_A, POD_A, GATEWAY_IP);
    assertThat(PacketSummary.describe(arp, 0, 30)).isEqualTo("ARP, truncated, length 16");
    byte[] udp = udp(12);
    assertThat(PacketSummary.describe(udp, 0, 40))
        .isEqualTo("IP 10.244.1.2 > 10.244.2.3: truncated UDP header");
    byte[] unreachable =
        error(IcmpMessage.destinationUnreachable(3, IcmpMessage.quote(udp, 14, 40)));
    assertThat(PacketSummary.describe(unreachable, 0, 60))
        .isEqualTo("IP 10.244.1.1 > 10.244.1.2: ICMP truncated unreachable, length 36");
  }

  @Test
  void describe_garbledIpHeader_describesTheProblem() {
    byte[] frame = udp(12);
    frame[14] = 0x65;
    assertThat(describe(frame)).isEqualTo("IP bad version 6");
    frame[14] = 0x44;
    assertThat(describe(frame)).isEqualTo("IP bad header length 16");
    frame[14] = 0x45;
    frame[16] = 0;
    frame[17] = 10;
    assertThat(describe(frame)).isEqualTo("IP bad total length 10");
  }

  @Test
  void describe_randomBytesAndTruncations_neverThrows() {
    SplittableRandom random = new SplittableRandom(99);
    byte[][] seeds = {
      Frames.icmpEcho(true, MAC_B, MAC_A, POD_A, POD_B, 64, true, 1, 1, 1, 56),
      error(IcmpMessage.destinationUnreachable(3, IcmpMessage.quote(udp(12), 14, 40))),
      error(IcmpMessage.fragmentationNeeded(1450, IcmpMessage.quote(udp(12), 14, 40))),
      tcp(TcpHeader.SYN, 1, 0),
      udp(12),
      Frames.arpRequest(MAC_A, POD_A, GATEWAY_IP)
    };
    for (int trial = 0; trial < 20_000; trial++) {
      byte[] frame = seeds[random.nextInt(seeds.length)].clone();
      int flips = random.nextInt(0, 6);
      for (int i = 0; i < flips; i++) {
        frame[random.nextInt(frame.length)] = (byte) random.nextInt(256);
      }
      if (random.nextBoolean()) {
        frame[14] = (byte) (0x40 | random.nextInt(16));
        frame[23] = (byte) new int[] {1, 4, 6, 17}[random.nextInt(4)];
      }
      int len = random.nextInt(frame.length + 1);
      assertThatCode(() -> PacketSummary.describe(frame, 0, len)).doesNotThrowAnyException();
    }
  }

  @Test
  void appendTo_existingBuilder_appendsAtOffset() {
    byte[] arp = Frames.arpRequest(MAC_A, POD_A, GATEWAY_IP);
    byte[] padded = new byte[arp.length + 5];
    System.arraycopy(arp, 0, padded, 5, arp.length);
    StringBuilder sb = new StringBuilder("12:00 ");
    PacketSummary.appendTo(sb, padded, 5, arp.length);
    assertThat(sb).hasToString("12:00 ARP, Request who-has 10.244.1.1 tell 10.244.1.2, length 28");
  }
}
