package io.podnet.core.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.io.BaseEncoding;
import org.junit.jupiter.api.Test;

/** Tests for {@link TcpHeader}: a known SYN checksum and validation. */
class TcpHeaderTest {

  /** SYN 10.244.1.2:40000 to 10.244.2.3:80, seq 1000, win 64240, checksum computed in Python. */
  private static final String SYN = "9c400050000003e8000000005002faf0fb8c0000";

  private static final int SRC = 0x0af40102;
  private static final int DST = 0x0af40203;

  private static byte[] hex(String hex) {
    return BaseEncoding.base16().lowerCase().decode(hex);
  }

  @Test
  void writeChecksum_knownSyn_gives0xfb8c() {
    byte[] b = new byte[20];
    TcpHeader.of(40000, 80, 1000, 0, TcpHeader.SYN, 64240).encode(b, 0);
    TcpHeader.writeChecksum(b, 0, 20, SRC, DST);
    assertThat(b).isEqualTo(hex(SYN));
    assertThat(TcpHeader.checksumValid(b, 0, 20, SRC, DST)).isTrue();
    b[13] = TcpHeader.SYN | TcpHeader.ACK;
    assertThat(TcpHeader.checksumValid(b, 0, 20, SRC, DST)).isFalse();
  }

  @Test
  void decode_knownSyn_readsFields() {
    byte[] b = hex(SYN);
    TcpHeader h = TcpHeader.decode(b, 0, b.length);
    assertThat(h.srcPort()).isEqualTo(40000);
    assertThat(h.dstPort()).isEqualTo(80);
    assertThat(h.seq()).isEqualTo(1000);
    assertThat(h.ack()).isZero();
    assertThat(h.flags()).isEqualTo(TcpHeader.SYN);
    assertThat(h.window()).isEqualTo(64240);
    assertThat(h.checksum()).isEqualTo(0xfb8c);
    assertThat(TcpHeader.srcPort(b, 0)).isEqualTo(40000);
    assertThat(TcpHeader.dstPort(b, 0)).isEqualTo(80);
    assertThat(TcpHeader.flags(b, 0)).isEqualTo(TcpHeader.SYN);
    assertThat(TcpHeader.headerLength(b, 0)).isEqualTo(20);
  }

  @Test
  void encode_unsignedSequenceNumbers_roundTrip() {
    TcpHeader h =
        TcpHeader.of(
            1, 2, 0xFFFF_FFFFL, 0x8000_0000L, TcpHeader.FIN | TcpHeader.PSH | TcpHeader.ACK, 0);
    byte[] b = new byte[20];
    h.encode(b, 0);
    assertThat(TcpHeader.decode(b, 0, 20)).isEqualTo(h);
    assertThat(TcpHeader.seq(b, 0)).isEqualTo(0xFFFF_FFFFL);
    assertThat(TcpHeader.ack(b, 0)).isEqualTo(0x8000_0000L);
  }

  @Test
  void decode_withOptions_skipsThem() {
    byte[] b = new byte[24];
    TcpHeader.of(1, 2, 3, 4, TcpHeader.SYN, 5).encode(b, 0);
    b[12] = 0x60;
    TcpHeader h = TcpHeader.decode(b, 0, 24);
    assertThat(h.seq()).isEqualTo(3);
    assertThat(h.window()).isEqualTo(5);
  }

  @Test
  void decode_badInput_throwsNamingProblem() {
    assertThatThrownBy(() -> TcpHeader.decode(hex(SYN), 0, 19))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("truncated TCP header: 19 bytes (expected at least 20)");
    byte[] small = hex(SYN);
    small[12] = 0x40;
    assertThatThrownBy(() -> TcpHeader.decode(small, 0, 20))
        .hasMessage("invalid TCP data offset: 4 (expected at least 5)");
    byte[] options = hex(SYN);
    options[12] = 0x60;
    assertThatThrownBy(() -> TcpHeader.decode(options, 0, 20))
        .hasMessage("truncated TCP header: 20 bytes (expected at least 24 for data offset 6)");
  }

  @Test
  void of_badValues_throwNamingField() {
    assertThatThrownBy(() -> TcpHeader.of(1, 2, 1L << 32, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sequence number must be in [0, 4294967295]: 4294967296");
    assertThatThrownBy(() -> TcpHeader.of(1, 2, 0, -1, 0, 0))
        .hasMessage("acknowledgment number must be in [0, 4294967295]: -1");
    assertThatThrownBy(() -> TcpHeader.of(1, 2, 0, 0, 256, 0))
        .hasMessage("TCP flags must be in [0, 255]: 256");
    assertThatThrownBy(() -> TcpHeader.of(1, 2, 0, 0, 0, 65536))
        .hasMessage("window must be in [0, 65535]: 65536");
  }
}
