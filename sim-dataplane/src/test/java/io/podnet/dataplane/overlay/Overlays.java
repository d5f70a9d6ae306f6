package io.podnet.dataplane.overlay;

import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.engine.Simulation;
import io.podnet.core.net.BridgeTopology;
import io.podnet.core.net.Device;
import io.podnet.core.net.HopAction;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Network;
import io.podnet.core.net.PacketHop;
import io.podnet.core.net.Route;
import io.podnet.core.net.Veth;
import io.podnet.core.net.Walk;
import io.podnet.core.packet.Frames;
import io.podnet.core.packet.IcmpMessage;
import io.podnet.core.packet.Ipv4Header;
import io.podnet.core.trace.MemoryTraceSink;
import io.podnet.core.trace.Trace;
import java.util.List;

/**
 * Two nodes ({@code node-1} 192.168.1.11, {@code node-2} 192.168.1.12, eth0 MTU 1500 on one
 * switch), each with {@code cni0} and one pod ({@code web-1} 10.244.1.2 and {@code web-2}
 * 10.244.2.2), whose pod CIDRs reach each other only through an overlay device, laid out the way
 * flannel (VXLAN), Calico (IPIP) or a point-to-point Geneve pair would program it.
 */
final class Overlays {

  final MemoryTraceSink sink = new MemoryTraceSink();
  final BridgeTopology topology;
  final Network network;
  final NetNamespace node1;
  final NetNamespace node2;
  final NetNamespace pod1;
  final NetNamespace pod2;
  final Device[] tunnels = new Device[2];

  private Overlays(long seed) {
    network = Network.create(Simulation.create(seed), Trace.digestOnly().addSink(sink));
    topology = BridgeTopology.build(network, 2, 1);
    node1 = topology.node(0).root();
    node2 = topology.node(1).root();
    pod1 = topology.pod(0, 0);
    pod2 = topology.pod(1, 0);
    for (int n = 0; n < 2; n++) {
      NetNamespace root = topology.node(n).root();
      int m = 1 - n;
      root.removeRoute(
          Route.to(BridgeTopology.podCidr(m))
              .via(BridgeTopology.nodeAddress(m))
              .dev(root.device("eth0"))
              .build());
    }
  }

  static Ipv4Address ip(String text) {
    return Ipv4Address.parse(text);
  }

  /**
   * What an ICMP error quotes of a 1428-byte DF packet of {@code protocol} that node-1 sent node-2:
   * its header and, unless {@code headerOnly}, 8 bytes more (for UDP a header from port 40000 to
   * {@code dstPort}).
   */
  static byte[] quoteFromNode1(int protocol, int dstPort, boolean headerOnly) {
    byte[] q = new byte[Ipv4Header.MIN_LENGTH + (headerOnly ? 0 : 8)];
    Ipv4Header.of(ip("192.168.1.11"), ip("192.168.1.12"), protocol, 1408)
        .withDontFragment(true)
        .encode(q, 0);
    if (!headerOnly) {
      q[Ipv4Header.MIN_LENGTH] = (byte) (40000 >>> 8);
      q[Ipv4Header.MIN_LENGTH + 1] = (byte) 40000;
      q[Ipv4Header.MIN_LENGTH + 2] = (byte) (dstPort >>> 8);
      q[Ipv4Header.MIN_LENGTH + 3] = (byte) dstPort;
    }
    return q;
  }

  /**
   * Sends node-1 {@code message} from node-2, as a router between them would, and runs the
   * simulation until it has arrived.
   */
  void icmpToNode1(IcmpMessage message) {
    node2.sendPacket(
        0,
        ip("192.168.1.11").toInt(),
        src ->
            Frames.icmpError(
                MacAddress.ZERO,
                MacAddress.ZERO,
                Ipv4Address.of(src),
                ip("192.168.1.11"),
                64,
                1,
                message),
        null);
    network.simulation().runUntilIdle();
  }

  /**
   * flannel's VXLAN backend: {@code flannel.1} (VNI 1, {@code port}, local = node IP, dev eth0)
   * with {@code 10.244.N.0/32}, up, and towards the other node {@code 10.244.M.0/24 via 10.244.M.0
   * dev flannel.1 onlink}, a permanent neighbour {@code 10.244.M.0 lladdr <its flannel.1 MAC>} and
   * an FDB entry {@code <that MAC> dst 192.168.1.(11+M)}.
   */
  static Overlays flannel(long seed, int port) {
    Overlays o = new Overlays(seed);
    VxlanDevice[] vx = new VxlanDevice[2];
    for (int n = 0; n < 2; n++) {
      NetNamespace root = o.node(n);
      vx[n] =
          VxlanDevice.create(
              root, "flannel.1", 1, port, BridgeTopology.nodeAddress(n), root.device("eth0"));
      root.addAddress(vx[n], IfAddress.of(BridgeTopology.podCidr(n).address(0), 32));
      vx[n].up();
      o.tunnels[n] = vx[n];
    }
    for (int n = 0; n < 2; n++) {
      int m = 1 - n;
      NetNamespace root = o.node(n);
      Ipv4Address remoteVtepIp = BridgeTopology.podCidr(m).address(0);
      root.addRoute(
          Route.to(BridgeTopology.podCidr(m)).via(remoteVtepIp).dev(vx[n]).onlink().build());
      root.addNeighbour(vx[n], remoteVtepIp, vx[m].mac());
      vx[n].addFdb(vx[m].mac(), BridgeTopology.nodeAddress(m));
    }
    return o;
  }

  /**
   * Calico's IPIP mode: {@code tunl0} with the node's first pod address as /32, up, and {@code
   * 10.244.M.0/24 via 192.168.1.(11+M) dev tunl0 proto bird onlink}.
   */
  static Overlays calicoIpip(long seed) {
    Overlays o = new Overlays(seed);
    for (int n = 0; n < 2; n++) {
      NetNamespace root = o.node(n);
      IpipTunnel tunl0 = IpipTunnel.create(root, "tunl0", root.device("eth0"));
      root.addAddress(tunl0, IfAddress.of(BridgeTopology.podCidr(n).address(0), 32));
      tunl0.up();
      o.tunnels[n] = tunl0;
      int m = 1 - n;
      root.addRoute(
          Route.to(BridgeTopology.podCidr(m))
              .via(BridgeTopology.nodeAddress(m))
              .dev(tunl0)
              .proto("bird")
              .onlink()
              .build());
    }
    return o;
  }

  /**
   * A Geneve pair: {@code gnv0} (VNI 2) on each node with the other node as remote, {@code
   * 10.244.N.0/32}, and the flannel-style route, neighbour and peer MAC.
   */
  static Overlays geneve(long seed) {
    Overlays o = new Overlays(seed);
    GeneveDevice[] gnv = new GeneveDevice[2];
    for (int n = 0; n < 2; n++) {
      NetNamespace root = o.node(n);
      gnv[n] =
          GeneveDevice.create(
              root, "gnv0", 2, BridgeTopology.nodeAddress(1 - n), root.device("eth0"));
      root.addAddress(gnv[n], IfAddress.of(BridgeTopology.podCidr(n).address(0), 32));
      gnv[n].up();
      o.tunnels[n] = gnv[n];
    }
    for (int n = 0; n < 2; n++) {
      int m = 1 - n;
      NetNamespace root = o.node(n);
      Ipv4Address remoteIp = BridgeTopology.podCidr(m).address(0);
      root.addRoute(Route.to(BridgeTopology.podCidr(m)).via(remoteIp).dev(gnv[n]).onlink().build());
      root.addNeighbour(gnv[n], remoteIp, gnv[m].mac());
    }
    return o;
  }

  /**
   * Cilium-style external devices: {@code cilium_vxlan} (VXLAN on {@code port}) or {@code
   * cilium_geneve} on each node, up, with the other node's pod CIDR in its tunnel map, and towards
   * it {@code 10.244.M.0/24 via 10.244.M.0 dev <device> onlink} with a permanent neighbour for the
   * remote device's MAC.
   */
  static Overlays external(long seed, boolean geneve) {
    Overlays o = new Overlays(seed);
    Device[] dev = new Device[2];
    for (int n = 0; n < 2; n++) {
      NetNamespace root = o.node(n);
      dev[n] =
          geneve
              ? GeneveDevice.createExternal(root, "cilium_geneve")
              : VxlanDevice.createExternal(root, "cilium_vxlan", VxlanDevice.LINUX_PORT);
      dev[n].up();
      o.tunnels[n] = dev[n];
    }
    for (int n = 0; n < 2; n++) {
      int m = 1 - n;
      NetNamespace root = o.node(n);
      if (dev[n] instanceof GeneveDevice g) {
        g.setTunnelEndpoint(BridgeTopology.podCidr(m), BridgeTopology.nodeAddress(m));
      } else {
        ((VxlanDevice) dev[n])
            .setTunnelEndpoint(BridgeTopology.podCidr(m), BridgeTopology.nodeAddress(m));
      }
      Ipv4Address gw = BridgeTopology.podCidr(m).address(0);
      root.addRoute(Route.to(BridgeTopology.podCidr(m)).via(gw).dev(dev[n]).onlink().build());
      root.addNeighbour(dev[n], gw, dev[m].mac());
    }
    return o;
  }

  NetNamespace node(int n) {
    return n == 0 ? node1 : node2;
  }

  /**
   * Sets both ends of each pod's veth (and so cni0) to {@code mtu}, as flannel's CNI config does.
   */
  Overlays withPodMtu(int mtu) {
    for (NetNamespace pod : List.of(pod1, pod2)) {
      Device eth0 = pod.device("eth0");
      eth0.setMtu(mtu);
      ((Veth) eth0).peer().setMtu(mtu);
    }
    return this;
  }

  /** The hops of {@code walk} with {@code action}, in order. */
  static List<PacketHop> hops(Walk walk, HopAction action) {
    return walk.hops().stream().map(Walk.Hop::hop).filter(h -> h.action() == action).toList();
  }
}
