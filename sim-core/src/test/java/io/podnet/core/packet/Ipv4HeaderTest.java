package io.podnet.core.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.io.BaseEncoding;
import io.podnet.core.addr.Ipv4Address;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Tests for {@link Ipv4Header}: known bytes, validation and RFC 1624 incremental updates. */
class Ipv4HeaderTest {

  /** The classic example header (a UDP datagram from 192.168.0.1 to 192.168.0.199). */
  private static final String CLASSIC = "45000073000040004011b861c0a80001c0a800c7";

  private static byte[] hex(String hex) {
    return BaseEncoding.base16().lowerCase().decode(hex);
  }

  @Test
  void decode_classicHeader_readsEveryField() {
    Ipv4Header h = Ipv4Header.decode(hex(CLASSIC), 0, 20);
    assertThat(h.tos()).isZero();
    assertThat(h.totalLength()).isEqualTo(0x73);
    assertThat(h.identification()).isZero();
    assertThat(h.dontFragment()).isTrue();
    assertThat(h.moreFragments()).isFalse();
    assertThat(h.fragmentOffset()).isZero();
    assertThat(h.ttl()).isEqualTo(64);
    assertThat(h.protocol()).isEqualTo(IpProtocol.UDP);
    assertThat(h.checksum()).isEqualTo(0xb861);
    assertThat(h.src()).isEqualTo(Ipv4Address.parse("192.168.0.1"));
    assertThat(h.dst()).isEqualTo(Ipv4Address.parse("192.168.0.199"));
    assertThat(h.headerLength()).isEqualTo(20);
    assertThat(h.checksumValid()).isTrue();
  }

  @Test
  void of_classicFields_encodesClassicBytesWithChecksum0xb861() {
    Ipv4Header h =
        Ipv4Header.of(
                Ipv4Address.parse("192.168.0.1"),
                Ipv4Address.parse("192.168.0.199"),
                IpProtocol.UDP,
                0x73 - 20)
            .withDontFragment(true);
    assertThat(h.checksum()).isEqualTo(0xb861);
    byte[] b = new byte[22];
    h.encode(b, 2);
    assertThat(Arrays.copyOfRange(b, 2, 22)).isEqualTo(hex(CLASSIC));
    assertThat(h).isEqualTo(Ipv4Header.decode(b, 2, 20));
  }

  @Test
  void with_everyField_roundTripsThroughBytes() {
    Ipv4Header h =
        Ipv4Header.of(Ipv4Address.parse("10.0.0.1"), Ipv4Address.parse("10.0.0.2"), 4, 1480)
            .withTos(0xb8)
            .withIdentification(0xbeef)
            .withFragment(true, 185)
            .withTtl(1);
    byte[] b = new byte[20];
    h.encode(b, 0);
    Ipv4Header decoded = Ipv4Header.decode(b, 0, 20);
    assertThat(decoded).isEqualTo(h);
    assertThat(decoded.checksumValid()).isTrue();
    assertThat(Ipv4Header.checksumValid(b, 0)).isTrue();
    assertThat(Ipv4Header.headerLength(b, 0)).isEqualTo(20);
    assertThat(Ipv4Header.totalLength(b, 0)).isEqualTo(1500);
    assertThat(Ipv4Header.identification(b, 0)).isEqualTo(0xbeef);
    assertThat(Ipv4Header.dontFragment(b, 0)).isFalse();
    assertThat(Ipv4Header.moreFragments(b, 0)).isTrue();
    assertThat(Ipv4Header.fragmentOffset(b, 0)).isEqualTo(185);
    assertThat(Ipv4Header.ttl(b, 0)).isEqualTo(1);
    assertThat(Ipv4Header.protocol(b, 0)).isEqualTo(IpProtocol.IPIP);
    assertThat(Ipv4Header.src(b, 0)).isEqualTo(0x0a000001);
    assertThat(Ipv4Header.dst(b, 0)).isEqualTo(0x0a000002);
    assertThat(Ipv4Header.version(b, 0)).isEqualTo(4);
    assertThat(b[1]).isEqualTo((byte) 0xb8);
  }

  @Test
  void decode_withOptions_keepsThemAndReencodesByteForByte() {
    // IHL 6 with one Router Alert option (RFC 2113): 94 04 00 00.
    byte[] b = hex("460000200000000001020000" + "c0a80001e0000016" + "94040000");
    Ipv4Header.rewriteChecksum(b, 0);
    Ipv4Header h = Ipv4Header.decode(b, 0, b.length);
    assertThat(h.headerLength()).isEqualTo(24);
    assertThat(h.options()).isEqualTo(hex("94040000"));
    assertThat(h.checksumValid()).isTrue();
    byte[] again = new byte[24];
    h.encode(again, 0);
    assertThat(again).isEqualTo(b);
  }

  @Test
  void decode_truncated_throwsNamingLength() {
    assertThatThrownBy(() -> Ipv4Header.decode(hex(CLASSIC), 0, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("truncated IPv4 header: 10 bytes (expected at least 20)");
  }

  @Test
  void decode_optionsBeyondLength_throwsNamingIhl() {
    byte[] b = hex(CLASSIC);
    b[0] = 0x46;
    assertThatThrownBy(() -> Ipv4Header.decode(b, 0, 20))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("truncated IPv4 header: 20 bytes (expected at least 24 for IHL 6)");
  }

  @Test
  void decode_wrongVersion_throwsNamingVersion() {
    byte[] b = hex(CLASSIC);
    b[0] = 0x65;
    assertThatThrownBy(() -> Ipv4Header.decode(b, 0, 20))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not an IPv4 header: version 6 (expected 4)");
  }

  @Test
  void decode_ihlBelowFive_throwsNamingIhl() {
    byte[] b = hex(CLASSIC);
    b[0] = 0x44;
    assertThatThrownBy(() -> Ipv4Header.decode(b, 0, 20))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid IPv4 header length: IHL 4 (expected at least 5)");
  }

  @Test
  void decode_totalLengthBelowHeader_throwsNamingTotalLength() {
    byte[] b = hex(CLASSIC);
    b[2] = 0;
    b[3] = 19;
    assertThatThrownBy(() -> Ipv4Header.decode(b, 0, 20))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid IPv4 total length: 19 (expected at least the header length 20)");
  }

  @Test
  void checksumValid_corruptedByte_isFalse() {
    byte[] b = hex(CLASSIC);
    b[8] = 63;
    assertThat(Ipv4Header.checksumValid(b, 0)).isFalse();
    assertThat(Ipv4Header.decode(b, 0, 20).checksumValid()).isFalse();
  }

  @Test
  void with_outOfRange_throwsNamingField() {
    Ipv4Header h = Ipv4Header.of(Ipv4Address.ANY, Ipv4Address.BROADCAST, IpProtocol.UDP, 8);
    assertThatThrownBy(() -> h.withTtl(256))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ttl must be in [0, 255]: 256");
    assertThatThrownBy(() -> h.withFragment(false, 8192))
        .hasMessage("fragment offset must be in [0, 8191]: 8192");
    assertThatThrownBy(() -> h.withIdentification(-1))
        .hasMessage("identification must be in [0, 65535]: -1");
    assertThatThrownBy(() -> Ipv4Header.of(Ipv4Address.ANY, Ipv4Address.ANY, IpProtocol.UDP, 65516))
        .hasMessage("payload length must be in [0, 65515]: 65516");
  }

  @Test
  void decrementTtl_randomHeaders_incrementalChecksumEqualsFullRecompute() {
    SplittableRandom random = new SplittableRandom(20240601);
    byte[] b = new byte[60];
    for (int trial = 0; trial < 10_000; trial++) {
      random.nextBytes(b);
      int ihl = random.nextInt(5, 16);
      b[0] = (byte) (0x40 | ihl);
      b[8] = (byte) random.nextInt(1, 256);
      Ipv4Header.rewriteChecksum(b, 0);
      int ttl = Ipv4Header.ttl(b, 0);

      assertThat(Ipv4Header.decrementTtl(b, 0)).isEqualTo(ttl - 1);

      byte[] recomputed = b.clone();
      Ipv4Header.rewriteChecksum(recomputed, 0);
      assertThat(b).as("trial %d", trial).isEqualTo(recomputed);
      assertThat(Ipv4Header.checksumValid(b, 0)).isTrue();
    }
  }

  @Test
  void setters_randomHeaders_keepChecksumEqualToFullRecompute() {
    SplittableRandom random = new SplittableRandom(1624);
    byte[] b = new byte[20];
    for (int trial = 0; trial < 2_000; trial++) {
      random.nextBytes(b);
      b[0] = 0x45;
      Ipv4Header.rewriteChecksum(b, 0);
      boolean df = Ipv4Header.dontFragment(b, 0);
      int src = random.nextInt();
      int dst = random.nextInt();
      Ipv4Header.setSrc(b, 0, src);
      Ipv4Header.setDst(b, 0, dst);
      Ipv4Header.setTotalLength(b, 0, random.nextInt(20, 0x10000));
      Ipv4Header.setFragment(b, 0, true, random.nextInt(0x2000));

      byte[] recomputed = b.clone();
      Ipv4Header.rewriteChecksum(recomputed, 0);
      assertThat(b).as("trial %d", trial).isEqualTo(recomputed);
      assertThat(Ipv4Header.src(b, 0)).isEqualTo(src);
      assertThat(Ipv4Header.dst(b, 0)).isEqualTo(dst);
      assertThat(Ipv4Header.moreFragments(b, 0)).isTrue();
      assertThat(Ipv4Header.dontFragment(b, 0)).isEqualTo(df);
    }
  }

  @Test
  void decrementTtl_zero_throws() {
    byte[] b = hex(CLASSIC);
    b[8] = 0;
    assertThatThrownBy(() -> Ipv4Header.decrementTtl(b, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot decrement TTL 0 (expected a TTL in [1, 255])");
  }

  @Test
  void toString_classicHeader_readable() {
    assertThat(Ipv4Header.decode(hex(CLASSIC), 0, 20))
        .hasToString(
            "192.168.0.1 > 192.168.0.199: tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto udp"
                + " (17), length 115, cksum 0xb861");
  }
}
