package io.podnet.core.net;

import static io.podnet.core.net.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.engine.SimTime;
import io.podnet.core.trace.MemoryTraceSink;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tests for {@link Bridge}: learning, flooding, forwarding, ageing and MTU. */
class BridgeTest {

  private final MemoryTraceSink sink = new MemoryTraceSink();
  private Network net;
  private Host host;
  private NetNamespace sw;
  private Bridge br0;
  private final List<NetNamespace> stations = new ArrayList<>();
  private final List<Veth> stationEth0 = new ArrayList<>();
  private final List<Veth> ports = new ArrayList<>();

  /** Namespace {@code sw} with bridge br0 and ports v1..v3 to stations p1..p3 (10.0.0.1..3). */
  @BeforeEach
  void setUp() {
    net = Fixtures.network(21, sink);
    host = net.addHost("h");
    sw = host.addNamespace("sw");
    br0 = sw.addBridge("br0");
    br0.up();
    for (int i = 1; i <= 3; i++) {
      NetNamespace p = host.addNamespace("p" + i);
      p.loopback().up();
      Veth eth0 = p.addVethPair("eth0", "v" + i);
      Veth port = eth0.peer();
      p.moveDevice(port, sw, "v" + i);
      br0.addPort(port);
      port.up();
      p.addAddress(eth0, IfAddress.parse("10.0.0." + i + "/24"));
      eth0.up();
      stations.add(p);
      stationEth0.add(eth0);
      ports.add(port);
    }
  }

  private long packetIdOf(String lineSuffix) {
    Pattern id = Pattern.compile(" #(\\d+)");
    for (String line : sink.lines()) {
      if (line.endsWith(lineSuffix)) {
        Matcher m = id.matcher(line);
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
      }
    }
    throw new AssertionError("no trace line ends with " + lineSuffix);
  }

  /** Ports of sw that transmitted packet {@code id}. */
  private List<String> txPorts(long id) {
    List<String> out = new ArrayList<>();
    for (String line : sink.lines()) {
      String[] f = line.split(" ");
      // time hop location device action #id ...
      if (f[1].equals("hop") && f[2].equals("h/sw") && f[4].equals("tx") && f[5].equals("#" + id)) {
        out.add(f[3]);
      }
    }
    return out;
  }

  private List<Bridge.FdbEntry> learned() {
    return br0.fdb().stream().filter(e -> !e.local()).toList();
  }

  @Test
  void addPort_newPort_localFdbEntryForItsMac() {
    assertThat(br0.fdb())
        .filteredOn(Bridge.FdbEntry::local)
        .extracting(e -> e.mac(), e -> e.port())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(ports.get(0).mac(), ports.get(0)),
            org.assertj.core.groups.Tuple.tuple(ports.get(1).mac(), ports.get(1)),
            org.assertj.core.groups.Tuple.tuple(ports.get(2).mac(), ports.get(2)));
  }

  @Test
  void input_framesFromStations_learnSenderMacOnIngressPort() {
    assertThat(learned()).isEmpty();

    assertThat(stations.get(0).ping(ip("10.0.0.2")).success()).isTrue();

    assertThat(learned())
        .extracting(Bridge.FdbEntry::mac, Bridge.FdbEntry::port)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(stationEth0.get(0).mac(), ports.get(0)),
            org.assertj.core.groups.Tuple.tuple(stationEth0.get(1).mac(), ports.get(1)));
  }

  @Test
  void input_broadcastArpRequest_floodedToAllOtherPortsNotBackToIngress() {
    stations.get(0).ping(ip("10.0.0.2"));

    long arp = packetIdOf("who-has 10.0.0.2");
    assertThat(txPorts(arp)).containsExactlyInAnyOrder("v2", "v3");
  }

  @Test
  void flood_switchOfSeventyNicPorts_everyReceiverGetsAFrameOfItsOwn() {
    Host underlay = net.addSwitch("underlay");
    List<NetNamespace> nodes = new ArrayList<>();
    for (int i = 1; i <= 70; i++) {
      NetNamespace n = net.addHost("node-" + i).root();
      Nic eth0 = net.attachToSwitch(n.host(), "eth0", underlay, LinkSpec.DEFAULT);
      n.addAddress(eth0, IfAddress.parse("192.168.0." + i + "/24"));
      nodes.add(n);
    }

    ProbeResult ping = nodes.get(0).ping(ip("192.168.0.70"));

    // The ARP request crossed 69 links as one flooded frame; had the receivers shared it, each
    // would have counted its layer-2 hops on it, past the limit of 64.
    assertThat(ping.success()).isTrue();
    long arp = packetIdOf("who-has 192.168.0.70");
    long received =
        sink.lines().stream()
            .filter(l -> l.contains(" eth0 rx #" + arp) && l.contains(" hop node-"))
            .count();
    assertThat(received).isEqualTo(69);
    assertThat(sink.lines()).noneMatch(l -> l.contains(DropReason.L2_LOOP.text()));
  }

  @Test
  void input_destinationLearnedOnIngressPort_droppedUnlessHairpinIsOn() {
    NetNamespace p1 = stations.get(0);
    p1.ping(ip("10.0.0.2"));
    // p1 sends to its own MAC, which br0 learned on v1, the port the frame comes in by
    p1.addNeighbour(stationEth0.get(0), ip("10.0.0.9"), stationEth0.get(0).mac());
    ProbeResult off = p1.ping(ip("10.0.0.9"), PingOptions.DEFAULT.withTimeout(SimTime.SECOND));
    long first = Fixtures.hops(off.walk(), HopAction.SEND).get(0).packetId();
    assertThat(sink.lines())
        .anyMatch(
            l ->
                l.endsWith("hop h/sw br0 drop #" + first + " destination is the ingress port: v1"));
    assertThat(txPorts(first)).isEmpty();

    br0.setHairpin(ports.get(0), true);
    ProbeResult on = p1.ping(ip("10.0.0.9"), PingOptions.DEFAULT.withTimeout(SimTime.SECOND));
    long second = Fixtures.hops(on.walk(), HopAction.SEND).get(0).packetId();
    assertThat(txPorts(second)).containsExactly("v1");
    assertThat(br0.hairpin(ports.get(0))).isTrue();
    assertThat(br0.hairpin(ports.get(1))).isFalse();
  }

  @Test
  void input_unknownUnicast_floodedToAllOtherPorts() {
    // p1 knows p2's MAC without ARP, so its first frame is unicast to a MAC br0 never saw
    stations.get(0).addNeighbour(stationEth0.get(0), ip("10.0.0.2"), stationEth0.get(1).mac());

    ProbeResult r = stations.get(0).ping(ip("10.0.0.2"));

    assertThat(r.success()).isTrue();
    long request = Fixtures.hops(r.walk(), HopAction.SEND).get(0).packetId();
    assertThat(txPorts(request)).containsExactlyInAnyOrder("v2", "v3");
    assertThat(sink.lines())
        .anyMatch(l -> l.endsWith("hop h/sw br0 bridge #" + request + " flood"))
        .anyMatch(
            l ->
                l.endsWith(
                    "hop h/p3 eth0 drop #"
                        + request
                        + " destination MAC not ours: "
                        + stationEth0.get(1).mac()));
  }

  @Test
  void input_knownUnicast_forwardedOnlyToLearnedPort() {
    ProbeResult r = stations.get(0).ping(ip("10.0.0.2"));

    // by the time p2 answers, br0 has learned p1's MAC on v1 from the ARP request
    long reply = Fixtures.hops(r.walk(), HopAction.SEND).get(1).packetId();
    assertThat(txPorts(reply)).containsExactly("v1");
    assertThat(sink.lines())
        .anyMatch(
            l ->
                l.endsWith(
                    "hop h/sw br0 bridge #"
                        + reply
                        + " fdb "
                        + stationEth0.get(0).mac()
                        + " dev v1"));
  }

  @Test
  void fdb_learnedEntry_goneAfterDefaultAgeingTime() {
    stations.get(0).ping(ip("10.0.0.2"));
    net.simulation().runUntil(net.simulation().now() + 60 * SimTime.SECOND); // ARP probes settle
    MacAddress p1 = stationEth0.get(0).mac();
    long updated =
        learned().stream().filter(e -> e.mac().equals(p1)).findFirst().orElseThrow().updatedNanos();

    net.simulation().runUntil(updated + 300 * SimTime.SECOND - 1);
    assertThat(learned()).extracting(Bridge.FdbEntry::mac).contains(p1);
    net.simulation().runUntil(updated + 300 * SimTime.SECOND);
    assertThat(learned()).extracting(Bridge.FdbEntry::mac).doesNotContain(p1);
    assertThat(br0.fdb()).filteredOn(Bridge.FdbEntry::local).hasSize(3); // local ones never age
  }

  @Test
  void setAgeingNanos_shorterAgeing_entryGoneSooner() {
    br0.setAgeingNanos(2 * SimTime.SECOND);
    stations.get(0).ping(ip("10.0.0.2"));
    long updated = learned().get(0).updatedNanos();

    net.simulation().runUntil(updated + 2 * SimTime.SECOND - 1);
    assertThat(learned()).isNotEmpty();
    net.simulation().runUntil(updated + 2 * SimTime.SECOND + SimTime.MILLISECOND);
    // the DELAY/PROBE exchange at 5 s has not happened yet, so nothing refreshed the entries
    assertThat(learned()).isEmpty();
  }

  @Test
  void fdbEntry_learnedThenAged_entryThenNullWithoutExpiringIt() {
    br0.setAgeingNanos(2 * SimTime.SECOND);
    stations.get(0).ping(ip("10.0.0.2"));
    MacAddress p1 = stationEth0.get(0).mac();
    Bridge.FdbEntry e = br0.fdbEntry(p1);
    assertThat(e).isNotNull();
    assertThat(e.local()).isFalse();
    assertThat(e.port().name()).isEqualTo("v1");
    assertThat(br0.fdbEntry(br0.ports().get(0).mac()).local()).isTrue();

    net.simulation().runUntil(e.updatedNanos() + 2 * SimTime.SECOND + SimTime.MILLISECOND);
    assertThat(br0.fdbEntry(p1)).isNull();
    assertThat(br0.fdbEntry(MacAddress.parse("02:00:00:00:00:01"))).isNull();
  }

  @Test
  void setAgeingNanos_zero_rejected() {
    assertThatThrownBy(() -> br0.setAgeingNanos(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(": 0");
  }

  @Test
  void mtu_followsSmallestPortUntilSetExplicitly() {
    assertThat(br0.mtu()).isEqualTo(1500);
    NetNamespace p4 = host.addNamespace("p4");
    Veth small = p4.addVethPair("eth0", "v4", 1450).peer();
    p4.moveDevice(small, sw, "v4");

    br0.addPort(small);
    assertThat(br0.mtu()).isEqualTo(1450);

    small.setMtu(1400);
    assertThat(br0.mtu()).as("follows a port's MTU change").isEqualTo(1400);

    br0.removePort(small);
    assertThat(br0.mtu()).as("recomputed when the smallest port leaves").isEqualTo(1500);

    br0.setMtu(1480);
    br0.addPort(small);
    assertThat(br0.mtu()).as("set by the user, no longer follows").isEqualTo(1480);
  }

  @Test
  void mtu_smallestPortDeleted_bridgeMtuRecomputed() {
    NetNamespace p4 = host.addNamespace("p4");
    Veth small = p4.addVethPair("eth0", "v4", 1400).peer();
    p4.moveDevice(small, sw, "v4");
    br0.addPort(small);
    assertThat(br0.mtu()).isEqualTo(1400);

    host.deleteNamespace(p4);

    assertThat(br0.ports()).containsExactlyElementsOf(ports);
    assertThat(br0.mtu()).isEqualTo(1500);
  }

  @Test
  void removePort_learnedEntriesOfThatPortForgotten() {
    stations.get(0).ping(ip("10.0.0.2"));

    br0.removePort(ports.get(1));

    assertThat(ports.get(1).master()).isNull();
    assertThat(br0.fdb()).noneMatch(e -> e.port() == ports.get(1));
    assertThat(br0.fdb()).anyMatch(e -> e.port() == ports.get(0) && !e.local());
  }

  @Test
  void hasCarrier_noOperationalPort_false() {
    Bridge lonely = sw.addBridge("br1");
    lonely.up();
    assertThat(lonely.hasCarrier()).isFalse();
    assertThat(br0.hasCarrier()).isTrue();

    for (Veth p : ports) {
      p.down();
    }
    assertThat(br0.hasCarrier()).isFalse();
  }

  /** A MAC as iproute2 prints it in a bridge id: each octet in bare hex, no leading zero. */
  private static String bareHex(MacAddress mac) {
    StringBuilder sb = new StringBuilder();
    for (String octet : mac.toString().split(":")) {
      sb.append(sb.length() == 0 ? "" : ":")
          .append(Integer.parseInt(octet, 16) > 0xF ? octet : octet.substring(1));
    }
    return sb.toString();
  }

  @Test
  void ipDetailedLinkShow_oneSecondAfterUp_bridgeAndBridgeSlaveLinesWithTheirTimers() {
    net.simulation().runUntil(SimTime.SECOND);
    String id = "8000." + bareHex(br0.mac());

    // like `ip link add brt type bridge; ... ip -d link show` on a machine with iproute2 6.1: the
    // garbage collector ran 0.1 s after up and, with no learned entry, runs again 300 s later
    assertThat(Iproute2.ipDetailedLinkShow(sw, "br0"))
        .contains(
            "\n    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0"
                + " priority 32768 vlan_filtering 0 vlan_protocol 802.1Q bridge_id "
                + id
                + " designated_root "
                + id
                + " root_port 0 root_path_cost 0 topology_change 0 topology_change_detected 0"
                + " hello_timer    0.00 tcn_timer    0.00 topology_change_timer    0.00 gc_timer"
                + "  299.10 vlan_default_pvid 1 vlan_stats_enabled 0 vlan_stats_per_port 0"
                + " group_fwd_mask 0 group_address 01:80:c2:00:00:00 mcast_snooping 1"
                + " no_linklocal_learn 0 mcast_vlan_snooping 0 mcast_router 1"
                + " mcast_query_use_ifaddr 0 mcast_querier 0 mcast_hash_elasticity 16"
                + " mcast_hash_max 4096 mcast_last_member_count 2 mcast_startup_query_count 2"
                + " mcast_last_member_interval 100 mcast_membership_interval 26000"
                + " mcast_querier_interval 25500 mcast_query_interval 12500"
                + " mcast_query_response_interval 1000 mcast_startup_query_interval 3124"
                + " mcast_stats_enabled 0 mcast_igmp_version 2 mcast_mld_version 1 nf_call_iptables"
                + " 0 nf_call_ip6tables 0 nf_call_arptables 0 addrgenmode eui64 ");
    assertThat(Iproute2.ipDetailedLinkShow(sw, "v2"))
        .as("the second port, its forward-delay timer started when it was enabled at 0 s")
        .contains(
            " maxmtu 65535 \n    veth \n    bridge_slave state forwarding priority 32 cost 2 hairpin"
                + " off guard off root_block off fastleave off learning on flood on port_id 0x8002"
                + " port_no 0x2 designated_port 32770 designated_cost 0 designated_bridge "
                + id
                + " designated_root "
                + id
                + " hold_timer    0.00 message_age_timer    0.00 forward_delay_timer   14.00"
                + " topology_change_ack 0 config_pending 0 proxy_arp off proxy_arp_wifi off"
                + " mcast_router 1 mcast_fast_leave off mcast_flood on bcast_flood on"
                + " mcast_to_unicast off neigh_suppress off group_fwd_mask 0 group_fwd_mask_str"
                + " 0x0 vlan_tunnel off isolated off locked off addrgenmode eui64 ");
  }

  @Test
  void ipDetailedLinkShow_learnedEntries_garbageCollectorRunsWhenTheFirstWouldAgeOut() {
    net.simulation().runUntil(20 * SimTime.SECOND);
    stations.get(0).ping(ip("10.0.0.2"));
    net.simulation().runUntil(300 * SimTime.SECOND);
    assertThat(Iproute2.ipDetailedLinkShow(sw, "br0"))
        .as("learning does not move the pass scheduled at 0.1 s for 300.1 s")
        .contains(" gc_timer    0.10 ");
    net.simulation().runUntil(301 * SimTime.SECOND);

    long oldest =
        br0.fdb().stream()
            .filter(e -> !e.local())
            .mapToLong(Bridge.FdbEntry::updatedNanos)
            .min()
            .orElseThrow();
    Matcher gc =
        Pattern.compile(" gc_timer +([0-9.]+) ").matcher(Iproute2.ipDetailedLinkShow(sw, "br0"));
    assertThat(gc.find()).isTrue();
    assertThat(Double.parseDouble(gc.group(1)))
        .as("the pass at 300.1 s comes back when the oldest learned entry ages out")
        .isCloseTo((oldest + 300 * SimTime.SECOND - 301 * SimTime.SECOND) / 1e9, within(0.01));
    assertThat(Iproute2.ipDetailedLinkShow(sw, "v1"))
        .as("15 s after the port was enabled its forward-delay timer has run out")
        .contains(" forward_delay_timer    0.00 ");
  }

  /** The value iproute2 prints for {@code field} in {@code ip -d link show dev} of {@code dev}. */
  private String detail(NetNamespace ns, String dev, String field) {
    Matcher m =
        Pattern.compile(" " + field + " +([^ ]+) ").matcher(Iproute2.ipDetailedLinkShow(ns, dev));
    assertThat(m.find()).as("%s of %s", field, dev).isTrue();
    return m.group(1);
  }

  @Test
  void portDetails_portAddedBeforeItsPeerIsUp_timerStartsWhenItCanForward() {
    NetNamespace p = host.addNamespace("p4");
    Veth eth0 = p.addVethPair("eth0", "v4");
    Veth port = eth0.peer();
    p.moveDevice(port, sw, "v4");
    br0.addPort(port); // as a CNI plugin does: master first, then up
    port.up();
    net.simulation().runUntil(5 * SimTime.SECOND);
    assertThat(Iproute2.ipDetailedLinkShow(sw, "v4")).contains("bridge_slave state disabled ");
    assertThat(detail(sw, "v4", "forward_delay_timer")).isEqualTo("0.00");

    eth0.up();
    net.simulation().runUntil(6 * SimTime.SECOND);

    assertThat(Iproute2.ipDetailedLinkShow(sw, "v4")).contains("bridge_slave state forwarding ");
    assertThat(detail(sw, "v4", "forward_delay_timer")).isEqualTo("14.00");
    assertThat(detail(sw, "v4", "port_no")).isEqualTo("0x4");
  }

  @Test
  void addPort_afterTheFirstPortLeft_takesTheLowestFreeNumber() {
    br0.removePort(ports.get(0));
    NetNamespace p = host.addNamespace("p4");
    Veth port = p.addVethPair("eth0", "v4").peer();
    p.moveDevice(port, sw, "v4");
    br0.addPort(port);

    assertThat(detail(sw, "v4", "port_no")).isEqualTo("0x1");
    assertThat(detail(sw, "v4", "port_id")).isEqualTo("0x8001");
    assertThat(detail(sw, "v3", "port_no")).isEqualTo("0x3");
  }

  @Test
  void setAgeingNanos_newAgeingTime_garbageCollectorPassesAtOnce() {
    net.simulation().runUntil(SimTime.SECOND);
    br0.setAgeingNanos(10 * SimTime.SECOND);

    // as `ip link set br0 type bridge ageing_time 1000` then `ip -d link show br0` on this machine
    assertThat(detail(sw, "br0", "ageing_time")).isEqualTo("1000");
    assertThat(detail(sw, "br0", "gc_timer")).isEqualTo("10.00");
  }

  @Test
  void down_thenUpAgain_collectorAndPortTimersStopThenRestart() {
    net.simulation().runUntil(SimTime.SECOND);
    br0.down();

    assertThat(detail(sw, "br0", "gc_timer")).isEqualTo("0.00");
    assertThat(detail(sw, "v1", "forward_delay_timer")).isEqualTo("0.00");
    assertThat(Iproute2.ipDetailedLinkShow(sw, "v1")).contains("bridge_slave state disabled ");

    net.simulation().runUntil(2 * SimTime.SECOND);
    br0.up();

    assertThat(detail(sw, "br0", "gc_timer")).isEqualTo("0.10");
    assertThat(detail(sw, "v1", "forward_delay_timer")).isEqualTo("15.00");
  }

  @Test
  void tsoMaxSize_freshThenVethPortsThenANicJoinsAndLeaves_defaultThenTheSmallestPorts() {
    sw.addBridge("br1");
    assertThat(detail(sw, "br1", "tso_max_size")).isEqualTo("65536");
    assertThat(detail(sw, "br0", "tso_max_size")).isEqualTo("524280");

    Nic nic = sw.addNic("eth9");
    br0.addPort(nic);
    assertThat(detail(sw, "br0", "tso_max_size"))
        .as("a NIC's 65536 is the smallest")
        .isEqualTo("65536");

    br0.removePort(nic);
    assertThat(detail(sw, "br0", "tso_max_size")).isEqualTo("524280");
  }

  @Test
  void setAgeingNanos_bridgeDown_startsTheCollectorAnyway() {
    br0.down();
    br0.setAgeingNanos(10 * SimTime.SECOND);

    assertThat(detail(sw, "br0", "gc_timer")).isEqualTo("10.00");
  }

  @Test
  void portDetails_nicPortLosesItsLink_disabledUntilTheLinkIsBack() {
    Host sw2 = net.addSwitch("sw2");
    Nic eth0 = net.attachToSwitch(net.addHost("n1"), "eth0", sw2, LinkSpec.DEFAULT);
    NetNamespace swNs = sw2.root();
    String port = "swp1";
    net.simulation().runUntil(SimTime.SECOND);
    assertThat(Iproute2.ipDetailedLinkShow(swNs, port)).contains("bridge_slave state forwarding ");

    Link link = eth0.link();
    assertThat(link).isNotNull();
    link.setUp(false);
    assertThat(Iproute2.ipDetailedLinkShow(swNs, port)).contains("bridge_slave state disabled ");
    assertThat(detail(swNs, port, "forward_delay_timer")).isEqualTo("0.00");

    net.simulation().runUntil(2 * SimTime.SECOND);
    link.setUp(true);
    assertThat(detail(swNs, port, "forward_delay_timer")).isEqualTo("15.00");
  }
}
