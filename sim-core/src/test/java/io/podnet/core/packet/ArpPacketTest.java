package io.podnet.core.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.io.BaseEncoding;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import org.junit.jupiter.api.Test;

/** Tests for {@link ArpPacket}: known bytes, round trips and rejected variants. */
class ArpPacketTest {

  private static final MacAddress POD = MacAddress.parse("0a:58:0a:f4:01:02");
  private static final MacAddress GATEWAY = MacAddress.parse("0a:58:0a:f4:01:01");
  private static final Ipv4Address POD_IP = Ipv4Address.parse("10.244.1.2");
  private static final Ipv4Address GATEWAY_IP = Ipv4Address.parse("10.244.1.1");

  /** An RFC 826 request built independently (Python struct), without the Ethernet header. */
  private static final String REQUEST =
      "0001080006040001" + "0a580af401020af40102" + "0000000000000af40101";

  private static byte[] hex(String hex) {
    return BaseEncoding.base16().lowerCase().decode(hex);
  }

  @Test
  void encode_request_matchesKnownBytes() {
    byte[] b = new byte[28];
    ArpPacket.request(POD, POD_IP, GATEWAY_IP).encode(b, 0);
    assertThat(b).isEqualTo(hex(REQUEST));
  }

  @Test
  void decode_request_readsFieldsAndRawAccessorsAgree() {
    byte[] b = hex(REQUEST);
    ArpPacket p = ArpPacket.decode(b, 0, b.length);
    assertThat(p.op()).isEqualTo(ArpPacket.OP_REQUEST);
    assertThat(p.senderMac()).isEqualTo(POD);
    assertThat(p.senderIp()).isEqualTo(POD_IP);
    assertThat(p.targetMac()).isEqualTo(MacAddress.ZERO);
    assertThat(p.targetIp()).isEqualTo(GATEWAY_IP);
    assertThat(ArpPacket.op(b, 0)).isEqualTo(1);
    assertThat(ArpPacket.senderMac(b, 0)).isEqualTo(POD.toLong());
    assertThat(ArpPacket.senderIp(b, 0)).isEqualTo(POD_IP.toInt());
    assertThat(ArpPacket.targetMac(b, 0)).isZero();
    assertThat(ArpPacket.targetIp(b, 0)).isEqualTo(GATEWAY_IP.toInt());
  }

  @Test
  void reply_roundTripsAndPrintsLikeTcpdump() {
    ArpPacket reply = ArpPacket.reply(GATEWAY, GATEWAY_IP, POD, POD_IP);
    byte[] b = new byte[30];
    reply.encode(b, 2);
    assertThat(ArpPacket.decode(b, 2, 28)).isEqualTo(reply);
    assertThat(ArpPacket.op(b, 2)).isEqualTo(ArpPacket.OP_REPLY);
    assertThat(reply).hasToString("Reply 10.244.1.1 is-at 0a:58:0a:f4:01:01");
    assertThat(ArpPacket.request(POD, POD_IP, GATEWAY_IP))
        .hasToString("Request who-has 10.244.1.1 tell 10.244.1.2");
  }

  @Test
  void decode_truncated_throwsNamingLength() {
    assertThatThrownBy(() -> ArpPacket.decode(hex(REQUEST), 0, 27))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("truncated ARP packet: 27 bytes (expected at least 28)");
  }

  @Test
  void decode_unsupportedFields_throwNamingExpectedValue() {
    byte[] htype = hex(REQUEST);
    htype[1] = 6;
    assertThatThrownBy(() -> ArpPacket.decode(htype, 0, 28))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unsupported ARP hardware type: 6 (expected 1 for Ethernet)");
    byte[] ptype = hex(REQUEST);
    ptype[2] = (byte) 0x86;
    ptype[3] = (byte) 0xdd;
    assertThatThrownBy(() -> ArpPacket.decode(ptype, 0, 28))
        .hasMessage("unsupported ARP protocol type: 0x86dd (expected 0x0800 for IPv4)");
    byte[] lengths = hex(REQUEST);
    lengths[5] = 16;
    assertThatThrownBy(() -> ArpPacket.decode(lengths, 0, 28))
        .hasMessage("unsupported ARP address lengths: hlen 6, plen 16 (expected hlen 6, plen 4)");
    byte[] op = hex(REQUEST);
    op[7] = 3;
    assertThatThrownBy(() -> ArpPacket.decode(op, 0, 28))
        .hasMessage("unsupported ARP operation: 3 (expected 1 request or 2 reply)");
  }
}
