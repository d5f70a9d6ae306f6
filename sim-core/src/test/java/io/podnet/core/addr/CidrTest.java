package io.podnet.core.addr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests for {@link Cidr}: strict parsing, set relations and subnet carving. */
class CidrTest {

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0/0", "10.244.0.0/16", "10.244.1.0/24", "255.255.255.255/32"})
  void parse_validText_roundTripsThroughToString(String text) {
    assertThat(Cidr.parse(text).toString()).isEqualTo(text);
  }

  @Test
  void parse_hostBitsSet_throwsNamingExpectedNetwork() {
    assertThatThrownBy(() -> Cidr.parse("10.0.0.1/8"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("host bits set in 10.0.0.1/8 (expected 10.0.0.0/8)");
  }

  @Test
  void parse_lengthOutOfRange_throwsNamingLength() {
    assertThatThrownBy(() -> Cidr.parse("1.2.3.4/33"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("prefix length must be in [0, 32]: 33");
  }

  @Test
  void parse_missingLength_throwsNamingExpectedForm() {
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "invalid CIDR: \"10.0.0.0\" (expected address/prefix-length, e.g. 10.244.0.0/16)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.0/", "10.0.0.0/x", "10.0.0.0/08", "10.0.0.0/+8", "10.0.0.0/8/8"})
  void parse_badLength_throwsNamingExpectedNumber(String text) {
    assertThatThrownBy(() -> Cidr.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "invalid prefix length in \"" + text + "\" (expected a decimal number in [0, 32])");
  }

  @Test
  void parse_badAddress_throwsNamingAddress() {
    assertThatThrownBy(() -> Cidr.parse("10.0.0/8"))
        .hasMessage("invalid IPv4 address: \"10.0.0\" (expected four decimal octets 0-255)");
  }

  @Test
  void of_hostBitsSet_throws() {
    assertThatThrownBy(() -> Cidr.of(Ipv4Address.parse("10.244.1.1"), 24))
        .hasMessage("host bits set in 10.244.1.1/24 (expected 10.244.1.0/24)");
    assertThatThrownBy(() -> Cidr.of(Ipv4Address.ANY, -1))
        .hasMessage("prefix length must be in [0, 32]: -1");
  }

  @Test
  void containing_hostBits_masksThem() {
    Cidr cidr = Cidr.containing(Ipv4Address.parse("10.244.1.77"), 24);
    assertThat(cidr).isEqualTo(Cidr.parse("10.244.1.0/24"));
    assertThat(Cidr.containing(Ipv4Address.BROADCAST, 0)).isEqualTo(Cidr.parse("0.0.0.0/0"));
  }

  @Test
  void mask_variousLengths_matchesNetmask() {
    assertThat(Cidr.parse("10.244.1.0/24").mask()).isEqualTo(0xFFFFFF00);
    assertThat(Cidr.parse("0.0.0.0/0").mask()).isZero();
    assertThat(Cidr.parse("10.0.0.1/32").mask()).isEqualTo(-1);
    assertThat(Cidr.parse("10.0.0.0/9").mask()).isEqualTo(0xFF800000);
  }

  @Test
  void accessors_slash16_giveNetworkBroadcastAndSize() {
    Cidr cidr = Cidr.parse("10.244.0.0/16");
    assertThat(cidr.network()).hasToString("10.244.0.0");
    assertThat(cidr.networkInt()).isEqualTo(0x0AF40000);
    assertThat(cidr.prefixLength()).isEqualTo(16);
    assertThat(cidr.broadcast()).hasToString("10.244.255.255");
    assertThat(cidr.size()).isEqualTo(65536);
    assertThat(Cidr.parse("0.0.0.0/0").size()).isEqualTo(1L << 32);
    assertThat(Cidr.parse("0.0.0.0/0").broadcast()).isEqualTo(Ipv4Address.BROADCAST);
    assertThat(Cidr.parse("1.2.3.4/32").size()).isEqualTo(1);
  }

  @Test
  void contains_address_checksPrefix() {
    Cidr cidr = Cidr.parse("10.244.1.0/24");
    assertThat(cidr.contains(Ipv4Address.parse("10.244.1.0"))).isTrue();
    assertThat(cidr.contains(Ipv4Address.parse("10.244.1.255"))).isTrue();
    assertThat(cidr.contains(Ipv4Address.parse("10.244.2.0"))).isFalse();
    assertThat(cidr.contains(0x0AF40001)).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains(Ipv4Address.BROADCAST)).isTrue();
    assertThat(Cidr.parse("255.255.255.255/32").contains(Ipv4Address.BROADCAST)).isTrue();
  }

  @Test
  void containsAndOverlaps_nestedAndDisjoint_behaveAsSets() {
    Cidr cluster = Cidr.parse("10.244.0.0/16");
    Cidr node = Cidr.parse("10.244.3.0/24");
    Cidr other = Cidr.parse("10.245.0.0/16");
    assertThat(cluster.contains(node)).isTrue();
    assertThat(node.contains(cluster)).isFalse();
    assertThat(cluster.contains(cluster)).isTrue();
    assertThat(cluster.overlaps(node)).isTrue();
    assertThat(node.overlaps(cluster)).isTrue();
    assertThat(cluster.overlaps(other)).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").overlaps(other)).isTrue();
  }

  @Test
  void address_index_offsetsFromNetwork() {
    Cidr cidr = Cidr.parse("10.244.1.0/24");
    assertThat(cidr.address(0)).hasToString("10.244.1.0");
    assertThat(cidr.address(5)).hasToString("10.244.1.5");
    assertThat(cidr.address(255)).hasToString("10.244.1.255");
    assertThat(Cidr.parse("0.0.0.0/0").address(0xFFFF_FFFFL)).isEqualTo(Ipv4Address.BROADCAST);
  }

  @Test
  void address_indexOutOfRange_throwsNamingRange() {
    Cidr cidr = Cidr.parse("10.244.1.0/24");
    assertThatThrownBy(() -> cidr.address(256))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("address index must be in [0, 256) for 10.244.1.0/24: 256");
    assertThatThrownBy(() -> cidr.address(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void subnet_podCidrs_carvedInOrder() {
    Cidr cluster = Cidr.parse("10.244.0.0/16");
    assertThat(cluster.subnet(24, 0)).hasToString("10.244.0.0/24");
    assertThat(cluster.subnet(24, 3)).hasToString("10.244.3.0/24");
    assertThat(cluster.subnet(24, 255)).hasToString("10.244.255.0/24");
    assertThat(cluster.subnet(16, 0)).isEqualTo(cluster);
    assertThat(cluster.subnet(26, 5)).hasToString("10.244.1.64/26");
    assertThat(Cidr.parse("0.0.0.0/0").subnet(1, 1)).hasToString("128.0.0.0/1");
    assertThat(Cidr.parse("0.0.0.0/0").subnet(32, 0xFFFF_FFFFL)).hasToString("255.255.255.255/32");
  }

  @Test
  void subnet_outOfRange_throwsNamingExpectedRange() {
    Cidr cluster = Cidr.parse("10.244.0.0/16");
    assertThatThrownBy(() -> cluster.subnet(24, 256))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("subnet index must be in [0, 256) for /24 subnets of 10.244.0.0/16: 256");
    assertThatThrownBy(() -> cluster.subnet(8, 0))
        .hasMessage("subnet prefix length must be in [16, 32] for 10.244.0.0/16: 8");
    assertThatThrownBy(() -> cluster.subnet(33, 0))
        .hasMessage("subnet prefix length must be in [16, 32] for 10.244.0.0/16: 33");
  }

  @Test
  void compareTo_networkUnsignedThenLength() {
    assertThat(Cidr.parse("192.168.0.0/16")).isGreaterThan(Cidr.parse("10.0.0.0/8"));
    assertThat(Cidr.parse("10.0.0.0/16")).isGreaterThan(Cidr.parse("10.0.0.0/8"));
    assertThat(Cidr.parse("10.0.0.0/8")).isEqualByComparingTo(Cidr.parse("10.0.0.0/8"));
  }

  @Test
  void equals_sameNetworkDifferentLength_notEqual() {
    assertThat(Cidr.parse("10.0.0.0/8")).isNotEqualTo(Cidr.parse("10.0.0.0/16"));
    assertThat(Cidr.parse("10.0.0.0/8")).isEqualTo(Cidr.of(Ipv4Address.parse("10.0.0.0"), 8));
    assertThat(Cidr.parse("10.0.0.0/8").hashCode())
        .isEqualTo(Cidr.of(Ipv4Address.parse("10.0.0.0"), 8).hashCode());
  }
}
