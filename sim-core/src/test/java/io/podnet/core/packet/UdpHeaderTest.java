package io.podnet.core.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.io.BaseEncoding;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Tests for {@link UdpHeader}: a known datagram checksum and validation. */
class UdpHeaderTest {

  /** 10.244.1.2:40000 to 10.244.2.3:53 carrying "hello, world", checksum computed in Python. */
  private static final String DATAGRAM = "9c40003500140a1868656c6c6f2c20776f726c64";

  private static final int SRC = 0x0af40102;
  private static final int DST = 0x0af40203;

  private static byte[] hex(String hex) {
    return BaseEncoding.base16().lowerCase().decode(hex);
  }

  @Test
  void writeChecksum_knownDatagram_gives0x0a18() {
    byte[] b = new byte[20];
    UdpHeader.of(40000, 53, 12).encode(b, 0);
    System.arraycopy("hello, world".getBytes(StandardCharsets.US_ASCII), 0, b, 8, 12);
    UdpHeader.writeChecksum(b, 0, 20, SRC, DST);
    assertThat(b).isEqualTo(hex(DATAGRAM));
    assertThat(UdpHeader.checksumValid(b, 0, 20, SRC, DST)).isTrue();
    assertThat(UdpHeader.checksumValid(b, 0, 20, SRC, DST + 1)).isFalse();
  }

  @Test
  void writeChecksum_computedZero_sentAsAllOnes() {
    // Choose the payload word so that the checksum comes out 0: write it, then compensate.
    byte[] b = new byte[10];
    UdpHeader.of(1, 2, 2).encode(b, 0);
    Bytes.put16(b, 8, 0);
    int checksum = Checksum.transport(SRC, DST, IpProtocol.UDP, b, 0, 10);
    Bytes.put16(b, 8, checksum);
    assertThat(Checksum.transport(SRC, DST, IpProtocol.UDP, b, 0, 10)).isZero();
    UdpHeader.writeChecksum(b, 0, 10, SRC, DST);
    assertThat(Bytes.u16(b, 6)).isEqualTo(0xFFFF);
    assertThat(UdpHeader.checksumValid(b, 0, 10, SRC, DST)).isTrue();
  }

  @Test
  void decode_knownDatagram_readsFields() {
    byte[] b = hex(DATAGRAM);
    UdpHeader h = UdpHeader.decode(b, 0, b.length);
    assertThat(h.srcPort()).isEqualTo(40000);
    assertThat(h.dstPort()).isEqualTo(53);
    assertThat(h.length()).isEqualTo(20);
    assertThat(h.checksum()).isEqualTo(0x0a18);
    assertThat(UdpHeader.srcPort(b, 0)).isEqualTo(40000);
    assertThat(UdpHeader.dstPort(b, 0)).isEqualTo(53);
    byte[] again = new byte[8];
    h.encode(again, 0);
    assertThat(again).isEqualTo(Arrays.copyOf(b, 8));
  }

  @Test
  void checksumValid_zeroChecksum_meansNoneAndIsValid() {
    byte[] b = new byte[8];
    UdpHeader.of(1, 2, 0).encode(b, 0);
    assertThat(UdpHeader.checksumValid(b, 0, 8, SRC, DST)).isTrue();
  }

  @Test
  void of_badValues_throwNamingField() {
    assertThatThrownBy(() -> UdpHeader.of(65536, 53, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("source port must be in [0, 65535]: 65536");
    assertThatThrownBy(() -> UdpHeader.of(1, -1, 0))
        .hasMessage("destination port must be in [0, 65535]: -1");
    assertThatThrownBy(() -> UdpHeader.of(1, 1, 65528))
        .hasMessage("UDP payload length must be in [0, 65527]: 65528");
  }

  @Test
  void decode_badInput_throwsNamingProblem() {
    assertThatThrownBy(() -> UdpHeader.decode(hex(DATAGRAM), 0, 7))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("truncated UDP header: 7 bytes (expected at least 8)");
    byte[] b = hex(DATAGRAM);
    b[5] = 7;
    assertThatThrownBy(() -> UdpHeader.decode(b, 0, 8))
        .hasMessage("invalid UDP length: 7 (expected at least 8)");
  }
}
