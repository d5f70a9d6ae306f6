package io.podnet.dataplane.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.Ipv4Address;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceTest {

  private static final Ipv4Address VIP = Ipv4Address.parse("172.30.0.41");

  @Test
  void servicePortOf_unknownProtocol_rejectedNamingValue() {
    assertThatThrownBy(() -> ServicePort.of("p", "ICMP", 80, 80))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown protocol: \"ICMP\" (expected TCP, UDP or SCTP)");
  }

  @Test
  void servicePortOf_portOutOfRange_rejectedNamingValue() {
    assertThatThrownBy(() -> ServicePort.of("p", "TCP", 0, 80))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port must be in [1, 65535]: 0");
    assertThatThrownBy(() -> ServicePort.of("p", "TCP", 80, 65536))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("targetPort must be in [1, 65535]: 65536");
    assertThatThrownBy(() -> ServicePort.of("p", "TCP", 80, 80).withNodePort(-1))
        .hasMessage("nodePort must be in [1, 65535]: -1");
  }

  @Test
  void portName_namedAndUnnamed_kubeProxyServicePortName() {
    Service named = Service.of("ns1", "svc1", VIP, ServicePort.of("p80", "TCP", 80, 80));
    Service unnamed = Service.of("ns1", "svc1", VIP, ServicePort.of("", "TCP", 80, 80));

    assertThat(named.portName(named.ports().get(0))).isEqualTo("ns1/svc1:p80");
    assertThat(unnamed.portName(unnamed.ports().get(0))).isEqualTo("ns1/svc1");
  }

  @Test
  void serviceOf_multiPortWithUnnamedPort_rejected() {
    List<ServicePort> ports =
        List.of(ServicePort.of("", "TCP", 80, 80), ServicePort.of("b", "TCP", 81, 81));

    assertThatThrownBy(() -> Service.of("ns", "s", VIP, ports))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no name");
  }

  @Test
  void serviceKey_packAndUnpack_roundTrips() {
    long key = ServiceKey.pack(VIP.toInt(), 65535, 132);

    assertThat(ServiceKey.vip(key)).isEqualTo(VIP.toInt());
    assertThat(ServiceKey.port(key)).isEqualTo(65535);
    assertThat(ServiceKey.protocol(key)).isEqualTo(132);
    assertThat(ServiceKey.format(key)).isEqualTo("172.30.0.41:65535/132");
    assertThat(ServiceKey.pack(-1, 1, 6)).isNotZero();
  }

  @Test
  void lookupResult_backend_roundTripsAndIsNonNegative() {
    long r = LookupResult.backend(Ipv4Address.parse("255.1.2.3").toInt(), 8080);

    assertThat(LookupResult.isBackend(r)).isTrue();
    assertThat(LookupResult.format(r)).isEqualTo("255.1.2.3:8080");
    assertThat(LookupResult.isBackend(LookupResult.NO_ENDPOINTS)).isFalse();
    assertThat(LookupResult.format(LookupResult.NO_SERVICE)).isEqualTo("no service");
  }
}
