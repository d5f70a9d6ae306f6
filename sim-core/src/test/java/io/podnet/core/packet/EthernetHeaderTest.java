package io.podnet.core.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.MacAddress;
import org.junit.jupiter.api.Test;

/** Tests for {@link EthernetHeader}: round trips and in-place access. */
class EthernetHeaderTest {

  private static final MacAddress A = MacAddress.parse("0a:58:0a:f4:01:02");
  private static final MacAddress B = MacAddress.parse("0a:58:0a:f4:02:03");

  @Test
  void encode_thenDecode_roundTripsAtOffset() {
    EthernetHeader h = EthernetHeader.of(B, A, EtherType.IPV4);
    byte[] b = new byte[20];
    h.encode(b, 3);
    assertThat(EthernetHeader.decode(b, 3, 14)).isEqualTo(h);
    assertThat(b[3]).isEqualTo((byte) 0x0a);
    assertThat(b[15]).isEqualTo((byte) 0x08);
    assertThat(b[16]).isEqualTo((byte) 0x00);
  }

  @Test
  void rawAccessors_readAndRewriteInPlace() {
    byte[] b = new byte[14];
    EthernetHeader.of(B, A, EtherType.ARP).encode(b, 0);
    assertThat(EthernetHeader.dst(b, 0)).isEqualTo(B.toLong());
    assertThat(EthernetHeader.src(b, 0)).isEqualTo(A.toLong());
    assertThat(EthernetHeader.etherType(b, 0)).isEqualTo(0x0806);
    EthernetHeader.setDst(b, 0, MacAddress.BROADCAST.toLong());
    EthernetHeader.setSrc(b, 0, B.toLong());
    EthernetHeader decoded = EthernetHeader.decode(b, 0, 14);
    assertThat(decoded.dst()).isEqualTo(MacAddress.BROADCAST);
    assertThat(decoded.src()).isEqualTo(B);
    assertThat(decoded.etherType()).isEqualTo(EtherType.ARP);
  }

  @Test
  void decode_truncated_throwsNamingLength() {
    assertThatThrownBy(() -> EthernetHeader.decode(new byte[14], 0, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("truncated Ethernet header: 10 bytes (expected at least 14)");
  }

  @Test
  void of_etherTypeOutOfRange_throws() {
    assertThatThrownBy(() -> EthernetHeader.of(A, B, 0x10000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("EtherType must be in [0, 65535]: 65536");
  }

  @Test
  void toString_showsSourceFirst() {
    assertThat(EthernetHeader.of(B, A, EtherType.IPV6))
        .hasToString("0a:58:0a:f4:01:02 > 0a:58:0a:f4:02:03, ethertype 0x86dd");
  }
}
