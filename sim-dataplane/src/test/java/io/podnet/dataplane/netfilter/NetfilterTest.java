package io.podnet.dataplane.netfilter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.net.BridgeTopology;
import io.podnet.core.net.Device;
import io.podnet.core.net.Frame;
import io.podnet.core.net.HookPoint;
import io.podnet.core.net.HopAction;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Network;
import io.podnet.core.net.Ping;
import io.podnet.core.net.PingOptions;
import io.podnet.core.net.ProbeResult;
import io.podnet.core.net.Route;
import io.podnet.core.net.Walk;
import io.podnet.core.packet.Frames;
import io.podnet.core.packet.IpProtocol;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Netfilter on node-1 of a two-node bridge topology: pod web-1 (10.244.1.2) on node-1, web-2
 * (10.244.2.2) on node-2, routed between the nodes over 192.168.1.0/24.
 */
class NetfilterTest {

  private static final Ipv4Address VIP = Ipv4Address.parse("10.96.0.10");

  private final Simulation sim;
  private final BridgeTopology t;
  private final NetNamespace node1;
  private final NetNamespace client;
  private final NetNamespace server;
  private final Netfilter nf;

  NetfilterTest() {
    Fixture fx = new Fixture(7);
    sim = fx.sim;
    t = fx.t;
    node1 = fx.node1;
    client = fx.client;
    server = fx.server;
    nf = fx.nf;
  }

  /** The topology with netfilter on node-1, for a seed. */
  private static final class Fixture {
    final Simulation sim;
    final BridgeTopology t;
    final NetNamespace node1;
    final NetNamespace client;
    final NetNamespace server;
    final Netfilter nf;

    Fixture(long seed) {
      sim = Simulation.create(seed);
      t = BridgeTopology.build(Network.create(sim), 2, 2);
      node1 = t.node(0).root();
      client = t.pod(0, 0);
      server = t.pod(1, 0);
      nf = Netfilter.install(node1);
    }
  }

  private static int ip(String address) {
    return Ipv4Address.parse(address).toInt();
  }

  private boolean passes(int src, int dst, int proto, int dport, Device in, Device out) {
    return nf.dryRun(Netfilter.Path.FORWARDED, src, dst, proto, dport, in, out).passes();
  }

  private static String rules(String... lines) {
    return String.join("\n", lines) + "\n";
  }

  private static final String DNAT =
      rules(
          "*nat",
          ":PREROUTING ACCEPT [0:0]",
          ":KUBE-SERVICES - [0:0]",
          "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
          "-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination"
              + " 10.244.2.2:8080",
          "-A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m udp --dport 80 -j DNAT --to-destination"
              + " 10.244.2.2:8080",
          "COMMIT");

  @Test
  void outputDnat_dfPingRedirectedToARouteWithASmallerMtu_droppedNotFragmented() {
    redirectVipToAPodBehindA1400Route();

    ProbeResult r =
        node1.ping(
            VIP,
            PingOptions.DEFAULT
                .withPayloadSize(1400)
                .withDontFragment(true)
                .withTimeout(SimTime.SECOND));

    // 1428 bytes fit the route to the VIP (1500), not the one to the pod it becomes (1400).
    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.TIMEOUT);
    assertThat(r.walk().hops())
        .extracting(h -> h.hop().action() + " " + h.hop().detail())
        .contains("DROP fragmentation needed and DF set: mtu 1400")
        .noneMatch(h -> h.startsWith("TX"));
  }

  @Test
  void outputDnat_defaultModePingRedirectedToARouteWithASmallerMtu_fragmentedAndAnswered() {
    redirectVipToAPodBehindA1400Route();

    ProbeResult r = node1.ping(VIP, PingOptions.DEFAULT.withPayloadSize(1400));

    // ping without -M is "want": the kernel's skb->ignore_df lets ip_fragment cut it after all.
    assertThat(r.outcome()).as(r.walk().render()).isEqualTo(ProbeResult.Outcome.REPLY);
    assertThat(r.walk().hops())
        .filteredOn(h -> h.hop().location().equals("node-1") && h.hop().action() == HopAction.TX)
        .extracting(Walk.Hop::summary)
        .containsExactly(
            "ARP, Request who-has 192.168.1.12 tell 192.168.1.11, length 28",
            "IP 192.168.1.11 > 10.244.2.2: ICMP echo request, id 1, seq 1, length 1376",
            "IP 192.168.1.11 > 10.244.2.2: ip-proto-1");
  }

  /** On node-1, a ping to the VIP is DNATed to 10.244.2.2, whose route takes 1400 bytes. */
  private void redirectVipToAPodBehindA1400Route() {
    Device eth0 = node1.device("eth0");
    node1.addRoute(Route.to(Cidr.of(VIP, 32)).via(BridgeTopology.nodeAddress(1)).dev(eth0).build());
    node1.addRoute(
        Route.to(Cidr.parse("10.244.2.2/32"))
            .via(BridgeTopology.nodeAddress(1))
            .dev(eth0)
            .mtu(1400)
            .build());
    nf.restore(
        rules(
            "*nat",
            ":OUTPUT ACCEPT [0:0]",
            "-A OUTPUT -d 10.96.0.10/32 -p icmp -j DNAT --to-destination 10.244.2.2",
            "COMMIT"),
        "output-dnat.v4");
  }

  @Test
  void dnat_connectTcp_replyComesFromTheServiceAddress() {
    nf.restore(DNAT, "dnat.v4");
    server.listenTcp(8080);
    ProbeResult r = client.connectTcp(VIP, 80);
    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.CONNECTED);
    assertThat(r.message()).startsWith("Connection to 10.96.0.10 80 port");
    assertThat(server.tcpAccepted(8080)).isZero(); // the final ACK is still in flight
    sim.runUntil(sim.now() + SimTime.MILLISECOND);
    assertThat(server.tcpAccepted(8080)).isEqualTo(1);
    String walk = r.walk().render();
    assertThat(walk)
        .contains(
            "rule #1 nat -A PREROUTING -m comment --comment \"kubernetes service portals\" -j"
                + " KUBE-SERVICES")
        .contains(
            "rule #1 nat -A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j DNAT"
                + " --to-destination 10.244.2.2:8080")
        .containsPattern("nat #\\d+ dnat 10\\.96\\.0\\.10:80 -> 10\\.244\\.2\\.2:8080")
        .containsPattern("nat #\\d+ snat 10\\.244\\.2\\.2:8080 -> 10\\.96\\.0\\.10:80");
    String ct = nf.conntrack().list();
    assertThat(ct)
        .as("nc -z closed the connection, the server closed its end: TIME_WAIT's 120 s run")
        .matches(
            "tcp      6 119 TIME_WAIT src=10\\.244\\.1\\.2 dst=10\\.96\\.0\\.10 sport=(\\d+)"
                + " dport=80 src=10\\.244\\.2\\.2 dst=10\\.244\\.1\\.2 sport=8080 dport=\\1"
                + " \\[ASSURED\\] mark=0 use=1\\n");
  }

  @Test
  void dnat_udp_deliveredToThePodAndExpiresAfter30s() {
    nf.restore(DNAT, "dnat.v4");
    server.listenUdp(8080);
    ProbeResult r = client.sendUdp(VIP, 80, new byte[] {1, 2, 3});
    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.DELIVERED);
    assertThat(r.message()).isEqualTo("delivered to 10.244.2.2:8080 (udp)");
    assertThat(r.observedSource()).isEqualTo(Ipv4Address.parse("10.244.1.2"));
    assertThat(nf.conntrack().list())
        .matches(
            "udp      17 29 src=10\\.244\\.1\\.2 dst=10\\.96\\.0\\.10 sport=\\d+ dport=80"
                + " \\[UNREPLIED\\] src=10\\.244\\.2\\.2 dst=10\\.244\\.1\\.2 sport=8080 dport=\\d+"
                + " mark=0 use=1\\n");
    assertThat(nf.conntrack().count()).isEqualTo(1);
    sim.runUntil(sim.now() + 30 * SimTime.SECOND);
    assertThat(nf.conntrack().count()).isZero();
    assertThat(nf.conntrack().list()).isEmpty();
  }

  @Test
  void hasUdpFlows_tcpFlowThenUdpFlowsExpiredAndFlushed_trueOnlyWhileAUdpFlowIsHeld() {
    nf.restore(DNAT, "dnat.v4");
    server.listenTcp(8080);
    server.listenUdp(8080);

    client.connectTcp(VIP, 80);
    int tcpFlows = nf.conntrack().count();
    boolean afterTcp = nf.conntrack().hasUdpFlows();
    client.sendUdp(VIP, 80, new byte[] {1});
    boolean afterUdp = nf.conntrack().hasUdpFlows();
    sim.runUntil(sim.now() + 30 * SimTime.SECOND);
    nf.conntrack().count(); // expires the UDP flow
    boolean afterExpiry = nf.conntrack().hasUdpFlows();
    client.sendUdp(VIP, 80, new byte[] {2});
    boolean again = nf.conntrack().hasUdpFlows();
    nf.conntrack().flush();

    assertThat(tcpFlows).isEqualTo(1);
    assertThat(afterTcp).isFalse();
    assertThat(afterUdp).isTrue();
    assertThat(afterExpiry).isFalse();
    assertThat(again).isTrue();
    assertThat(nf.conntrack().hasUdpFlows()).isFalse();
    assertThat(nf.conntrack().count()).isZero();
  }

  @Test
  void masquerade_sourceBecomesTheNodeAddress_andRepliesComeBack() {
    nf.restore(
        rules(
            "*nat",
            ":POSTROUTING ACCEPT [0:0]",
            "-A POSTROUTING -s 10.244.1.0/24 -o eth0 -j MASQUERADE --random-fully",
            "COMMIT"),
        "masq.v4");
    server.listenUdp(53);
    ProbeResult r = client.sendUdp(t.podAddress(1, 0), 53, new byte[] {1});
    assertThat(r.observedSource()).isEqualTo(BridgeTopology.nodeAddress(0));
    assertThat(client.ping(t.podAddress(1, 0)).success()).isTrue();
    sim.runUntil(sim.now() + SimTime.MILLISECOND);
    assertThat(nf.conntrack().list())
        .contains(
            "icmp     1 29 src=10.244.1.2 dst=10.244.2.2 type=8 code=0 id=1 src=10.244.2.2"
                + " dst=192.168.1.11 type=0 code=0 id=1 mark=0 use=1");
  }

  @Test
  void snat_toSource_rewritesAddressAndKeepsPort() {
    nf.restore(
        rules(
            "*nat",
            ":POSTROUTING ACCEPT [0:0]",
            "-A POSTROUTING -s 10.244.1.2/32 -p tcp -j SNAT --to-source 192.168.1.11",
            "COMMIT"),
        "snat.v4");
    server.listenTcp(80);
    ProbeResult r = client.connectTcp(t.podAddress(1, 0), 80);
    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.CONNECTED);
    assertThat(nf.conntrack().list())
        .matches(
            "tcp      6 \\d+ \\w+ src=10\\.244\\.1\\.2 dst=10\\.244\\.2\\.2 sport=(\\d+) dport=80"
                + " src=10\\.244\\.2\\.2 dst=192\\.168\\.1\\.11 sport=80 dport=\\1 .*\\n");
  }

  @Test
  void ruleWalk_firstPacketOfAFlow_waitsOutEveryRuleComparedAndLaterPacketsDoNot() {
    StringBuilder services =
        new StringBuilder(
            "*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n"
                + "-A PREROUTING -j KUBE-SERVICES\n");
    for (int i = 0; i < 1000; i++) {
      services.append(
          "-A KUBE-SERVICES -d 10.96."
              + i / 250
              + "."
              + i % 250
              + "/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.244.2.2:8080\n");
    }
    Fixture plain = new Fixture(7);
    Fixture walked = new Fixture(7);
    walked.nf.restore(services.append("COMMIT\n").toString(), "services.v4");

    plain.client.ping(plain.t.podAddress(1, 0)); // neighbours resolved
    walked.client.ping(walked.t.podAddress(1, 0));
    long warmUp = walked.nf.rulesEvaluated();

    List<ProbeResult> without =
        Ping.run(plain.client, plain.t.podAddress(1, 0), 2, PingOptions.DEFAULT).results();
    List<ProbeResult> with =
        Ping.run(walked.client, walked.t.podAddress(1, 0), 2, PingOptions.DEFAULT).results();

    // A new ping is a new flow: its first request passes the jump and all 1,000 Service rules on
    // node-1; the reply and the second request belong to the flow, which the nat table no longer
    // sees.
    assertThat(warmUp).isEqualTo(1001);
    assertThat(walked.nf.rulesEvaluated() - warmUp).isEqualTo(1001);
    assertThat(with.get(0).elapsedNanos() - without.get(0).elapsedNanos())
        .isEqualTo(1001 * Netfilter.NANOS_PER_RULE);
    assertThat(with.get(1).elapsedNanos()).isEqualTo(without.get(1).elapsedNanos());
  }

  @Test
  void ruleWalk_packetQueuedForItsNeighbour_leavesAfterTheWalkAndTheResolution() {
    StringBuilder forward = new StringBuilder("*filter\n:FORWARD ACCEPT [0:0]\n");
    for (int i = 0; i < 3000; i++) {
      forward.append("-A FORWARD -s 10.1." + i / 250 + "." + i % 250 + "/32 -j DROP\n");
    }
    Fixture plain = new Fixture(7);
    Fixture walked = new Fixture(7);
    walked.nf.restore(forward.append("COMMIT\n").toString(), "forward.v4");

    // Cold neighbours: the request waits on node-1 for node-2's address to resolve, and the
    // ARP request node-1 sends for it leaves only after the request's 30 us walk.
    long without = plain.client.ping(plain.t.podAddress(1, 0)).elapsedNanos();
    long with = walked.client.ping(walked.t.podAddress(1, 0)).elapsedNanos();

    assertThat(walked.nf.rulesEvaluated()).isEqualTo(2 * 3000);
    assertThat(with - without).isEqualTo(2 * 3000 * Netfilter.NANOS_PER_RULE);
  }

  @Test
  void ruleWalk_datagramForALocalSocket_reachesItAfterTheWalk() {
    StringBuilder input = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n");
    for (int i = 0; i < 500; i++) {
      input.append("-A INPUT -s 10.1.0." + i % 250 + "/32 -j DROP\n");
    }
    Fixture plain = new Fixture(7);
    Fixture walked = new Fixture(7);
    walked.nf.restore(input.append("COMMIT\n").toString(), "input.v4");
    Ipv4Address node1 = Ipv4Address.parse("10.244.1.1");
    plain.node1.listenUdp(9999);
    walked.node1.listenUdp(9999);
    plain.client.ping(node1); // neighbours resolved
    walked.client.ping(node1);
    long before = walked.nf.rulesEvaluated();

    ProbeResult without = plain.client.sendUdp(node1, 9999, new byte[] {1});
    ProbeResult with = walked.client.sendUdp(node1, 9999, new byte[] {1});

    assertThat(with.outcome()).isEqualTo(ProbeResult.Outcome.DELIVERED);
    assertThat(walked.nf.rulesEvaluated() - before).isEqualTo(500);
    assertThat(with.elapsedNanos() - without.elapsedNanos())
        .isEqualTo(500 * Netfilter.NANOS_PER_RULE);
  }

  @Test
  void reject_forwardedPacket_sendsPortUnreachableToTheSender() {
    nf.restore(
        rules(
            "*filter",
            ":FORWARD ACCEPT [0:0]",
            "-A FORWARD -d 10.244.2.2/32 -p udp -m udp --dport 9999 -j REJECT",
            "COMMIT"),
        "reject.v4");
    ProbeResult r = client.sendUdp(t.podAddress(1, 0), 9999, new byte[] {1});
    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.ICMP_ERROR);
    assertThat(r.message())
        .isEqualTo("From 10.244.1.1: Destination Port Unreachable (10.244.2.2:9999)");
    assertThat(r.walk().render())
        .contains(
            "drop #1 filtered: filter -A FORWARD -d 10.244.2.2/32 -p udp -m udp --dport 9999 -j"
                + " REJECT --reject-with icmp-port-unreachable");
    assertThat(nf.conntrack().count()).isZero(); // the flow died unconfirmed
  }

  @Test
  void icmpError_aboutAnUnnatedPing_keepsTheRoutersAddress() {
    nf.restore(DNAT, "dnat.v4");

    ProbeResult r = client.ping(t.podAddress(1, 0), PingOptions.DEFAULT.withTtl(1));

    // the TTL-exceeded error node-1 sends is RELATED to the echo flow, which nothing NATed
    assertThat(r.message()).isEqualTo("From 10.244.1.1 icmp_seq=1 Time to live exceeded");
    assertThat(r.walk().hops()).noneMatch(h -> h.hop().action() == HopAction.NAT);
  }

  @Test
  void reject_afterDnat_errorIsTranslatedBackToTheServiceAddress() {
    nf.restore(DNAT, "dnat.v4");
    nf.restoreNoflush(
        rules(
            "*filter",
            ":FORWARD ACCEPT [0:0]",
            "-A FORWARD -d 10.244.2.2/32 -p udp -j REJECT --reject-with icmp-host-prohibited",
            "COMMIT"),
        "reject.v4");
    ProbeResult r = client.sendUdp(VIP, 80, new byte[] {1});
    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.ICMP_ERROR);
    assertThat(r.from()).isEqualTo(VIP);
    assertThat(r.walk().render()).contains("icmp error related to 10.244.1.2:");
  }

  @Test
  void policyDrop_dropsWithThePolicyText() {
    nf.setPolicy(Table.FILTER, "FORWARD", "DROP");
    ProbeResult r = client.ping(t.podAddress(1, 0));
    assertThat(r.success()).isFalse();
    assertThat(r.walk().render()).contains("filtered: filter -P FORWARD DROP");
    assertThat(nf.save()).contains(":FORWARD DROP [0:0]");
  }

  @Test
  void evaluation_jumpsGotosReturnsMarksAndCounters() {
    nf.restore(
        rules(
            "*filter",
            ":INPUT ACCEPT [0:0]",
            ":A - [0:0]",
            ":B - [0:0]",
            "-A INPUT -p icmp -j A",
            "-A INPUT -p icmp -m mark --mark 0x4000/0x4000 -j LOG --log-prefix \"marked \"",
            "-A INPUT -p tcp -j DROP",
            "-A A -j MARK --set-xmark 0x4000/0x4000",
            "-A A -m mark --mark 0x4000/0x4000 -g B",
            "-A A -j DROP",
            "-A B -j RETURN",
            "-A B -j DROP",
            "COMMIT"),
        "jumps.v4");
    ProbeResult r = client.ping(BridgeTopology.gateway(0));
    assertThat(r.success()).isTrue();
    assertThat(nf.packets(Table.FILTER, "INPUT", 1)).isEqualTo(1);
    assertThat(nf.packets(Table.FILTER, "A", 1)).isEqualTo(1);
    assertThat(nf.packets(Table.FILTER, "A", 2)).isEqualTo(1);
    assertThat(nf.packets(Table.FILTER, "A", 3)).isZero();
    assertThat(nf.packets(Table.FILTER, "B", 1)).isEqualTo(1);
    assertThat(nf.packets(Table.FILTER, "B", 2)).isZero();
    assertThat(nf.packets(Table.FILTER, "INPUT", 2)).isEqualTo(1);
    // INPUT#1, A#1, A#2, B#1, INPUT#2, INPUT#3
    assertThat(nf.rulesEvaluated()).isEqualTo(6); // the reply crosses an empty OUTPUT
  }

  @Test
  void matches_negationInterfacesAddrtypeAndCtstate() {
    nf.restore(
        rules(
            "*filter",
            ":INPUT DROP [0:0]",
            ":FORWARD DROP [0:0]",
            "-A INPUT -i cni0 -m addrtype --dst-type LOCAL -p icmp -j ACCEPT",
            "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "-A FORWARD -i cni0 ! -o cni0 ! -d 10.244.1.0/24 -m conntrack --ctstate NEW -j ACCEPT",
            "COMMIT"),
        "m.v4");
    assertThat(client.ping(BridgeTopology.gateway(0)).success()).isTrue();
    assertThat(client.ping(t.podAddress(1, 0)).success()).isTrue();
    // node-2's pod cannot start a flow towards node-1's pod: only replies pass FORWARD
    ProbeResult back = server.ping(t.podAddress(0, 0));
    assertThat(back.success()).isFalse();
    assertThat(back.walk().render()).contains("filter -P FORWARD DROP");
  }

  @Test
  void statistic_sameSeedSameBackends_andBothBackendsServe() {
    int[] a = spread(11);
    int[] b = spread(11);
    assertThat(a).isEqualTo(b);
    assertThat(a[0]).isPositive();
    assertThat(a[1]).isPositive();
    assertThat(a[0] + a[1]).isEqualTo(40);
  }

  private static int[] spread(long seed) {
    Fixture x = new Fixture(seed);
    x.nf.restore(SERVICE, "svc.v4");
    NetNamespace b0 = x.t.pod(1, 0);
    NetNamespace b1 = x.t.pod(1, 1);
    b0.listenUdp(53);
    b1.listenUdp(53);
    for (int i = 0; i < 40; i++) {
      assertThat(x.client.sendUdp(VIP, 53, new byte[] {1}).success()).isTrue();
    }
    return new int[] {b0.udpReceived(53), b1.udpReceived(53)};
  }

  private static final String SERVICE =
      rules(
          "*nat",
          ":PREROUTING ACCEPT [0:0]",
          ":KUBE-SVC - [0:0]",
          ":KUBE-SEP-0 - [0:0]",
          ":KUBE-SEP-1 - [0:0]",
          "-A PREROUTING -d 10.96.0.10/32 -p udp -m udp --dport 53 -j KUBE-SVC",
          "-A KUBE-SVC -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-0",
          "-A KUBE-SVC -j KUBE-SEP-1",
          "-A KUBE-SEP-0 -p udp -m udp -j DNAT --to-destination 10.244.2.2:53",
          "-A KUBE-SEP-1 -p udp -m udp -j DNAT --to-destination 10.244.2.3:53",
          "COMMIT");

  @Test
  void recent_clientIpAffinity_keepsTheBackendUntilTheTimeoutPasses() {
    nf.restore(
        rules(
            "*nat",
            ":PREROUTING ACCEPT [0:0]",
            ":KUBE-SVC - [0:0]",
            ":KUBE-SEP-0 - [0:0]",
            ":KUBE-SEP-1 - [0:0]",
            "-A PREROUTING -d 10.96.0.10/32 -p udp -m udp --dport 53 -j KUBE-SVC",
            "-A KUBE-SVC -m recent --rcheck --seconds 10 --reap --name KUBE-SEP-0 --mask"
                + " 255.255.255.255 --rsource -j KUBE-SEP-0",
            "-A KUBE-SVC -m recent --rcheck --seconds 10 --reap --name KUBE-SEP-1 --mask"
                + " 255.255.255.255 --rsource -j KUBE-SEP-1",
            "-A KUBE-SVC -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-0",
            "-A KUBE-SVC -j KUBE-SEP-1",
            "-A KUBE-SEP-0 -p udp -m recent --set --name KUBE-SEP-0 --mask 255.255.255.255"
                + " --rsource -m udp -j DNAT --to-destination 10.244.2.2:53",
            "-A KUBE-SEP-1 -p udp -m recent --set --name KUBE-SEP-1 --mask 255.255.255.255"
                + " --rsource -m udp -j DNAT --to-destination 10.244.2.3:53",
            "COMMIT"),
        "affinity.v4");
    NetNamespace b0 = t.pod(1, 0);
    NetNamespace b1 = t.pod(1, 1);
    b0.listenUdp(53);
    b1.listenUdp(53);
    for (int i = 0; i < 20; i++) {
      client.sendUdp(VIP, 53, new byte[] {1});
    }
    assertThat(b0.udpReceived(53) == 20 || b1.udpReceived(53) == 20).isTrue();
  }

  @Test
  void dryRun_packets_passLikeTheRulesSayAndNothingIsCounted() {
    nf.restore(
        rules(
            "*filter",
            ":FORWARD ACCEPT [0:0]",
            "-A FORWARD -s 10.244.1.3/32 -j DROP",
            "-A FORWARD -p udp -m udp --sport 1000:2000 -j ACCEPT",
            "-A FORWARD -d 10.244.2.9/32 -m statistic --mode random --probability 0.5 -j DROP",
            "COMMIT"),
        "filter.v4");
    nf.append(Table.NAT, "-A PREROUTING -d 10.96.0.10/32 -j DNAT --to-destination 10.244.2.2");
    long evaluated = nf.rulesEvaluated();
    Device in = node1.device("cni0");
    Device out = node1.device("eth0");
    int web1 = t.podAddress(0, 0).toInt();
    int web2 = t.podAddress(1, 0).toInt();
    int tcp = IpProtocol.TCP;

    assertThat(passes(web1, web2, tcp, 80, in, out)).isTrue();
    assertThat(passes(ip("10.244.1.3"), web2, tcp, 80, in, out)).as("dropped").isFalse();
    assertThat(passes(web1, VIP.toInt(), tcp, 80, in, out)).as("NATed").isFalse();
    assertThat(passes(web1, web2, IpProtocol.UDP, 80, in, out))
        .as("a rule on the source port decides")
        .isFalse();
    assertThat(passes(web1, ip("10.244.2.9"), tcp, 80, in, out))
        .as("a random rule decides")
        .isFalse();
    assertThat(nf.rulesEvaluated()).isEqualTo(evaluated);
    assertThat(nf.packets(Table.FILTER, "FORWARD", 1)).isZero();
  }

  @Test
  void dryRun_ranges_narrowedOnlyByTheRulesThePacketMet() {
    nf.restore(
        rules(
            "*filter",
            ":FORWARD ACCEPT [0:0]",
            ":SVC - [0:0]",
            "-A FORWARD -s 10.244.1.0/24 -i cni0 -j ACCEPT",
            "-A FORWARD -d 10.96.0.10/32 -j SVC",
            "-A FORWARD -d 10.244.2.9/32 -o cali+ -j DROP",
            "-A SVC -s 10.244.3.7/32 -j DROP",
            "COMMIT"),
        "filter.v4");
    Device cni0 = node1.device("cni0");
    Device eth0 = node1.device("eth0");

    Netfilter.DryRun early =
        nf.dryRun(Netfilter.Path.FORWARDED, ip("10.244.1.2"), ip("10.244.2.2"), 6, 80, cni0, eth0);
    Netfilter.DryRun late =
        nf.dryRun(Netfilter.Path.FORWARDED, ip("10.244.4.2"), ip("10.244.2.2"), 6, 80, eth0, eth0);

    assertThat(early.passes()).isTrue();
    assertThat(List.of(early.sourceFrom(), early.sourceTo()))
        .containsExactly(ip("10.244.1.0"), ip("10.244.1.255"));
    assertThat(List.of(early.destinationFrom(), early.destinationTo())).containsExactly(0, -1);
    assertThat(late.passes()).isTrue();
    assertThat(List.of(late.sourceFrom(), late.sourceTo()))
        .as("not narrowed by the source of the SVC chain it never reached")
        .containsExactly(ip("10.244.2.0"), -1);
    assertThat(List.of(late.destinationFrom(), late.destinationTo()))
        .containsExactly(ip("10.96.0.11"), ip("10.244.2.8"));
    assertThat(nf.interfacePatterns()).containsExactly("cali+", "cni0");
    assertThat(HookPoint.values())
        .allMatch(point -> node1.hooks(point).stream().allMatch(nf::owns));
    assertThat(nf.owns((point, frame, in, out) -> null)).isFalse();
  }

  @Test
  void restore_failure_leavesTheRulesetUnchanged() {
    nf.restore(DNAT, "dnat.v4");
    String before = nf.save();
    assertThatThrownBy(
            () ->
                nf.restore(
                    rules("*nat", ":PREROUTING ACCEPT [0:0]", "-A NOPE -j ACCEPT", "COMMIT"),
                    "bad.v4"))
        .isInstanceOf(IptablesParseException.class)
        .hasMessageStartingWith("bad.v4:3:4: unknown chain NOPE");
    assertThat(nf.save()).isEqualTo(before);
    server.listenTcp(8080);
    assertThat(client.connectTcp(VIP, 80).success()).isTrue();
  }

  @Test
  void evaluate_longRunOfOneDestinationRules_sameVerdictAndCountAsTheLinearWalk() {
    StringBuilder sb = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:HIT - [0:0]\n");
    for (int i = 0; i < 100; i++) {
      int port = i == 40 ? 54 : 53;
      sb.append("-A INPUT -d 10.1.0.").append(i % 50).append("/32 -p udp -m udp --dport ");
      sb.append(port).append(" -j ").append(i == 99 ? "DROP" : "HIT").append('\n');
    }
    sb.append("-A INPUT -d 10.1.0.0/24 -j DROP\n");
    sb.append("-A HIT -p udp -m udp --sport 1 -j DROP\n");
    nf.restore(sb.append("COMMIT\n").toString(), "runs.v4");

    // 10.1.0.40: rule 41 is for port 54; rule 91 (index 90) jumps to HIT and returns; then the
    // /24 rule after the run drops it: 101 rules of INPUT and 1 of HIT.
    assertThat(nf.filter(Table.FILTER, HookPoint.INPUT, udpTo("10.1.0.40", 53), null, null))
        .isNotNull();
    assertThat(nf.lastEvaluated()).isEqualTo(102);
    assertThat(nf.packets(Table.FILTER, "INPUT", 91)).isEqualTo(1);
    assertThat(nf.packets(Table.FILTER, "INPUT", 41)).isZero();
    // 10.1.0.49: rule 50 jumps to HIT, rule 100 drops it.
    assertThat(nf.filter(Table.FILTER, HookPoint.INPUT, udpTo("10.1.0.49", 53), null, null))
        .isNotNull();
    assertThat(nf.lastEvaluated()).isEqualTo(101);
    assertThat(nf.packets(Table.FILTER, "INPUT", 50)).isEqualTo(1);
    assertThat(nf.packets(Table.FILTER, "INPUT", 100)).isEqualTo(1);
    // 10.2.0.1: no rule's destination; all 101 compared, the policy accepts.
    assertThat(nf.filter(Table.FILTER, HookPoint.INPUT, udpTo("10.2.0.1", 53), null, null))
        .isNull();
    assertThat(nf.lastEvaluated()).isEqualTo(101);
    // Dry runs narrow the destination range by every rule passed over, as a linear walk does.
    int src = ip("10.244.1.2");
    Netfilter.DryRun outside =
        nf.dryRun(Netfilter.Path.DELIVERED, src, ip("10.2.0.1"), 17, 53, null, null);
    assertThat(outside.passes()).isTrue();
    assertThat(List.of(outside.destinationFrom(), outside.destinationTo()))
        .containsExactly(ip("10.1.1.0"), -1);
    Netfilter.DryRun between =
        nf.dryRun(Netfilter.Path.DELIVERED, src, ip("10.1.0.60"), 17, 53, null, null);
    assertThat(between.passes()).isFalse();
    assertThat(List.of(between.destinationFrom(), between.destinationTo()))
        .containsExactly(ip("10.1.0.50"), ip("10.1.0.255"));
  }

  private static Frame udpTo(String dst, int port) {
    return Frame.of(
        1,
        Frames.udp(
            MacAddress.ZERO,
            MacAddress.ZERO,
            Ipv4Address.parse("10.244.1.2"),
            Ipv4Address.parse(dst),
            64,
            true,
            1,
            40000,
            port,
            new byte[8]),
        null);
  }

  @Test
  void hotPath_nonMatchingRules_areCountedAndAllocateNothing() {
    StringBuilder sb = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n");
    for (int i = 0; i < 1000; i++) {
      sb.append("-A INPUT -s 10.1.")
          .append(i / 250)
          .append('.')
          .append(i % 250)
          .append("/32 -p udp -m udp --dport 53 -j DROP\n");
    }
    nf.restore(sb.append("COMMIT\n").toString(), "many.v4");
    Frame frame =
        Frame.of(
            1,
            Frames.udp(
                MacAddress.ZERO,
                MacAddress.ZERO,
                Ipv4Address.parse("10.244.1.2"),
                Ipv4Address.parse("10.244.1.1"),
                64,
                true,
                1,
                40000,
                53,
                new byte[8]),
            null);
    for (int i = 0; i < 200; i++) {
      assertThat(nf.filter(Table.FILTER, HookPoint.INPUT, frame, null, null)).isNull();
    }
    assertThat(nf.lastEvaluated()).isEqualTo(1000);
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    // The least over a few rounds: on a busy machine the JIT may compile the loop only later,
    // and code not yet compiled allocates what compiled code does not.
    long allocated = Long.MAX_VALUE;
    for (int round = 0; round < 5; round++) {
      long evaluatedBefore = nf.rulesEvaluated();
      long before = mx.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 100; i++) {
        nf.filter(Table.FILTER, HookPoint.INPUT, frame, null, null);
      }
      allocated = Math.min(allocated, mx.getCurrentThreadAllocatedBytes() - before);
      assertThat(nf.rulesEvaluated() - evaluatedBefore).isEqualTo(100_000);
    }
    assertThat(allocated).as("bytes allocated by 100,000 rule evaluations").isLessThan(1024);
  }
}
