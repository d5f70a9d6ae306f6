package io.podnet.core.net;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.packet.IcmpMessage;
import io.podnet.core.trace.Trace;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * A network namespace: its own devices, addresses, main routing table, neighbour table, netfilter
 * hook points and sockets, like a pod's sandbox or a node's host namespace. Interface indexes are
 * allocated per namespace as the kernel does: the next index after the last one given, and a device
 * moved in keeps its index when it is free.
 *
 * <p>Every mutator validates first and changes nothing when it throws. The probe methods ({@link
 * #ping}, {@link #sendUdp}, {@link #connectTcp}) run the simulation until the probe ends and return
 * what happened, with the hop-by-hop walk:
 *
 * <pre>{@code
 * ProbeResult r = podA.ping(Ipv4Address.parse("10.244.2.2"));
 * r.message(); // "64 bytes from 10.244.2.2: icmp_seq=1 ttl=62 time=0.262 ms"
 * }</pre>
 */
public final class NetNamespace {

  private static final long DEFAULT_PROBE_TIMEOUT = SimTime.SECOND;

  /** The start of the error a DF packet above the path MTU gets ({@code EMSGSIZE}). */
  static final String MESSAGE_TOO_LONG = "Message too long";

  private final Host host;
  private final String name;
  private final String label;

  /** The devices by name, in the order they came; {@link #devices()} sorts them by ifindex. */
  private final Map<String, Device> byName = new LinkedHashMap<>(SMALL_MAP * 2);

  /**
   * The expected size of the per-namespace maps that usually hold a few entries at most: a cluster
   * at the Kubernetes thresholds has a namespace per pod, 150,000 of them.
   */
  static final int SMALL_MAP = 2;

  private static final Comparator<Device> BY_IFINDEX = Comparator.comparingInt(Device::ifindex);

  private final Map<NetNamespace, Integer> peerIds = new LinkedHashMap<>(SMALL_MAP);
  private final Int2IntOpenHashMap localAddresses = new Int2IntOpenHashMap(SMALL_MAP);
  private final Int2IntOpenHashMap broadcastAddresses = new Int2IntOpenHashMap(SMALL_MAP);
  private final RoutingTable routes = new RoutingTable();
  private final Loopback loopback;
  private final IpStack stack;
  private final Neighbours neighbours;

  /** Made on first use: most pods' namespaces never open a socket or get a segment. */
  private @Nullable Sockets sockets;

  private int lastIfindex;

  /** The highest ifindex a device here ever had: a higher one is free without a look. */
  private int highestIfindex;

  private boolean ipForward;
  private boolean bridgeNfCallIptables;
  private boolean deleted;

  /** A shared route's trace line after its time and before the route, encoded once made. */
  private byte @Nullable [] routeAddHead;

  NetNamespace(Host host, String name, boolean root) {
    this.host = host;
    this.name = name;
    this.label = root ? host.name() : host.name() + "/" + name;
    this.stack = new IpStack(this);
    this.neighbours = new Neighbours(this);
    this.loopback = new Loopback();
    register(loopback);
  }

  /** The host this namespace belongs to. */
  public Host host() {
    return host;
  }

  /** The namespace name ({@code host} for a host's root namespace). */
  public String name() {
    return name;
  }

  /**
   * How traces name this namespace: {@code node-1} for a root namespace, else {@code node-1/web-1}.
   */
  public String label() {
    return label;
  }

  /** The loopback device. */
  public Loopback loopback() {
    return loopback;
  }

  /** Whether this namespace forwards packets ({@code net.ipv4.ip_forward}). */
  public boolean ipForward() {
    return ipForward;
  }

  /** Sets {@code net.ipv4.ip_forward}. */
  public void setIpForward(boolean enabled) {
    this.ipForward = enabled;
  }

  /**
   * Whether IPv4 frames bridged between ports pass the netfilter hooks ({@code
   * net.bridge.bridge-nf-call-iptables}, which kube-proxy needs so that replies from a Service's
   * pod to a client on the same bridge are un-NATed).
   */
  public boolean bridgeNfCallIptables() {
    return bridgeNfCallIptables;
  }

  /** Sets {@code net.bridge.bridge-nf-call-iptables}. */
  public void setBridgeNfCallIptables(boolean enabled) {
    this.bridgeNfCallIptables = enabled;
  }

  /**
   * The main routing table (read-only; change it with {@link #addRoute} and {@link #removeRoute}).
   */
  public RoutingTable routes() {
    return routes;
  }

  // ---------------------------------------------------------------- devices

  /** Every device, by ifindex. */
  public List<Device> devices() {
    List<Device> out = new ArrayList<>(byName.values());
    out.sort(BY_IFINDEX);
    return out;
  }

  /** The device with this name; {@link IllegalArgumentException} if there is none. */
  public Device device(String deviceName) {
    Device d = byName.get(deviceName);
    if (d == null) {
      throw new IllegalArgumentException(
          "device \""
              + deviceName
              + "\" does not exist in "
              + label
              + " (has "
              + byName.keySet()
              + ")");
    }
    return d;
  }

  /** The device with this name, if any. */
  public Optional<Device> findDevice(String deviceName) {
    return Optional.ofNullable(byName.get(deviceName));
  }

  /** The device with this ifindex, if any. */
  public Optional<Device> deviceByIndex(int ifindex) {
    for (Device d : byName.values()) {
      if (d.ifindex() == ifindex) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /**
   * Creates a veth pair in this namespace ({@code ip link add NAME type veth peer name PEER}) and
   * returns the {@code name} end. Like the kernel, the peer is registered first, so it gets the
   * lower ifindex.
   */
  public Veth addVethPair(String vethName, String peerName) {
    return addVethPair(vethName, peerName, 1500);
  }

  /** Like {@link #addVethPair(String, String)} with an MTU for both ends. */
  public Veth addVethPair(String vethName, String peerName, int mtu) {
    checkAlive();
    if (vethName.equals(peerName)) {
      throw new IllegalArgumentException("veth ends need distinct names: " + vethName);
    }
    checkFree(vethName);
    checkFree(peerName);
    Network net = host.network();
    Veth veth = new Veth(vethName, net.newMac(), mtu);
    Veth peer = new Veth(peerName, net.newMac(), mtu);
    Veth.join(veth, peer);
    register(peer);
    register(veth);
    return veth;
  }

  /** Creates a Linux bridge ({@code ip link add NAME type bridge}). */
  public Bridge addBridge(String bridgeName) {
    checkAlive();
    checkFree(bridgeName);
    Bridge bridge = new Bridge(bridgeName, host.network().newMac());
    register(bridge);
    return bridge;
  }

  /** Creates a physical NIC, to be joined to another by {@link Network#connect}. */
  public Nic addNic(String nicName) {
    checkAlive();
    checkFree(nicName);
    Nic nic = new Nic(nicName, host.network().newMac(), 1500);
    register(nic);
    return nic;
  }

  /** Registers a device built by another module (an overlay device, for instance). */
  public <D extends Device> D addDevice(D device) {
    checkAlive();
    checkFree(device.name());
    if (device.ifindex() != 0) {
      throw new IllegalArgumentException("device " + device + " is already registered");
    }
    register(device);
    return device;
  }

  /**
   * Moves a device into another namespace ({@code ip link set DEV netns NS}), optionally renaming
   * it. As in the kernel it goes down and loses its addresses and routes; it keeps its ifindex when
   * that is free there.
   */
  public void moveDevice(Device device, NetNamespace target, String newName) {
    checkOwn(device);
    target.checkAlive();
    if (device == loopback) {
      throw new IllegalArgumentException("cannot move lo out of " + label);
    }
    if (device instanceof Bridge b && b.portCount() > 0) {
      throw new IllegalStateException("bridge " + device + " still has ports");
    }
    Device.checkName(newName);
    if (target.byName.containsKey(newName) && !(target == this && newName.equals(device.name()))) {
      throw new IllegalArgumentException(
          "device \"" + newName + "\" already exists in " + target.label);
    }
    unregister(device);
    device.rename(newName);
    int index =
        target.deviceByIndex(device.ifindex()).isPresent()
            ? target.nextIfindex()
            : device.ifindex();
    target.attach(device, index);
    if (device instanceof Veth veth) {
      NetNamespace peerNs = veth.peer().namespace();
      if (peerNs != target) {
        target.peerId(peerNs);
        peerNs.peerId(target);
      }
    }
  }

  /** Deletes a device ({@code ip link del}); deleting a veth end deletes its peer too. */
  public void deleteDevice(Device device) {
    checkOwn(device);
    if (device == loopback) {
      throw new IllegalArgumentException("cannot delete lo");
    }
    if (device instanceof Veth veth) {
      Veth peer = veth.peer();
      unregister(device);
      peer.namespace().unregister(peer);
      veth.unjoin();
      peer.unjoin();
      return;
    }
    if (device instanceof Bridge bridge) {
      for (Device port : bridge.ports()) {
        port.setMaster(null);
      }
    }
    unregister(device);
  }

  /** The id this namespace gives another one ({@code link-netnsid}), allocated on first use. */
  public int peerId(NetNamespace other) {
    return peerIds.computeIfAbsent(other, o -> peerIds.size());
  }

  // ---------------------------------------------------------------- state

  void setUp(Device device, boolean up) {
    checkOwn(device);
    if (device.isUp() == up) {
      return;
    }
    device.setAdminUp(up);
    event("link", device.name() + (up ? " up" : " down"));
    if (up) {
      if (device == loopback && device.addresses().isEmpty()) {
        addAddress(loopback, IfAddress.parse("127.0.0.1/8"));
      }
      for (IfAddress a : device.addresses()) {
        addConnectedRoute(device, a);
      }
    } else {
      flushRoutes(device);
      neighbours.flushDevice(device);
    }
  }

  /**
   * Adds an address to a device ({@code ip addr add}). When the device is up, the kernel's
   * connected route {@code <subnet> dev X proto kernel scope link src <addr>} appears with it.
   */
  public void addAddress(Device device, IfAddress address) {
    checkOwn(device);
    if (device.addresses().contains(address)) {
      throw new IllegalArgumentException("address " + address + " already on " + device);
    }
    device.mutableAddresses().add(address);
    localAddresses.addTo(address.address().toInt(), 1);
    if (address.prefixLength() < 31) {
      broadcastAddresses.addTo(address.broadcast().toInt(), 1);
    }
    event("addr", "add " + address + " dev " + device.name());
    if (device.isUp()) {
      addConnectedRoute(device, address);
    }
  }

  /** Removes an address and its connected route ({@code ip addr del}). */
  public void removeAddress(Device device, IfAddress address) {
    checkOwn(device);
    if (!device.mutableAddresses().remove(address)) {
      throw new IllegalArgumentException("address " + address + " is not on " + device);
    }
    release(address);
    routes.removeIf(
        r ->
            r.device() == device
                && "kernel".equals(r.protocol())
                && address.address().equals(r.source()));
    event("addr", "del " + address + " dev " + device.name());
  }

  private void release(IfAddress address) {
    decrement(localAddresses, address.address().toInt());
    if (address.prefixLength() < 31) {
      decrement(broadcastAddresses, address.broadcast().toInt());
    }
  }

  private static void decrement(Int2IntOpenHashMap counts, int key) {
    if (counts.addTo(key, -1) <= 1) {
      counts.remove(key);
    }
  }

  private void addConnectedRoute(Device device, IfAddress a) {
    if (device == loopback || a.address().toInt() >>> 24 == 127 || a.prefixLength() == 32) {
      return;
    }
    Route connected =
        Route.to(a.subnet())
            .dev(device)
            .proto("kernel")
            .scope(Route.Scope.LINK)
            .src(a.address())
            .build();
    // A second address in a subnet (a secondary) or a user route to the same prefix already
    // covers it: the kernel appends its prefix route, PodNet keeps the one it has.
    if (!routes.hasRoute(connected.destination(), connected.metric())) {
      routes.add(connected);
      routeEvent("add ", connected);
    }
  }

  /**
   * Adds a route ({@code ip route add}). The device must be in this namespace, and a gateway must
   * be on a connected subnet of it unless the route is {@code onlink}, as the kernel requires.
   */
  public void addRoute(Route route) {
    checkAlive();
    Device dev = route.device();
    if (dev != null) {
      if (dev.namespace() != this || byName.get(dev.name()) != dev) {
        throw new IllegalArgumentException(
            "route " + route + ": device " + dev.name() + " is not in " + label);
      }
      Ipv4Address gw = route.gateway();
      if (gw != null && !route.onlink() && !onConnectedSubnet(dev, gw)) {
        throw new IllegalArgumentException(
            "route "
                + route
                + ": gateway "
                + gw
                + " is not on a connected subnet of "
                + dev.name()
                + " (Nexthop has invalid gateway)");
      }
    }
    routes.add(route);
    routeEvent("add ", route);
  }

  /**
   * Adds {@code <destination> via <gateway> dev <dev> [onlink] proto <protocol>}, exactly as {@link
   * #addRoute} adds that route, without building it when the namespace {@linkplain #poolRoutes
   * pools} routes through {@code dev}: a BGP speaker of a large cluster adds one per other node.
   */
  public void addGatewayRoute(
      Cidr destination, Ipv4Address gateway, Device dev, boolean onlink, String protocol) {
    Route.checkProtocol(protocol);
    checkAlive();
    Network net = host.network();
    Trace trace = net.trace();
    if (trace.hasSinks()
        || dev.namespace() != this
        || (!onlink && !onConnectedSubnet(dev, gateway))) {
      addRoute(Route.viaGateway(destination, gateway, dev, onlink, protocol));
      return;
    }
    SharedRoutes.Entry held = routes.addGatewayRoute(destination, gateway, dev, onlink, protocol);
    long now = net.simulation().now();
    if (held != null) {
      byte[] head = routeAddHead;
      if (head == null) {
        head =
            KernelEvent.append(new StringBuilder(48), "route", label)
                .append("add ")
                .toString()
                .getBytes(StandardCharsets.UTF_8);
        routeAddHead = head;
      }
      trace.beginLine(now);
      trace.appendEncoded(head);
      trace.appendEncoded(held.textBytes(dev));
      trace.endLine();
      return;
    }
    StringBuilder out = trace.scratch(now);
    Route.appendGatewayRoute(
        KernelEvent.append(out, "route", label).append("add "),
        destination,
        gateway,
        dev,
        onlink,
        protocol);
    trace.recordScratch();
  }

  /**
   * Holds every route of {@code set} through {@code dev} (in this namespace) except those to the
   * {@code excluded} prefixes, as if each were added with {@link #addRoute}; removing one hides it
   * here only. One set a namespace. {@link IllegalArgumentException} if a route of the set clashes
   * with one of the namespace's own.
   */
  public void attachRoutes(SharedRoutes set, Device dev, Cidr... excluded) {
    checkOwn(dev);
    routes.attach(set, dev, List.of(excluded));
    event("route", "add " + set.size() + " shared routes dev " + dev.name());
  }

  /**
   * Keeps the routes later added through {@code dev} (in this namespace) that many namespaces hold
   * alike in {@code set}, once for all of them: {@code <prefix> via <gateway> dev <dev> [onlink]
   * proto <protocol>}, metric 0, and no other route to the prefix in the set. The namespace shows,
   * matches and removes them exactly as if it held copies; nothing else changes, so this records no
   * event. One set a namespace; {@link IllegalStateException} if it holds one, or the set's owner
   * put routes in it.
   */
  public void poolRoutes(SharedRoutes set, Device dev) {
    checkOwn(dev);
    routes.pool(set, dev);
  }

  /**
   * Holds every entry of {@code set} as a permanent neighbour on {@code dev} (in this namespace)
   * except the {@code excluded} addresses, as if each were added with {@link #addNeighbour}; an
   * entry added here for the same address takes its place. One set a device; the device's entries
   * go, the set's with them, when it goes down.
   */
  public void attachNeighbours(SharedNeighbours set, Device dev, Ipv4Address... excluded) {
    checkOwn(dev);
    neighbours.attach(set, dev, List.of(excluded));
    event("neigh", "add " + set.size() + " shared entries dev " + dev.name());
  }

  /** Removes a route ({@code ip route del}); {@link IllegalArgumentException} if absent. */
  public void removeRoute(Route route) {
    if (!routes.remove(route)) {
      throw new IllegalArgumentException("no such route in " + label + ": " + route);
    }
    routeEvent("del ", route);
  }

  private boolean onConnectedSubnet(Device dev, Ipv4Address gw) {
    for (IfAddress a : dev.addresses()) {
      if (a.subnetContains(gw.toInt())) {
        return true;
      }
    }
    for (Route r : routes.routes()) {
      if (r.device() == dev && r.gateway() == null && r.destination().contains(gw)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Adds a permanent neighbour entry ({@code ip neigh replace IP lladdr MAC dev X nud permanent}).
   */
  public void addNeighbour(Device device, Ipv4Address address, MacAddress mac) {
    checkOwn(device);
    neighbours.addPermanent(device, address, mac);
  }

  /** The neighbour table, in creation order. */
  public List<NeighbourEntry> neighbourEntries() {
    return neighbours.snapshot();
  }

  /** The neighbour entry for {@code address} on {@code device} ({@code ip neigh get}), or null. */
  public @Nullable NeighbourEntry neighbour(Device device, Ipv4Address address) {
    return neighbours.entry(device, address.toInt());
  }

  /**
   * The state of the neighbour entry for {@code address} on {@code device}, or null when there is
   * none: what {@link #neighbour} shows, read without making a snapshot (for walks that ask often).
   */
  public @Nullable NeighbourState neighbourState(Device device, Ipv4Address address) {
    return neighbours.state(device, address.toInt());
  }

  /**
   * The MAC of the neighbour entry for {@code address} on {@code device}, or null when there is no
   * entry or it holds none yet: what {@link #neighbour} shows, read without making a snapshot.
   */
  public @Nullable MacAddress neighbourMac(Device device, Ipv4Address address) {
    return neighbours.mac(device, address.toInt());
  }

  /**
   * Binds a UDP port to a kernel module (a VXLAN or Geneve device's socket): datagrams to that port
   * go to {@code handler} instead of the socket layer, and ICMP errors about datagrams this
   * namespace sent to that port are taken by the stack (after learning a path MTU from them) rather
   * than told to a socket. {@link IllegalStateException} if taken.
   */
  public void bindUdp(int port, PacketHandler handler) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be in [1, 65535]: " + port);
    }
    stack.bindUdp(port, handler);
  }

  /** Releases a UDP port bound with {@link #bindUdp}. */
  public void unbindUdp(int port) {
    stack.unbindUdp(port);
  }

  /**
   * Binds an IP protocol (4 for IPIP) to a kernel module, like a tunnel's protocol handler; ICMP
   * errors about packets of that protocol are then taken by the stack (after learning a path MTU
   * from them) rather than told to a socket.
   */
  public void bindProtocol(int protocol, PacketHandler handler) {
    if (protocol < 0 || protocol > 255) {
      throw new IllegalArgumentException("IP protocol must be in [0, 255]: " + protocol);
    }
    stack.bindProtocol(protocol, handler);
  }

  /** Releases an IP protocol bound with {@link #bindProtocol}. */
  public void unbindProtocol(int protocol) {
    stack.unbindProtocol(protocol);
  }

  /**
   * Sends a packet generated in this namespace, such as an encapsulated frame: routes it by {@code
   * dst}, picks the source address when {@code source} is 0, asks {@code builder} for the complete
   * Ethernet frame in a new array, which the stack takes over (MACs are filled in by the neighbour
   * layer), runs OUTPUT and POSTROUTING and sends it. Returns null when it left, or the errno text
   * a socket would see ({@code Network is unreachable}; {@link #MESSAGE_TOO_LONG} and the MTU for a
   * DF packet above the path MTU, which the stack has then recorded as dropped).
   */
  public @Nullable String sendPacket(
      int source, int dst, IntFunction<byte[]> builder, @Nullable Walk walk) {
    return stack.localOutput(source, dst, builder::apply, walk);
  }

  /**
   * Like {@link #sendPacket} for a tunnel's outer packet, which carries {@code inner}: it goes on
   * with that packet's walk and the processing time it has taken.
   */
  public @Nullable String sendEncapsulated(
      int source, int dst, IntFunction<byte[]> builder, Frame inner) {
    return stack.localOutputCausedBy(source, dst, builder::apply, inner);
  }

  /** Registers a netfilter-style hook; lower priorities run first (raw -300, nat 100, ...). */
  public void addHook(HookPoint point, int priority, PacketHook hook) {
    stack.addHook(point, priority, hook);
  }

  /** The hooks registered at {@code point}, in the order they run (a snapshot). */
  public List<PacketHook> hooks(HookPoint point) {
    return stack.hooks(point);
  }

  /**
   * Records a hop of {@code frame} in this namespace (the trace and the frame's walk), for hooks
   * that want their decisions to show up in packet walks (a matched netfilter rule, a NAT rewrite).
   */
  public void traceHop(@Nullable Device device, HopAction action, Frame frame, String detail) {
    stack.hop(device, action, frame, detail);
  }

  /**
   * Answers {@code original} with an ICMP error of {@code type} and {@code code} (destination
   * unreachable codes, time exceeded) sent from this namespace to the packet's source, as the
   * kernel's {@code icmp_send} does for netfilter's REJECT; nothing is sent where RFC 1122 forbids
   * it (an ICMP error about an ICMP error, a broadcast, a non-first fragment).
   */
  public void sendIcmpError(@Nullable Device in, Frame original, int type, int code) {
    stack.icmpError(in, original, type, code, 0);
  }

  /**
   * Answers {@code original} with "fragmentation needed" reporting {@code mtu}, as a tunnel's
   * {@code icmp_ndo_send} does for a DF packet it cannot carry within the path MTU; the same RFC
   * 1122 exceptions as {@link #sendIcmpError}.
   */
  public void sendFragmentationNeeded(@Nullable Device in, Frame original, int mtu) {
    stack.icmpError(
        in, original, IcmpMessage.DEST_UNREACHABLE, IcmpMessage.FRAGMENTATION_NEEDED, mtu);
  }

  /**
   * The MTU of the path this namespace sends to {@code dst} by: its route's, or a smaller one
   * learned from a "fragmentation needed" error (the kernel's {@code dst_mtu} of the route with its
   * exception); 0 when no unicast route leads to {@code dst}.
   */
  public int pathMtu(int dst) {
    return stack.pathMtu(dst);
  }

  // ---------------------------------------------------------------- sockets

  /** Pings {@code dst} once with iputils' defaults and runs the simulation until it ends. */
  public ProbeResult ping(Ipv4Address dst) {
    return ping(dst, PingOptions.DEFAULT);
  }

  /** Pings {@code dst} once and runs the simulation until the answer or the timeout. */
  public ProbeResult ping(Ipv4Address dst, PingOptions options) {
    return await(sockets().ping(dst, options, r -> {}));
  }

  /** Starts a ping and returns at once; {@code done} gets the result when the probe ends. */
  public void startPing(Ipv4Address dst, PingOptions options, Consumer<ProbeResult> done) {
    sockets().ping(dst, options, done);
  }

  /**
   * Sends one UDP datagram and runs the simulation until a listener gets it or an error returns.
   */
  public ProbeResult sendUdp(Ipv4Address dst, int port, byte[] payload) {
    return sendUdp(dst, port, payload, DEFAULT_PROBE_TIMEOUT);
  }

  /** Like {@link #sendUdp(Ipv4Address, int, byte[])} with a timeout in nanoseconds. */
  public ProbeResult sendUdp(Ipv4Address dst, int port, byte[] payload, long timeoutNanos) {
    if (timeoutNanos <= 0) {
      throw new IllegalArgumentException("timeout must be > 0 ns: " + timeoutNanos);
    }
    return await(sockets().sendUdp(dst, port, payload, timeoutNanos, r -> {}));
  }

  /**
   * Connects to {@code dst:port} as {@code nc -z} does and runs the simulation until the connection
   * is set up (SYN, SYN-ACK, ACK) or fails. Like nc, it closes the connection at once: its FIN
   * leaves with the ACK, and the rest of the close (the peer's FIN, the last ACK) happens after
   * this returns; the local port stays taken through TIME_WAIT (60 s from the peer's FIN), with
   * timer events on both ends, so running the simulation until idle afterwards moves the clock
   * about a minute on.
   */
  public ProbeResult connectTcp(Ipv4Address dst, int port) {
    return await(sockets().connectTcp(dst, port, DEFAULT_PROBE_TIMEOUT, r -> {}));
  }

  /** Opens a UDP socket that accepts datagrams on {@code port}. */
  public void listenUdp(int port) {
    sockets().listenUdp(port);
  }

  /** Closes the UDP socket listening on {@code port}, if any. */
  public void closeUdp(int port) {
    sockets().closeUdp(port);
  }

  /** Opens a TCP socket that accepts connections on {@code port}. */
  public void listenTcp(int port) {
    sockets().listenTcp(port);
  }

  /**
   * Accepts TCP byte streams on {@code port}: every accepted {@link TcpStream} reports to {@code
   * listener} (which may hand it on with {@link TcpStream#setListener}). {@link
   * IllegalStateException} if the port is already listening.
   */
  public void listenStream(int port, StreamListener listener) {
    sockets().listenStream(port, listener);
  }

  /** Stops accepting streams on {@code port}; streams already accepted stay open. */
  public void closeStreamListener(int port) {
    sockets().closeStreamListener(port);
  }

  /**
   * Opens a TCP byte stream to {@code dst}:{@code port} and returns at once with the SYN sent;
   * {@code listener} hears {@code connected} after the handshake, or {@code closed} with {@code
   * Connection refused} (a reset) or the errno text when the SYN could not leave ({@code Network is
   * unreachable}, or {@code No route to host} for a frontend without backends on a host with a
   * {@link SocketLoadBalancer}, whose backend is otherwise the stream's remote end). Nothing is
   * retransmitted: a lost SYN leaves the stream waiting until closed.
   */
  public TcpStream openStream(Ipv4Address dst, int port, StreamListener listener) {
    checkAlive();
    return sockets().openStream(dst, port, listener);
  }

  /** Number of TCP streams in any state here, including closing ones. */
  public int streamCount() {
    return sockets == null ? 0 : sockets.streamCount();
  }

  /** Datagrams received on a listening UDP port so far. */
  public int udpReceived(int port) {
    return sockets == null ? 0 : sockets.udpReceived(port);
  }

  /** Connections accepted on a listening TCP port so far. */
  public int tcpAccepted(int port) {
    return sockets == null ? 0 : sockets.tcpAccepted(port);
  }

  private ProbeResult await(Sockets.Probe probe) {
    Simulation sim = host.network().simulation();
    while (!probe.isDone() && sim.step()) {
      // each step may complete the probe
    }
    ProbeResult result = probe.result;
    if (result == null) {
      throw new IllegalStateException("probe to " + probe.target + " never ended");
    }
    return result;
  }

  // ---------------------------------------------------------------- addresses

  /** Whether {@code address} is assigned to a device here. */
  public boolean isLocalAddress(int address) {
    return localAddresses.containsKey(address) || (address >>> 24 == 127 && loopback.isUp());
  }

  boolean isBroadcast(int address) {
    return address == -1 || broadcastAddresses.containsKey(address);
  }

  /** Whether a packet to {@code address} is delivered here (own, broadcast, loopback). */
  boolean isLocalDestination(int address) {
    return isLocalAddress(address) || isBroadcast(address);
  }

  /**
   * The source address the kernel picks for a packet to {@code dst} by {@code route}: the route's
   * {@code src}, else an address of the output device (one on the next hop's subnet first), else
   * any global address here; 0 when there is none.
   */
  public int sourceAddress(Route route, int dst) {
    return selectSource(route, dst);
  }

  /**
   * The source address the kernel picks for a route: its {@code src}, else an address of the output
   * device (one on the destination's subnet first), else any global address here.
   */
  int selectSource(Route route, int dst) {
    Ipv4Address src = route.source();
    if (src != null) {
      return src.toInt();
    }
    Ipv4Address gw = route.gateway();
    return primaryAddress(route.device(), gw != null ? gw.toInt() : dst);
  }

  /**
   * The source address the kernel picks for a packet to {@code peer} out of {@code dev} ({@code
   * inet_select_addr}), which MASQUERADE uses too: an address of {@code dev} (one on the peer's
   * subnet first); for a device without one (a calico or cilium host veth), the first global
   * address of the device here with the lowest ifindex that has one; 0 when there is none.
   */
  public int primaryAddress(Device dev, int peer) {
    List<IfAddress> addresses = dev.addresses();
    for (IfAddress a : addresses) {
      if (a.subnet().contains(peer)) {
        return a.address().toInt();
      }
    }
    if (!addresses.isEmpty()) {
      return addresses.get(0).address().toInt();
    }
    // The first global address of the device with the lowest ifindex that has one.
    int found = 0;
    int foundIndex = Integer.MAX_VALUE;
    for (Device d : byName.values()) {
      if (d.ifindex() < foundIndex) {
        for (IfAddress a : d.addresses()) {
          if (a.address().toInt() >>> 24 != 127) {
            found = a.address().toInt();
            foundIndex = d.ifindex();
            break;
          }
        }
      }
    }
    return found;
  }

  // ---------------------------------------------------------------- internals

  IpStack stack() {
    return stack;
  }

  Neighbours neighbours() {
    return neighbours;
  }

  /** Whether a UDP probe of this namespace sends from {@code port}. */
  boolean hasUdpProbe(int port) {
    return sockets != null && sockets.hasUdpProbe(port);
  }

  Sockets sockets() {
    Sockets s = sockets;
    if (s == null) {
      s = new Sockets(this);
      sockets = s;
    }
    return s;
  }

  /** Whether the namespace has been deleted. */
  boolean isDeleted() {
    return deleted;
  }

  void markDeleted() {
    for (Device d : devices()) {
      if (d instanceof Veth veth) {
        deleteDevice(veth);
      }
    }
    deleted = true;
  }

  private void register(Device device) {
    attach(device, nextIfindex());
  }

  private void attach(Device device, int index) {
    device.attach(this, index);
    byName.put(device.name(), device);
    highestIfindex = Math.max(highestIfindex, index);
    event("link", "add " + index + ": " + device.name() + " type " + device.kind());
  }

  private void unregister(Device device) {
    if (device.isUp()) {
      setUp(device, false);
    }
    Bridge master = device.master();
    if (master != null) {
      master.forgetPort(device);
      device.setMaster(null);
    }
    for (IfAddress a : device.addresses()) {
      release(a);
    }
    device.mutableAddresses().clear();
    flushRoutes(device);
    neighbours.flushDevice(device);
    if (device instanceof Nic nic) {
      Link link = nic.link();
      if (link != null) {
        link.setUp(false);
        nic.unplug();
      }
    }
    byName.remove(device.name());
    event("link", "del " + device.ifindex() + ": " + device.name());
    device.detach();
  }

  /** Removes every route through {@code device}, as the kernel does when it goes down. */
  private void flushRoutes(Device device) {
    for (Route r : routes.routes()) {
      if (r.device() == device) {
        routes.remove(r);
        routeEvent("del ", r);
      }
    }
  }

  private int nextIfindex() {
    int candidate = lastIfindex;
    do {
      candidate = candidate == Integer.MAX_VALUE ? 1 : candidate + 1;
    } while (candidate <= highestIfindex && deviceByIndex(candidate).isPresent());
    lastIfindex = candidate;
    return candidate;
  }

  private void checkFree(String deviceName) {
    Device.checkName(deviceName);
    if (byName.containsKey(deviceName)) {
      throw new IllegalArgumentException(
          "device \"" + deviceName + "\" already exists in " + label);
    }
  }

  private void checkOwn(Device device) {
    checkAlive();
    if (byName.get(device.name()) != device) {
      throw new IllegalArgumentException("device " + device + " is not in " + label);
    }
  }

  private void checkAlive() {
    if (deleted) {
      throw new IllegalStateException("namespace " + label + " has been deleted");
    }
  }

  private void event(String kind, String detail) {
    Network net = host.network();
    net.trace().record(new KernelEvent(net.simulation().now(), kind, label, detail));
  }

  /**
   * Records {@code route <label> <verb><route>}; without sinks the line is formatted straight into
   * the trace's buffer, as nodes of a large cluster add a route per other node.
   */
  private void routeEvent(String verb, Route route) {
    Network net = host.network();
    Trace trace = net.trace();
    long now = net.simulation().now();
    if (trace.hasSinks()) {
      trace.record(new KernelEvent(now, "route", label, verb + route));
      return;
    }
    StringBuilder out = trace.scratch(now);
    KernelEvent.append(out, "route", label).append(verb);
    route.appendTo(out);
    trace.recordScratch();
  }

  @Override
  public String toString() {
    return label;
  }
}
