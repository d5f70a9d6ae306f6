package io.podnet.core.net;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.Simulation;
import io.podnet.core.trace.MemoryTraceSink;
import io.podnet.core.trace.Trace;
import java.util.List;

/** Small hand-built topologies shared by the kernel-model tests. */
final class Fixtures {

  static final Cidr DEFAULT_ROUTE = Cidr.parse("0.0.0.0/0");

  private Fixtures() {}

  static Ipv4Address ip(String text) {
    return Ipv4Address.parse(text);
  }

  /** A network whose trace keeps every line in {@code sink}. */
  static Network network(long seed, MemoryTraceSink sink) {
    return Network.create(Simulation.create(seed), Trace.digestOnly().addSink(sink));
  }

  /**
   * Two namespaces {@code a} (10.0.0.1/24) and {@code b} (10.0.0.2/24) of host {@code h}, joined by
   * a veth pair whose ends are both called {@code eth0}.
   */
  static final class VethPair {
    final MemoryTraceSink sink = new MemoryTraceSink();
    final Network net;
    final Host host;
    final NetNamespace a;
    final NetNamespace b;
    final Veth aEth0;
    final Veth bEth0;

    VethPair(long seed) {
      net = network(seed, sink);
      host = net.addHost("h");
      a = host.addNamespace("a");
      b = host.addNamespace("b");
      a.loopback().up();
      b.loopback().up();
      aEth0 = a.addVethPair("eth0", "peer0");
      bEth0 = aEth0.peer();
      a.moveDevice(bEth0, b, "eth0");
      a.addAddress(aEth0, IfAddress.parse("10.0.0.1/24"));
      b.addAddress(bEth0, IfAddress.parse("10.0.0.2/24"));
      aEth0.up();
      bEth0.up();
    }

    Simulation sim() {
      return net.simulation();
    }
  }

  /**
   * Three hosts on two links: {@code client} eth0 10.0.1.2/24 -- 10.0.1.1/24 eth0 {@code router}
   * eth1 10.0.2.1/24 -- 10.0.2.2/24 eth0 {@code server}; the end hosts route by default via the
   * router, which forwards.
   */
  static final class Routed {
    final MemoryTraceSink sink = new MemoryTraceSink();
    final Network net;
    final NetNamespace client;
    final NetNamespace router;
    final NetNamespace server;
    final Link clientLink;
    final Link serverLink;

    Routed(long seed, LinkSpec clientSide, LinkSpec serverSide) {
      net = network(seed, sink);
      client = net.addHost("client").root();
      router = net.addHost("router").root();
      server = net.addHost("server").root();
      for (NetNamespace ns : List.of(client, router, server)) {
        ns.loopback().up();
      }
      Nic c0 = client.addNic("eth0");
      Nic r0 = router.addNic("eth0");
      Nic r1 = router.addNic("eth1");
      Nic s0 = server.addNic("eth0");
      clientLink = net.connect(c0, r0, clientSide);
      serverLink = net.connect(r1, s0, serverSide);
      client.addAddress(c0, IfAddress.parse("10.0.1.2/24"));
      router.addAddress(r0, IfAddress.parse("10.0.1.1/24"));
      router.addAddress(r1, IfAddress.parse("10.0.2.1/24"));
      server.addAddress(s0, IfAddress.parse("10.0.2.2/24"));
      for (Nic nic : List.of(c0, r0, r1, s0)) {
        nic.up();
      }
      router.setIpForward(true);
      client.addRoute(Route.to(DEFAULT_ROUTE).via(ip("10.0.1.1")).dev(c0).build());
      server.addRoute(Route.to(DEFAULT_ROUTE).via(ip("10.0.2.1")).dev(s0).build());
    }

    Routed(long seed) {
      this(seed, LinkSpec.DEFAULT, LinkSpec.DEFAULT);
    }
  }

  /** The hops of a walk with this action, in order. */
  static List<PacketHop> hops(Walk walk, HopAction action) {
    return walk.hops().stream().map(Walk.Hop::hop).filter(h -> h.action() == action).toList();
  }
}
