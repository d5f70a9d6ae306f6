package io.podnet.dataplane.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.random.RandomStreams;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Behaviour both service modes share, plus a property test of their equivalence. */
class ServiceLookupTest {

  private static final int TCP = Protocol.TCP.number();

  private static List<Supplier<ServiceLookup>> modes() {
    return List.of(
        () -> IptablesServiceLookup.create(RandomStreams.of(1).stream("kube-proxy")),
        HashMapServiceLookup::create);
  }

  /** A hash-map lookup on {@code node} of a cluster whose pods are in 10.244.0.0/16. */
  private static HashMapServiceLookup onNode(String node) {
    return HashMapServiceLookup.forNode(node, Cidr.parse("10.244.0.0/16"));
  }

  private static Service svc(String name, String vip) {
    return Service.of("ns", name, Ipv4Address.parse(vip), ServicePort.of("p80", "TCP", 80, 8080));
  }

  @Test
  void lookup_unknownService_noServiceAsData() {
    for (Supplier<ServiceLookup> mode : modes()) {
      ServiceLookup lb = mode.get();
      lb.update(svc("a", "172.30.0.1"), List.of(Endpoint.ready("10.1.0.1", 8080)));

      long r = lb.lookup(Ipv4Address.parse("172.30.0.9").toInt(), 80, TCP, 42);

      assertThat(r).isEqualTo(LookupResult.NO_SERVICE);
      assertThat(lb.lastWork()).isPositive();
    }
  }

  @Test
  void lookup_serviceWithoutReadyEndpoints_noEndpointsAsData() {
    for (Supplier<ServiceLookup> mode : modes()) {
      ServiceLookup lb = mode.get();
      Service s = svc("a", "172.30.0.1");
      lb.update(s, List.of(Endpoint.of(Ipv4Address.parse("10.1.0.1"), 8080, false)));

      assertThat(lb.lookup(s.clusterIp().toInt(), 80, TCP, 42))
          .isEqualTo(LookupResult.NO_ENDPOINTS);
    }
  }

  @Test
  void remove_installedService_lookupsNoLongerFindIt() {
    for (Supplier<ServiceLookup> mode : modes()) {
      ServiceLookup lb = mode.get();
      Service s = svc("a", "172.30.0.1");
      lb.update(s, List.of(Endpoint.ready("10.1.0.1", 8080)));

      assertThat(lb.remove("ns", "a")).isTrue();

      assertThat(lb.lookup(s.clusterIp().toInt(), 80, TCP, 42)).isEqualTo(LookupResult.NO_SERVICE);
      assertThat(lb.size()).isZero();
      assertThat(lb.remove("ns", "a")).isFalse();
    }
  }

  @Test
  void update_vipPortOfAnotherService_rejected() {
    for (Supplier<ServiceLookup> mode : modes()) {
      ServiceLookup lb = mode.get();
      lb.update(svc("a", "172.30.0.1"), List.of());

      assertThatThrownBy(() -> lb.update(svc("b", "172.30.0.1"), List.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("172.30.0.1:80/6");
    }
  }

  @Test
  void update_sameServiceAgain_replacesEndpoints() {
    for (Supplier<ServiceLookup> mode : modes()) {
      ServiceLookup lb = mode.get();
      Service s = svc("a", "172.30.0.1");
      lb.update(s, List.of(Endpoint.ready("10.1.0.1", 8080)));

      lb.update(s, List.of(Endpoint.ready("10.1.0.2", 8080)));

      assertThat(LookupResult.format(lb.lookup(s.clusterIp().toInt(), 80, TCP, 7)))
          .isEqualTo("10.1.0.2:8080");
      assertThat(lb.size()).isEqualTo(1);
    }
  }

  @Test
  void lookup_iptablesLastOfNServices_evaluatesEveryKubeServicesRule() {
    IptablesServiceLookup lb = IptablesServiceLookup.create(new SplittableRandom(1));
    for (int i = 0; i < 100; i++) {
      lb.update(
          svc(String.format("s%03d", i), "172.30.1." + i),
          List.of(Endpoint.ready("10.1.0." + i, 8080)));
    }

    lb.lookup(Ipv4Address.parse("172.30.1.99").toInt(), 80, TCP, 0);

    // 100 KUBE-SERVICES rules, the masquerade rule, the one endpoint rule, two SEP rules.
    assertThat(lb.lastWork()).isEqualTo(100 + 1 + 1 + 2);
    lb.lookup(Ipv4Address.parse("172.30.1.0").toInt(), 80, TCP, 0);
    assertThat(lb.lastWork()).isEqualTo(1 + 1 + 1 + 2);
    lb.lookup(Ipv4Address.parse("172.30.9.9").toInt(), 80, TCP, 0);
    assertThat(lb.lastWork()).isEqualTo(lb.kubeServicesRules());
  }

  @Test
  void lookup_hashMapManyServices_workStaysSmall() {
    HashMapServiceLookup lb = HashMapServiceLookup.create();
    for (int i = 0; i < 10_000; i++) {
      lb.update(
          Service.of(
              "ns",
              "s" + i,
              Ipv4Address.parse("172.16.0.0").plus(i),
              ServicePort.of("p", "TCP", 80, 8080)),
          List.of(Endpoint.ready("10.1.0.1", 8080)));
    }
    long before = lb.totalWork();
    for (int i = 0; i < 10_000; i++) {
      lb.lookup(Ipv4Address.parse("172.16.0.0").plus(i).toInt(), 80, TCP, i);
    }

    double mean = (lb.totalWork() - before) / 10_000.0;
    assertThat(mean).isBetween(2.0, 3.5);
  }

  @Test
  void frontendAddresses_vipsOnceAscendingAndGoneWithTheirService() {
    HashMapServiceLookup lb = HashMapServiceLookup.create();
    lb.update(svc("b", "172.30.0.9"), List.of());
    lb.update(
        Service.of(
            "ns",
            "a",
            Ipv4Address.parse("172.30.0.1"),
            List.of(ServicePort.of("p80", "TCP", 80, 8080), ServicePort.of("p53", "UDP", 53, 53))),
        List.of());
    long work = lb.totalWork();

    assertThat(lb.frontendAddresses())
        .containsExactly(
            Ipv4Address.parse("172.30.0.1").toInt(), Ipv4Address.parse("172.30.0.9").toInt());
    assertThat(lb.hasFrontend(Ipv4Address.parse("172.30.0.1").toInt(), 53, Protocol.UDP.number()))
        .isTrue();
    assertThat(lb.hasFrontend(Ipv4Address.parse("172.30.0.1").toInt(), 53, TCP)).isFalse();
    assertThat(lb.totalWork()).isEqualTo(work);
    lb.remove("ns", "a");
    assertThat(lb.frontendAddresses()).containsExactly(Ipv4Address.parse("172.30.0.9").toInt());
  }

  @Test
  void lookup_hashMapSameFlowHash_sameBackendEveryTime() {
    HashMapServiceLookup lb = HashMapServiceLookup.create();
    Service s = svc("a", "172.30.0.1");
    List<Endpoint> eps = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      eps.add(Endpoint.ready("10.1.0." + i, 8080));
    }
    lb.update(s, eps);

    long first = lb.lookup(s.clusterIp().toInt(), 80, TCP, 0x1234_5678_9ABC_DEF0L);

    for (int i = 0; i < 10; i++) {
      assertThat(lb.lookup(s.clusterIp().toInt(), 80, TCP, 0x1234_5678_9ABC_DEF0L))
          .isEqualTo(first);
    }
  }

  @Test
  void lookup_hashMapEveryPackingWidth_everySlotGivesMaglevsBackend() {
    // 2, 3-4, 5-16, 17-256 and more backends pack table entries into 1, 2, 4, 8 and 16 bits.
    for (int n : new int[] {2, 3, 4, 5, 16, 17, 256, 257, 300}) {
      HashMapServiceLookup lb = HashMapServiceLookup.create();
      Service s = svc("s" + n, "172.30.0.9");
      List<Endpoint> eps = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        eps.add(Endpoint.ready("10.2." + (i >> 8) + "." + (i & 0xFF), 8080));
      }
      lb.update(s, eps);
      String[] names = eps.stream().map(Endpoint::toString).sorted().toArray(String[]::new);
      int m = Maglev.tableSize(n, Maglev.DEFAULT_SIZE);
      char[] table = Maglev.build(names, m);

      for (int j = 0; j < m; j++) {
        long upper = Long.divideUnsigned((long) j << 32, m) + (((long) j << 32) % m == 0 ? 0 : 1);
        long got = lb.lookup(s.clusterIp().toInt(), 80, TCP, upper << 32);
        assertThat(LookupResult.format(got)).as("n=%d slot %d", n, j).isEqualTo(names[table[j]]);
      }
    }
  }

  @Test
  void update_hashMapChurnOfAddsReplacesAndRemoves_everyRemainingServiceStillFound() {
    HashMapServiceLookup lb = HashMapServiceLookup.create();
    SplittableRandom rnd = new SplittableRandom(3);
    Map<Integer, Integer> live = new HashMap<>();
    for (int step = 0; step < 5_000; step++) {
      int i = rnd.nextInt(300);
      if (rnd.nextInt(3) == 0) {
        lb.remove("ns", "s" + i);
        live.remove(i);
      } else {
        int backend = rnd.nextInt(1000);
        lb.update(
            Service.of(
                "ns",
                "s" + i,
                Ipv4Address.parse("172.16.0.0").plus(i),
                ServicePort.of("p", "TCP", 80, 8080)),
            List.of(Endpoint.of(Ipv4Address.parse("10.0.0.0").plus(backend), 8080, true)));
        live.put(i, backend);
      }
    }

    assertThat(lb.size()).isEqualTo(live.size());
    for (int i = 0; i < 300; i++) {
      long r = lb.lookup(Ipv4Address.parse("172.16.0.0").plus(i).toInt(), 80, TCP, i);
      if (live.containsKey(i)) {
        assertThat(LookupResult.ip(r))
            .isEqualTo(Ipv4Address.parse("10.0.0.0").plus(live.get(i)).toInt());
      } else {
        assertThat(r).isEqualTo(LookupResult.NO_SERVICE);
      }
    }
  }

  @Test
  void maglevTableSize_smallAndLargeServices_hundredSlotsPerBackendCappedAtMax() {
    assertThat(Maglev.tableSize(1, 16381)).isEqualTo(251);
    assertThat(Maglev.tableSize(3, 16381)).isEqualTo(509);
    assertThat(Maglev.tableSize(100, 16381)).isEqualTo(16381);
    assertThat(Maglev.tableSize(1000, 16381)).isEqualTo(16381);
    assertThat(Maglev.tableSize(1000, 251)).isEqualTo(251);
  }

  @Test
  void maglevBuild_removingOneBackend_movesFewFlowsOfOthers() {
    String[] five = {"10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80", "10.0.0.5:80"};
    String[] four = {"10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80"};
    char[] before = Maglev.build(five, 16381);
    char[] after = Maglev.build(four, 16381);

    int moved = 0;
    for (int i = 0; i < before.length; i++) {
      if (before[i] != 4 && before[i] != after[i]) {
        moved++;
      }
    }

    // Maglev promises minimal disruption: slots of surviving backends mostly stay put.
    assertThat(moved).isLessThan(before.length / 20);
  }

  @Test
  void create_unacceptedTableSize_rejectedNamingIt() {
    assertThatThrownBy(() -> HashMapServiceLookup.create(1000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith(": 1000");
  }

  /**
   * Property: over random Service sets, both modes deliver every lookup to a ready endpoint of the
   * right Service port, agree on "no service"/"no endpoints", and spread many flows to one Service
   * near-uniformly over its endpoints.
   */
  @Test
  void lookup_randomServiceSets_bothModesValidAndNearUniform() {
    SplittableRandom rnd = new SplittableRandom(20240601);
    for (int round = 0; round < 20; round++) {
      int count = 1 + rnd.nextInt(60);
      List<Service> services = new ArrayList<>();
      Map<Long, List<Long>> readyByKey = new HashMap<>();
      ServiceLookup ipt = IptablesServiceLookup.create(new SplittableRandom(round));
      ServiceLookup map = HashMapServiceLookup.create();
      for (int i = 0; i < count; i++) {
        Protocol proto = Protocol.values()[rnd.nextInt(3)];
        int port = 1 + rnd.nextInt(65535);
        int target = 1 + rnd.nextInt(65535);
        Service s =
            Service.of(
                "ns" + rnd.nextInt(3),
                "svc" + i,
                Ipv4Address.parse("172.30.0.0").plus(i),
                ServicePort.of("p", proto, port, target));
        List<Endpoint> eps = new ArrayList<>();
        List<Long> ready = new ArrayList<>();
        int n = rnd.nextInt(8);
        for (int e = 0; e < n; e++) {
          boolean isReady = rnd.nextInt(5) > 0;
          Endpoint ep =
              Endpoint.of(Ipv4Address.parse("10.0.0.0").plus(i * 16 + e), target, isReady);
          eps.add(ep);
          if (isReady) {
            ready.add(LookupResult.backend(ep.ip().toInt(), target));
          }
        }
        services.add(s);
        readyByKey.put(s.key(s.ports().get(0)), ready);
        ipt.update(s, eps);
        map.update(s, eps);
      }
      for (Service s : services) {
        long key = s.key(s.ports().get(0));
        List<Long> ready = readyByKey.get(key);
        int flows = ready.isEmpty() ? 10 : 4000 * ready.size();
        Map<Long, int[]> iptCounts = new HashMap<>();
        Map<Long, int[]> mapCounts = new HashMap<>();
        for (int f = 0; f < flows; f++) {
          long hash = rnd.nextLong();
          long a =
              ipt.lookup(ServiceKey.vip(key), ServiceKey.port(key), ServiceKey.protocol(key), hash);
          long b =
              map.lookup(ServiceKey.vip(key), ServiceKey.port(key), ServiceKey.protocol(key), hash);
          if (ready.isEmpty()) {
            assertThat(a).isEqualTo(LookupResult.NO_ENDPOINTS);
            assertThat(b).isEqualTo(LookupResult.NO_ENDPOINTS);
            continue;
          }
          assertThat(ready).contains(a, b);
          iptCounts.computeIfAbsent(a, x -> new int[1])[0]++;
          mapCounts.computeIfAbsent(b, x -> new int[1])[0]++;
        }
        for (long backend : ready) {
          double expected = 1.0 / ready.size();
          double iptShare = iptCounts.getOrDefault(backend, new int[1])[0] / (double) flows;
          double mapShare = mapCounts.getOrDefault(backend, new int[1])[0] / (double) flows;
          assertThat(iptShare).as("iptables share of %s", s).isCloseTo(expected, within(expected));
          assertThat(mapShare).as("maglev share of %s", s).isCloseTo(expected, within(expected));
        }
      }
      long unknown = ServiceKey.pack(Ipv4Address.parse("192.0.2.1").toInt(), 80, TCP);
      assertThat(ipt.lookup(ServiceKey.vip(unknown), 80, TCP, 1))
          .isEqualTo(LookupResult.NO_SERVICE);
      assertThat(map.lookup(ServiceKey.vip(unknown), 80, TCP, 1))
          .isEqualTo(LookupResult.NO_SERVICE);
    }
  }

  private static org.assertj.core.data.Offset<Double> within(double expected) {
    // 15% of the expected share: about 5 standard deviations of the sampling noise at 4,000 flows
    // per endpoint, and well above Maglev's table imbalance with at least 100 slots per backend.
    return org.assertj.core.data.Offset.offset(0.15 * expected);
  }

  @Test
  void frontendRange_aroundAnAddress_theGapBetweenFrontendsOrTheFrontendItself() {
    HashMapServiceLookup lb = HashMapServiceLookup.create();
    lb.update(svc("a", "172.30.0.1"), List.of());
    lb.update(svc("b", "172.30.0.9"), List.of());
    long first = Ipv4Address.parse("172.30.0.1").toInt() & 0xFFFF_FFFFL;

    assertThat(lb.frontendRange(Ipv4Address.parse("172.30.0.5").toInt()))
        .containsExactly(first + 1, first + 7);
    assertThat(lb.frontendRange(Ipv4Address.parse("172.30.0.9").toInt()))
        .containsExactly(first + 8, first + 8);
    assertThat(lb.frontendRange(Ipv4Address.parse("10.0.0.1").toInt()))
        .containsExactly(0L, first - 1);
    assertThat(lb.frontendRange(Ipv4Address.parse("203.0.113.1").toInt()))
        .containsExactly(first + 9, 0xFFFF_FFFFL);
    lb.remove("ns", "b");
    assertThat(lb.frontendRange(Ipv4Address.parse("203.0.113.1").toInt()))
        .containsExactly(first + 1, 0xFFFF_FFFFL);
  }

  @Test
  void shareEntriesOf_thenUpdateOne_theOtherKeepsWhatItHad() {
    Service a = svc("a", "10.96.0.10");
    Service b = svc("b", "10.96.0.11");
    HashMapServiceLookup first = onNode("node-1");
    HashMapServiceLookup second = onNode("node-2");
    first.update(
        a, List.of(Endpoint.ready("10.244.1.2", 8080), Endpoint.ready("10.244.2.2", 8080)));

    second.shareEntriesOf(first);
    second.update(b, List.of(Endpoint.ready("10.244.1.3", 8080)));
    first.remove("ns", "a");

    assertThat(first.size()).isZero();
    assertThat(second.serviceNames()).containsExactly("ns/a", "ns/b");
    long r = second.lookup(a.clusterIp().toInt(), 80, Protocol.TCP.number(), 77L << 32);
    assertThat(LookupResult.format(r)).isIn("10.244.1.2:8080", "10.244.2.2:8080");
    assertThat(first.lookup(a.clusterIp().toInt(), 80, Protocol.TCP.number(), 77L << 32))
        .isEqualTo(LookupResult.NO_SERVICE);
  }

  @Test
  void shareEntriesOf_thenTheOtherOutgrowsItsArrays_bothStillAnswer() {
    HashMapServiceLookup first = onNode("node-1");
    HashMapServiceLookup second = onNode("node-2");
    List<Endpoint> three =
        List.of(
            Endpoint.ready("10.244.1.2", 8080),
            Endpoint.ready("10.244.2.2", 8080),
            Endpoint.ready("10.244.3.2", 8080));
    Service a = svc("a", "10.96.0.10");
    first.update(a, three);
    second.shareEntriesOf(first);

    for (int i = 0; i < 300; i++) {
      first.update(
          svc("s" + i, Ipv4Address.of(Ipv4Address.parse("10.96.1.0").toInt() + i).toString()),
          three);
    }

    Set<String> seen = new TreeSet<>();
    for (long flow = 0; flow < 64; flow++) {
      long mine = first.lookup(a.clusterIp().toInt(), 80, Protocol.TCP.number(), flow << 58);
      long shared = second.lookup(a.clusterIp().toInt(), 80, Protocol.TCP.number(), flow << 58);
      assertThat(shared).isEqualTo(mine);
      seen.add(LookupResult.format(shared));
    }
    assertThat(seen).containsExactly("10.244.1.2:8080", "10.244.2.2:8080", "10.244.3.2:8080");
    assertThat(first.size()).isEqualTo(301);
    assertThat(second.size()).isEqualTo(1);
    assertThat(second.lookup(Ipv4Address.parse("10.96.1.7").toInt(), 80, Protocol.TCP.number(), 0))
        .isEqualTo(LookupResult.NO_SERVICE);
  }

  @Test
  void update_hashMapOneTwoThreeAndTwoHundredBackendsReplacedAndRemoved_eachFindsItsOwn() {
    HashMapServiceLookup lb = HashMapServiceLookup.create();
    int[] sizes = {1, 2, 3, 200};
    Map<Integer, List<Endpoint>> live = new HashMap<>();
    SplittableRandom rnd = new SplittableRandom(11);
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 400; i++) {
        if (round > 0 && rnd.nextInt(4) == 0) {
          lb.remove("ns", "s" + i);
          live.remove(i);
          continue;
        }
        int n = sizes[(i + round) % sizes.length];
        List<Endpoint> eps = new ArrayList<>();
        for (int e = 0; e < n; e++) {
          eps.add(
              Endpoint.of(
                  Ipv4Address.parse("10.0.0.0").plus(1000 * i + 250 * round + e), 8080, true));
        }
        lb.update(svc("s" + i, Ipv4Address.parse("172.16.0.0").plus(i).toString()), eps);
        live.put(i, eps);
      }
    }

    assertThat(lb.size()).isEqualTo(live.size());
    for (int i = 0; i < 400; i++) {
      int vip = Ipv4Address.parse("172.16.0.0").plus(i).toInt();
      List<Endpoint> eps = live.get(i);
      Set<String> seen = new TreeSet<>();
      for (int flow = 0; flow < 64; flow++) {
        long r = lb.lookup(vip, 80, TCP, rnd.nextLong());
        if (eps == null) {
          assertThat(r).isEqualTo(LookupResult.NO_SERVICE);
        } else {
          seen.add(LookupResult.format(r));
          assertThat(lb.lastWork()).isGreaterThanOrEqualTo(2);
        }
      }
      if (eps != null) {
        Set<String> own = new TreeSet<>();
        eps.forEach(ep -> own.add(ep.toString()));
        assertThat(own).as("s%d", i).containsAll(seen);
        assertThat(seen).as("s%d", i).isNotEmpty();
        if (eps.size() <= 3) {
          assertThat(seen).as("s%d", i).isEqualTo(own);
        }
      }
    }
  }

  @Test
  void lookupFlow_affinityToTheOnlyBackendAfterItIsReplaced_picksTheNewOne() {
    HashMapServiceLookup lb = HashMapServiceLookup.create();
    Service s = svc("a", "10.96.0.10").withOptions(ServiceOptions.NONE.withClientIpAffinity(60));
    int client = Ipv4Address.parse("10.244.1.5").toInt();
    int vip = s.clusterIp().toInt();
    lb.update(s, List.of(Endpoint.ready("10.244.2.2", 8080)));
    long first = lb.lookupFlow(client, false, vip, false, 80, TCP, 1, 0);
    lb.update(s, List.of(Endpoint.ready("10.244.3.3", 8080)));

    long second = lb.lookupFlow(client, false, vip, false, 80, TCP, 1, 1_000_000_000L);

    assertThat(LookupResult.format(first)).isEqualTo("10.244.2.2:8080");
    assertThat(LookupResult.format(second)).isEqualTo("10.244.3.3:8080");
  }

  @Test
  void shareEntriesOf_oneBackendServicesThenTheOtherGrowsAndCompacts_bothAnswer() {
    HashMapServiceLookup first = HashMapServiceLookup.create();
    HashMapServiceLookup second = HashMapServiceLookup.create();
    Service one = svc("one", "10.96.0.1");
    Service two = svc("two", "10.96.0.2");
    first.update(one, List.of(Endpoint.ready("10.244.1.1", 8080)));
    first.update(
        two, List.of(Endpoint.ready("10.244.2.1", 8080), Endpoint.ready("10.244.2.2", 8080)));
    second.shareEntriesOf(first);

    for (int round = 0; round < 20; round++) {
      for (int i = 0; i < 100; i++) {
        List<Endpoint> eps = new ArrayList<>();
        for (int e = 0; e <= (i + round) % 3; e++) {
          eps.add(Endpoint.of(Ipv4Address.parse("10.245.0.0").plus(4 * i + e), 8080, true));
        }
        first.update(svc("s" + i, Ipv4Address.parse("10.97.0.0").plus(i).toString()), eps);
      }
    }
    first.update(one, List.of(Endpoint.ready("10.244.9.9", 8080)));

    assertThat(LookupResult.format(second.lookup(one.clusterIp().toInt(), 80, TCP, 5)))
        .isEqualTo("10.244.1.1:8080");
    assertThat(LookupResult.format(first.lookup(one.clusterIp().toInt(), 80, TCP, 5)))
        .isEqualTo("10.244.9.9:8080");
    for (long flow = 0; flow < 16; flow++) {
      assertThat(second.lookup(two.clusterIp().toInt(), 80, TCP, flow << 60))
          .isEqualTo(first.lookup(two.clusterIp().toInt(), 80, TCP, flow << 60));
    }
    assertThat(
            LookupResult.format(first.lookup(Ipv4Address.parse("10.97.0.7").toInt(), 80, TCP, 0)))
        .startsWith("10.245.0.");
    assertThat(second.size()).isEqualTo(2);
    assertThat(first.size()).isEqualTo(102);
  }

  @Test
  void update_sharedEntriesRefusedPartWay_lookupAndLookupFlowStillAgree() {
    HashMapServiceLookup first = onNode("node-1");
    HashMapServiceLookup second = onNode("node-2");
    Service a = svc("a", "10.96.0.10");
    first.update(a, List.of(Endpoint.ready("10.244.1.2", 8080)));
    second.shareEntriesOf(first);
    List<Endpoint> tooMany = new ArrayList<>();
    for (int i = 0; i < 65536; i++) {
      tooMany.add(
          Endpoint.of(Ipv4Address.of(Ipv4Address.parse("10.250.0.0").toInt() + i), 8080, true));
    }

    assertThatThrownBy(() -> second.update(a, tooMany))
        .isInstanceOf(IllegalArgumentException.class);

    int vip = a.clusterIp().toInt();
    long viaLookup = second.lookup(vip, 80, TCP, 7);
    long viaFlow = second.lookupFlow(1, false, vip, false, 80, TCP, 7, 0);
    assertThat(viaFlow).isEqualTo(viaLookup);
    assertThat(first.lookup(vip, 80, TCP, 7))
        .isEqualTo(LookupResult.backend(Ipv4Address.parse("10.244.1.2").toInt(), 8080));
  }

  @Test
  void shareEntriesOf_anotherNodesLocalPolicyFrontends_refused() {
    Service local =
        Service.of(
                "ns",
                "lb",
                Ipv4Address.parse("10.96.0.12"),
                List.of(ServicePort.of("http", "TCP", 80, 8080)))
            .withOptions(
                ServiceOptions.NONE
                    .withExternalIps(List.of(Ipv4Address.parse("203.0.113.7")))
                    .withExternalTrafficPolicyLocal(0));
    HashMapServiceLookup first = onNode("node-1");
    first.update(local, List.of(Endpoint.ready("10.244.1.2", 8080).onNode("node-1")));
    HashMapServiceLookup second = onNode("node-2");

    assertThatThrownBy(() -> second.shareEntriesOf(first))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("node-1's endpoints for externalTrafficPolicy: Local");
  }

  /** A Service with a NodePort, an external IP and policy Local: web on node-1, api on node-2. */
  private static HashMapServiceLookup socketLbNode1(List<Endpoint> endpoints) {
    Service s =
        Service.of(
                "ns",
                "web",
                Ipv4Address.parse("10.96.0.20"),
                List.of(ServicePort.of("http", "TCP", 80, 8080).withNodePort(30080)))
            .withOptions(
                ServiceOptions.NONE
                    .withExternalIps(List.of(Ipv4Address.parse("203.0.113.9")))
                    .withExternalTrafficPolicyLocal(0));
    HashMapServiceLookup lb = onNode("node-1");
    lb.update(s, endpoints);
    return lb;
  }

  private static final List<Endpoint> ON_NODE_2 =
      List.of(Endpoint.ready("10.244.2.2", 8080).onNode("node-2"));

  private static int ip(String address) {
    return Ipv4Address.parse(address).toInt();
  }

  @Test
  void lookupSocket_clusterIpAndNodePortOnAnyNode_translatedToEveryEndpointWithoutMasquerade() {
    HashMapServiceLookup lb = socketLbNode1(ON_NODE_2);
    RandomGenerator random = RandomStreams.of(3).stream("socket-lb");
    long backend = LookupResult.backend(ip("10.244.2.2"), 8080);
    int client = ip("10.244.1.5");

    // policy Local keeps external traffic on the node's own endpoints (none on node-1), but a
    // socket on the node is inside the cluster and gets every endpoint
    assertThat(lb.lookupSocket(client, ip("10.96.0.20"), false, false, 80, TCP, random, 0))
        .isEqualTo(backend);
    assertThat(lb.lookupSocket(client, ip("192.168.1.12"), false, true, 30080, TCP, random, 0))
        .isEqualTo(backend);
    assertThat(lb.lookupSocket(client, ip("192.168.1.11"), true, true, 30080, TCP, random, 0))
        .isEqualTo(backend);
    assertThat(
            lb.lookupFlow(ip("192.168.0.201"), false, ip("192.168.1.11"), true, 30080, TCP, 7, 0))
        .as("the packet path, for a client outside the cluster")
        .isEqualTo(LookupResult.NO_ENDPOINTS);
  }

  @Test
  void lookupSocket_externalIpNotOwnedByTheNode_leftToThePacketPath() {
    HashMapServiceLookup lb = socketLbNode1(ON_NODE_2);
    RandomGenerator random = RandomStreams.of(3).stream("socket-lb");
    int client = ip("10.244.1.5");

    assertThat(lb.lookupSocket(client, ip("203.0.113.9"), false, false, 80, TCP, random, 0))
        .isEqualTo(LookupResult.NO_SERVICE);
    assertThat(lb.lookupSocket(client, ip("203.0.113.9"), true, false, 80, TCP, random, 0))
        .isEqualTo(LookupResult.backend(ip("10.244.2.2"), 8080));
  }

  @Test
  void lookupSocket_frontendWithoutEndpoints_noEndpointsEvenForAForeignExternalIp() {
    HashMapServiceLookup lb = socketLbNode1(List.of());
    RandomGenerator random = RandomStreams.of(3).stream("socket-lb");
    int client = ip("10.244.1.5");

    assertThat(lb.lookupSocket(client, ip("10.96.0.20"), false, false, 80, TCP, random, 0))
        .isEqualTo(LookupResult.NO_ENDPOINTS);
    assertThat(lb.lookupSocket(client, ip("203.0.113.9"), false, false, 80, TCP, random, 0))
        .isEqualTo(LookupResult.NO_ENDPOINTS);
  }

  @Test
  void lookupSocket_notAFrontend_drawsNoRandomNumber() {
    HashMapServiceLookup lb = socketLbNode1(ON_NODE_2);
    RandomGenerator used = RandomStreams.of(3).stream("socket-lb");
    RandomGenerator fresh = RandomStreams.of(3).stream("socket-lb");
    int client = ip("10.244.1.5");

    assertThat(lb.lookupSocket(client, ip("10.244.2.2"), false, false, 8080, TCP, used, 0))
        .isEqualTo(LookupResult.NO_SERVICE);
    assertThat(lb.lastWork()).isEqualTo(1);
    assertThat(lb.lookupSocket(client, ip("192.168.1.12"), false, true, 9999, TCP, used, 0))
        .isEqualTo(LookupResult.NO_SERVICE);
    assertThat(lb.lastWork()).isEqualTo(2);
    assertThat(used.nextLong()).isEqualTo(fresh.nextLong());
  }
}
