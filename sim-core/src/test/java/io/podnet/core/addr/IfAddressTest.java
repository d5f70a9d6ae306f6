package io.podnet.core.addr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Tests for {@link IfAddress}: interface addresses with host bits and their subnets. */
class IfAddressTest {

  @Test
  void parse_hostBitsSet_keepsAddressAndDerivesSubnet() {
    IfAddress address = IfAddress.parse("10.244.1.5/24");
    assertThat(address.address()).hasToString("10.244.1.5");
    assertThat(address.prefixLength()).isEqualTo(24);
    assertThat(address.subnet()).isEqualTo(Cidr.parse("10.244.1.0/24"));
    assertThat(address.broadcast()).hasToString("10.244.1.255");
    assertThat(address).hasToString("10.244.1.5/24");
  }

  @Test
  void parse_edgeLengths_roundTrip() {
    assertThat(IfAddress.parse("10.0.0.1/32").subnet()).hasToString("10.0.0.1/32");
    assertThat(IfAddress.parse("10.0.0.1/32").broadcast()).hasToString("10.0.0.1");
    assertThat(IfAddress.parse("10.0.0.1/0").subnet()).hasToString("0.0.0.0/0");
  }

  @Test
  void parse_badInput_throwsNamingProblem() {
    assertThatThrownBy(() -> IfAddress.parse("10.244.1.5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "invalid interface address: \"10.244.1.5\" (expected address/prefix-length, e.g."
                + " 10.244.1.5/24)");
    assertThatThrownBy(() -> IfAddress.parse("10.244.1.5/33"))
        .hasMessage("prefix length must be in [0, 32]: 33");
  }

  @Test
  void of_matchesParseAndValueEquality() {
    IfAddress built = IfAddress.of(Ipv4Address.parse("10.244.1.5"), 24);
    assertThat(built).isEqualTo(IfAddress.parse("10.244.1.5/24"));
    assertThat(built.hashCode()).isEqualTo(IfAddress.parse("10.244.1.5/24").hashCode());
    assertThat(built).isNotEqualTo(IfAddress.parse("10.244.1.5/16"));
    assertThatThrownBy(() -> IfAddress.of(Ipv4Address.ANY, 40))
        .hasMessage("prefix length must be in [0, 32]: 40");
  }
}
