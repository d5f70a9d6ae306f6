package io.podnet.core.addr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests for {@link MacAddress}: parsing, flag bits and wire order. */
class MacAddressTest {

  @Test
  void parse_mixedCase_normalizesToLowercase() {
    MacAddress mac = MacAddress.parse("0A:58:0a:F4:01:05");
    assertThat(mac.toLong()).isEqualTo(0x0A580AF40105L);
    assertThat(mac).hasToString("0a:58:0a:f4:01:05");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "00:11:22:33:44",
        "00:11:22:33:44:55:66",
        "gg:11:22:33:44:55",
        "00-11-22-33-44-55",
        "0:11:22:33:44:555",
        "00:11:22:33:44:5",
        " 00:11:22:33:44:55",
        "00:11:22:33:44:5\u0663"
      })
  void parse_badText_throwsNamingValueAndExpectedForm(String text) {
    assertThatThrownBy(() -> MacAddress.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "invalid MAC address: \"" + text + "\" (expected xx:xx:xx:xx:xx:xx with hex digits)");
  }

  @Test
  void of_above48Bits_throws() {
    assertThatThrownBy(() -> MacAddress.of(1L << 48))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("MAC address must fit in 48 bits: 0x1000000000000");
    assertThat(MacAddress.of(0xFFFF_FFFF_FFFFL)).isEqualTo(MacAddress.BROADCAST);
  }

  @Test
  void flags_broadcastMulticastUnicast_classified() {
    assertThat(MacAddress.BROADCAST.isBroadcast()).isTrue();
    assertThat(MacAddress.BROADCAST.isMulticast()).isTrue();
    assertThat(MacAddress.parse("01:00:5e:00:00:01").isMulticast()).isTrue();
    assertThat(MacAddress.parse("01:00:5e:00:00:01").isBroadcast()).isFalse();
    assertThat(MacAddress.parse("0a:58:0a:f4:01:05").isMulticast()).isFalse();
    assertThat(MacAddress.parse("fe:ff:ff:ff:ff:ff").isMulticast()).isFalse();
    assertThat(MacAddress.ZERO).hasToString("00:00:00:00:00:00");
    assertThat(MacAddress.BROADCAST).hasToString("ff:ff:ff:ff:ff:ff");
  }

  @Test
  void writeToAndReadFrom_atOffset_networkOrder() {
    MacAddress mac = MacAddress.parse("0a:58:0a:f4:01:05");
    byte[] b = new byte[10];
    mac.writeTo(b, 2);
    assertThat(b).containsExactly(0, 0, 0x0a, 0x58, 0x0a, 0xf4 - 256, 0x01, 0x05, 0, 0);
    assertThat(MacAddress.readFrom(b, 2)).isEqualTo(mac);
    assertThat(MacAddress.readLong(b, 2)).isEqualTo(0x0A580AF40105L);
    MacAddress.writeLong(0xFFFF_FFFF_FFFFL, b, 4);
    assertThat(b).containsExactly(0, 0, 0x0a, 0x58, -1, -1, -1, -1, -1, -1);
  }

  @Test
  void compareTo_byBits() {
    assertThat(MacAddress.BROADCAST).isGreaterThan(MacAddress.ZERO);
    assertThat(MacAddress.parse("0a:00:00:00:00:01"))
        .isGreaterThan(MacAddress.parse("0a:00:00:00:00:00"));
  }

  @Test
  void linkLocal_labMacs_matchCapturedAddresses() {
    assertThat(MacAddress.parse("52:68:fe:01:6d:a6").linkLocal().toString())
        .isEqualTo("fe80::5068:feff:fe01:6da6");
    assertThat(MacAddress.parse("92:07:d6:ef:6c:23").linkLocal().toString())
        .isEqualTo("fe80::9007:d6ff:feef:6c23");
    assertThat(MacAddress.parse("de:32:53:5f:5b:46").linkLocal().toString())
        .isEqualTo("fe80::dc32:53ff:fe5f:5b46");
    assertThat(MacAddress.parse("9e:0c:54:b4:93:f9").linkLocal().toString())
        .isEqualTo("fe80::9c0c:54ff:feb4:93f9");
    assertThat(MacAddress.parse("02:00:00:00:00:01").linkLocal().toString())
        .isEqualTo("fe80::ff:fe00:1");
  }
}
