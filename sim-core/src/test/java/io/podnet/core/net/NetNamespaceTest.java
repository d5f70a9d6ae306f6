package io.podnet.core.net;

import static io.podnet.core.net.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.Simulation;
import io.podnet.core.trace.MemoryTraceSink;
import io.podnet.core.trace.Trace;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tests for {@link NetNamespace}: ifindexes, moving and deleting devices, and bad input. */
class NetNamespaceTest {

  private Network net;
  private Host node;
  private NetNamespace root;
  private Nic eth0;
  private Bridge cni0;

  /** A node like the article's: lo=1, eth0=2, cni0=3 (10.244.1.1/24). */
  @BeforeEach
  void setUp() {
    net = Network.create(Simulation.create(17));
    node = net.addHost("node-1");
    root = node.root();
    root.loopback().up();
    eth0 = root.addNic("eth0");
    cni0 = root.addBridge("cni0");
    root.addAddress(cni0, IfAddress.parse("10.244.1.1/24"));
    cni0.up();
  }

  /** Creates a pod the old-CNI way: the veth pair inside the pod, the host end moved out. */
  private Veth addPod(String name, String hostVeth, String address) {
    NetNamespace pod = node.addNamespace(name);
    pod.loopback().up();
    Veth podEth0 = pod.addVethPair("eth0", hostVeth);
    Veth hostEnd = podEth0.peer();
    pod.moveDevice(hostEnd, root, hostVeth);
    cni0.addPort(hostEnd);
    hostEnd.up();
    pod.addAddress(podEth0, IfAddress.parse(address));
    podEth0.up();
    pod.addRoute(Route.to(Fixtures.DEFAULT_ROUTE).via(ip("10.244.1.1")).dev(podEth0).build());
    return podEth0;
  }

  private static List<String> deviceList(NetNamespace ns) {
    return ns.devices().stream().map(d -> d.ifindex() + ":" + d.name()).toList();
  }

  private static List<String> routeList(NetNamespace ns) {
    return ns.routes().routes().stream().map(Route::toString).toList();
  }

  /** Adds an address and a route to a fresh node, removes the route; returns the trace. */
  private static Trace routeChanges(Trace trace) {
    Network n = Network.create(Simulation.create(3), trace);
    NetNamespace ns = n.addHost("node-1").root();
    Nic nic = ns.addNic("eth0");
    ns.addAddress(nic, IfAddress.parse("192.168.1.11/24"));
    Route r =
        Route.to(Cidr.parse("10.244.2.0/26"))
            .via(ip("192.168.1.12"))
            .dev(nic)
            .proto("bird")
            .build();
    ns.addRoute(r);
    ns.removeRoute(r);
    return trace;
  }

  @Test
  void addRoute_withOrWithoutSink_sameLinesDigested() {
    MemoryTraceSink sink = new MemoryTraceSink();

    Trace withSink = routeChanges(Trace.digestOnly().addSink(sink));
    Trace digestOnly = routeChanges(Trace.digestOnly());

    assertThat(digestOnly.digest()).isEqualTo(withSink.digest());
    assertThat(sink.lines())
        .contains(
            "0.000000000 route node-1 add 10.244.2.0/26 via 192.168.1.12 dev eth0 proto bird",
            "0.000000000 route node-1 del 10.244.2.0/26 via 192.168.1.12 dev eth0 proto bird");
  }

  /**
   * Adds routes of a BGP speaker's shape to a node that pools them (or not), through {@link
   * NetNamespace#addRoute} or {@link NetNamespace#addGatewayRoute}, one refused; returns the trace
   * and the {@code ip route} text and the refusal.
   */
  private static List<String> bgpRoutes(Trace trace, boolean pooled, boolean byFields) {
    Network n = Network.create(Simulation.create(3), trace);
    NetNamespace ns = n.addHost("node-1").root();
    Nic nic = ns.addNic("eth0");
    Nic tunl0 = ns.addNic("tunl0");
    ns.addAddress(nic, IfAddress.parse("192.168.1.11/24"));
    if (pooled) {
      ns.poolRoutes(new SharedRoutes(), nic);
    }
    String[][] routes = {
      {"10.244.2.0/26", "192.168.1.12", "eth0", ""},
      {"10.244.3.0/26", "192.168.1.13", "eth0", "onlink"},
      {"10.244.4.0/26", "192.168.7.14", "tunl0", "onlink"},
      {"10.244.2.0/26", "192.168.1.15", "eth0", ""},
      {"10.244.5.0/26", "192.168.7.16", "eth0", ""},
    };
    String refusals = "";
    for (String[] r : routes) {
      Cidr dst = Cidr.parse(r[0]);
      Device dev = r[2].equals("eth0") ? nic : tunl0;
      boolean onlink = !r[3].isEmpty();
      try {
        if (byFields) {
          ns.addGatewayRoute(dst, ip(r[1]), dev, onlink, "bird");
        } else {
          Route.Builder b = Route.to(dst).via(ip(r[1])).dev(dev).proto("bird");
          ns.addRoute(onlink ? b.onlink().build() : b.build());
        }
      } catch (IllegalArgumentException refused) {
        refusals += refused.getMessage() + "\n";
      }
    }
    return List.of(trace.digest(), Iproute2.ipRouteShow(ns), refusals);
  }

  @Test
  void addGatewayRoute_pooledOrNotWithOrWithoutSink_sameAsAddRoute() {
    for (boolean pooled : new boolean[] {false, true}) {
      MemoryTraceSink sink = new MemoryTraceSink();
      List<String> expected = bgpRoutes(Trace.digestOnly(), pooled, false);

      assertThat(bgpRoutes(Trace.digestOnly(), pooled, true)).isEqualTo(expected);
      assertThat(bgpRoutes(Trace.digestOnly().addSink(sink), pooled, true)).isEqualTo(expected);
      assertThat(expected.get(2).lines())
          .as("pooled %s", pooled)
          .containsExactly(
              "route to 10.244.2.0/26 with metric 0 already exists: 10.244.2.0/26 via"
                  + " 192.168.1.12 dev eth0 proto bird",
              "route 10.244.5.0/26 via 192.168.7.16 dev eth0 proto bird: gateway 192.168.7.16 is"
                  + " not on a connected subnet of eth0 (Nexthop has invalid gateway)");
      assertThat(sink.lines())
          .contains(
              "0.000000000 route node-1 add 10.244.3.0/26 via 192.168.1.13 dev eth0 proto bird"
                  + " onlink");
    }
  }

  // ---------------------------------------------------------------- ifindexes

  @Test
  void addVethPair_insidePod_peerGetsLowerIndex() {
    NetNamespace pod = node.addNamespace("web-1");

    Veth podEth0 = pod.addVethPair("eth0", "veth1234");

    assertThat(deviceList(pod)).containsExactly("1:lo", "2:veth1234", "3:eth0");
    assertThat(podEth0.ifindex()).isEqualTo(3);
  }

  @Test
  void moveDevice_hostEndsOfTwoPods_takeNextFreeNodeIndexes() {
    Veth web1 = addPod("web-1", "vethaaaa0001", "10.244.1.2/24");
    Veth web2 = addPod("web-2", "vethbbbb0002", "10.244.1.3/24");

    assertThat(deviceList(root))
        .containsExactly("1:lo", "2:eth0", "3:cni0", "4:vethaaaa0001", "5:vethbbbb0002");
    assertThat(deviceList(web1.namespace())).containsExactly("1:lo", "3:eth0");
    assertThat(web1.peer().ifindex()).isEqualTo(4);
    assertThat(web2.peer().ifindex()).isEqualTo(5);
    assertThat(Iproute2.ipLinkShow(web1.namespace(), "eth0")).startsWith("3: eth0@if4: ");
    assertThat(Iproute2.ipLinkShow(root, "vethaaaa0001")).startsWith("4: vethaaaa0001@if3: ");
    assertThat(Iproute2.ipLinkShow(root, "vethbbbb0002")).startsWith("5: vethbbbb0002@if3: ");
  }

  /** A pod's {@code eth0} (ifindex 3) moved into a new namespace {@code other}, where 2 is free. */
  private Veth eth0MovedIntoOther() {
    NetNamespace pod = node.addNamespace("web-1");
    Veth podEth0 = pod.addVethPair("eth0", "peer0");
    pod.moveDevice(podEth0, node.addNamespace("other"), "eth0");
    return podEth0;
  }

  @Test
  void moveDevice_indexFreeInTarget_keepsIndexLaterAllocationsSkipItAndListsFollowIndexes() {
    Veth podEth0 = eth0MovedIntoOther();
    NetNamespace other = podEth0.namespace();

    assertThat(podEth0.ifindex()).isEqualTo(3);
    assertThat(other.name()).isEqualTo("other");
    Nic next = other.addNic("eth1");
    Nic after = other.addNic("eth2");
    assertThat(next.ifindex()).isEqualTo(2);
    assertThat(after.ifindex()).isEqualTo(4);
    assertThat(deviceList(other)).containsExactly("1:lo", "2:eth1", "3:eth0", "4:eth2");
    assertThat(other.deviceByIndex(2)).containsSame(next);
    assertThat(other.deviceByIndex(5)).isEmpty();
  }

  @Test
  void primaryAddress_outputDeviceWithoutAddress_lowestIfindexGlobalAddressNotFirstArrived() {
    Veth movedFirst = eth0MovedIntoOther();
    NetNamespace other = movedFirst.namespace();
    other.addAddress(movedFirst, IfAddress.parse("10.3.3.3/24"));
    Nic addedLater = other.addNic("eth1");
    other.addAddress(addedLater, IfAddress.parse("10.2.2.2/24"));
    Nic bare = other.addNic("eth2");

    int source = other.primaryAddress(bare, ip("192.0.2.1").toInt());

    assertThat(addedLater.ifindex()).isLessThan(movedFirst.ifindex());
    assertThat(Ipv4Address.of(source)).isEqualTo(ip("10.2.2.2"));
  }

  @Test
  void moveDevice_upWithAddress_arrivesDownWithoutAddressesOrRoutes() {
    NetNamespace pod = node.addNamespace("web-1");
    Veth podEth0 = pod.addVethPair("eth0", "peer0");
    pod.addAddress(podEth0, IfAddress.parse("10.1.0.2/24"));
    podEth0.up();
    NetNamespace other = node.addNamespace("other");

    pod.moveDevice(podEth0, other, "net0");

    assertThat(podEth0.name()).isEqualTo("net0");
    assertThat(podEth0.isUp()).isFalse();
    assertThat(podEth0.addresses()).isEmpty();
    assertThat(routeList(pod)).isEmpty();
    assertThat(pod.isLocalAddress(ip("10.1.0.2").toInt())).isFalse();
    assertThat(pod.findDevice("eth0")).isEmpty();
  }

  // ---------------------------------------------------------------- deleting

  @Test
  void deleteDevice_vethEnd_deletesPeerAndItsRoutesAndFdbEntries() {
    Veth web1 = addPod("web-1", "vethaaaa0001", "10.244.1.2/24");
    Veth hostEnd = web1.peer();
    assertThat(web1.namespace().ping(ip("10.244.1.1")).success()).isTrue();
    assertThat(cni0.fdb()).anyMatch(e -> e.port() == hostEnd && !e.local());
    root.addRoute(Route.to(Cidr.parse("10.244.1.2/32")).dev(hostEnd).build());
    assertThat(routeList(root)).contains("10.244.1.2 dev vethaaaa0001 scope link");

    NetNamespace pod = web1.namespace();
    pod.deleteDevice(web1);

    assertThat(deviceList(root)).containsExactly("1:lo", "2:eth0", "3:cni0");
    assertThat(deviceList(pod)).containsExactly("1:lo");
    assertThat(routeList(pod)).isEmpty();
    assertThat(routeList(root)).doesNotContain("10.244.1.2 dev vethaaaa0001 scope link");
    assertThat(cni0.ports()).isEmpty();
    assertThat(cni0.fdb()).noneMatch(e -> e.port() == hostEnd);
    assertThatThrownBy(web1::peer).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void deleteNamespace_pod_removesHostVethRoutesAndFdbEntries() {
    Veth web1 = addPod("web-1", "vethaaaa0001", "10.244.1.2/24");
    Veth web2 = addPod("web-2", "vethbbbb0002", "10.244.1.3/24");
    Veth hostEnd = web1.peer();
    NetNamespace pod = web1.namespace();
    assertThat(pod.ping(ip("10.244.1.3")).success()).isTrue();
    root.addRoute(Route.to(Cidr.parse("10.244.1.2/32")).dev(hostEnd).build());

    node.deleteNamespace(pod);

    assertThat(deviceList(root)).containsExactly("1:lo", "2:eth0", "3:cni0", "5:vethbbbb0002");
    assertThat(routeList(root))
        .containsExactly("10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1");
    assertThat(cni0.ports()).containsExactly(web2.peer());
    assertThat(cni0.fdb()).noneMatch(e -> e.port() == hostEnd);
    assertThat(cni0.fdb()).noneMatch(e -> e.mac().equals(web1.mac()));
    assertThat(node.namespaces()).extracting(NetNamespace::name).containsExactly("host", "web-2");
    assertThatThrownBy(() -> pod.addNic("eth9"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("node-1/web-1");
  }

  @Test
  void down_device_removesItsRoutesAndNeighbourEntries() {
    Veth web1 = addPod("web-1", "vethaaaa0001", "10.244.1.2/24");
    NetNamespace pod = web1.namespace();
    assertThat(pod.ping(ip("10.244.1.1")).success()).isTrue();
    assertThat(pod.neighbourEntries()).isNotEmpty();
    assertThat(routeList(pod)).hasSize(2);

    web1.down();

    assertThat(routeList(pod)).isEmpty();
    assertThat(pod.neighbourEntries()).isEmpty();
    assertThat(pod.ping(ip("10.244.1.1")).message())
        .isEqualTo("ping: connect: Network is unreachable");

    web1.up();
    assertThat(routeList(pod))
        .as("only the connected route comes back")
        .containsExactly("10.244.1.0/24 dev eth0 proto kernel scope link src 10.244.1.2");
  }

  @Test
  void neighbour_resolvedAndPermanentAndMissing_asIpNeighGetShowsThem() {
    Veth web1 = addPod("web-1", "vethaaaa0001", "10.244.1.2/24");
    NetNamespace pod = web1.namespace();
    assertThat(pod.neighbour(web1, ip("10.244.1.1"))).isNull();
    assertThat(pod.ping(ip("10.244.1.1")).success()).isTrue();
    NeighbourEntry resolved = pod.neighbour(web1, ip("10.244.1.1"));
    assertThat(resolved.state()).isEqualTo(NeighbourState.REACHABLE);
    assertThat(resolved.mac()).isEqualTo(cni0.mac());

    pod.addNeighbour(web1, ip("10.244.1.9"), cni0.mac());
    assertThat(pod.neighbour(web1, ip("10.244.1.9")).toString())
        .isEqualTo("10.244.1.9 dev eth0 lladdr " + cni0.mac() + " PERMANENT");
    assertThat(pod.neighbour(web1, ip("10.244.1.8"))).isNull();
  }

  @Test
  void hooks_registeredAtAPoint_inPriorityOrderAndNoneElsewhere() {
    PacketHook late = (point, frame, in, out) -> null;
    PacketHook early = (point, frame, in, out) -> null;
    root.addHook(HookPoint.FORWARD, 10, late);
    root.addHook(HookPoint.FORWARD, -10, early);
    assertThat(root.hooks(HookPoint.FORWARD)).containsExactly(early, late);
    assertThat(root.hooks(HookPoint.INPUT)).isEmpty();
  }

  @Test
  void sourceAddress_routeSrcElseDeviceAddressElseAnyGlobal() {
    root.addAddress(eth0, IfAddress.parse("192.168.1.11/24"));
    eth0.up();
    Route viaGateway = Route.to(Fixtures.DEFAULT_ROUTE).via(ip("192.168.1.1")).dev(eth0).build();
    Route withSrc = Route.to(Cidr.parse("10.0.0.0/8")).dev(cni0).src(ip("10.244.1.1")).build();
    Route onEmpty = Route.to(Cidr.parse("172.16.0.0/12")).dev(root.loopback()).build();
    assertThat(root.sourceAddress(viaGateway, ip("8.8.8.8").toInt()))
        .isEqualTo(ip("192.168.1.11").toInt());
    assertThat(root.sourceAddress(withSrc, ip("10.1.2.3").toInt()))
        .isEqualTo(ip("10.244.1.1").toInt());
    assertThat(root.sourceAddress(onEmpty, ip("172.16.0.1").toInt()))
        .isEqualTo(ip("127.0.0.1").toInt());
  }

  @Test
  void addAddress_secondInSameSubnet_noSecondPrefixRouteAndDownUpWorks() {
    root.addAddress(cni0, IfAddress.parse("10.244.1.254/24"));

    assertThat(cni0.addresses()).hasSize(2);
    assertThat(root.isLocalAddress(ip("10.244.1.254").toInt())).isTrue();
    assertThat(routeList(root))
        .containsExactly("10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1");

    cni0.down();
    cni0.up();
    assertThat(routeList(root))
        .containsExactly("10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1");
  }

  // ---------------------------------------------------------------- bad input

  @Test
  void addNic_duplicateName_rejectedAndModelUnchanged() {
    List<String> before = deviceList(root);

    assertThatThrownBy(() -> root.addNic("eth0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("device \"eth0\" already exists in node-1");
    assertThatThrownBy(() -> root.addVethPair("vethx", "cni0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"cni0\" already exists");
    assertThat(deviceList(root)).isEqualTo(before);
  }

  @Test
  void addNic_invalidNames_rejectedNamingValueAndExpectation() {
    List<String> before = deviceList(root);

    for (String bad : List.of("abcdefghijklmnop", "a/b", ".", "..", "", "a b", "eth0:1")) {
      assertThatThrownBy(() -> root.addNic(bad))
          .as("name %s", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("\"" + bad + "\"")
          .hasMessageContaining("expected 1-15 characters");
    }
    assertThat(root.addNic("abcdefghijklmno").name()).hasSize(15); // 15 is the limit
    assertThat(deviceList(root)).hasSize(before.size() + 1);
  }

  @Test
  void setMtu_below68_rejectedAndMtuUnchanged() {
    Veth v = root.addVethPair("v0", "v1");

    assertThatThrownBy(() -> v.setMtu(67))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("mtu must be in [68, 65536]: 67");
    assertThat(v.mtu()).isEqualTo(1500);
    List<String> before = deviceList(root);
    assertThatThrownBy(() -> root.addVethPair("v2", "v3", 67))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(": 67");
    assertThat(deviceList(root)).isEqualTo(before);
    v.setMtu(68);
    assertThat(v.mtu()).isEqualTo(68);
  }

  @Test
  void addRoute_deviceOfAnotherNamespace_rejectedAndRoutesUnchanged() {
    NetNamespace pod = node.addNamespace("web-1");
    Veth podEth0 = pod.addVethPair("eth0", "peer0");
    List<String> before = routeList(root);

    assertThatThrownBy(
            () -> root.addRoute(Route.to(Cidr.parse("10.9.0.0/16")).dev(podEth0).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("device eth0 is not in node-1");
    assertThat(routeList(root)).isEqualTo(before);
  }

  @Test
  void addRoute_gatewayOffLink_rejectedUnlessOnlink() {
    List<String> before = routeList(root);
    Route offLink = Route.to(Cidr.parse("10.9.0.0/16")).via(ip("192.168.7.1")).dev(cni0).build();

    assertThatThrownBy(() -> root.addRoute(offLink))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gateway 192.168.7.1 is not on a connected subnet of cni0");
    assertThat(routeList(root)).isEqualTo(before);

    root.addRoute(
        Route.to(Cidr.parse("10.9.0.0/16")).via(ip("192.168.7.1")).dev(cni0).onlink().build());
    assertThat(routeList(root)).contains("10.9.0.0/16 via 192.168.7.1 dev cni0 onlink");
    root.addRoute(Route.to(Cidr.parse("10.8.0.0/16")).via(ip("10.244.1.9")).dev(cni0).build());
    assertThat(routeList(root)).contains("10.8.0.0/16 via 10.244.1.9 dev cni0");
  }

  @Test
  void addRoute_duplicatePrefixAndMetric_rejectedAndRoutesUnchanged() {
    root.addRoute(Route.to(Cidr.parse("10.9.0.0/16")).dev(cni0).build());
    List<String> before = routeList(root);

    assertThatThrownBy(() -> root.addRoute(Route.to(Cidr.parse("10.9.0.0/16")).dev(eth0).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10.9.0.0/16 with metric 0 already exists");
    assertThat(routeList(root)).isEqualTo(before);
  }

  @Test
  void connect_nicAlreadyConnected_rejectedAndLinksUnchanged() {
    NetNamespace other = net.addHost("node-2").root();
    Nic peer = other.addNic("eth0");
    Nic third = other.addNic("eth1");
    Link link = net.connect(eth0, peer, LinkSpec.DEFAULT);

    assertThatThrownBy(() -> net.connect(third, eth0, LinkSpec.DEFAULT.withMtu(9000)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("NIC node-1:eth0 is already connected by a link");
    assertThat(net.links()).containsExactly(link);
    assertThat(third.link()).isNull();
    assertThat(third.mtu()).isEqualTo(1500);
    assertThat(eth0.link()).isSameAs(link);
    assertThatThrownBy(() -> net.connect(third, third, LinkSpec.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void addPort_deviceAlreadyEnslaved_rejectedAndPortsUnchanged() {
    Veth v = root.addVethPair("v0", "v1");
    cni0.addPort(v);
    Bridge br1 = root.addBridge("br1");

    assertThatThrownBy(() -> br1.addPort(v))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("device node-1:v0 is already a port of bridge cni0");
    assertThat(br1.ports()).isEmpty();
    assertThat(br1.fdb()).isEmpty();
    assertThat(cni0.ports()).containsExactly(v);
    assertThat(v.master()).isSameAs(cni0);
    assertThatThrownBy(() -> cni0.addPort(br1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void pingOptions_ttlZero_rejected() {
    assertThatThrownBy(() -> PingOptions.DEFAULT.withTtl(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ttl must be in [1, 255]: 0");
    assertThatThrownBy(() -> PingOptions.DEFAULT.withTtl(256))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ttl must be in [1, 255]: 256");
  }

  @Test
  void moveDevice_nameTakenInTarget_rejectedAndBothNamespacesUnchanged() {
    NetNamespace pod = node.addNamespace("web-1");
    Veth podEth0 = pod.addVethPair("eth0", "peer0");
    List<String> podBefore = deviceList(pod);
    List<String> rootBefore = deviceList(root);

    assertThatThrownBy(() -> pod.moveDevice(podEth0.peer(), root, "cni0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("device \"cni0\" already exists in node-1");
    assertThatThrownBy(() -> pod.moveDevice(podEth0.peer(), root, "a/b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"a/b\"");
    assertThat(deviceList(pod)).isEqualTo(podBefore);
    assertThat(deviceList(root)).isEqualTo(rootBefore);
  }

  @Test
  void addNamespace_duplicateName_rejected() {
    node.addNamespace("web-1");

    assertThatThrownBy(() -> node.addNamespace("web-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("namespace \"web-1\" already exists on node-1");
    assertThat(node.namespaces()).hasSize(2);
  }
}
