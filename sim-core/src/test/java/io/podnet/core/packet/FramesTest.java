package io.podnet.core.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.io.BaseEncoding;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Tests for {@link Frames} against frames built independently in Python. */
class FramesTest {

  private static final MacAddress MAC_A = MacAddress.parse("0a:58:0a:f4:01:02");
  private static final MacAddress MAC_B = MacAddress.parse("0a:58:0a:f4:02:03");
  private static final Ipv4Address IP_A = Ipv4Address.parse("10.244.1.2");
  private static final Ipv4Address IP_B = Ipv4Address.parse("10.244.2.3");
  private static final int IP_OFF = 14;
  private static final int L4_OFF = 34;

  private static byte[] hex(String hex) {
    return BaseEncoding.base16().lowerCase().decode(hex);
  }

  @Test
  void icmpEcho_request_matchesIndependentlyBuiltFrame() {
    byte[] frame = Frames.icmpEcho(true, MAC_B, MAC_A, IP_A, IP_B, 64, true, 0x1234, 1, 1, 56);
    assertThat(frame)
        .isEqualTo(
            hex(
                "0a580af402030a580af4010208004500005412344000"
                    + "40010f890af401020af40203080000eb00010001"
                    + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                    + "202122232425262728292a2b2c2d2e2f3031323334353637"));
  }

  @Test
  void icmpEcho_reply_hasValidChecksumsAndEchoFields() {
    byte[] frame = Frames.icmpEcho(false, MAC_A, MAC_B, IP_B, IP_A, 63, false, 9, 77, 3, 0);
    assertThat(frame).hasSize(42);
    assertThat(Ipv4Header.checksumValid(frame, IP_OFF)).isTrue();
    assertThat(Ipv4Header.ttl(frame, IP_OFF)).isEqualTo(63);
    assertThat(Ipv4Header.dontFragment(frame, IP_OFF)).isFalse();
    assertThat(Checksum.internet(frame, L4_OFF, 8)).isZero();
    assertThat(IcmpMessage.type(frame, L4_OFF)).isEqualTo(IcmpMessage.ECHO_REPLY);
    assertThat(IcmpMessage.echoId(frame, L4_OFF)).isEqualTo(77);
    assertThat(IcmpMessage.echoSeq(frame, L4_OFF)).isEqualTo(3);
  }

  @Test
  void udp_knownDatagram_matchesIndependentlyBuiltFrame() {
    byte[] frame =
        Frames.udp(
            MAC_B,
            MAC_A,
            IP_A,
            IP_B,
            64,
            false,
            7,
            40000,
            53,
            "hello, world".getBytes(StandardCharsets.US_ASCII));
    assertThat(frame)
        .isEqualTo(
            hex(
                "0a580af402030a580af40102080045000028000700004011"
                    + "61d20af401020af402039c4000350014"
                    + "0a1868656c6c6f2c20776f726c64"));
  }

  @Test
  void tcp_syn_matchesIndependentlyBuiltFrame() {
    byte[] frame =
        Frames.tcp(MAC_B, MAC_A, IP_A, IP_B, 64, 9, 40000, 80, 1000, 0, TcpHeader.SYN, 64240);
    assertThat(frame)
        .isEqualTo(
            hex(
                "0a580af402030a580af40102080045000028000940004006"
                    + "21db0af401020af402039c400050000003e8000000005002faf0fb8c0000"));
  }

  @Test
  void arpRequest_broadcastMatchesIndependentlyBuiltFrame() {
    byte[] frame = Frames.arpRequest(MAC_A, IP_A, Ipv4Address.parse("10.244.1.1"));
    assertThat(frame)
        .isEqualTo(
            hex(
                "ffffffffffff0a580af4010208060001080006040001"
                    + "0a580af401020af40102000000000000"
                    + "0af40101"));
  }

  @Test
  void arpReply_unicastToTarget() {
    MacAddress gateway = MacAddress.parse("0a:58:0a:f4:01:01");
    Ipv4Address gatewayIp = Ipv4Address.parse("10.244.1.1");
    byte[] frame = Frames.arpReply(gateway, gatewayIp, MAC_A, IP_A);
    assertThat(EthernetHeader.decode(frame, 0, frame.length))
        .isEqualTo(EthernetHeader.of(MAC_A, gateway, EtherType.ARP));
    assertThat(ArpPacket.decode(frame, 14, frame.length - 14))
        .isEqualTo(ArpPacket.reply(gateway, gatewayIp, MAC_A, IP_A));
  }

  @Test
  void icmpError_quotingOriginal_hasValidChecksumsAndLengths() {
    byte[] original = Frames.udp(MAC_B, MAC_A, IP_A, IP_B, 64, false, 7, 40000, 53, new byte[100]);
    IcmpMessage error =
        IcmpMessage.destinationUnreachable(
            IcmpMessage.PORT_UNREACHABLE, IcmpMessage.quote(original, IP_OFF, 128));
    byte[] frame = Frames.icmpError(MAC_A, MAC_B, IP_B, IP_A, 64, 1, error);
    assertThat(frame).hasSize(14 + 20 + 8 + 28);
    assertThat(Ipv4Header.checksumValid(frame, IP_OFF)).isTrue();
    assertThat(Ipv4Header.totalLength(frame, IP_OFF)).isEqualTo(56);
    assertThat(Checksum.internet(frame, L4_OFF, 36)).isZero();
    assertThat(IcmpMessage.decode(frame, L4_OFF, 36)).isEqualTo(error);
  }

  @Test
  void ipv4_lengthMismatch_throwsNamingExpectedLength() {
    Ipv4Header header = Ipv4Header.of(IP_A, IP_B, 99, 10);
    assertThatThrownBy(() -> Frames.ipv4(MAC_B, MAC_A, header, new byte[9]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("IPv4 total length 30 does not match header and payload (expected 29)");
    byte[] frame = Frames.ipv4(MAC_B, MAC_A, header, new byte[10]);
    assertThat(Ipv4Header.decode(frame, IP_OFF, 30)).isEqualTo(header);
  }

  private static byte[] tcpData(int ipId, long seq, int flags, byte[] payload, int off, int len) {
    return Frames.tcp(
        MacAddress.parse("02:00:00:00:00:02"),
        MacAddress.parse("02:00:00:00:00:01"),
        Ipv4Address.parse("192.168.1.11"),
        Ipv4Address.parse("192.168.1.12"),
        64,
        ipId,
        40001,
        179,
        seq,
        77,
        flags,
        64240,
        payload,
        off,
        len);
  }

  @Test
  void tcpSegments_largeSegmentInsideABuffer_sameBytesAsSeparateSegmentsWithFinAndPshLast() {
    byte[] payload = new byte[3000];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (i * 31);
    }
    int flags = TcpHeader.FIN | TcpHeader.PSH | TcpHeader.ACK;
    byte[] large = tcpData(0xFFFE, 0xFFFF_FF00L, flags, payload, 0, payload.length);
    byte[] buffer = new byte[large.length + 10];
    System.arraycopy(large, 0, buffer, 7, large.length);

    var segments = Frames.tcpSegments(buffer, 7, large.length, 1460);

    // Identifications and sequence numbers wrap as they would for separate segments.
    assertThat(segments)
        .containsExactly(
            tcpData(0xFFFE, 0xFFFF_FF00L, TcpHeader.ACK, payload, 0, 1460),
            tcpData(0xFFFF, 0xFFFF_FF00L + 1460 & 0xFFFF_FFFFL, TcpHeader.ACK, payload, 1460, 1460),
            tcpData(0, 0xFFFF_FF00L + 2920 & 0xFFFF_FFFFL, flags, payload, 2920, 80));
  }

  @Test
  void tcpSegments_payloadOfAtMostTheMss_oneSegmentAsItWas() {
    byte[] small = tcpData(9, 1, TcpHeader.PSH | TcpHeader.ACK, new byte[1460], 0, 1460);

    assertThat(Frames.tcpSegments(small, 0, small.length, 1460)).containsExactly(small);
  }

  @Test
  void tcpSegments_mssNotPositive_throwsNamingIt() {
    byte[] small = tcpData(9, 1, TcpHeader.ACK, new byte[10], 0, 10);

    assertThatThrownBy(() -> Frames.tcpSegments(small, 0, small.length, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("mss must be positive: 0");
  }
}
