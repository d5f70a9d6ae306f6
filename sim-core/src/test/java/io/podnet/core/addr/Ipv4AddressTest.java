package io.podnet.core.addr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests for {@link Ipv4Address}: strict parsing, formatting and unsigned arithmetic. */
class Ipv4AddressTest {

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "255.255.255.255", "10.244.1.5", "192.168.0.1", "1.0.0.0"})
  void parse_validText_roundTripsThroughToString(String text) {
    assertThat(Ipv4Address.parse(text).toString()).isEqualTo(text);
  }

  @Test
  void parse_dottedQuad_givesBitsMostSignificantOctetFirst() {
    assertThat(Ipv4Address.parse("10.244.1.5").toInt()).isEqualTo(0x0AF40105);
    assertThat(Ipv4Address.parse("255.255.255.255").toInt()).isEqualTo(-1);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "1.2.3",
        "1.2.3.4.5",
        "256.0.0.1",
        "10.0.0.256",
        "01.2.3.4",
        "1.2.3.00",
        " 1.2.3.4",
        "1.2.3.4 ",
        "a.b.c.d",
        "1..2.3",
        "1.2.3.",
        ".1.2.3",
        "1.2.3.4/24",
        "+1.2.3.4",
        "1000.2.3.4",
        "1.2.3.-4"
      })
  void parse_badText_throwsNamingValueAndExpectedForm(String text) {
    assertThatThrownBy(() -> Ipv4Address.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid IPv4 address: \"" + text + "\" (expected four decimal octets 0-255)");
  }

  @Test
  void of_octets_matchesParse() {
    assertThat(Ipv4Address.of(10, 244, 1, 5)).isEqualTo(Ipv4Address.parse("10.244.1.5"));
    assertThat(Ipv4Address.of(255, 255, 255, 255)).isEqualTo(Ipv4Address.BROADCAST);
    assertThat(Ipv4Address.of(0, 0, 0, 0)).isEqualTo(Ipv4Address.ANY);
  }

  @Test
  void of_octetOutOfRange_throwsNamingOctet() {
    assertThatThrownBy(() -> Ipv4Address.of(10, 256, 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("octet must be in [0, 255]: 256");
    assertThatThrownBy(() -> Ipv4Address.of(-1, 0, 0, 1))
        .hasMessage("octet must be in [0, 255]: -1");
  }

  @Test
  void constants_haveExpectedText() {
    assertThat(Ipv4Address.ANY).hasToString("0.0.0.0");
    assertThat(Ipv4Address.BROADCAST).hasToString("255.255.255.255");
  }

  @Test
  void plus_withinRange_addsAcrossOctets() {
    assertThat(Ipv4Address.parse("10.244.0.255").plus(1)).hasToString("10.244.1.0");
    assertThat(Ipv4Address.parse("10.244.1.0").plus(-1)).hasToString("10.244.0.255");
    assertThat(Ipv4Address.parse("127.255.255.255").plus(1)).hasToString("128.0.0.0");
  }

  @Test
  void plus_pastEnd_throwsOverflows() {
    assertThatThrownBy(() -> Ipv4Address.BROADCAST.plus(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("255.255.255.255 + 1 overflows");
    assertThatThrownBy(() -> Ipv4Address.ANY.plus(-1))
        .hasMessageStartingWith("0.0.0.0 + -1 overflows");
  }

  @Test
  void formatAndAppendTo_randomBits_agreeWithParse() {
    SplittableRandom random = new SplittableRandom(42);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      int bits = random.nextInt();
      String text = Ipv4Address.format(bits);
      sb.setLength(0);
      Ipv4Address.appendTo(sb, bits);
      assertThat(sb.toString()).isEqualTo(text);
      assertThat(Ipv4Address.parse(text).toInt()).isEqualTo(bits);
    }
  }

  @Test
  void compareTo_highBitSet_ordersUnsigned() {
    assertThat(Ipv4Address.parse("192.168.0.1")).isGreaterThan(Ipv4Address.parse("10.0.0.1"));
    assertThat(Ipv4Address.BROADCAST).isGreaterThan(Ipv4Address.ANY);
    assertThat(Ipv4Address.parse("10.0.0.1").compareTo(Ipv4Address.parse("10.0.0.1"))).isZero();
  }

  @Test
  void equals_sameBits_equalAndSameHash() {
    assertThat(Ipv4Address.of(0x0A000001)).isEqualTo(Ipv4Address.parse("10.0.0.1"));
    assertThat(Ipv4Address.of(0x0A000001).hashCode())
        .isEqualTo(Ipv4Address.parse("10.0.0.1").hashCode());
    assertThat(Ipv4Address.of(0x0A000001)).isNotEqualTo(Ipv4Address.of(0x0A000002));
  }
}
