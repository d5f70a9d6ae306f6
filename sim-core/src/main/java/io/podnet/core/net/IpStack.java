package io.podnet.core.net;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.packet.ArpPacket;
import io.podnet.core.packet.EtherType;
import io.podnet.core.packet.EthernetHeader;
import io.podnet.core.packet.Frames;
import io.podnet.core.packet.IcmpMessage;
import io.podnet.core.packet.IpProtocol;
import io.podnet.core.packet.Ipv4Header;
import io.podnet.core.packet.UdpHeader;
import io.podnet.core.trace.Trace;
import it.unimi.dsi.fastutil.ints.Int2ObjectMap;
import it.unimi.dsi.fastutil.ints.Int2ObjectMaps;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The IPv4 path of one namespace, modelled on the kernel's: receive (bridge hand-off, MAC filter,
 * ARP or IPv4), local delivery, forwarding with TTL and MTU checks, output through the neighbour
 * layer, the netfilter hook points, ICMP errors and fragmentation. Every step is a {@link
 * PacketHop} in the trace; failures are drops, never exceptions.
 */
final class IpStack {

  /** Devices a frame may cross without being routed before it is taken for a loop. */
  static final int MAX_L2_HOPS = 64;

  /** The largest ICMP error datagram (RFC 1812 section 4.3.2.3). */
  private static final int ICMP_ERROR_MAX = 576;

  /** TTL of packets this namespace originates ({@code net.ipv4.ip_default_ttl}). */
  static final int DEFAULT_TTL = 64;

  private static final PacketHook[] NO_HOOKS = {};
  private static final int[] NO_PRIORITIES = {};

  /** {@code net.ipv4.route.mtu_expires}: how long a path MTU learned from an ICMP error holds. */
  static final long PMTU_EXPIRES = 600 * SimTime.SECOND;

  /** {@code net.ipv4.route.min_pmtu}: a smaller reported MTU is taken as this. */
  static final int MIN_PMTU = 552;

  /**
   * A path MTU learned for one destination, the route (device and gateway) it was learned on, and
   * when it expires: a kernel route exception, which belongs to its next hop.
   */
  record LearnedMtu(int mtu, long expires, Device device, int gateway) {

    boolean isOn(Route route) {
      Ipv4Address gw = route.gateway();
      return route.device() == device && (gw == null ? 0 : gw.toInt()) == gateway;
    }
  }

  private final NetNamespace ns;
  private final Simulation sim;
  private final Trace trace;

  /** Made on the first fragment. */
  private @Nullable Reassembly reassembly;

  /** Path MTUs learned from "fragmentation needed" errors, by destination; made on the first. */
  private @Nullable Int2ObjectOpenHashMap<LearnedMtu> learnedMtus;

  private final PacketHook[][] hooks = new PacketHook[HookPoint.values().length][];
  private final int[][] hookPriorities = new int[HookPoint.values().length][];
  private int nextIpId = 1;

  /** Empty and shared until a handler binds: a pod's namespace never gets one. */
  private Int2ObjectMap<PacketHandler> udpHandlers = Int2ObjectMaps.emptyMap();

  private Int2ObjectMap<PacketHandler> protocolHandlers = Int2ObjectMaps.emptyMap();

  /** When the last packet for this namespace's sockets reaches them (they arrive in order). */
  private long deliveredUntil;

  IpStack(NetNamespace ns) {
    this.ns = ns;
    this.sim = ns.host().network().simulation();
    this.trace = ns.host().network().trace();
    Arrays.fill(hooks, NO_HOOKS);
    Arrays.fill(hookPriorities, NO_PRIORITIES);
  }

  // ---------------------------------------------------------------- trace

  void hop(@Nullable Device dev, HopAction action, Frame frame, String detail) {
    long now = sim.now();
    String device = dev == null ? "-" : dev.name();
    Walk walk = frame.walk();
    if (trace.hasSinks() || walk != null) {
      PacketHop hop = new PacketHop(now, ns.label(), device, action, frame.id(), detail);
      trace.record(hop);
      if (walk != null) {
        walk.add(hop, frame.buffer(), frame.offset(), frame.length());
      }
    } else {
      PacketHop.append(trace.scratch(now), ns.label(), device, action, frame.id(), detail);
      trace.recordScratch();
    }
  }

  void drop(@Nullable Device dev, Frame frame, Drop drop) {
    hop(dev, HopAction.DROP, frame, drop.toString());
  }

  // ---------------------------------------------------------------- hooks

  void addHook(HookPoint point, int priority, PacketHook hook) {
    int p = point.ordinal();
    int n = hooks[p].length;
    int at = 0;
    while (at < n && hookPriorities[p][at] <= priority) {
      at++;
    }
    PacketHook[] h = new PacketHook[n + 1];
    int[] pr = new int[n + 1];
    System.arraycopy(hooks[p], 0, h, 0, at);
    System.arraycopy(hookPriorities[p], 0, pr, 0, at);
    h[at] = hook;
    pr[at] = priority;
    System.arraycopy(hooks[p], at, h, at + 1, n - at);
    System.arraycopy(hookPriorities[p], at, pr, at + 1, n - at);
    hooks[p] = h;
    hookPriorities[p] = pr;
  }

  /** The hooks registered at {@code point}, in the order they run. */
  List<PacketHook> hooks(HookPoint point) {
    return List.of(hooks[point.ordinal()]);
  }

  private boolean runHooks(
      HookPoint point, Frame frame, @Nullable Device in, @Nullable Device out) {
    PacketHook[] list = hooks[point.ordinal()];
    for (PacketHook hook : list) {
      Drop verdict = hook.process(point, frame, in, out);
      if (verdict != null) {
        drop(out != null ? out : in, frame, verdict);
        return false;
      }
    }
    return true;
  }

  /**
   * br_netfilter: an IPv4 frame bridged between two ports passes PREROUTING, FORWARD and
   * POSTROUTING when {@code net.bridge.bridge-nf-call-iptables} is on; returns whether it goes on.
   */
  boolean bridgedHooks(Frame frame, Device in, Device out) {
    if (!ns.bridgeNfCallIptables()
        || frame.length() < EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH
        || EthernetHeader.etherType(frame.buffer(), frame.offset()) != EtherType.IPV4) {
      return true;
    }
    return runHooks(HookPoint.PREROUTING, frame, in, null)
        && runHooks(HookPoint.FORWARD, frame, in, out)
        && runHooks(HookPoint.POSTROUTING, frame, in, out);
  }

  // ---------------------------------------------------------------- receive

  void receive(Device dev, Frame frame) {
    if (!dev.isUp()) {
      drop(dev, frame, Drop.of(DropReason.DEVICE_DOWN));
      return;
    }
    dev.countReceived(frame);
    if (!(dev instanceof Loopback)) {
      frame.setMark(0); // skb_scrub_packet: the mark does not cross namespaces
    }
    hop(dev, HopAction.RX, frame, "");
    if (frame.countL2Hop() > MAX_L2_HOPS) {
      drop(dev, frame, Drop.of(DropReason.L2_LOOP));
      return;
    }
    TcProgram tc = dev.tcIngress();
    if (tc != null && !tcIngress(tc, dev, frame)) {
      return;
    }
    Bridge bridge = dev.master();
    if (bridge != null) {
      bridge.input(dev, frame);
      return;
    }
    l2Input(dev, frame);
  }

  /** Runs a tc ingress program; false when it took the frame (dropped or redirected it). */
  private boolean tcIngress(TcProgram tc, Device dev, Frame frame) {
    TcVerdict verdict = tc.run(dev, frame);
    switch (verdict.action()) {
      case OK:
        return true;
      case SHOT:
        drop(dev, frame, verdict.drop());
        return false;
      default:
        Device target = verdict.target();
        if (target.namespace() != ns) {
          drop(
              dev,
              frame,
              Drop.of(
                  DropReason.REDIRECT_FAILED,
                  "tc redirect to " + target + " outside " + ns.label()));
          return false;
        }
        transmit(target, frame);
        return false;
    }
  }

  /** A frame a bridge passes up to its own IP layer, as if received on the bridge device. */
  void bridgeLocalInput(Bridge bridge, Frame frame) {
    bridge.countReceived(frame);
    hop(bridge, HopAction.RX, frame, "");
    l2Input(bridge, frame);
  }

  private void l2Input(Device dev, Frame frame) {
    if (frame.length() < EthernetHeader.LENGTH) {
      drop(dev, frame, Drop.of(DropReason.MALFORMED, "runt frame"));
      return;
    }
    byte[] b = frame.buffer();
    int off = frame.offset();
    long dst = EthernetHeader.dst(b, off);
    if (dev.usesArp()
        && dst != dev.mac().toLong()
        && (dst & 0x0100_0000_0000L) == 0
        && !(dev instanceof Bridge bridge && bridge.isLocalMac(dst))) {
      drop(dev, frame, Drop.of(DropReason.OTHER_HOST, MacAddress.of(dst).toString()));
      return;
    }
    int type = EthernetHeader.etherType(b, off);
    if (type == EtherType.IPV4) {
      ipInput(dev, frame);
    } else if (type == EtherType.ARP) {
      arpInput(dev, frame);
    } else {
      drop(
          dev,
          frame,
          Drop.of(DropReason.UNSUPPORTED_ETHERTYPE, String.format(Locale.ROOT, "0x%04x", type)));
    }
  }

  private void ipInput(Device dev, Frame frame) {
    byte[] b = frame.buffer();
    int off = frame.l3Offset();
    int len = frame.l3Length();
    if (len < Ipv4Header.MIN_LENGTH
        || (b[off] >> 4 & 0xF) != 4
        || Ipv4Header.headerLength(b, off) < Ipv4Header.MIN_LENGTH
        || Ipv4Header.totalLength(b, off) < Ipv4Header.headerLength(b, off)
        || Ipv4Header.totalLength(b, off) > len) {
      drop(dev, frame, Drop.of(DropReason.MALFORMED, "bad IPv4 header"));
      return;
    }
    if (!Ipv4Header.checksumValid(b, off)) {
      drop(dev, frame, Drop.of(DropReason.BAD_CHECKSUM));
      return;
    }
    int total = Ipv4Header.totalLength(b, off);
    if (total < len) {
      frame.truncate(EthernetHeader.LENGTH + total);
    }
    if (!runHooks(HookPoint.PREROUTING, frame, dev, null)) {
      return;
    }
    int dst = Ipv4Header.dst(frame.buffer(), frame.l3Offset());
    if (ns.isLocalDestination(dst)) {
      localInput(dev, frame);
    } else {
      forward(dev, frame);
    }
  }

  // ---------------------------------------------------------------- forward

  private void forward(Device in, Frame frame) {
    if (!ns.ipForward()) {
      drop(in, frame, Drop.of(DropReason.FORWARDING_DISABLED));
      return;
    }
    byte[] b = frame.buffer();
    int off = frame.l3Offset();
    int dst = Ipv4Header.dst(b, off);
    Route route = ns.routes().lookup(dst);
    if (!usable(route, in, frame)) {
      return;
    }
    hop(null, HopAction.ROUTE, frame, route.toString());
    if (Ipv4Header.ttl(b, off) <= 1) {
      icmpError(in, frame, IcmpMessage.TIME_EXCEEDED, 0, 0);
      drop(in, frame, Drop.of(DropReason.TTL_EXCEEDED));
      return;
    }
    Device out = route.device();
    int mtu = route.pathMtu();
    if (frame.largestWirePacket() > mtu && Ipv4Header.dontFragment(b, off)) {
      icmpError(in, frame, IcmpMessage.DEST_UNREACHABLE, IcmpMessage.FRAGMENTATION_NEEDED, mtu);
      drop(in, frame, Drop.of(DropReason.FRAG_NEEDED, "mtu " + mtu));
      return;
    }
    Ipv4Header.decrementTtl(b, off);
    frame.resetL2Hops();
    if (!runHooks(HookPoint.FORWARD, frame, in, out)) {
      return;
    }
    output(route, frame, in, mtu);
  }

  /** Whether a route can carry the packet; drops it (and answers ICMP) when not. */
  private boolean usable(@Nullable Route route, @Nullable Device in, Frame frame) {
    if (route == null) {
      if (in != null) {
        icmpError(in, frame, IcmpMessage.DEST_UNREACHABLE, IcmpMessage.NET_UNREACHABLE, 0);
      }
      drop(in, frame, Drop.of(DropReason.NO_ROUTE));
      return false;
    }
    switch (route.type()) {
      case UNICAST:
        return true;
      case BLACKHOLE:
        drop(in, frame, Drop.of(DropReason.BLACKHOLE, route.toString()));
        return false;
      default:
        if (in != null) {
          icmpError(in, frame, IcmpMessage.DEST_UNREACHABLE, IcmpMessage.HOST_UNREACHABLE, 0);
        }
        drop(in, frame, Drop.of(DropReason.UNREACHABLE_ROUTE, route.toString()));
        return false;
    }
  }

  // ---------------------------------------------------------------- output

  /**
   * Sends a routed packet out of the route's device: POSTROUTING, fragmentation to {@code mtu} (the
   * route's, or a smaller path MTU learned for the destination), neighbours.
   */
  private void output(Route route, Frame frame, @Nullable Device in, int mtu) {
    Device out = route.device();
    if (!out.isUp()) {
      drop(out, frame, Drop.of(DropReason.DEVICE_DOWN));
      return;
    }
    if (!out.hasCarrier()) {
      drop(out, frame, Drop.of(DropReason.NO_CARRIER));
      return;
    }
    if (!runHooks(HookPoint.POSTROUTING, frame, in, out)) {
      return;
    }
    int dst = Ipv4Header.dst(frame.buffer(), frame.l3Offset());
    Ipv4Address gw = route.gateway();
    int nextHop = gw != null ? gw.toInt() : dst;
    if (frame.largestWirePacket() > mtu) {
      // A large segment is cut into its segments first, as if each had been sent on its own.
      for (Frame packet : frame.gsoSize() == 0 ? List.of(frame) : Device.wireSegments(frame)) {
        if (packet.largestWirePacket() <= mtu) {
          neighbourOutput(out, nextHop, packet);
        } else {
          for (Frame fragment : Fragmenter.fragment(packet, mtu)) {
            neighbourOutput(out, nextHop, fragment);
          }
        }
      }
      return;
    }
    neighbourOutput(out, nextHop, frame);
  }

  private void neighbourOutput(Device out, int nextHop, Frame frame) {
    if (!out.usesArp()) {
      if (!out.isUp()) {
        drop(out, frame, Drop.of(DropReason.DEVICE_DOWN));
        return;
      }
      hop(out, HopAction.TX, frame, "");
      out.send(frame, nextHop);
      return;
    }
    ns.neighbours().output(out, nextHop, frame);
  }

  /** Puts a complete frame on a device. */
  void transmit(Device dev, Frame frame) {
    if (!dev.isUp()) {
      drop(dev, frame, Drop.of(DropReason.DEVICE_DOWN));
      return;
    }
    hop(dev, HopAction.TX, frame, "");
    dev.send(frame);
  }

  /**
   * Builds a locally generated packet once its source address is known, into a new array that the
   * stack takes over.
   */
  @FunctionalInterface
  interface PacketBuilder {
    byte[] build(int source);
  }

  /**
   * Sends a packet generated in this namespace: routes it, picks the source address when {@code
   * source} is 0, builds it, runs OUTPUT and sends it. Returns null when it left, or the errno text
   * a socket would see ({@code Network is unreachable}, {@code Message too long, mtu=1450}).
   */
  @Nullable String localOutput(int source, int dst, PacketBuilder builder, @Nullable Walk walk) {
    return localOutput(source, dst, builder, walk, null);
  }

  /**
   * Like {@link #localOutput(int, int, PacketBuilder, Walk)} for a packet that {@code cause} makes
   * (a tunnel's outer packet, an ICMP error about it): it goes on with that packet's walk and the
   * processing time it has taken.
   */
  @Nullable String localOutputCausedBy(int source, int dst, PacketBuilder builder, Frame cause) {
    return localOutput(source, dst, builder, cause.walk(), null, false, cause.notBefore(), "");
  }

  /**
   * Like {@link #localOutput(int, int, PacketBuilder, Walk)} for a TCP data segment of {@code
   * sender}, which hears when the segment leaves its NIC (the socket owning the skb). A segment
   * carrying more than the stream's MSS goes through the stack whole and the wire carries it cut
   * into segments of the MSS ({@link Frame#gsoSize}, Linux's GSO and TSO).
   */
  @Nullable String localOutput(
      int source, int dst, PacketBuilder builder, @Nullable Walk walk, @Nullable TcpStream sender) {
    return localOutput(source, dst, builder, walk, sender, false, 0, "");
  }

  /**
   * The error a socket sees sending by {@code route}, the route lookup's answer for a non-local
   * destination: {@code Network is unreachable} without one, the errno of a non-unicast one ({@link
   * Route.Type#error}), or null when packets can leave by it.
   */
  static @Nullable String outputError(@Nullable Route route) {
    return route == null ? "Network is unreachable" : route.type().error();
  }

  /**
   * Like {@link #localOutput(int, int, PacketBuilder, Walk)} for a socket in path-MTU discovery
   * mode {@code want} ({@code fragmentAboveMtu}), as the kernel's {@code __ip_make_skb} treats it:
   * a DF packet above the path MTU leaves without DF, fragmented, instead of failing.
   */
  @Nullable String localOutput(
      int source, int dst, PacketBuilder builder, @Nullable Walk walk, boolean fragmentAboveMtu) {
    return localOutput(source, dst, builder, walk, null, fragmentAboveMtu, 0, "");
  }

  /**
   * Like {@link #localOutput(int, int, PacketBuilder, Walk, boolean)}, with {@code note} as the
   * detail of the packet's send hop (a socket load balancer's choice).
   */
  @Nullable String localOutput(
      int source,
      int dst,
      PacketBuilder builder,
      @Nullable Walk walk,
      boolean fragmentAboveMtu,
      String note) {
    return localOutput(source, dst, builder, walk, null, fragmentAboveMtu, 0, note);
  }

  private @Nullable String localOutput(
      int source,
      int dst,
      PacketBuilder builder,
      @Nullable Walk walk,
      @Nullable TcpStream sender,
      boolean fragmentAboveMtu,
      long notBefore,
      String note) {
    Network net = ns.host().network();
    if (ns.isLocalDestination(dst)) {
      Frame frame =
          Frame.adopt(net.nextPacketId(), builder.build(source != 0 ? source : dst), walk);
      frame.holdUntil(notBefore);
      dataSegment(frame, sender);
      hop(null, HopAction.SEND, frame, note);
      Device lo = ns.loopback();
      if (!runHooks(HookPoint.OUTPUT, frame, null, lo)) {
        return null;
      }
      int natDst = Ipv4Header.dst(frame.buffer(), frame.l3Offset());
      if (natDst != dst && !ns.isLocalDestination(natDst)) {
        reroute(frame, natDst, fragmentAboveMtu);
        return null;
      }
      if (!runHooks(HookPoint.POSTROUTING, frame, null, lo)) {
        return null;
      }
      transmit(lo, frame);
      return null;
    }
    Route route = ns.routes().lookup(dst);
    String error = outputError(route);
    if (error != null) {
      return error;
    }
    int src = source != 0 ? source : ns.selectSource(route, dst);
    Frame frame = Frame.adopt(net.nextPacketId(), builder.build(src), walk);
    frame.holdUntil(notBefore);
    frame.sender = sender;
    dataSegment(frame, sender);
    hop(null, HopAction.SEND, frame, note);
    hop(null, HopAction.ROUTE, frame, route.toString());
    Device out = route.device();
    int mtu = pathMtu(route, dst);
    if (!fitsOrFragments(frame, out, mtu, fragmentAboveMtu)) {
      return NetNamespace.MESSAGE_TOO_LONG + ", mtu=" + mtu;
    }
    if (!runHooks(HookPoint.OUTPUT, frame, null, out)) {
      return null;
    }
    int natDst = Ipv4Header.dst(frame.buffer(), frame.l3Offset());
    if (natDst != dst) {
      reroute(frame, natDst, fragmentAboveMtu);
      return null;
    }
    output(route, frame, null, mtu);
    return null;
  }

  /**
   * Marks a data segment of {@code sender}, built with its checksum, as needing no check at its
   * receiver, and one that carries more than the MSS as a large one.
   */
  private static void dataSegment(Frame frame, @Nullable TcpStream sender) {
    if (sender != null) {
      frame.markChecksumUnnecessary();
      if (frame.l3Length() - TcpStream.HEADERS > sender.mss) {
        frame.setGsoSize(sender.mss);
      }
    }
  }

  /**
   * Routes a locally generated packet again after an OUTPUT hook changed its destination (a DNAT),
   * like the kernel's {@code ip_route_me_harder}, and sends it on: to the loopback when the new
   * destination is local, else by the new route. A DF packet too big for the new route is dropped,
   * as {@code ip_fragment} refuses it, unless its socket is in path-MTU mode {@code want} ({@code
   * fragmentAboveMtu}, the kernel's {@code skb->ignore_df}): then it leaves without DF, fragmented.
   * Not modelled: the "fragmentation needed" {@code ip_fragment} sends the local sender.
   */
  private void reroute(Frame frame, int dst, boolean fragmentAboveMtu) {
    if (ns.isLocalDestination(dst)) {
      Device lo = ns.loopback();
      if (runHooks(HookPoint.POSTROUTING, frame, null, lo)) {
        transmit(lo, frame);
      }
      return;
    }
    Route route = ns.routes().lookup(dst);
    if (!usable(route, null, frame)) {
      return;
    }
    hop(null, HopAction.ROUTE, frame, route.toString());
    int mtu = pathMtu(route, dst);
    if (fitsOrFragments(frame, route.device(), mtu, fragmentAboveMtu)) {
      output(route, frame, null, mtu);
    }
  }

  /**
   * Whether a locally generated {@code frame} may leave by {@code out} with path MTU {@code mtu}:
   * one that fits, or has no DF, may; one with DF above it is dropped as "fragmentation needed",
   * unless its socket is in mode {@code want} ({@code fragmentAboveMtu}), which clears DF so that
   * it leaves in fragments.
   */
  private boolean fitsOrFragments(Frame frame, Device out, int mtu, boolean fragmentAboveMtu) {
    byte[] b = frame.buffer();
    int off = frame.l3Offset();
    if (frame.largestWirePacket() <= mtu || !Ipv4Header.dontFragment(b, off)) {
      return true;
    }
    if (!fragmentAboveMtu) {
      drop(out, frame, Drop.of(DropReason.FRAG_NEEDED, "mtu " + mtu));
      return false;
    }
    Ipv4Header.clearDontFragment(b, off);
    return true;
  }

  /**
   * The MTU of the path to {@code dst} by {@code route}: the route's, or the smaller one learned
   * for {@code dst} from a "fragmentation needed" error while it holds ({@link #learnPathMtu}).
   */
  private int pathMtu(Route route, int dst) {
    return pathMtu(route, learned(route, dst));
  }

  /**
   * The MTU of the path this namespace sends to {@code dst} by ({@link #pathMtu(Route, int)}), or 0
   * when no unicast route leads there.
   */
  int pathMtu(int dst) {
    Route route = unicastRoute(dst);
    return route == null ? 0 : pathMtu(route, dst);
  }

  /** The route to {@code dst} if it is a unicast one (which always has a device), else null. */
  private @Nullable Route unicastRoute(int dst) {
    Route route = ns.routes().lookup(dst);
    return route != null && route.type() == Route.Type.UNICAST ? route : null;
  }

  private static int pathMtu(Route route, @Nullable LearnedMtu learned) {
    return learned == null ? route.pathMtu() : Math.min(route.pathMtu(), learned.mtu());
  }

  /** The path MTU learned for {@code dst} on {@code route}, if it has not expired; else null. */
  @Nullable LearnedMtu learned(Route route, int dst) {
    Int2ObjectOpenHashMap<LearnedMtu> all = learnedMtus;
    LearnedMtu l = all == null ? null : all.get(dst);
    if (l == null) {
      return null;
    }
    if (sim.now() >= l.expires()) {
      all.remove(dst);
      return null;
    }
    return l.isOn(route) ? l : null;
  }

  /**
   * Remembers the next-hop MTU a "fragmentation needed" error reports for {@code dst} on the route
   * the namespace sends to it by, as the kernel's {@code __ip_rt_update_pmtu} does: a report below
   * {@link #MIN_PMTU} (old routers send 0) counts as that; a report above the path MTU in use is
   * ignored; the same MTU again only renews an entry in the second half of its {@link
   * #PMTU_EXPIRES}. Not modelled: the MTU lock that a report below the minimum sets, and the
   * kernel's check that a socket sent the quoted packet.
   */
  private void learnPathMtu(int dst, int reported) {
    Route route = unicastRoute(dst);
    if (route == null) {
      return;
    }
    int mtu = Math.max(reported, MIN_PMTU);
    LearnedMtu held = learned(route, dst);
    int current = pathMtu(route, held);
    if (mtu > current
        || mtu == current && (held == null || sim.now() < held.expires() - PMTU_EXPIRES / 2)) {
      return;
    }
    if (learnedMtus == null) {
      learnedMtus = new Int2ObjectOpenHashMap<>(NetNamespace.SMALL_MAP);
    }
    Ipv4Address gw = route.gateway();
    learnedMtus.put(
        dst,
        new LearnedMtu(mtu, sim.now() + PMTU_EXPIRES, route.device(), gw == null ? 0 : gw.toInt()));
  }

  int nextIpId() {
    return nextIpIds(1);
  }

  /** The first of {@code count} consecutive IP identifications, for a large segment's segments. */
  int nextIpIds(int count) {
    int id = nextIpId;
    nextIpId = (nextIpId + count) & 0xFFFF;
    return id;
  }

  // ---------------------------------------------------------------- local delivery

  private void localInput(Device dev, Frame frame) {
    if (!runHooks(HookPoint.INPUT, frame, dev, null)) {
      return;
    }
    byte[] b = frame.buffer();
    int off = frame.l3Offset();
    if (Ipv4Header.moreFragments(b, off) || Ipv4Header.fragmentOffset(b, off) != 0) {
      Reassembly r = reassembly;
      if (r == null) {
        r = new Reassembly(ns, this);
        reassembly = r;
      }
      Frame whole = r.add(dev, frame);
      if (whole == null) {
        return;
      }
      frame = whole;
      b = frame.buffer();
      off = frame.l3Offset();
    }
    int protocol = Ipv4Header.protocol(b, off);
    int hl = Ipv4Header.headerLength(b, off);
    if (protocol == IpProtocol.UDP && !udpHandlers.isEmpty()) {
      PacketHandler tunnel = udpHandlers.get(UdpHeader.dstPort(b, off + hl));
      if (tunnel != null) {
        int payload = off + hl + UdpHeader.LENGTH;
        tunnel.receive(dev, frame, payload, off + Ipv4Header.totalLength(b, off) - payload);
        return;
      }
    }
    PacketHandler handler =
        protocol == IpProtocol.TCP || protocol == IpProtocol.UDP || protocol == IpProtocol.ICMP
            ? null
            : protocolHandlers.get(protocol);
    if (handler != null) {
      handler.receive(dev, frame, off + hl, Ipv4Header.totalLength(b, off) - hl);
      return;
    }
    // after its processing, and after the packets before it
    long at = Math.max(frame.notBefore(), deliveredUntil);
    if (at > sim.now()) {
      deliveredUntil = at;
      Frame held = frame;
      sim.scheduleAt(
          at,
          () -> {
            if (!ns.isDeleted()) {
              deliver(dev, held, protocol);
            }
          });
    } else {
      deliver(dev, frame, protocol);
    }
  }

  /**
   * Hands a packet for this namespace to its socket layer, or answers "protocol unreachable"; a
   * kernel module's packet (a tunnel's) never gets here, and goes on with its processing time.
   */
  private void deliver(Device dev, Frame frame, int protocol) {
    switch (protocol) {
      case IpProtocol.ICMP -> icmpInput(dev, frame);
      case IpProtocol.UDP, IpProtocol.TCP -> ns.sockets().transportInput(dev, frame, protocol);
      default -> {
        icmpError(dev, frame, IcmpMessage.DEST_UNREACHABLE, IcmpMessage.PROTOCOL_UNREACHABLE, 0);
        drop(dev, frame, Drop.of(DropReason.PROTOCOL_UNREACHABLE, IpProtocol.name(protocol)));
      }
    }
  }

  void bindUdp(int port, PacketHandler handler) {
    if (udpHandlers.isEmpty()) {
      udpHandlers = new Int2ObjectOpenHashMap<>(NetNamespace.SMALL_MAP);
    }
    if (udpHandlers.putIfAbsent(port, handler) != null) {
      throw new IllegalStateException(
          "UDP port " + port + " is already bound by a kernel module in " + ns.label());
    }
  }

  void unbindUdp(int port) {
    if (!udpHandlers.isEmpty()) {
      udpHandlers.remove(port);
    }
  }

  void bindProtocol(int protocol, PacketHandler handler) {
    if (protocol == IpProtocol.ICMP || protocol == IpProtocol.TCP || protocol == IpProtocol.UDP) {
      throw new IllegalArgumentException(
          "protocol "
              + protocol
              + " is handled by the stack itself (expected another IP protocol)");
    }
    if (protocolHandlers.isEmpty()) {
      protocolHandlers = new Int2ObjectOpenHashMap<>(NetNamespace.SMALL_MAP);
    }
    if (protocolHandlers.putIfAbsent(protocol, handler) != null) {
      throw new IllegalStateException(
          "IP protocol " + protocol + " is already bound in " + ns.label());
    }
  }

  void unbindProtocol(int protocol) {
    if (!protocolHandlers.isEmpty()) {
      protocolHandlers.remove(protocol);
    }
  }

  private void icmpInput(Device dev, Frame frame) {
    byte[] b = frame.buffer();
    int ipOff = frame.l3Offset();
    int icmpOff = ipOff + Ipv4Header.headerLength(b, ipOff);
    int icmpLen = Ipv4Header.totalLength(b, ipOff) - Ipv4Header.headerLength(b, ipOff);
    IcmpMessage message;
    try {
      message = IcmpMessage.decode(b, icmpOff, icmpLen);
    } catch (IllegalArgumentException e) {
      drop(dev, frame, Drop.of(DropReason.MALFORMED, e.getMessage()));
      return;
    }
    if (!message.checksumValid()) {
      drop(dev, frame, Drop.of(DropReason.MALFORMED, "bad ICMP checksum"));
      return;
    }
    int src = Ipv4Header.src(b, ipOff);
    int dst = Ipv4Header.dst(b, ipOff);
    int type = message.type();
    if (type == IcmpMessage.DEST_UNREACHABLE || type == IcmpMessage.TIME_EXCEEDED) {
      byte[] quoted = message.payload();
      if (type == IcmpMessage.DEST_UNREACHABLE
          && message.code() == IcmpMessage.FRAGMENTATION_NEEDED
          && quotesHeaderAnd8(quoted)
          && ns.isLocalAddress(Ipv4Header.src(quoted, 0))) {
        learnPathMtu(Ipv4Header.dst(quoted, 0), message.rest() & 0xFFFF);
      }
      if (isErrorForKernelModule(quoted)) {
        // The module's own error handler takes it, as ipip_err and vxlan_err_lookup do: nothing
        // more than the path MTU above to learn, and no socket to tell.
        hop(
            dev,
            HopAction.DELIVER,
            frame,
            "icmp error for "
                + IpProtocol.name(Ipv4Header.protocol(quoted, 0))
                + ": "
                + icmpText(type, message.code(), message.rest() & 0xFFFF));
        return;
      }
    }
    if (message.type() == IcmpMessage.ECHO_REQUEST) {
      hop(dev, HopAction.DELIVER, frame, "icmp echo request");
      IcmpMessage reply =
          IcmpMessage.echoReply(message.rest() >>> 16, message.rest() & 0xFFFF, message.payload());
      sendIcmp(ns.isLocalAddress(dst) ? dst : 0, src, reply, frame);
      return;
    }
    ns.sockets().icmpInput(dev, frame, message);
  }

  /**
   * Whether an ICMP error quoting {@code q} is about a packet a kernel module here sent: one of a
   * protocol bound with a handler ({@code ipip_err}), or a datagram to a UDP port bound here that
   * no probe socket sent (a VXLAN or Geneve device, whose peers listen on the port they send to:
   * {@code __udp4_lib_err_encap}).
   */
  private boolean isErrorForKernelModule(byte[] q) {
    if (!quotesHeaderAnd8(q)) {
      return false;
    }
    int protocol = Ipv4Header.protocol(q, 0);
    int hl = Ipv4Header.headerLength(q, 0);
    return protocolHandlers.containsKey(protocol)
        || protocol == IpProtocol.UDP
            && udpHandlers.containsKey(UdpHeader.dstPort(q, hl))
            && !ns.hasUdpProbe(UdpHeader.srcPort(q, hl));
  }

  /**
   * Whether an ICMP error's quote holds the IPv4 header and the 8 bytes after it, which the kernel
   * needs before it tells a protocol ({@code icmp_socket_deliver}).
   */
  static boolean quotesHeaderAnd8(byte[] quoted) {
    return quoted.length >= Ipv4Header.MIN_LENGTH
        && Ipv4Header.version(quoted, 0) == 4
        && quoted.length >= Ipv4Header.headerLength(quoted, 0) + 8;
  }

  /**
   * Answers a packet with an ICMP error, unless RFC 1122 forbids it: never for an ICMP error, a
   * broadcast, a non-first fragment or an unspecified source.
   */
  void icmpError(@Nullable Device in, Frame original, int type, int code, int mtu) {
    byte[] b = original.buffer();
    int off = original.l3Offset();
    int src = Ipv4Header.src(b, off);
    int dst = Ipv4Header.dst(b, off);
    if (src == 0 || ns.isBroadcast(dst) || Ipv4Header.fragmentOffset(b, off) != 0) {
      return;
    }
    int hl = Ipv4Header.headerLength(b, off);
    if (Ipv4Header.protocol(b, off) == IpProtocol.ICMP) {
      int t = IcmpMessage.type(b, off + hl);
      if (t != IcmpMessage.ECHO_REQUEST && t != IcmpMessage.ECHO_REPLY) {
        return;
      }
    }
    int quoted =
        Math.min(
            Ipv4Header.totalLength(b, off),
            ICMP_ERROR_MAX - Ipv4Header.MIN_LENGTH - IcmpMessage.HEADER_LENGTH);
    byte[] original8 = Arrays.copyOfRange(b, off, off + quoted);
    IcmpMessage message =
        switch (type) {
          case IcmpMessage.TIME_EXCEEDED -> IcmpMessage.timeExceeded(original8);
          default ->
              code == IcmpMessage.FRAGMENTATION_NEEDED
                  ? IcmpMessage.fragmentationNeeded(mtu, original8)
                  : IcmpMessage.destinationUnreachable(code, original8);
        };
    hop(in, HopAction.ICMP, original, icmpText(type, code, mtu));
    // icmp_send answers a packet addressed to this namespace from that address, others from the
    // address the route back picks.
    sendIcmp(ns.isLocalAddress(dst) ? dst : 0, src, message, original);
  }

  /**
   * Sends an ICMP message this namespace generates in answer to {@code cause} (source 0 means "pick
   * one").
   */
  private void sendIcmp(int source, int dst, IcmpMessage message, Frame cause) {
    localOutputCausedBy(
        source,
        dst,
        s ->
            Frames.icmpError(
                MacAddress.ZERO,
                MacAddress.ZERO,
                Ipv4Address.of(s),
                Ipv4Address.of(dst),
                DEFAULT_TTL,
                nextIpId(),
                message),
        cause);
  }

  private static String icmpText(int type, int code, int mtu) {
    if (type == IcmpMessage.TIME_EXCEEDED) {
      return "time exceeded in-transit";
    }
    return switch (code) {
      case IcmpMessage.NET_UNREACHABLE -> "net unreachable";
      case IcmpMessage.HOST_UNREACHABLE -> "host unreachable";
      case IcmpMessage.PROTOCOL_UNREACHABLE -> "protocol unreachable";
      case IcmpMessage.PORT_UNREACHABLE -> "port unreachable";
      case IcmpMessage.FRAGMENTATION_NEEDED -> "need to frag (mtu " + mtu + ")";
      default -> "unreachable code " + code;
    };
  }

  // ---------------------------------------------------------------- ARP

  private void arpInput(Device dev, Frame frame) {
    ArpPacket arp;
    try {
      arp = ArpPacket.decode(frame.buffer(), frame.l3Offset(), frame.l3Length());
    } catch (IllegalArgumentException e) {
      drop(dev, frame, Drop.of(DropReason.MALFORMED, e.getMessage()));
      return;
    }
    int senderIp = arp.senderIp().toInt();
    int targetIp = arp.targetIp().toInt();
    if (arp.op() == ArpPacket.OP_REPLY) {
      ns.neighbours().arpReply(dev, senderIp, arp.senderMac(), frame);
      return;
    }
    if (arp.op() != ArpPacket.OP_REQUEST) {
      drop(dev, frame, Drop.of(DropReason.MALFORMED, "ARP op " + arp.op()));
      return;
    }
    boolean mine = ns.isLocalAddress(targetIp);
    boolean proxy = false;
    if (!mine && dev.proxyArp()) {
      Route route = ns.routes().lookup(targetIp);
      proxy =
          route != null
              && route.type() == Route.Type.UNICAST
              && route.device() != dev
              && targetIp != senderIp;
    }
    if (senderIp != 0) {
      ns.neighbours().arpRequestSeen(dev, senderIp, arp.senderMac(), mine || proxy);
    }
    if (!mine && !proxy) {
      hop(dev, HopAction.DROP, frame, "arp: not for us");
      return;
    }
    byte[] reply = Frames.arpReply(dev.mac(), arp.targetIp(), arp.senderMac(), arp.senderIp());
    Frame out = Frame.of(ns.host().network().nextPacketId(), reply, frame.walk());
    hop(
        dev,
        HopAction.ARP,
        out,
        "reply " + arp.targetIp() + " is-at " + dev.mac() + (proxy ? " (proxy)" : ""));
    transmit(dev, out);
  }
}
