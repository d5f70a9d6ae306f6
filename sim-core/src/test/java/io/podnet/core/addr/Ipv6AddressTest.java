package io.podnet.core.addr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests for {@link Ipv6Address}: parsing and RFC 5952 canonical text. */
class Ipv6AddressTest {

  @ParameterizedTest
  @CsvSource({
    "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
    "2001:DB8::1, 2001:db8::1",
    "::, ::",
    "::1, ::1",
    "1::, 1::",
    "fd00:10:244:0:0:0:0:5, fd00:10:244::5",
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
  })
  void parse_anyForm_printsRfc5952Canonical(String text, String canonical) {
    assertThat(Ipv6Address.parse(text).toString()).isEqualTo(canonical);
  }

  @Test
  void parse_text_givesHiAndLo() {
    Ipv6Address address = Ipv6Address.parse("2001:db8::1");
    assertThat(address.hi()).isEqualTo(0x20010DB800000000L);
    assertThat(address.lo()).isEqualTo(1L);
    assertThat(Ipv6Address.of(0x20010DB800000000L, 1L)).isEqualTo(address);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.2.3.4", "::ffff:1.2.3.4", "::1.2.3.4", "fe80::1%eth0", "fd00", ""})
  void parse_ipv4TextOrZone_throwsNamingValue(String text) {
    assertThatThrownBy(() -> Ipv6Address.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid IPv6 address: \"" + text + "\" (expected hex groups");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1:2:3:4:5:6:7:8:9", "1::2::3", "g::1", "12345::1", ":1"})
  void parse_garbled_throwsNamingValue(String text) {
    assertThatThrownBy(() -> Ipv6Address.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "invalid IPv6 address: \""
                + text
                + "\" (expected hex groups separated by ':', e.g. fd00:10:244::5)");
  }

  @Test
  void parse_ipv4MappedHexForm_throwsNotSupported() {
    assertThatThrownBy(() -> Ipv6Address.parse("::ffff:102:304"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("IPv4-mapped IPv6 address not supported: \"::ffff:102:304\"");
  }

  @Test
  void toString_randomSparseAddresses_matchesGuava() throws UnknownHostException {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 2000; i++) {
      long hi = sparse(random);
      long lo = sparse(random);
      Ipv6Address address = Ipv6Address.of(hi, lo);
      byte[] bytes = new byte[16];
      address.writeTo(bytes, 0);
      String expected = InetAddresses.toAddrString(Inet6Address.getByAddress(null, bytes, -1));
      assertThat(address.toString()).isEqualTo(expected);
      if (!(hi == 0 && lo >>> 32 == 0xFFFF)) {
        assertThat(Ipv6Address.parse(expected)).isEqualTo(address);
      }
    }
  }

  /** Random 64 bits where each 16-bit group is zero half of the time, to exercise "::" runs. */
  private static long sparse(SplittableRandom random) {
    long bits = 0;
    for (int g = 0; g < 4; g++) {
      bits = bits << 16 | (random.nextBoolean() ? 0 : random.nextInt(1, 0x10000));
    }
    return bits;
  }

  @Test
  void writeToAndReadFrom_atOffset_roundTrip() {
    Ipv6Address address = Ipv6Address.parse("fd00:10:244:1::5");
    byte[] b = new byte[20];
    address.writeTo(b, 3);
    assertThat(b[3]).isEqualTo((byte) 0xfd);
    assertThat(b[18]).isEqualTo((byte) 0x05);
    assertThat(Ipv6Address.readFrom(b, 3)).isEqualTo(address);
  }

  @Test
  void compareTo_highBitSet_ordersUnsigned() {
    assertThat(Ipv6Address.parse("fd00::1")).isGreaterThan(Ipv6Address.parse("2001:db8::1"));
    assertThat(Ipv6Address.parse("::ffff:ffff:ffff:ffff")).isGreaterThan(Ipv6Address.parse("::1"));
    assertThat(Ipv6Address.parse("::8000:0:0:0")).isGreaterThan(Ipv6Address.parse("::1"));
  }
}
