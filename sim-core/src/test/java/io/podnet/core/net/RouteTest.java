package io.podnet.core.net;

import static io.podnet.core.net.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.Cidr;
import io.podnet.core.engine.Simulation;
import org.junit.jupiter.api.Test;

/** Tests for {@link Route}: the builder's checks and the {@code ip route} text. */
class RouteTest {

  private final Nic eth0 =
      Network.create(Simulation.create(1)).addHost("node-1").root().addNic("eth0");

  @Test
  void proto_emptyOrWithWhitespace_throwsNamingTheValue() {
    Route.Builder b = Route.to(Cidr.parse("10.0.0.0/24")).dev(eth0);

    assertThatThrownBy(() -> b.proto(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid route protocol \"\"");
    assertThatThrownBy(() -> b.proto("bi rd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid route protocol \"bi rd\"");
    assertThatThrownBy(() -> b.proto("bird\t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid route protocol \"bird\t\"");
  }

  @Test
  void viaCheckedGateway_sameArgumentsAsTheBuilder_equalRouteAndText() {
    for (boolean onlink : new boolean[] {false, true}) {
      Route.Builder b =
          Route.to(Cidr.parse("10.244.2.0/26")).via(ip("192.168.1.12")).dev(eth0).proto("bird");
      Route built = onlink ? b.onlink().build() : b.build();

      Route checked =
          Route.viaCheckedGateway(
              Cidr.parse("10.244.2.0/26"), ip("192.168.1.12"), eth0, onlink, "bird");

      assertThat(checked).isEqualTo(built);
      assertThat(checked.scope()).isEqualTo(built.scope());
      assertThat(checked).hasToString(built.toString());
    }
  }

  @Test
  void toString_everyPart_inIproute2Order() {
    Route r =
        Route.to(Cidr.parse("10.244.2.0/26"))
            .via(ip("192.168.1.12"))
            .dev(eth0)
            .proto("bird")
            .src(ip("192.168.1.11"))
            .metric(5)
            .onlink()
            .mtu(1450)
            .build();
    Route host = Route.of(Route.Type.BLACKHOLE, Cidr.parse("10.0.0.7/32")).build();
    Route def = Route.to(Cidr.parse("0.0.0.0/0")).via(ip("192.168.0.1")).dev(eth0).build();

    assertThat(r)
        .hasToString(
            "10.244.2.0/26 via 192.168.1.12 dev eth0 proto bird src 192.168.1.11 metric 5 onlink"
                + " mtu 1450");
    assertThat(host).hasToString("blackhole 10.0.0.7");
    assertThat(def).hasToString("default via 192.168.0.1 dev eth0");
  }
}
