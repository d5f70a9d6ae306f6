package io.podnet.core.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.io.BaseEncoding;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Tests for {@link IcmpMessage}: a known echo vector, error factories and validation. */
class IcmpMessageTest {

  /** An echo request, id 1, seq 1, 56 data bytes 00..37, checksum computed independently. */
  private static final String ECHO =
      "080000eb00010001"
          + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
          + "202122232425262728292a2b2c2d2e2f3031323334353637";

  private static byte[] hex(String hex) {
    return BaseEncoding.base16().lowerCase().decode(hex);
  }

  private static byte[] pattern(int length) {
    byte[] data = new byte[length];
    for (int i = 0; i < length; i++) {
      data[i] = (byte) i;
    }
    return data;
  }

  @Test
  void echoRequest_knownVector_encodesChecksum0x00eb() {
    IcmpMessage m = IcmpMessage.echoRequest(1, 1, pattern(56));
    assertThat(m.checksum()).isEqualTo(0x00eb);
    assertThat(m.length()).isEqualTo(64);
    byte[] b = new byte[64];
    m.encode(b, 0);
    assertThat(b).isEqualTo(hex(ECHO));
  }

  @Test
  void decode_knownVector_readsFieldsAndValidChecksum() {
    byte[] b = hex(ECHO);
    IcmpMessage m = IcmpMessage.decode(b, 0, b.length);
    assertThat(m.type()).isEqualTo(IcmpMessage.ECHO_REQUEST);
    assertThat(m.code()).isZero();
    assertThat(m.rest()).isEqualTo(1 << 16 | 1);
    assertThat(m.payload()).isEqualTo(pattern(56));
    assertThat(m.checksumValid()).isTrue();
    assertThat(IcmpMessage.type(b, 0)).isEqualTo(8);
    assertThat(IcmpMessage.code(b, 0)).isZero();
    assertThat(IcmpMessage.echoId(b, 0)).isEqualTo(1);
    assertThat(IcmpMessage.echoSeq(b, 0)).isEqualTo(1);
    b[20] ^= 1;
    assertThat(IcmpMessage.decode(b, 0, b.length).checksumValid()).isFalse();
  }

  @Test
  void echoReply_roundTripsWithValidChecksum() {
    IcmpMessage reply = IcmpMessage.echoReply(0xffff, 7, new byte[] {1, 2, 3});
    byte[] b = new byte[13];
    reply.encode(b, 2);
    assertThat(Checksum.internet(b, 2, 11)).isZero();
    IcmpMessage decoded = IcmpMessage.decode(b, 2, 11);
    assertThat(decoded).isEqualTo(reply);
    assertThat(decoded.type()).isEqualTo(IcmpMessage.ECHO_REPLY);
    assertThat(IcmpMessage.echoId(b, 2)).isEqualTo(0xffff);
    assertThat(IcmpMessage.echoSeq(b, 2)).isEqualTo(7);
  }

  @Test
  void fragmentationNeeded_carriesMtuInLow16BitsOfRest() {
    byte[] original = new byte[28];
    IcmpMessage m = IcmpMessage.fragmentationNeeded(1450, original);
    assertThat(m.type()).isEqualTo(IcmpMessage.DEST_UNREACHABLE);
    assertThat(m.code()).isEqualTo(IcmpMessage.FRAGMENTATION_NEEDED);
    assertThat(m.rest()).isEqualTo(1450);
    assertThat(m.checksumValid()).isTrue();
    byte[] b = new byte[m.length()];
    m.encode(b, 0);
    assertThat(Bytes.u16(b, 6)).isEqualTo(1450);
    assertThat(Bytes.u16(b, 4)).isZero();
  }

  @Test
  void errors_quoteOriginal_withTypeAndCode() {
    byte[] original = hex("45000073000040004011b861c0a80001c0a800c7" + "9c40003500140000");
    IcmpMessage unreachable =
        IcmpMessage.destinationUnreachable(IcmpMessage.PORT_UNREACHABLE, original);
    assertThat(unreachable.type()).isEqualTo(3);
    assertThat(unreachable.code()).isEqualTo(3);
    assertThat(unreachable.payload()).isEqualTo(original);
    assertThat(unreachable.length()).isEqualTo(36);
    assertThat(unreachable.checksumValid()).isTrue();
    IcmpMessage exceeded = IcmpMessage.timeExceeded(original);
    assertThat(exceeded.type()).isEqualTo(IcmpMessage.TIME_EXCEEDED);
    assertThat(exceeded.code()).isZero();
    assertThat(exceeded.checksumValid()).isTrue();
  }

  @Test
  void quote_longDatagram_keepsHeaderPlusEightBytes() {
    byte[] frame = new byte[14 + 100];
    frame[14] = 0x46;
    Arrays.fill(frame, 15, frame.length, (byte) 7);
    assertThat(IcmpMessage.quote(frame, 14, 100)).hasSize(32);
    assertThat(IcmpMessage.quote(frame, 14, 30)).hasSize(30);
    frame[14] = 0x45;
    assertThat(IcmpMessage.quote(frame, 14, 100)).isEqualTo(Arrays.copyOfRange(frame, 14, 14 + 28));
  }

  @Test
  void factories_outOfRange_throwNamingField() {
    assertThatThrownBy(() -> IcmpMessage.echoRequest(65536, 0, new byte[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("echo id must be in [0, 65535]: 65536");
    assertThatThrownBy(() -> IcmpMessage.echoReply(0, -1, new byte[0]))
        .hasMessage("echo seq must be in [0, 65535]: -1");
    assertThatThrownBy(() -> IcmpMessage.fragmentationNeeded(70000, new byte[0]))
        .hasMessage("next-hop MTU must be in [0, 65535]: 70000");
    assertThatThrownBy(() -> IcmpMessage.destinationUnreachable(16, new byte[0]))
        .hasMessage("unreachable code must be in [0, 15]: 16");
  }

  @Test
  void decode_truncated_throwsNamingLength() {
    assertThatThrownBy(() -> IcmpMessage.decode(hex(ECHO), 0, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("truncated ICMP message: 4 bytes (expected at least 8)");
  }

  @Test
  void payload_returnsCopy() {
    IcmpMessage m = IcmpMessage.echoRequest(1, 1, new byte[] {5});
    m.payload()[0] = 9;
    assertThat(m.payload()).containsExactly(5);
  }
}
