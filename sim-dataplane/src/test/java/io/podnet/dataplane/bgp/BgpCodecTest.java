package io.podnet.dataplane.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tests for {@link BgpCodec} against byte vectors written from RFC 4271, RFC 4456, RFC 6793. */
class BgpCodecTest {

  private static final String MARKER = "ffffffffffffffffffffffffffffffff";

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static int ip(String s) {
    return Ipv4Address.parse(s).toInt();
  }

  private static long prefix(String s) {
    return Prefixes.pack(Cidr.parse(s));
  }

  @Test
  void keepalive_encode_nineteenByteHeader() {
    assertThat(hex(BgpCodec.keepalive())).isEqualTo(MARKER + "0013" + "04");
    assertThat(BgpCodec.decode(BgpCodec.keepalive(), 0, 19, true))
        .isInstanceOf(BgpMessage.Keepalive.class);
  }

  @Test
  void open_as64512_versionAsHoldIdAndFourOctetAsCapability() {
    byte[] b = BgpCodec.open(64512, 240, ip("192.168.1.11"));

    assertThat(hex(b))
        .isEqualTo(
            MARKER
                + "0025"
                + "01"
                + "04"
                + "fc00"
                + "00f0"
                + "c0a8010b"
                + "08"
                + "0206"
                + "4104"
                + "0000fc00");
    assertThat(BgpCodec.decode(b, 0, b.length, false))
        .isEqualTo(new BgpMessage.Open(4, 64512, 240, ip("192.168.1.11"), true));
  }

  @Test
  void open_fourOctetAs_myAsIsAsTrans() {
    byte[] b = BgpCodec.open(4200000000L, 90, ip("10.0.0.1"));

    assertThat(hex(b).substring(40, 44)).isEqualTo("5ba0"); // AS_TRANS 23456
    assertThat(((BgpMessage.Open) BgpCodec.decode(b, 0, b.length, false)).asn())
        .isEqualTo(4200000000L);
  }

  @Test
  void update_ibgpRoute_attributesAndNlriOnTheWire() {
    PathAttributes a = PathAttributes.local(ip("192.168.1.12"), 100);
    byte[] b = BgpCodec.update(new long[0], a, new long[] {prefix("10.244.2.0/26")}, true);

    assertThat(hex(b))
        .isEqualTo(
            MARKER
                + "0031"
                + "02"
                + "0000"
                + "0015"
                + "40010100"
                + "400200"
                + "400304c0a8010c"
                + "40050400000064"
                + "1a0af40200");
    assertThat(BgpCodec.decode(b, 0, b.length, true))
        .isEqualTo(new BgpMessage.Update(new long[0], a, new long[] {prefix("10.244.2.0/26")}));
  }

  @Test
  void update_reflectedRouteWithTwoOctetAsPath_roundTrips() {
    PathAttributes a =
        new PathAttributes(
            PathAttributes.ORIGIN_INCOMPLETE,
            new int[] {65001, 65002},
            ip("192.168.1.12"),
            5,
            200,
            ip("10.0.0.1"),
            new int[] {ip("10.255.255.1")});
    byte[] b = BgpCodec.update(new long[0], a, new long[] {prefix("10.0.0.0/8")}, false);

    assertThat(hex(b)).contains("400206" + "0202" + "fde9" + "fdea");
    assertThat(hex(b)).contains("80040400000005");
    assertThat(hex(b)).contains("8009040a000001");
    assertThat(hex(b)).contains("800a040affff01");
    assertThat(BgpCodec.decode(b, 0, b.length, false))
        .isEqualTo(new BgpMessage.Update(new long[0], a, new long[] {prefix("10.0.0.0/8")}));
  }

  @Test
  void withdrawal_onePrefix_withdrawnRoutesOnly() {
    byte[] b = BgpCodec.withdrawal(new long[] {prefix("10.244.2.0/26")});

    assertThat(hex(b)).isEqualTo(MARKER + "001c" + "02" + "0005" + "1a0af40200" + "0000");
    BgpMessage.Update u = (BgpMessage.Update) BgpCodec.decode(b, 0, b.length, true);
    assertThat(u.withdrawn()).containsExactly(prefix("10.244.2.0/26"));
    assertThat(u.attributes()).isNull();
    assertThat(u.nlri()).isEmpty();
  }

  @Test
  void notification_holdTimerExpired_codeFour() {
    byte[] b = BgpCodec.notification(4, 0, new byte[0]);

    assertThat(hex(b)).isEqualTo(MARKER + "0015" + "03" + "0400");
    assertThat(BgpCodec.decode(b, 0, b.length, true))
        .isEqualTo(new BgpMessage.Notification(4, 0, new byte[0]));
  }

  @Test
  void decode_badMarker_headerErrorConnectionNotSynchronized() {
    byte[] b = BgpCodec.keepalive().clone();
    b[3] = 0;

    assertThatThrownBy(() -> BgpCodec.decode(b, 0, b.length, true))
        .isInstanceOfSatisfying(
            BgpError.class, e -> assertThat(e.code * 10 + e.subcode).isEqualTo(11));
  }

  @Test
  void decode_badType_headerErrorBadMessageType() {
    byte[] b = hex(MARKER + "0013" + "09");

    assertThatThrownBy(() -> BgpCodec.decode(b, 0, b.length, true))
        .isInstanceOfSatisfying(
            BgpError.class, e -> assertThat(e.code * 10 + e.subcode).isEqualTo(13))
        .hasMessageContaining("bad message type: 9");
  }

  @Test
  void decode_badLength_headerErrorBadMessageLength() {
    byte[] b = hex(MARKER + "0012" + "04");

    assertThatThrownBy(() -> BgpCodec.messageLength(b, 0, b.length))
        .isInstanceOfSatisfying(
            BgpError.class, e -> assertThat(e.code * 10 + e.subcode).isEqualTo(12));
  }

  @Test
  void decode_updateWithoutOrigin_missingWellKnownAttribute() {
    byte[] b =
        hex(MARKER + "0026" + "02" + "0000" + "000a" + "400200" + "400304c0a8010c" + "1a0af40200");

    assertThatThrownBy(() -> BgpCodec.decode(b, 0, b.length, true))
        .isInstanceOfSatisfying(
            BgpError.class, e -> assertThat(e.code * 10 + e.subcode).isEqualTo(33))
        .hasMessageContaining("missing ORIGIN");
  }

  /** An UPDATE message whose body (after the header) is {@code body}, in hex. */
  private static byte[] update(String body) {
    byte[] b = hex(body);
    return hex(MARKER + String.format("%04x", 19 + b.length) + "02" + body);
  }

  @ParameterizedTest
  @CsvSource({
    "000000, 1, UPDATE too short",
    "0010 0000, 1, withdrawn routes length 16",
    "0002 210a 0000, 10, invalid prefix length 33",
    "0000 00ff, 1, total path attribute length 255",
    "0000 0000 210a000000, 10, invalid prefix length 33",
    "0000 0000 1a0af402, 10, invalid prefix length 26",
  })
  void decode_malformedUpdate_updateErrorWithSubcodeAndText(String body, int subcode, String text) {
    byte[] b = update(body);
    String message = text + " (NOTIFICATION 3/" + subcode + ")";

    assertThatThrownBy(() -> BgpCodec.decode(b, 0, b.length, true))
        .isInstanceOfSatisfying(
            BgpError.class, e -> assertThat(e.code * 100 + e.subcode).isEqualTo(300 + subcode))
        .hasMessage(message);
    assertThatThrownBy(() -> new BgpCodec.UpdateView().wrapMessage(b, 0, b.length))
        .isInstanceOf(BgpError.class)
        .hasMessage(message);
  }

  @Test
  void messageLength_partialHeader_minusOne() {
    assertThat(BgpCodec.messageLength(BgpCodec.keepalive(), 0, 18)).isEqualTo(-1);
    assertThat(BgpCodec.messageLength(BgpCodec.keepalive(), 0, 19)).isEqualTo(19);
  }
}
