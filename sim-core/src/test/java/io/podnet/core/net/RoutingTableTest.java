package io.podnet.core.net;

import static io.podnet.core.net.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.Simulation;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tests for {@link RoutingTable}: longest-prefix match, metrics, removal and display order. */
class RoutingTableTest {

  private NetNamespace ns;
  private Nic eth0;
  private Nic eth1;

  @BeforeEach
  void setUp() {
    Network net = Network.create(Simulation.create(1));
    ns = net.addHost("h").root();
    eth0 = ns.addNic("eth0");
    eth1 = ns.addNic("eth1");
  }

  private Route route(String cidr, int metric, Device dev) {
    return Route.to(Cidr.parse(cidr)).dev(dev).metric(metric).build();
  }

  /** The reference: scan every route, keep the longest matching prefix, then the lowest metric. */
  private static Route bruteForce(List<Route> routes, int destination) {
    Route best = null;
    for (Route r : routes) {
      int len = r.destination().prefixLength();
      int mask = len == 0 ? 0 : -1 << (32 - len);
      if ((destination & mask) != r.destination().networkInt()) {
        continue;
      }
      if (best == null
          || len > best.destination().prefixLength()
          || (len == best.destination().prefixLength() && r.metric() < best.metric())) {
        best = r;
      }
    }
    return best;
  }

  @Test
  void lookup_randomTables_matchesBruteForceReference() {
    SplittableRandom random = new SplittableRandom(20240607L);
    for (int table = 0; table < 200; table++) {
      RoutingTable rt = new RoutingTable();
      List<Route> added = new ArrayList<>();
      int base = random.nextInt(); // routes cluster around one address so that prefixes nest
      int count = 1 + random.nextInt(60);
      for (int i = 0; i < count; i++) {
        int len = random.nextInt(33);
        int addr = random.nextInt(4) == 0 ? random.nextInt() : base ^ (random.nextInt() >>> len);
        int mask = len == 0 ? 0 : -1 << (32 - len);
        Cidr prefix = Cidr.of(Ipv4Address.of(addr & mask), len);
        Route r =
            Route.to(prefix)
                .dev(random.nextBoolean() ? eth0 : eth1)
                .metric(random.nextInt(4) * 100)
                .build();
        boolean duplicate =
            added.stream()
                .anyMatch(o -> o.destination().equals(prefix) && o.metric() == r.metric());
        if (duplicate) {
          assertThatThrownBy(() -> rt.add(r)).isInstanceOf(IllegalArgumentException.class);
        } else {
          rt.add(r);
          added.add(r);
        }
      }
      assertThat(rt.size()).isEqualTo(added.size());
      for (int q = 0; q < 200; q++) {
        int dst = random.nextInt(3) == 0 ? random.nextInt() : base ^ (random.nextInt() >>> q % 33);
        assertThat(rt.lookup(dst))
            .as("table %d, destination %s", table, Ipv4Address.of(dst))
            .isSameAs(bruteForce(added, dst));
      }
    }
  }

  @Test
  void isUniformOver_randomTablesAndBlocks_matchesLookupOfEveryAddress() {
    SplittableRandom random = new SplittableRandom(20261128L);
    int nonUniform = 0;
    for (int table = 0; table < 300; table++) {
      RoutingTable rt = new RoutingTable();
      int base = random.nextInt() & -256;
      for (int i = random.nextInt(12); i > 0; i--) {
        int len = 20 + random.nextInt(13);
        int mask = -1 << (32 - len);
        Cidr prefix = Cidr.of(Ipv4Address.of((base ^ random.nextInt(4096)) & mask), len);
        if (!rt.hasRoute(prefix, 0)) {
          rt.add(Route.to(prefix).dev(eth0).build());
        }
      }
      int blockLength = 22 + random.nextInt(11);
      Cidr block =
          Cidr.of(
              Ipv4Address.of((base ^ random.nextInt(4096)) & (-1 << (32 - blockLength))),
              blockLength);
      Route first = rt.lookup(block.networkInt());
      boolean expected = true;
      for (long i = 0; i < block.size(); i++) {
        expected &= rt.lookup(block.networkInt() + (int) i) == first;
      }
      nonUniform += expected ? 0 : 1;
      assertThat(rt.isUniformOver(block))
          .as("table %d, block %s", table, block)
          .isEqualTo(expected);
    }
    assertThat(nonUniform).as("the random tables exercise both answers").isBetween(30, 270);
  }

  @Test
  void toString_deviceRenamedSince_showsTheNewName() {
    Route r = Route.to(Cidr.parse("10.0.0.0/8")).via(ip("10.0.1.1")).dev(eth1).build();
    assertThat(r).hasToString("10.0.0.0/8 via 10.0.1.1 dev eth1");

    ns.moveDevice(eth1, ns, "uplink");

    assertThat(r).hasToString("10.0.0.0/8 via 10.0.1.1 dev uplink");
  }

  @Test
  void lookup_samePrefixTwoMetrics_lowestMetricWins() {
    RoutingTable rt = new RoutingTable();
    Route slow = route("10.1.0.0/16", 200, eth1);
    Route fast = route("10.1.0.0/16", 100, eth0);
    rt.add(slow);
    rt.add(fast);

    assertThat(rt.lookup(ip("10.1.2.3").toInt())).isSameAs(fast);

    rt.remove(fast);
    assertThat(rt.lookup(ip("10.1.2.3").toInt())).isSameAs(slow);
  }

  @Test
  void lookup_longerPrefixWithHigherMetric_stillWins() {
    RoutingTable rt = new RoutingTable();
    rt.add(route("10.0.0.0/8", 0, eth0));
    Route specific = route("10.1.1.0/24", 1000, eth1);
    rt.add(specific);

    assertThat(rt.lookup(ip("10.1.1.9").toInt())).isSameAs(specific);
    assertThat(rt.lookup(ip("10.1.2.9").toInt()).device()).isSameAs(eth0);
    assertThat(rt.lookup(ip("11.0.0.1").toInt())).isNull();
  }

  @Test
  void add_duplicatePrefixAndMetric_rejectedAndTableUnchanged() {
    RoutingTable rt = new RoutingTable();
    Route first = route("10.1.0.0/16", 100, eth0);
    rt.add(first);

    assertThatThrownBy(() -> rt.add(route("10.1.0.0/16", 100, eth1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10.1.0.0/16")
        .hasMessageContaining("metric 100");
    assertThat(rt.routes()).containsExactly(first);
    assertThat(rt.lookup(ip("10.1.0.1").toInt())).isSameAs(first);
  }

  @Test
  void remove_lastRouteOfALength_lookupFallsBackToShorterPrefix() {
    RoutingTable rt = new RoutingTable();
    Route wide = route("0.0.0.0/0", 0, eth0);
    Route host = route("10.9.9.9/32", 0, eth1);
    rt.add(wide);
    rt.add(host);

    assertThat(rt.remove(host)).isTrue();
    assertThat(rt.remove(host)).isFalse();
    assertThat(rt.size()).isEqualTo(1);
    assertThat(rt.lookup(ip("10.9.9.9").toInt())).isSameAs(wide);
    assertThat(rt.contains(host)).isFalse();
  }

  @Test
  void removeIf_byDevice_removesOnlyThatDevicesRoutes() {
    RoutingTable rt = new RoutingTable();
    rt.add(route("10.0.0.0/8", 0, eth0));
    rt.add(route("10.0.0.0/8", 5, eth1));
    rt.add(route("192.168.0.0/16", 0, eth1));

    assertThat(rt.removeIf(r -> r.device() == eth1)).isEqualTo(2);
    assertThat(rt.routes())
        .extracting(Route::toString)
        .containsExactly("10.0.0.0/8 dev eth0 scope link");
  }

  @Test
  void ipRouteShow_mixedRoutes_listedInKernelTrieOrder() {
    ns.host().network().connect(eth0, eth1, LinkSpec.DEFAULT); // carrier, so no linkdown flag
    ns.addAddress(eth0, IfAddress.parse("192.168.1.11/24"));
    eth0.up();
    eth1.up();
    ns.addRoute(Route.to(Cidr.parse("10.0.0.0/8")).dev(eth0).build());
    ns.addRoute(Route.to(Cidr.parse("10.244.2.0/24")).via(ip("192.168.1.12")).dev(eth0).build());
    ns.addRoute(Route.to(Cidr.parse("10.0.0.0/16")).dev(eth0).build());
    ns.addRoute(
        Route.to(Cidr.parse("0.0.0.0/0"))
            .via(ip("192.168.1.1"))
            .dev(eth0)
            .proto("dhcp")
            .src(ip("192.168.1.11"))
            .metric(100)
            .build());
    ns.addRoute(Route.to(Cidr.parse("200.1.0.0/16")).via(ip("192.168.1.1")).dev(eth0).build());
    ns.addRoute(
        Route.to(Cidr.parse("10.244.2.0/24")).via(ip("192.168.1.13")).dev(eth0).metric(50).build());

    // Ascending by network address (unsigned), longer prefix first on the same address, then by
    // metric, as the kernel's fib trie dumps the main table.
    assertThat(Iproute2.ipRouteShow(ns))
        .isEqualTo(
            "default via 192.168.1.1 dev eth0 proto dhcp src 192.168.1.11 metric 100 \n"
                + "10.0.0.0/16 dev eth0 scope link \n"
                + "10.0.0.0/8 dev eth0 scope link \n"
                + "10.244.2.0/24 via 192.168.1.12 dev eth0 \n"
                + "10.244.2.0/24 via 192.168.1.13 dev eth0 metric 50 \n"
                + "192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.11 \n"
                + "200.1.0.0/16 via 192.168.1.1 dev eth0 \n");
  }

  @Test
  void lookup_randomTablesWithSharedRoutes_behaveLikeTablesHoldingCopies() {
    SplittableRandom random = new SplittableRandom(20261128L);
    for (int table = 0; table < 200; table++) {
      int base = random.nextInt() & -65536;
      SharedRoutes set = new SharedRoutes();
      List<Cidr> prefixes = new ArrayList<>();
      for (int i = random.nextInt(1, 30); i > 0; i--) {
        int len = 16 + random.nextInt(13);
        Cidr prefix = Cidr.of(Ipv4Address.of((base ^ random.nextInt(65536)) & -1 << 32 - len), len);
        set.put(prefix, Ipv4Address.of(prefix.networkInt()));
        prefixes.add(prefix);
      }
      Cidr own = prefixes.get(random.nextInt(prefixes.size()));
      RoutingTable shared = new RoutingTable();
      shared.attach(set, eth1, List.of(own));
      RoutingTable copies = new RoutingTable();
      for (int i = random.nextInt(8); i > 0; i--) {
        int len = 12 + random.nextInt(21);
        Cidr prefix = Cidr.of(Ipv4Address.of((base ^ random.nextInt(65536)) & -1 << 32 - len), len);
        Route r = Route.to(prefix).dev(eth0).metric(random.nextInt(2) * 10).build();
        if (!shared.hasRoute(prefix, r.metric())) {
          shared.add(r);
          copies.add(r);
        }
      }
      for (Cidr p : prefixes) {
        Route copy = Route.to(p).via(Ipv4Address.of(p.networkInt())).dev(eth1).onlink().build();
        if (!p.equals(own) && !copies.contains(copy)) {
          copies.add(copy);
        }
      }
      if (copies.size() > 0) {
        Route hidden = copies.routes().get(random.nextInt(copies.size()));
        assertThat(shared.remove(hidden)).isTrue();
        copies.remove(hidden);
      }

      assertThat(shared.routes()).as("table %d", table).isEqualTo(copies.routes());
      assertThat(shared.size()).isEqualTo(copies.size());
      for (int q = 0; q < 100; q++) {
        int dst = base ^ random.nextInt(65536);
        assertThat(shared.lookup(dst))
            .as("table %d, destination %s", table, Ipv4Address.of(dst))
            .isEqualTo(copies.lookup(dst));
        Cidr block = Cidr.of(Ipv4Address.of(dst & -256), 24);
        assertThat(shared.isUniformOver(block)).isEqualTo(copies.isUniformOver(block));
      }
    }
  }

  @Test
  void put_sharedSetAttachedToTwoTables_appearsInBothAndRemoveHidesInOneOnly() {
    SharedRoutes set = new SharedRoutes();
    RoutingTable a = new RoutingTable();
    RoutingTable b = new RoutingTable();
    a.attach(set, eth0, List.of());
    b.attach(set, eth1, List.of(Cidr.parse("10.244.1.0/24")));
    set.put(Cidr.parse("10.244.1.0/24"), ip("10.244.1.0"));
    set.put(Cidr.parse("10.244.2.0/24"), ip("10.244.2.0"));
    Route toTwoOnA =
        Route.to(Cidr.parse("10.244.2.0/24")).via(ip("10.244.2.0")).dev(eth0).onlink().build();

    assertThat(a.routes())
        .extracting(Route::toString)
        .containsExactly(
            "10.244.1.0/24 via 10.244.1.0 dev eth0 onlink",
            "10.244.2.0/24 via 10.244.2.0 dev eth0 onlink");
    assertThat(b.lookup(ip("10.244.1.5").toInt())).isNull();
    assertThat(a.remove(toTwoOnA)).isTrue();
    assertThat(a.lookup(ip("10.244.2.5").toInt())).isNull();
    assertThat(b.lookup(ip("10.244.2.5").toInt()))
        .hasToString("10.244.2.0/24 via 10.244.2.0 dev eth1 onlink");
    set.remove(Cidr.parse("10.244.2.0/24"));
    assertThat(b.size()).isZero();
  }

  @Test
  void lookup_sharedSetAtItsRangeEndsAndRefilledElsewhere_findsEveryRouteAndNothingBeyond() {
    SharedRoutes set = new SharedRoutes();
    RoutingTable rt = new RoutingTable();
    rt.attach(set, eth0, List.of());
    set.put(Cidr.parse("10.244.0.0/26"), ip("192.168.0.1"));
    set.put(Cidr.parse("10.244.3.0/26"), ip("192.168.0.4"));
    set.put(Cidr.parse("10.244.1.0/26"), ip("192.168.0.2"));

    assertThat(rt.lookup(ip("10.244.0.0").toInt()).gateway()).isEqualTo(ip("192.168.0.1"));
    assertThat(rt.lookup(ip("10.244.3.63").toInt()).gateway()).isEqualTo(ip("192.168.0.4"));
    assertThat(rt.lookup(ip("10.244.1.9").toInt()).gateway()).isEqualTo(ip("192.168.0.2"));
    assertThat(rt.lookup(ip("10.244.2.9").toInt())).isNull();
    assertThat(rt.lookup(ip("10.244.3.64").toInt())).isNull();
    set.remove(Cidr.parse("10.244.0.0/26"));
    set.remove(Cidr.parse("10.244.1.0/26"));
    set.remove(Cidr.parse("10.244.3.0/26"));
    set.put(Cidr.parse("172.16.9.0/26"), ip("192.168.0.9"));
    set.put(Cidr.parse("255.255.255.192/26"), ip("192.168.0.10"));

    assertThat(rt.lookup(ip("172.16.9.1").toInt()).gateway()).isEqualTo(ip("192.168.0.9"));
    assertThat(rt.lookup(ip("255.255.255.255").toInt()).gateway()).isEqualTo(ip("192.168.0.10"));
    assertThat(rt.lookup(ip("10.244.3.1").toInt())).isNull();
  }

  @Test
  void addGatewayRoute_pooledTable_entryTextIsTheRoutesTextThroughThatDevice() {
    SharedRoutes set = new SharedRoutes();
    RoutingTable rt = new RoutingTable();
    rt.pool(set, eth0);

    SharedRoutes.Entry e =
        rt.addGatewayRoute(Cidr.parse("10.244.7.0/26"), ip("192.168.0.7"), eth0, true, "bird");

    assertThat(e).isNotNull();
    assertThat(e.text(eth0))
        .isEqualTo("10.244.7.0/26 via 192.168.0.7 dev eth0 proto bird onlink")
        .isEqualTo(rt.lookup(ip("10.244.7.1").toInt()).toString());
    assertThat(e.text(eth1)).isEqualTo(e.on(eth1).toString()).contains("dev eth1");
    assertThat(rt.addGatewayRoute(Cidr.parse("10.1.0.0/16"), ip("10.0.0.1"), eth1, false, "bird"))
        .isNull();
  }

  @Test
  void addGatewayRoute_pooledTablesThroughTwoGateways_shareOneEntryPerGateway() {
    SharedRoutes set = new SharedRoutes();
    RoutingTable a = new RoutingTable();
    RoutingTable b = new RoutingTable();
    RoutingTable c = new RoutingTable();
    a.pool(set, eth0);
    b.pool(set, eth0);
    c.pool(set, eth0);
    Cidr block = Cidr.parse("10.244.7.0/26");

    SharedRoutes.Entry viaOne = a.addGatewayRoute(block, ip("192.168.0.1"), eth0, false, "bird");
    SharedRoutes.Entry viaTwo = b.addGatewayRoute(block, ip("192.168.0.2"), eth0, false, "bird");
    SharedRoutes.Entry again = c.addGatewayRoute(block, ip("192.168.0.1"), eth0, false, "bird");

    assertThat(again).isSameAs(viaOne).isNotSameAs(viaTwo);
    assertThat(set.size()).isEqualTo(2);
    assertThat(a.lookup(ip("10.244.7.9").toInt()).gateway()).isEqualTo(ip("192.168.0.1"));
    assertThat(b.lookup(ip("10.244.7.9").toInt()).gateway()).isEqualTo(ip("192.168.0.2"));
    assertThat(c.lookup(ip("10.244.7.9").toInt()).gateway()).isEqualTo(ip("192.168.0.1"));
    assertThatThrownBy(() -> a.addGatewayRoute(block, ip("192.168.0.2"), eth0, false, "bird"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already exists");
    assertThat(set.size()).isEqualTo(2);
  }

  @Test
  void add_routeToASharedPrefixWithMetricZero_refusedLikeTheKernel() {
    SharedRoutes set = new SharedRoutes();
    set.put(Cidr.parse("10.244.2.0/24"), ip("10.244.2.0"));
    RoutingTable rt = new RoutingTable();
    rt.attach(set, eth0, List.of());

    assertThatThrownBy(() -> rt.add(route("10.244.2.0/24", 0, eth1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already exists");
    rt.add(route("10.244.2.0/24", 100, eth1));
    assertThat(rt.lookup(ip("10.244.2.9").toInt()).device()).isSameAs(eth0);
  }

  @Test
  void attach_setClashingWithAnOwnRoute_refusedAndTableUnchanged() {
    SharedRoutes set = new SharedRoutes();
    set.put(Cidr.parse("10.244.2.0/24"), ip("10.244.2.0"));
    RoutingTable rt = new RoutingTable();
    rt.add(route("10.244.2.0/24", 0, eth1));

    assertThatThrownBy(() -> rt.attach(set, eth0, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10.244.2.0/24 with metric 0 already exists");
    assertThat(rt.size()).isEqualTo(1);
    rt.attach(set, eth0, List.of(Cidr.parse("10.244.2.0/24")));
    assertThat(rt.size()).isEqualTo(1);
  }

  @Test
  void lookup_randomTablesPoolingRoutes_behaveLikeTablesHoldingCopies() {
    SplittableRandom random = new SplittableRandom(20261128L);
    for (int round = 0; round < 100; round++) {
      int base = random.nextInt() & -65536;
      SharedRoutes set = new SharedRoutes();
      SharedRoutes fieldSet = new SharedRoutes();
      Nic[] devices = {eth0, eth1};
      RoutingTable[] pooled = new RoutingTable[4];
      RoutingTable[] byFields = new RoutingTable[4];
      RoutingTable[] copies = new RoutingTable[4];
      for (int t = 0; t < pooled.length; t++) {
        pooled[t] = new RoutingTable();
        pooled[t].pool(set, devices[t % 2]);
        byFields[t] = new RoutingTable();
        byFields[t].pool(fieldSet, devices[t % 2]);
        copies[t] = new RoutingTable();
      }
      for (int step = 0; step < 200; step++) {
        int t = random.nextInt(pooled.length);
        int len = 20 + random.nextInt(13);
        Cidr prefix = Cidr.of(Ipv4Address.of((base ^ random.nextInt(4096)) & -1 << 32 - len), len);
        Route.Builder b = Route.to(prefix).via(Ipv4Address.of(base + 1 + random.nextInt(2)));
        b.dev(random.nextInt(5) == 0 ? devices[(t + 1) % 2] : devices[t % 2]);
        b.proto(random.nextBoolean() ? "bird" : "boot").metric(random.nextInt(6) == 0 ? 10 : 0);
        switch (random.nextInt(12)) {
          case 0 -> b.mtu(1400);
          case 1 -> b.src(Ipv4Address.of(base + 7));
          case 2 -> b.scope(Route.Scope.LINK);
          default -> {}
        }
        Route r = random.nextInt(4) == 0 ? b.onlink().build() : b.build();
        List<Route> held = copies[t].routes();
        if (!held.isEmpty() && random.nextInt(3) == 0) {
          Route gone = held.get(random.nextInt(held.size()));
          assertThat(pooled[t].remove(gone)).isTrue();
          assertThat(byFields[t].remove(gone)).isTrue();
          copies[t].remove(gone);
        } else if (!copies[t].hasRoute(prefix, r.metric())) {
          pooled[t].add(r);
          addByFields(byFields[t], r);
          copies[t].add(r);
        }
      }

      for (int t = 0; t < pooled.length; t++) {
        assertThat(pooled[t].routes())
            .as("round %d table %d", round, t)
            .isEqualTo(copies[t].routes());
        assertThat(pooled[t].size()).isEqualTo(copies[t].size());
        assertThat(byFields[t].routes()).isEqualTo(copies[t].routes());
        for (Route r : copies[t].routes()) {
          assertThat(pooled[t].contains(r)).isTrue();
        }
        for (int q = 0; q < 50; q++) {
          int dst = base ^ random.nextInt(4096);
          assertThat(pooled[t].lookup(dst))
              .as("round %d table %d, destination %s", round, t, Ipv4Address.of(dst))
              .isEqualTo(copies[t].lookup(dst));
          Cidr block = Cidr.of(Ipv4Address.of(dst & -64), 26);
          assertThat(pooled[t].isUniformOver(block)).isEqualTo(copies[t].isUniformOver(block));
          assertThat(byFields[t].lookup(dst)).isEqualTo(copies[t].lookup(dst));
        }
      }
      assertThat(fieldSet.size()).isEqualTo(set.size());
    }
  }

  /** Adds {@code r} with {@link RoutingTable#addGatewayRoute} when it has that shape. */
  private static void addByFields(RoutingTable rt, Route r) {
    Ipv4Address gw = r.gateway();
    if (gw != null
        && r.metric() == 0
        && r.mtu() == 0
        && r.source() == null
        && r.scope() == Route.Scope.GLOBAL) {
      rt.addGatewayRoute(r.destination(), gw, r.device(), r.onlink(), r.protocol());
    } else {
      rt.add(r);
    }
  }

  @Test
  void addGatewayRoute_prefixHeldOwnOrPooled_refusedLikeAdd() {
    SharedRoutes set = new SharedRoutes();
    RoutingTable rt = new RoutingTable();
    rt.pool(set, eth0);
    Cidr block = Cidr.parse("10.0.1.0/26");
    Cidr other = Cidr.parse("10.0.2.0/26");
    rt.addGatewayRoute(block, ip("192.168.0.2"), eth0, false, "bird");
    rt.add(Route.to(other).dev(eth1).build());

    assertThatThrownBy(() -> rt.addGatewayRoute(block, ip("192.168.0.3"), eth0, false, "bird"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "route to 10.0.1.0/26 with metric 0 already exists: 10.0.1.0/26 via 192.168.0.2 dev"
                + " eth0 proto bird");
    assertThatThrownBy(() -> rt.addGatewayRoute(other, ip("192.168.0.3"), eth0, true, "bird"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "route to 10.0.2.0/26 with metric 0 already exists: 10.0.2.0/26 dev eth1 scope link");
    assertThat(set.size()).isEqualTo(1);
    assertThat(rt.size()).isEqualTo(2);
  }

  @Test
  void add_sameRouteInTwoPoolingTables_keptOnceUntilTheLastRemovesIt() {
    SharedRoutes set = new SharedRoutes();
    RoutingTable a = new RoutingTable();
    RoutingTable b = new RoutingTable();
    RoutingTable c = new RoutingTable();
    a.pool(set, eth0);
    b.pool(set, eth1);
    c.pool(set, eth0);
    Cidr block = Cidr.parse("10.0.1.0/26");
    Route onA = Route.to(block).via(ip("192.168.0.2")).dev(eth0).proto("bird").build();
    Route onB = Route.to(block).via(ip("192.168.0.2")).dev(eth1).proto("bird").build();
    Route otherGateway = Route.to(block).via(ip("192.168.0.3")).dev(eth0).proto("bird").build();

    a.add(onA);
    b.add(onB);
    c.add(otherGateway);

    assertThat(set.size()).as("one route through each gateway").isEqualTo(2);
    assertThat(b.routes())
        .extracting(Route::toString)
        .containsExactly("10.0.1.0/26 via 192.168.0.2 dev eth1 proto bird");
    assertThat(c.lookup(ip("10.0.1.9").toInt())).isEqualTo(otherGateway);
    assertThat(a.remove(onA)).isTrue();
    assertThat(a.lookup(ip("10.0.1.9").toInt())).isNull();
    assertThat(b.lookup(ip("10.0.1.9").toInt())).isEqualTo(onB);
    assertThat(set.size()).isEqualTo(2);
    assertThat(b.remove(onB)).isTrue();
    assertThat(set.size()).isEqualTo(1);
    assertThat(c.lookup(ip("10.0.1.9").toInt())).isEqualTo(otherGateway);
    assertThat(c.remove(otherGateway)).isTrue();
    assertThat(set.size()).isZero();
  }

  @Test
  void putOrAttach_setThatTablesPoolIn_refused() {
    SharedRoutes set = new SharedRoutes();
    new RoutingTable().pool(set, eth0);

    assertThatThrownBy(() -> set.put(Cidr.parse("10.0.1.0/26"), ip("192.168.0.2")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("filled by the tables");
    assertThatThrownBy(() -> new RoutingTable().attach(set, eth1, List.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("filled by the tables");
  }

  @Test
  void pool_emptySetAnotherTableAttached_refusedAndTheAttachedTableShowsNothing() {
    SharedRoutes set = new SharedRoutes();
    RoutingTable attached = new RoutingTable();
    attached.attach(set, eth1, List.of());

    assertThatThrownBy(() -> new RoutingTable().pool(set, eth0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("routes put by its owner");
    assertThat(attached.routes()).isEmpty();
  }

  @Test
  void route_ownAndPooledRoutesToOnePrefix_returnsTheOneWithThatMetric() {
    SharedRoutes set = new SharedRoutes();
    RoutingTable rt = new RoutingTable();
    rt.pool(set, eth0);
    Cidr block = Cidr.parse("10.0.1.0/26");
    Route pooled = Route.to(block).via(ip("192.168.0.2")).dev(eth0).proto("bird").build();
    rt.add(pooled);
    rt.add(route("10.0.1.0/26", 20, eth1));

    assertThat(rt.route(block, 0)).isEqualTo(pooled);
    assertThat(rt.route(block, 20)).isEqualTo(route("10.0.1.0/26", 20, eth1));
    assertThat(rt.route(block, 5)).isNull();
    assertThat(rt.route(Cidr.parse("10.0.1.0/27"), 0)).isNull();
  }

  /**
   * Every combination of gateway, device, onlink and protocol asked of a pooled table, of a table
   * holding the route as its own, of one with another kind of route to the prefix and of one with
   * only a higher metric: the answer is whether {@link RoutingTable#route} equals that route.
   */
  @Test
  void holdsGatewayRoute_everyShapeAskedOfOwnAndPooledRoutes_agreesWithTheRouteItMatches() {
    Cidr block = Cidr.parse("10.244.7.0/26");
    RoutingTable pooled = new RoutingTable();
    pooled.pool(new SharedRoutes(), eth0);
    pooled.addGatewayRoute(block, ip("192.168.0.7"), eth0, true, "bird");
    RoutingTable own = new RoutingTable();
    own.add(Route.viaGateway(block, ip("192.168.0.7"), eth0, true, "bird"));
    RoutingTable other = new RoutingTable();
    other.add(
        Route.to(block).via(ip("192.168.0.7")).dev(eth0).onlink().proto("bird").mtu(1400).build());
    RoutingTable higher = new RoutingTable();
    higher.add(
        Route.to(block).via(ip("192.168.0.7")).dev(eth0).onlink().proto("bird").metric(5).build());
    int holding = 0;
    for (RoutingTable rt : List.of(pooled, own, other, higher)) {
      for (Ipv4Address gw : List.of(ip("192.168.0.7"), ip("192.168.0.8"))) {
        for (Nic dev : List.of(eth0, eth1)) {
          for (boolean onlink : new boolean[] {true, false}) {
            for (String proto : List.of("bird", "kernel")) {
              Route want = Route.viaGateway(block, gw, dev, onlink, proto);
              boolean holds = rt.holdsGatewayRoute(block, gw, dev, onlink, proto);

              assertThat(holds)
                  .as("%s via %s dev %s onlink %s proto %s", rt, gw, dev.name(), onlink, proto)
                  .isEqualTo(want.equals(rt.route(block, 0)));
              holding += holds ? 1 : 0;
            }
          }
        }
      }
    }
    assertThat(holding).isEqualTo(2);
    assertThat(
            pooled.holdsGatewayRoute(
                Cidr.parse("10.244.7.0/27"), ip("192.168.0.7"), eth0, true, "bird"))
        .isFalse();
  }

  /**
   * One prefix reached through 70 gateways (entries of one chain whose slots span two words), each
   * held by its own table, beside a prefix half the tables hold: each table finds its own, clashes
   * with its own only, and a prefix whose last entry left is not held by anyone afterwards.
   */
  @Test
  void addGatewayRoute_onePrefixThroughSeventyGateways_eachTableFindsAndClashesWithItsOwn() {
    SharedRoutes set = new SharedRoutes();
    Cidr block = Cidr.parse("10.244.7.0/26");
    Cidr other = Cidr.parse("10.244.8.0/26");
    RoutingTable[] tables = new RoutingTable[70];
    for (int i = 0; i < tables.length; i++) {
      tables[i] = new RoutingTable();
      tables[i].pool(set, eth0);
      if (i % 2 == 0) {
        tables[i].addGatewayRoute(other, ip("192.168.0.1"), eth0, false, "bird");
      }
      tables[i].addGatewayRoute(
          block, Ipv4Address.of(ip("192.168.1.0").toInt() + i), eth0, true, "bird");
    }

    for (int i = 0; i < tables.length; i++) {
      RoutingTable rt = tables[i];
      Ipv4Address mine = Ipv4Address.of(ip("192.168.1.0").toInt() + i);
      assertThat(rt.lookup(ip("10.244.7.9").toInt()).gateway()).isEqualTo(mine);
      assertThat(rt.holdsGatewayRoute(block, mine, eth0, true, "bird")).isTrue();
      assertThat(rt.route(other, 0) != null).isEqualTo(i % 2 == 0);
      assertThatThrownBy(() -> rt.addGatewayRoute(block, ip("192.168.2.1"), eth0, true, "bird"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("via " + mine + " ");
    }
    assertThat(set.size()).isEqualTo(71);

    for (RoutingTable rt : tables) {
      assertThat(rt.remove(rt.route(block, 0))).isTrue();
    }
    assertThat(set.size()).isEqualTo(1);
    tables[1].addGatewayRoute(Cidr.parse("10.244.9.0/26"), ip("192.168.0.9"), eth0, false, "bird");
    for (int i = 0; i < tables.length; i++) {
      assertThat(tables[i].route(block, 0)).isNull();
      assertThat(tables[i].route(Cidr.parse("10.244.9.0/26"), 0) != null).isEqualTo(i == 1);
    }
  }

  @Test
  void entries_routesPutInScrambledOrder_byPrefixLengthThenUnsignedNetwork() {
    SharedRoutes set = new SharedRoutes();
    String[] prefixes = {
      "200.0.0.0/8",
      "10.244.3.0/24",
      "10.0.0.0/8",
      "10.244.1.0/24",
      "172.16.0.0/12",
      "10.244.2.0/24"
    };
    for (String p : prefixes) {
      set.put(Cidr.parse(p), ip("192.168.1.1"));
    }

    // no hash-map layout shows through: a table releasing them one by one does so in this order
    assertThat(set.entries())
        .extracting(e -> e.destination().toString())
        .containsExactly(
            "10.0.0.0/8",
            "200.0.0.0/8",
            "172.16.0.0/12",
            "10.244.1.0/24",
            "10.244.2.0/24",
            "10.244.3.0/24");
  }
}
