package io.podnet.cni.contract;

import io.podnet.cni.cilium.TunnelRedirect;
import io.podnet.cni.cluster.Pod;
import io.podnet.cni.contract.PodClasses.PodClass;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.engine.SimTime;
import io.podnet.core.net.Bridge;
import io.podnet.core.net.Device;
import io.podnet.core.net.HookPoint;
import io.podnet.core.net.Link;
import io.podnet.core.net.LinkSpec;
import io.podnet.core.net.NeighbourState;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Nic;
import io.podnet.core.net.Route;
import io.podnet.core.net.Veth;
import io.podnet.core.packet.IpProtocol;
import io.podnet.dataplane.netfilter.Netfilter.Path;
import io.podnet.dataplane.overlay.GeneveDevice;
import io.podnet.dataplane.overlay.IpipTunnel;
import io.podnet.dataplane.overlay.VxlanDevice;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Follows rule-2 datagrams of a whole class through the kernel model's tables without sending one:
 * the routes, neighbour entries, bridge and tunnel forwarding entries, links and hooks a datagram
 * from a source class to a block of a destination class would meet, in the order the kernel model
 * (IpStack, Neighbours, Bridge, Link and the tunnel devices) reads them. It answers {@link #PROVEN}
 * with three signatures that name every choice the walk made, {@link #SPLIT} when a table treats
 * the block's addresses differently (the caller halves the block), or {@link #UNPROVEN} when it
 * meets anything it does not read (then the caller probes the pairs for real).
 *
 * <p>The signatures split the walk where different real probes stand for it. The source signature
 * names the source node's devices and the kind of each of its choices (which device a route leaves
 * by, with or without gateway, a neighbour entry known or to be resolved, which tunnel); the path
 * signature the kind of each step across the underlay (a switch forwarding by a learned entry or
 * flooding, a router, a neighbour on the way); the destination signature the destination node's
 * devices where the datagram arrives and is unwrapped. Everything else the kernel reads on the way
 * is checked here outright for the pair: that the devices are up, the links up, loss-free and fast,
 * every MAC the one of the device that must take the frame, every address owned by the node it must
 * reach, the tunnel identifiers matching, no namespace taking the packet for itself, and every hook
 * passing it unchanged ({@link Hooks}).
 */
final class Forwarding {

  /** The walk holds: the signatures and the predicted walk describe the whole block. */
  static final int PROVEN = 0;

  /** Some table routes the block's addresses apart: halve it. */
  static final int SPLIT = 1;

  /** The walk met something it does not read: probe the pairs. */
  static final int UNPROVEN = 2;

  // what a walk went through, in the signatures
  private static final int NATIVE = 1;
  private static final int VXLAN = 2;
  private static final int IPIP = 3;
  private static final int TC_TUNNEL = 4;
  private static final int SAME_NODE = 5;
  private static final int SAME_BRIDGE = 6;
  private static final int DECAP = 7;

  // a neighbour entry: a MAC to send to at once, or an address to resolve first
  private static final int KNOWN = 1;
  private static final int RESOLVE = 2;

  // the steps across the underlay; a router step is ROUTER plus 1 when it resolves its next hop,
  // plus 2 when that is a gateway
  private static final int DIRECT = 1;
  private static final int SWITCH_KNOWN = 2;
  private static final int SWITCH_FLOOD = 3;
  private static final int ROUTER = 4;

  /** Where a source signature notes how a neighbour is reached: the route's, the tunnel's. */
  private static final int[] NEIGHBOUR_BITS = {4, 47};

  /**
   * The slowest link a walk may cross: with at most a few dozen crossings (the datagram and the ARP
   * exchanges on the way) a datagram arrives well inside the probe's timeout and every ARP reply
   * inside the first retransmission timer.
   */
  private static final long MAX_LINK_LATENCY = 20 * SimTime.MILLISECOND;

  private static final long MIN_LINK_BANDWIDTH = 1_000_000;
  private static final int MAX_ROUTERS = 4;
  private static final int MAX_IFINDEX = (1 << 20) - 1;

  /** The bytes of a probe's IPv4 packet. */
  private static final int INNER = ContractChecker.PROBE_PACKET_BYTES;

  /** A source class as the walk reads it, with the source signatures real probes proved. */
  static final class Source {
    final PodClass cls;
    final Pod rep;
    final NetNamespace ns;
    final NetNamespace root;
    final Hooks.Place place;
    final Addresses addresses;
    final @Nullable Device in;
    final @Nullable Route toNode;
    final boolean usable;
    final Signatures proven = new Signatures();

    /** The first stretch of wire of the last walk from the class. */
    final Kept first = new Kept();

    /** The source of the last tunnel packet wrapped for a walk from the class. */
    private Addresses outerSource = Addresses.of(0);

    private Source(
        PodClass cls,
        Hooks.Place place,
        @Nullable Device in,
        @Nullable Route toNode,
        boolean usable) {
      this.cls = cls;
      this.rep = cls.members().get(0);
      this.ns = rep.requireNetns();
      this.root = place.ns;
      this.place = place;
      this.addresses = addresses(cls);
      this.in = in;
      this.toNode = toNode;
      this.usable = usable;
    }
  }

  /**
   * A destination class as the walk reads it, with the destination signatures real probes proved.
   */
  static final class Destination {
    final PodClass cls;
    final NetNamespace root;
    final Hooks.Place place;
    final Addresses addresses;

    /** The members by address, ascending. */
    final List<Pod> byAddress;

    final @Nullable Device out;
    final boolean usable;
    final Signatures proven = new Signatures();

    /** The destination of the last tunnel packet a walk into the class wrapped, as a block too. */
    private Addresses outerDestination = Addresses.of(0);

    private Cidr outerBlock = Cidr.parse("0.0.0.0/32");

    /** The router's choice and the last stretch of wire of the last walk into the class. */
    final Choice router = new Choice();

    final Kept last = new Kept();

    /** The tunnel device unwrapping packets for {@link #decapKey} on the node, once looked up. */
    private @Nullable Device decap;

    private int decapKey = -1;

    /** The last remote address asked about (0 for none yet), and whether the node holds it. */
    private int remote;

    private boolean remoteLocal;

    private Destination(PodClass cls, Hooks.Place place, @Nullable Device out, boolean usable) {
      this.cls = cls;
      this.root = place.ns;
      this.place = place;
      this.addresses = addresses(cls);
      this.out = out;
      this.usable = usable;
      List<Pod> sorted = new ArrayList<>(cls.members());
      sorted.sort(Comparator.comparingLong(p -> p.requireIp().toInt() & 0xFFFF_FFFFL));
      this.byAddress = List.copyOf(sorted);
    }
  }

  /**
   * The source signatures a real probe of {@code signature} proves: itself, and each with some
   * neighbours it resolved taken as known instead. Resolving ends in the very send a known entry
   * makes at once (the queued frame goes out to the MAC the reply brought), so a walk that resolved
   * also shows the one that finds the entry.
   */
  static List<Long> sourcesProven(long signature) {
    List<Long> out = new ArrayList<>(List.of(signature));
    for (int bit : NEIGHBOUR_BITS) {
      if ((signature >>> bit & 3) == RESOLVE) {
        for (int i = out.size() - 1; i >= 0; i--) {
          out.add(out.get(i) & ~(3L << bit) | (long) KNOWN << bit);
        }
      }
    }
    return out;
  }

  /**
   * The path signatures a real probe of {@code signature} proves, as {@link #sourcesProven}: with
   * some routers' resolved next hops taken as known.
   */
  static List<Long> pathsProven(long signature) {
    List<Long> out = new ArrayList<>(List.of(signature));
    int steps = signature <= 0 ? 0 : (63 - Long.numberOfLeadingZeros(signature)) / 4;
    for (int shift = 0; shift < 4 * steps; shift += 4) {
      long code = signature >>> shift & 0xF;
      if (code == ROUTER + 1 || code == ROUTER + 3) {
        for (int i = out.size() - 1; i >= 0; i--) {
          out.add(out.get(i) - (1L << shift));
        }
      }
    }
    return out;
  }

  /** A few signatures, compared by value. */
  static final class Signatures {
    private long[] values = new long[2];
    private int size;

    boolean contains(long value) {
      for (int i = 0; i < size; i++) {
        if (values[i] == value) {
          return true;
        }
      }
      return false;
    }

    void add(long value) {
      if (contains(value)) {
        return;
      }
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }
  }

  private final Hooks hooks;
  private final Map<Bridge, Segment> segments = new IdentityHashMap<>();
  private @Nullable Segment lastSegment;

  /** Real probes so far ({@link #probed}). */
  private long probes;

  private @Nullable TunnelRedirect mapOf;
  private @Nullable Ipv4Address endpoint;
  private final Map<Long, Ipv4Address> tunnelMap = new HashMap<>();
  private long tunnelMapLengths;

  // what the last walk found
  long sourceSignature;
  long pathSignature;
  long destinationSignature;
  final List<NetNamespace> routed = new ArrayList<>();

  /** Whether walks note {@link #routed}, which only a walk a real probe will check needs. */
  private boolean noting;

  @Nullable Device decap;

  // the packet being followed
  private Cidr block = Cidr.parse("0.0.0.0/0");
  private Addresses src = Addresses.of(0);
  private Addresses dst = Addresses.of(0);
  private int proto;
  private int dport;
  private int size;
  private @Nullable MacAddress mac;
  private @Nullable Device arrival;
  private int steps;
  private int refused;

  Forwarding(Hooks hooks) {
    this.hooks = hooks;
  }

  // ---------------------------------------------------------------- classes

  /**
   * A source class: usable when no member is {@code alone}, no member's namespace has hooks, no
   * device of a member or its host side has a tc program, every member's packets enter the node's
   * stack by a device the node's hooks treat like the first member's, and the first member has a
   * route to its node (the one rule 3 probed).
   */
  Source source(PodClass cls, boolean alone) {
    Pod rep = cls.members().get(0);
    Hooks.Place root = hooks.place(cls.node().host().root());
    Route toNode = rep.requireNetns().routes().lookup(cls.node().internalIp().toInt());
    Device in = toNode == null ? null : entry(toNode.device());
    boolean usable = !alone && in != null;
    for (Pod p : cls.members()) {
      NetNamespace ns = p.requireNetns();
      Route r = ns.routes().lookup(cls.node().internalIp().toInt());
      Device pin = r == null ? null : entry(r.device());
      usable &= pin != null && in != null && quiet(ns) && hooks.alike(root, pin, in);
    }
    return new Source(cls, root, in, toNode, usable);
  }

  /**
   * A destination class: usable when no member is {@code alone}, no member's namespace has hooks or
   * tc programs, none of the members' addresses is the node's own, and the node reaches every
   * member by a device its hooks treat like the one to the first member.
   */
  Destination destination(PodClass cls, boolean alone) {
    Hooks.Place root = hooks.place(cls.node().host().root());
    Route r0 = root.ns.routes().lookup(cls.members().get(0).requireIp().toInt());
    Device out = r0 == null ? null : r0.device();
    boolean usable = !alone && out != null;
    for (Pod q : cls.members()) {
      int ip = q.requireIp().toInt();
      Route r = root.ns.routes().lookup(ip);
      usable &=
          out != null
              && r != null
              && r.device() != null
              && quiet(q.requireNetns())
              && !Hooks.anyLocal(root, ip, ip)
              && hooks.alike(root, r.device(), out);
    }
    return new Destination(cls, root, out, usable);
  }

  /** Where a pod's packets through {@code podSide} enter its node's stack, or null. */
  private static @Nullable Device entry(@Nullable Device podSide) {
    if (!(podSide instanceof Veth veth) || veth.tcIngress() != null) {
      return null;
    }
    Veth host = veth.peer();
    Bridge master = host.master();
    return host.tcIngress() != null ? null : master != null ? master : host;
  }

  /** Whether a pod's namespace has no hooks and none of its devices a tc program. */
  private static boolean quiet(NetNamespace ns) {
    for (HookPoint point : HookPoint.values()) {
      if (!ns.hooks(point).isEmpty()) {
        return false;
      }
    }
    for (Device d : ns.devices()) {
      if (d.tcIngress() != null) {
        return false;
      }
    }
    return true;
  }

  /** The members' addresses. */
  private static Addresses addresses(PodClass cls) {
    int[] ips = new int[cls.members().size()];
    for (int i = 0; i < ips.length; i++) {
      ips[i] = cls.members().get(i).requireIp().toInt() ^ Integer.MIN_VALUE;
    }
    Arrays.sort(ips);
    return new Addresses(ips[0] ^ Integer.MIN_VALUE, ips[ips.length - 1] ^ Integer.MIN_VALUE, ips);
  }

  // ---------------------------------------------------------------- the walk

  /**
   * Follows a datagram from any member of {@code s} to any member of {@code d} in {@code block}
   * (whose members' addresses span the unsigned range [{@code lo}, {@code hi}]), where the source
   * pod's route leads to its node through a gateway.
   */
  int walk(Source s, Destination d, Cidr block, int lo, int hi) {
    clear();
    if (!s.ns.routes().isUniformOver(block)) {
      return SPLIT;
    }
    Route pr = s.ns.routes().lookup(block.networkInt());
    Route toNode = s.toNode;
    if (pr == null
        || toNode == null
        || pr.type() != Route.Type.UNICAST
        || pr.pathMtu() < INNER
        || pr.device() != toNode.device()
        || pr.gateway() == null
        || !pr.gateway().equals(toNode.gateway())) {
      return UNPROVEN;
    }
    via(s.ns);
    NetNamespace a = s.root;
    via(a);
    Addresses to =
        lo == d.addresses.lo() && hi == d.addresses.hi() ? d.addresses : d.addresses.within(lo, hi);
    packet(block, s.addresses, to, IpProtocol.UDP, ContractChecker.PROBE_PORT, INNER);
    if (!a.ipForward() || Hooks.locality(s.place, dst) != 0) {
      return UNPROVEN;
    }
    if (a == d.root) {
      sourceSignature = SAME_NODE;
      destinationSignature = SAME_NODE;
      return pass(s.place, Path.FORWARDED, s.in, d.out) ? PROVEN : UNPROVEN;
    }
    Route r1 = blockRoute(a);
    if (r1 == null) {
      return refused;
    }
    Device dev = r1.device();
    Ipv4Address gw = r1.gateway();
    if (gw == null
        || dev == null
        || r1.pathMtu() < INNER
        || !dev.isOperational()
        || !pass(s.place, Path.FORWARDED, s.in, dev)) {
      return UNPROVEN;
    }
    if (dev instanceof IpipTunnel tunl) {
      return tunnel(s, d, tunl, IPIP, 0, gw, 0, IpProtocol.IPIP, 0, 0, null);
    }
    int arp = neighbour(a, dev, gw);
    if (arp < 0) {
      return UNPROVEN;
    }
    if (dev instanceof Nic) {
      sourceSignature = signature(NATIVE, dev, arp, null, false, 0);
      int st = wire(s, d, dev, arp, gw.toInt());
      return st != PROVEN ? st : arrive(d, NATIVE, arrival, 0);
    }
    if (dev instanceof VxlanDevice vx && !vx.isExternal() && arp == KNOWN) {
      MacAddress inner = mac;
      List<Ipv4Address> remotes = vx.destinations(inner);
      if (remotes.size() != 1) {
        return UNPROVEN;
      }
      return tunnel(
          s,
          d,
          vx,
          VXLAN,
          arp,
          remotes.get(0),
          vx.localVtep().toInt(),
          IpProtocol.UDP,
          vx.dstPort(),
          vx.vni(),
          inner);
    }
    if (dev instanceof Veth host && host.peer().namespace() == a) {
      return redirected(s, d, host, arp, gw);
    }
    return UNPROVEN;
  }

  /**
   * A route through a veth whose peer is in the same namespace with {@link TunnelRedirect} on its
   * ingress, as Cilium's {@code cilium_host}: the frame crosses to the peer, whose program sends it
   * to the external tunnel device, which sends it to the node the tunnel map names.
   */
  private int redirected(Source s, Destination d, Veth host, int arp, Ipv4Address gw) {
    Veth peer = host.peer();
    NetNamespace a = peer.namespace();
    if (arp == RESOLVE) {
      if (!a.isLocalAddress(gw.toInt())) {
        return UNPROVEN;
      }
      mac = peer.mac();
    }
    if (!peer.mac().equals(mac)
        || !peer.isUp()
        || peer.master() != null
        || !(peer.tcIngress() instanceof TunnelRedirect program)) {
      return UNPROVEN;
    }
    Device tunnel = program.tunnel();
    if (tunnel.namespace() != a || !tunnel.isUp()) {
      return UNPROVEN;
    }
    int found = tunnelEndpoint(program);
    Ipv4Address remote = endpoint;
    if (found != PROVEN || remote == null) {
      return found == PROVEN ? UNPROVEN : found;
    }
    int port;
    if (tunnel instanceof VxlanDevice vx && vx.isExternal()) {
      port = vx.dstPort();
    } else if (tunnel instanceof GeneveDevice g && g.isExternal()) {
      port = GeneveDevice.PORT;
    } else {
      return UNPROVEN;
    }
    return tunnel(s, d, tunnel, TC_TUNNEL, arp, remote, 0, IpProtocol.UDP, port, 0, peer.mac());
  }

  /**
   * Finds the remote the tunnel map of {@code program} gives every address of the block (that of
   * the longest prefix holding it) and leaves it in {@link #endpoint}, null when there is none;
   * {@link #SPLIT} when a prefix lies inside the block.
   */
  private int tunnelEndpoint(TunnelRedirect program) {
    endpoint = null;
    if (mapOf != program) {
      tunnelMap.clear();
      tunnelMapLengths = 0;
      for (Map.Entry<Cidr, Ipv4Address> e : program.endpoints().entrySet()) {
        Cidr c = e.getKey();
        tunnelMap.put(
            (long) c.prefixLength() << 32 | (c.networkInt() & 0xFFFF_FFFFL), e.getValue());
        tunnelMapLengths |= 1L << c.prefixLength();
      }
      mapOf = program;
    }
    int length = block.prefixLength();
    if ((tunnelMapLengths & (-1L << (length + 1))) != 0) {
      return SPLIT;
    }
    for (int l = length; l >= 0 && endpoint == null; l--) {
      if ((tunnelMapLengths & (1L << l)) != 0) {
        int net = l == 0 ? 0 : block.networkInt() & (-1 << (32 - l));
        endpoint = tunnelMap.get((long) l << 32 | (net & 0xFFFF_FFFFL));
      }
    }
    return PROVEN;
  }

  /**
   * The tunnel part of a walk: the source node wraps the datagram for {@code remote} (from {@code
   * outerSrc}, or the address routing picks when 0) and sends it; the destination node must own the
   * remote address and unwrap it with a device that takes what {@code dev} sent.
   */
  private int tunnel(
      Source s,
      Destination d,
      Device dev,
      int kind,
      int arp,
      Ipv4Address remote,
      int outerSrc,
      int outerProto,
      int outerPort,
      int vni,
      @Nullable MacAddress innerMac) {
    NetNamespace a = s.root;
    int r = remote.toInt();
    Route r2 = a.routes().lookup(r);
    int outer =
        INNER + (outerProto == IpProtocol.IPIP ? IpipTunnel.OVERHEAD : VxlanDevice.OVERHEAD);
    if (r2 == null
        || r2.type() != Route.Type.UNICAST
        || r2.device() == dev
        || !(r2.device() instanceof Nic nic)
        || !nic.isOperational()
        || r2.pathMtu() < outer
        || Hooks.anyLocal(s.place, r, r)) {
      return UNPROVEN;
    }
    int from = outerSrc != 0 ? outerSrc : a.sourceAddress(r2, r);
    Cidr inner = block;
    Addresses innerSrc = src;
    Addresses innerDst = dst;
    if (s.outerSource.lo() != from) {
      s.outerSource = Addresses.of(from);
    }
    if (d.outerDestination.lo() != r) {
      d.outerDestination = Addresses.of(r);
      d.outerBlock = Cidr.of(remote, 32);
    }
    packet(d.outerBlock, s.outerSource, d.outerDestination, outerProto, outerPort, outer);
    if (!pass(s.place, Path.SENT, null, nic)) {
      return UNPROVEN;
    }
    Ipv4Address next = r2.gateway() != null ? r2.gateway() : remote;
    int arp2 = neighbour(a, nic, next);
    if (arp2 < 0) {
      return UNPROVEN;
    }
    sourceSignature = signature(kind, dev, arp, nic, r2.gateway() != null, arp2);
    int st = wire(s, d, nic, arp2, next.toInt());
    if (st != PROVEN) {
      return st;
    }
    NetNamespace b = d.root;
    Device at = arrival;
    Device in = decapsulator(d, outerProto, outerPort);
    if (d.remote != r) {
      d.remote = r;
      d.remoteLocal = b.isLocalAddress(r);
    }
    if (at == null
        || in == null
        || !d.remoteLocal
        || !pass(d.place, Path.DELIVERED, at, null)
        || !accepts(in, from, vni, innerMac)) {
      return UNPROVEN;
    }
    decap = in;
    packet(inner, innerSrc, innerDst, IpProtocol.UDP, ContractChecker.PROBE_PORT, INNER);
    return arrive(d, DECAP, at, outerPort);
  }

  /** Whether the destination's tunnel device takes what the source's sent (VNI, remote, MAC). */
  private static boolean accepts(Device in, int src, int vni, @Nullable MacAddress innerMac) {
    if (in instanceof IpipTunnel) {
      return innerMac == null;
    }
    boolean external;
    if (in instanceof VxlanDevice vx) {
      external = vx.isExternal();
      if (!external && vx.vni() != vni) {
        return false;
      }
    } else if (in instanceof GeneveDevice g) {
      external = g.isExternal();
      if (!external && (g.vni() != vni || g.remote().toInt() != src)) {
        return false;
      }
    } else {
      return false;
    }
    return external || in.mac().equals(innerMac);
  }

  /**
   * The destination node's part: the datagram came in by {@code at} (a NIC) and is routed to the
   * class by the route rule 3 probed for each member, after the tunnel device that unwrapped it.
   */
  private int arrive(Destination d, int kind, @Nullable Device at, int port) {
    Device in = decap != null ? decap : at;
    if (at == null
        || in == null
        || !d.root.ipForward()
        || !pass(d.place, Path.FORWARDED, in, d.out)
        || at.ifindex() > MAX_IFINDEX
        || in.ifindex() > MAX_IFINDEX) {
      return UNPROVEN;
    }
    via(d.root);
    destinationSignature =
        kind | (long) at.ifindex() << 4 | (long) in.ifindex() << 24 | (long) port << 44;
    return sourceSignature < 0 || pathSignature < 0 ? UNPROVEN : PROVEN;
  }

  /**
   * Follows a datagram from {@code p} to {@code q}, pods on one node whose route to each other is
   * direct: through their bridge, by {@code p}'s neighbour entry for {@code q}.
   */
  int bridged(Source s, Pod p, Pod q) {
    clear();
    NetNamespace ns = p.requireNetns();
    int ip = q.requireIp().toInt();
    Route pr = ns.routes().lookup(ip);
    if (pr == null
        || pr.type() != Route.Type.UNICAST
        || pr.gateway() != null
        || pr.pathMtu() < INNER
        || !(pr.device() instanceof Veth eth0)
        || !eth0.isOperational()) {
      return UNPROVEN;
    }
    via(ns);
    int arp = neighbour(ns, eth0, q.requireIp());
    Veth host = eth0.peer();
    Bridge bridge = host.master();
    if (arp < 0 || bridge == null || !host.isUp() || host.tcIngress() != null) {
      return UNPROVEN;
    }
    Segment seg = segment(bridge);
    if (arp == RESOLVE) {
      Device owner = seg.portToOwner(ip);
      mac = owner == null ? null : seg.farEndOf(owner).mac();
    }
    MacAddress m = mac;
    Device port = m == null ? null : seg.portTo(m);
    if (m == null
        || port == null
        || port == host
        || !seg.plain()
        || m.equals(bridge.mac())
        || !port.isOperational()) {
      return UNPROVEN;
    }
    Device far = seg.farEndOf(port);
    Bridge.FdbEntry e = bridge.fdbEntry(m);
    boolean filtered = e != null && s.root.bridgeNfCallIptables();
    packet(
        Cidr.of(q.requireIp(), 32),
        Addresses.of(p.requireIp().toInt()),
        Addresses.of(ip),
        IpProtocol.UDP,
        ContractChecker.PROBE_PORT,
        INNER);
    if ((e != null && (e.local() || e.port() != port))
        || bridge.namespace() != s.root
        || far.namespace() != q.requireNetns()
        || !far.isUp()
        || far.tcIngress() != null
        || far.master() != null
        || (filtered && !pass(s.place, Path.FORWARDED, host, port))) {
      return UNPROVEN;
    }
    sourceSignature = SAME_BRIDGE | arp << 4 | (e != null ? 1L << 6 : 0) | (filtered ? 1L << 7 : 0);
    destinationSignature = SAME_BRIDGE;
    return PROVEN;
  }

  /**
   * Whether the packet passes the place's hooks on {@code path}, in by {@code in}, out by {@code
   * out}.
   */
  private boolean pass(Hooks.Place place, Path path, @Nullable Device in, @Nullable Device out) {
    return place.none || hooks.pass(place, path, src, dst, proto, dport, in, out);
  }

  // ---------------------------------------------------------------- the underlay

  /**
   * One stretch of wire a walk crossed (a frame for a MAC, or for whoever holds an address, put on
   * a NIC), the NIC it reached and the switch entry it went by: kept by a class for the next walks
   * from it or into it. Of all the stretch reads, only that entry changes while the check runs
   * (real probes teach switches), so a kept stretch holds while the entry is the same.
   */
  static final class Kept {
    private boolean valid;
    private long checked = -1;
    private @Nullable Device at;
    private int arp;
    private long mac;
    private int next;
    private int size;
    private @Nullable Device reached;
    private long steps;
    private int count;
    private @Nullable MacAddress sent;
    private @Nullable Bridge bridge;
    private @Nullable Device port;
  }

  /**
   * A router's choice for a packet to one address (the device, the next hop and how it is reached,
   * the step), kept like a {@link Kept} stretch while the router's neighbour entry for the next hop
   * is the same.
   */
  static final class Choice {
    private boolean valid;
    private long checked = -1;
    private @Nullable NetNamespace router;
    private int dst;
    private int size;
    private @Nullable Device dev;
    private @Nullable Ipv4Address next;
    private int arp;
    private int code;
    private @Nullable MacAddress mac;
  }

  /**
   * Puts the packet on NIC {@code out} for next hop {@code next} (to {@link #mac} when {@code arp}
   * is {@link #KNOWN}, else to whoever answers ARP for it) and follows it across switches and
   * routers until a NIC of the destination's node takes it in; that NIC is left in {@link
   * #arrival}. The first stretch is kept by the source class, the router's choice and the last
   * stretch by the destination class: the walks from one class share their first stretch, those
   * into one class their last.
   */
  private int wire(Source s, Destination d, Device out, int arp, int next) {
    int routers = 0;
    Device from = out;
    int nextHop = next;
    int how = arp;
    while (true) {
      Device nic = stretch(routers == 0 ? s.first : d.last, from, how, nextHop);
      if (nic == null) {
        return UNPROVEN;
      }
      NetNamespace h = nic.namespace();
      if (h == d.root) {
        arrival = nic;
        return PROVEN;
      }
      if (routers++ == MAX_ROUTERS) {
        return UNPROVEN;
      }
      Choice c = d.router;
      if (!kept(c, h)) {
        Hooks.Place place = hooks.place(h);
        int st = forward(place, nic);
        if (st != PROVEN) {
          return st;
        }
        c.valid = dst.lo() == dst.hi() && place.none;
        c.checked = probes;
        c.router = h;
        c.dst = dst.lo();
        c.size = size;
        c.dev = forwardDev;
        c.next = forwardNext;
        c.arp = forwardArp;
        c.code = forwardCode;
        c.mac = mac;
      }
      mac = c.mac;
      step(c.code);
      via(h);
      from = c.dev;
      nextHop = c.next.toInt();
      how = c.arp;
    }
  }

  /** Whether {@code c} holds the choice of router {@code h} for the packet, still. */
  private boolean kept(Choice c, NetNamespace h) {
    if (!c.valid || c.router != h || c.dst != dst.lo() || dst.lo() != dst.hi() || c.size != size) {
      return false;
    }
    if (c.checked == probes) {
      return true;
    }
    MacAddress was = c.mac;
    c.checked = probes;
    return neighbour(h, c.dev, c.next) == c.arp && (c.arp != KNOWN || was.equals(mac));
  }

  // a router's choice: the device, the next hop, how it is reached, the step
  private @Nullable Device forwardDev;
  private @Nullable Ipv4Address forwardNext;
  private int forwardArp;
  private int forwardCode;

  /**
   * A router's choice for the packet, which came in by {@code nic}, left in the {@code forward}
   * fields.
   */
  private int forward(Hooks.Place place, Device nic) {
    NetNamespace h = place.ns;
    if (!h.ipForward() || Hooks.locality(place, dst) != 0) {
      return UNPROVEN;
    }
    Route r = blockRoute(h);
    if (r == null) {
      return refused;
    }
    Device dev = r.device();
    Ipv4Address gw = r.gateway();
    if (!(dev instanceof Nic)
        || !dev.isOperational()
        || r.pathMtu() < size
        || (gw == null && dst.lo() != dst.hi())
        || !pass(place, Path.FORWARDED, nic, dev)) {
      return UNPROVEN;
    }
    Ipv4Address hop = gw != null ? gw : Ipv4Address.of(dst.lo());
    int how = neighbour(h, dev, hop);
    if (how < 0) {
      return UNPROVEN;
    }
    forwardDev = dev;
    forwardNext = hop;
    forwardArp = how;
    forwardCode = ROUTER + (how == RESOLVE ? 1 : 0) + (gw != null ? 2 : 0);
    return PROVEN;
  }

  /** {@link #hostNic}, or what {@code k} kept of it while its switch entry is the same. */
  private @Nullable Device stretch(Kept k, Device out, int arp, int next) {
    MacAddress m = mac;
    long to = arp == KNOWN && m != null ? m.toLong() : -1;
    int hop = arp == RESOLVE ? next : 0;
    if (k.valid
        && k.at == out
        && k.arp == arp
        && k.mac == to
        && k.next == hop
        && k.size == size
        && sameEntry(k)) {
      mac = k.sent;
      steps += k.count;
      pathSignature = steps > 15 ? -1 : pathSignature << (4 * k.count) | k.steps;
      return k.reached;
    }
    int before = steps;
    switchedBy = null;
    switchedTo = null;
    Device nic = hostNic(out, arp, next);
    MacAddress sent = mac;
    k.valid = nic != null && sent != null && pathSignature >= 0;
    k.at = out;
    k.arp = arp;
    k.mac = to;
    k.next = hop;
    k.size = size;
    k.reached = nic;
    k.count = steps - before;
    k.steps = pathSignature & ((1L << (4 * k.count)) - 1);
    k.sent = sent;
    k.bridge = switchedBy;
    k.port = switchedTo;
    k.checked = probes;
    return nic;
  }

  /** Whether the switch of a kept stretch still has the entry it had (or still has none). */
  private boolean sameEntry(Kept k) {
    Bridge bridge = k.bridge;
    if (bridge == null || k.checked == probes) {
      return true;
    }
    k.checked = probes;
    Bridge.FdbEntry e = bridge.fdbEntry(k.sent);
    return e == null ? k.port == null : !e.local() && e.port() == k.port;
  }

  // the switch the last stretch crossed and the port its entry named (null: it flooded)
  private @Nullable Bridge switchedBy;
  private @Nullable Device switchedTo;

  /**
   * The NIC a frame sent out of {@code out} reaches in a host's namespace, across at most a switch
   * (a bridge in another namespace): by the link, then by the switch's entry for the frame's MAC or
   * by its flooding; null when a check fails.
   */
  private @Nullable Device hostNic(Device out, int arp, int next) {
    Device far = across(out);
    if (far == null || !far.isUp() || far.tcIngress() != null) {
      return null;
    }
    Bridge bridge = far.master();
    if (bridge == null) {
      if (arp == RESOLVE) {
        if (!far.namespace().isLocalAddress(next)) {
          return null;
        }
        mac = far.mac();
      }
      step(DIRECT);
      return far.mac().equals(mac) ? far : null;
    }
    Segment seg = segment(bridge);
    NetNamespace sw = bridge.namespace();
    if (!seg.plain() || (sw.bridgeNfCallIptables() && !hooks.place(sw).none)) {
      return null;
    }
    if (arp == RESOLVE) {
      Device owner = seg.portToOwner(next);
      if (owner == null) {
        return null;
      }
      mac = seg.farEndOf(owner).mac();
    }
    MacAddress m = mac;
    Device port = m == null ? null : seg.portTo(m);
    if (m == null
        || port == null
        || port == far
        || m.equals(bridge.mac())
        || !(port instanceof Nic)) {
      return null;
    }
    Bridge.FdbEntry e = bridge.fdbEntry(m);
    if (e != null && (e.local() || e.port() != port)) {
      return null;
    }
    switchedBy = bridge;
    switchedTo = e != null ? port : null;
    step(e != null ? SWITCH_KNOWN : SWITCH_FLOOD);
    Device host = across(port);
    if (host == null || !host.isUp() || host.tcIngress() != null || host.master() != null) {
      return null;
    }
    step(DIRECT);
    return host.mac().equals(m) ? host : null;
  }

  /** The device at the other end of an operational NIC's usable link, or null. */
  private @Nullable Device across(Device out) {
    if (!(out instanceof Nic nic) || !nic.isOperational()) {
      return null;
    }
    Link link = nic.link();
    if (link == null || !link.isUp() || link.lossRate() != 0) {
      return null;
    }
    LinkSpec spec = link.spec();
    if (spec.mtu() < size
        || spec.latencyNanos() > MAX_LINK_LATENCY
        || spec.bitsPerSecond() < MIN_LINK_BANDWIDTH) {
      return null;
    }
    return link.a() == nic ? link.b() : link.a();
  }

  // ---------------------------------------------------------------- tables

  /**
   * The neighbour entry for {@code next} on {@code dev}: {@link #KNOWN} with its MAC in {@link
   * #mac} when the kernel sends at once, {@link #RESOLVE} when it asks ARP first (no entry, or a
   * failed one), -1 while a resolution is under way.
   */
  private int neighbour(NetNamespace ns, Device dev, Ipv4Address next) {
    NeighbourState state = ns.neighbourState(dev, next);
    if (state == null || state == NeighbourState.FAILED) {
      mac = null;
      return RESOLVE;
    }
    MacAddress known = ns.neighbourMac(dev, next);
    if (state == NeighbourState.INCOMPLETE || known == null) {
      return -1;
    }
    mac = known;
    return KNOWN;
  }

  /**
   * The unicast route {@code ns} takes for every address of the block, or null with {@link
   * #refused} saying why: {@link #SPLIT} when the routes tell the block's addresses apart.
   */
  private @Nullable Route blockRoute(NetNamespace ns) {
    if (!ns.routes().isUniformOver(block)) {
      refused = SPLIT;
      return null;
    }
    Route r = ns.routes().lookup(block.networkInt());
    if (r == null || r.type() != Route.Type.UNICAST) {
      refused = UNPROVEN;
      return null;
    }
    return r;
  }

  /**
   * The tunnel device of the destination's node that takes IP protocol {@code proto} (UDP port
   * {@code port}).
   */
  private static @Nullable Device decapsulator(Destination d, int proto, int port) {
    int key = proto << 16 | port;
    if (d.decapKey != key) {
      Device found = null;
      for (Device dev : d.root.devices()) {
        boolean takes =
            proto == IpProtocol.IPIP
                ? dev instanceof IpipTunnel
                : (dev instanceof VxlanDevice vx && vx.dstPort() == port)
                    || (dev instanceof GeneveDevice && port == GeneveDevice.PORT);
        if (takes && dev.isUp() && dev.tcIngress() == null && dev.master() == null) {
          found = dev;
        }
      }
      d.decap = found;
      d.decapKey = key;
    }
    return d.decap;
  }

  private Segment segment(Bridge bridge) {
    Segment last = lastSegment;
    if (last == null || last.bridge() != bridge) {
      last = segments.computeIfAbsent(bridge, Segment::new);
      lastSegment = last;
    }
    return last;
  }

  // ---------------------------------------------------------------- bookkeeping

  /**
   * Tells the walks that a real probe went out: it may have changed neighbour and switch entries,
   * so what classes kept is read again before it is used.
   */
  void probed() {
    probes++;
  }

  /** Notes a namespace that routes the datagram, when walks are noting. */
  private void via(NetNamespace ns) {
    if (noting) {
      routed.add(ns);
    }
  }

  /**
   * Makes the next walks note the namespaces that route the datagram ({@link #routed}), or not: a
   * walk is the same either way.
   */
  void noting(boolean on) {
    noting = on;
  }

  private void clear() {
    sourceSignature = 0;
    pathSignature = 1;
    destinationSignature = 0;
    routed.clear();
    decap = null;
    arrival = null;
    mac = null;
    steps = 0;
  }

  private void packet(
      Cidr to, Addresses from, Addresses towards, int protocol, int port, int bytes) {
    block = to;
    src = from;
    dst = towards;
    proto = protocol;
    dport = port;
    size = bytes;
  }

  /** Appends a step to the path signature; a walk of more than 15 steps is never proven. */
  private void step(int code) {
    steps++;
    pathSignature = steps > 15 ? -1 : pathSignature << 4 | code;
  }

  /**
   * The source signature: the kind of walk, the device the source node's route leaves by and how
   * its neighbour is reached, and for a tunnel the underlay device, whether its route has a gateway
   * and how that neighbour is reached; -1 when an interface index does not fit.
   */
  private static long signature(
      int kind, Device dev, int arp, @Nullable Device under, boolean gateway, int arp2) {
    int underIndex = under == null ? 0 : under.ifindex();
    if (dev.ifindex() > MAX_IFINDEX || underIndex > MAX_IFINDEX) {
      return -1;
    }
    return kind
        | (long) arp << 4
        | (long) dev.ifindex() << 6
        | (long) underIndex << 26
        | (gateway ? 1L << 46 : 0)
        | (long) arp2 << 47;
  }
}
