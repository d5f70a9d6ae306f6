package io.podnet.core.addr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests for {@link Ipv6Cidr}: strict parsing and containment across both 64-bit halves. */
class Ipv6CidrTest {

  @ParameterizedTest
  @ValueSource(strings = {"::/0", "fd00:10:244::/64", "fd00:10:244:100::/56", "2001:db8::1/128"})
  void parse_validText_roundTrips(String text) {
    assertThat(Ipv6Cidr.parse(text).toString()).isEqualTo(text);
  }

  @Test
  void parse_nonCanonicalAddress_printsCanonical() {
    assertThat(Ipv6Cidr.parse("FD00:0010:0244:0000::/64")).hasToString("fd00:10:244::/64");
  }

  @Test
  void parse_hostBitsSet_throwsNamingExpectedNetwork() {
    assertThatThrownBy(() -> Ipv6Cidr.parse("fd00::1/64"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("host bits set in fd00::1/64 (expected fd00::/64)");
    assertThatThrownBy(() -> Ipv6Cidr.parse("fd00:0:0:1:4000::/65"))
        .hasMessage("host bits set in fd00:0:0:1:4000::/65 (expected fd00:0:0:1::/65)");
    assertThat(Ipv6Cidr.parse("fd00:0:0:1:8000::/65")).hasToString("fd00:0:0:1:8000::/65");
  }

  @Test
  void parse_badLength_throwsNamingRange() {
    assertThatThrownBy(() -> Ipv6Cidr.parse("fd00::/129"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("prefix length must be in [0, 128]: 129");
    assertThatThrownBy(() -> Ipv6Cidr.parse("fd00::"))
        .hasMessage(
            "invalid IPv6 CIDR: \"fd00::\" (expected address/prefix-length, e.g."
                + " fd00:10:244::/64)");
  }

  @Test
  void contains_addressesAcrossHalves_checksAllPrefixBits() {
    Ipv6Cidr slash64 = Ipv6Cidr.parse("fd00:10:244:1::/64");
    assertThat(slash64.contains(Ipv6Address.parse("fd00:10:244:1::5"))).isTrue();
    assertThat(slash64.contains(Ipv6Address.parse("fd00:10:244:2::5"))).isFalse();
    Ipv6Cidr slash96 = Ipv6Cidr.parse("fd00::1:0:0/96");
    assertThat(slash96.contains(Ipv6Address.parse("fd00::1:ffff:ffff"))).isTrue();
    assertThat(slash96.contains(Ipv6Address.parse("fd00::2:0:0"))).isFalse();
    assertThat(Ipv6Cidr.parse("::/0").contains(Ipv6Address.parse("ffff::"))).isTrue();
    Ipv6Cidr host = Ipv6Cidr.parse("fd00::1/128");
    assertThat(host.contains(Ipv6Address.parse("fd00::1"))).isTrue();
    assertThat(host.contains(Ipv6Address.parse("fd00::2"))).isFalse();
  }

  @Test
  void containsAndOverlaps_nested_behaveAsSets() {
    Ipv6Cidr cluster = Ipv6Cidr.parse("fd00:10:244::/48");
    Ipv6Cidr node = Ipv6Cidr.parse("fd00:10:244:3::/64");
    Ipv6Cidr other = Ipv6Cidr.parse("fd00:10:245::/48");
    assertThat(cluster.contains(node)).isTrue();
    assertThat(node.contains(cluster)).isFalse();
    assertThat(node.overlaps(cluster)).isTrue();
    assertThat(cluster.overlaps(other)).isFalse();
    assertThat(cluster.network()).isEqualTo(Ipv6Address.parse("fd00:10:244::"));
    assertThat(cluster.prefixLength()).isEqualTo(48);
  }

  @Test
  void of_equalValues_equalAndSameHash() {
    Ipv6Cidr built = Ipv6Cidr.of(Ipv6Address.parse("fd00::"), 8);
    assertThat(built).isEqualTo(Ipv6Cidr.parse("fd00::/8"));
    assertThat(built.hashCode()).isEqualTo(Ipv6Cidr.parse("fd00::/8").hashCode());
    assertThat(built).isNotEqualTo(Ipv6Cidr.parse("fd00::/16"));
  }
}
