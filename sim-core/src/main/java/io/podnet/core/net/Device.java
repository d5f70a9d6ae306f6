package io.podnet.core.net;

import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.trace.PcapWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A network device in a namespace, as the kernel sees it: a name and ifindex, a MAC, an MTU, the
 * administrative state, an optional bridge master, and its IPv4 addresses. Subclasses decide what
 * transmitting a frame means (cross a veth, go down a link, enter a bridge); received frames go up
 * through {@link #receive(Frame)}.
 *
 * <p>Other modules add devices (VXLAN, IPIP, Geneve) by subclassing and overriding {@link
 * #transmit(Frame)}, {@link #kind()} and, where needed, {@link #details()}.
 */
public abstract class Device {

  /** The smallest MTU an IPv4 device accepts (RFC 791). */
  public static final int MIN_MTU = 68;

  /** The largest MTU PodNet accepts (the loopback default). */
  public static final int MAX_MTU = 65536;

  private String name;
  private MacAddress mac;
  private int mtu;
  private int ifindex;
  private @Nullable NetNamespace namespace;
  private boolean adminUp;
  private boolean qdiscAttached;
  private boolean proxyArp;
  private boolean promiscuous;
  private @Nullable Bridge master;
  private @Nullable TcProgram tcIngress;
  private final List<IfAddress> addresses = new ArrayList<>(0);
  private final List<PcapWriter> captures = new ArrayList<>(0);

  /**
   * When the last frame sent leaves: once its processing is over and after the frame sent before
   * it.
   */
  private long lastDeparture;

  private long rxPackets;
  private long txPackets;

  /** For subclasses: a device that is not yet registered in a namespace. */
  protected Device(String name, MacAddress mac, int mtu) {
    checkName(name);
    checkMtu(mtu);
    this.name = name;
    this.mac = mac;
    this.mtu = mtu;
  }

  /** The device name, as {@code ip link} prints it. */
  public final String name() {
    return name;
  }

  /** The interface index within its namespace. */
  public final int ifindex() {
    return ifindex;
  }

  /** The namespace holding this device. */
  public final NetNamespace namespace() {
    if (namespace == null) {
      throw new IllegalStateException("device " + name + " is not in a namespace");
    }
    return namespace;
  }

  /** The hardware address. */
  public final MacAddress mac() {
    return mac;
  }

  /**
   * Sets the hardware address ({@code ip link set dev X address MAC}); a bridge updates its local
   * entry for a port. {@link IllegalArgumentException} for a multicast address.
   */
  public final void setMac(MacAddress newMac) {
    if (newMac.isMulticast()) {
      throw new IllegalArgumentException(
          "a device address must be unicast (expected the I/G bit clear): " + newMac);
    }
    MacAddress old = mac;
    this.mac = newMac;
    Bridge bridge = master;
    if (bridge != null) {
      bridge.portMacChanged(this, old);
    }
  }

  /** The MTU in bytes (the largest IP packet the device sends). */
  public final int mtu() {
    return mtu;
  }

  /** Whether the device is administratively up ({@code ip link set dev X up}). */
  public final boolean isUp() {
    return adminUp;
  }

  /** Whether the lower layer is up: a link, a live veth peer, a bridge with a live port. */
  public abstract boolean hasCarrier();

  /** Whether the device is up and has carrier, so that frames pass. */
  public final boolean isOperational() {
    return adminUp && hasCarrier();
  }

  /** The bridge this device is a port of, if any. */
  public final @Nullable Bridge master() {
    return master;
  }

  /** Whether the device answers ARP for addresses routed elsewhere (proxy ARP). */
  public final boolean proxyArp() {
    return proxyArp;
  }

  /** Turns proxy ARP on or off ({@code net.ipv4.conf.<dev>.proxy_arp}). */
  public final void setProxyArp(boolean enabled) {
    this.proxyArp = enabled;
  }

  /** Whether promiscuous mode was set ({@code ip link set dev X promisc on}). */
  public final boolean promiscuous() {
    return promiscuous;
  }

  /**
   * Sets promiscuous mode. The model delivers frames for other hosts nowhere either way (IP drops
   * them as the kernel does); the mode shows in {@code ip link} as {@code PROMISC}.
   */
  public final void setPromiscuous(boolean on) {
    this.promiscuous = on;
  }

  /** The IPv4 addresses of the device, in the order they were added. */
  public final List<IfAddress> addresses() {
    return Collections.unmodifiableList(addresses);
  }

  /** Sets the MTU; {@link IllegalArgumentException} outside [68, 65535]. */
  public void setMtu(int newMtu) {
    checkMtu(newMtu);
    this.mtu = newMtu;
    Bridge bridge = master;
    if (bridge != null) {
      bridge.adjustMtu();
    }
  }

  /** Brings the device up ({@code ip link set dev X up}). */
  public final void up() {
    namespace().setUp(this, true);
  }

  /** Takes the device down; the kernel removes every route through it. */
  public final void down() {
    namespace().setUp(this, false);
  }

  /** Copies every frame this device sends or receives to a pcap writer, like tcpdump -i. */
  public final void capture(PcapWriter writer) {
    captures.add(writer);
  }

  /** Stops copying frames to {@code writer} (do this before closing it); false if not attached. */
  public final boolean stopCapture(PcapWriter writer) {
    return captures.remove(writer);
  }

  /** Packets received so far. */
  public final long rxPackets() {
    return rxPackets;
  }

  /** Packets transmitted so far. */
  public final long txPackets() {
    return txPackets;
  }

  /**
   * Attaches a program to the device's tc ingress hook, replacing any attached before ({@code tc
   * filter replace dev DEV ingress bpf da ...}).
   */
  public final void attachTcIngress(TcProgram program) {
    this.tcIngress = program;
  }

  /** Detaches the tc ingress program; false if there was none. */
  public final boolean detachTcIngress() {
    boolean had = tcIngress != null;
    tcIngress = null;
    return had;
  }

  /** The program on the tc ingress hook, or null. */
  public final @Nullable TcProgram tcIngress() {
    return tcIngress;
  }

  /** The kind iproute2 shows in {@code ip -d link} ({@code veth}, {@code bridge}, ...). */
  public abstract String kind();

  /**
   * The flags iproute2 shows before UP, such as {@code BROADCAST,MULTICAST} for Ethernet-like
   * devices or {@code LOOPBACK} for lo.
   */
  protected String baseFlags() {
    return "BROADCAST,MULTICAST";
  }

  /** The queueing discipline {@code ip link} shows. */
  protected String qdisc() {
    return "noqueue";
  }

  /** The operational state {@code ip link} shows for an up device with carrier. */
  protected String operState() {
    return "UP";
  }

  /** The transmit queue length {@code ip link} shows as {@code qlen}; 0 shows none. */
  protected int txQueueLength() {
    return 1000;
  }

  /** The {@code link/...} type shown on the second line of {@code ip link}. */
  protected String linkType() {
    return "ether";
  }

  /** Whether next hops on this device are resolved with ARP. */
  protected boolean usesArp() {
    return true;
  }

  /**
   * What {@code ip link} prints right after the name for the device's lower link: {@code @NONE} for
   * a tunnel bound to no device, like {@code tunl0@NONE}; empty by default. A veth's peer is
   * rendered by {@link Iproute2} itself.
   */
  protected String linkSuffix() {
    return "";
  }

  /**
   * The addresses after {@code link/<type>} on the second line of {@code ip link}: by default the
   * MAC and {@code brd ff:ff:ff:ff:ff:ff}; a tunnel prints its IPv4 endpoints instead.
   */
  protected String hardwareAddresses() {
    return mac + " brd " + MacAddress.BROADCAST;
  }

  /** The vCPUs of a simulated host, which size its NIC's and its veths' queues. */
  static final int HOST_CPUS = 2;

  /**
   * The transmit and receive queues {@code ip -d link} prints ({@code numtxqueues}, {@code
   * numrxqueues}): one for most software devices.
   */
  protected int queues() {
    return 1;
  }

  /**
   * The largest TSO packet the device takes ({@code tso_max_size}): the kernel's default 65536
   * ({@code TSO_LEGACY_MAX_SIZE}), which a NIC's driver and a tunnel keep.
   */
  protected int tsoMaxSize() {
    return TSO_LEGACY_MAX_SIZE;
  }

  /**
   * The TSO limit a device stacked on {@code lower} takes over from it ({@code
   * netif_inherit_tso_max}), as a VXLAN device bound to its underlay does.
   */
  protected static int inheritedTsoMaxSize(Device lower) {
    return lower.tsoMaxSize();
  }

  /** {@code TSO_LEGACY_MAX_SIZE}: every device's TSO limit unless its driver raises it. */
  static final int TSO_LEGACY_MAX_SIZE = 65536;

  /** {@code GSO_MAX_SIZE}: the TSO limit lo, veth and a bridge raise theirs to. */
  static final int GSO_MAX_SIZE = 524280;

  /**
   * What {@code ip -d link} prints after {@code gro_max_size} for a device on a bus ({@code
   * parentbus virtio parentdev virtio0 }), or empty for a software device.
   */
  protected String parentDetails() {
    return "";
  }

  /** The smallest MTU the driver accepts, as {@code ip -d link} prints it ({@code minmtu}). */
  protected int minMtu() {
    return MIN_MTU;
  }

  /** The largest MTU the driver accepts, as {@code ip -d link} prints it ({@code maxmtu}). */
  protected int maxMtu() {
    return 65535;
  }

  /**
   * The kind-specific line {@code ip -d link} prints, kind included (for example {@code vxlan id 1
   * local 192.168.1.11 ...}), or empty to print just the kind.
   */
  protected String details() {
    return "";
  }

  /**
   * The lines {@code bridge fdb show} prints for this device's own entries ({@code self}): by
   * default the multicast groups every Ethernet device joins once it is up (all-nodes, all-hosts
   * and the solicited-node group of its link-local address); a tunnel lists its remote entries.
   */
  protected List<String> fdbLines() {
    if (!isOperational()) {
      return List.of();
    }
    String solicited = "33:33:ff:" + mac.toString().substring(9);
    return List.of("33:33:00:00:00:01", "01:00:5e:00:00:01", solicited).stream()
        .map(group -> group + " dev " + name + " self permanent")
        .toList();
  }

  /**
   * Sends a frame out of this device. The frame is complete (Ethernet header included); the device
   * is up. Implementations deliver it to whatever is on the other side.
   */
  protected abstract void transmit(Frame frame);

  /**
   * Sends a routed frame out of a device that does not use ARP ({@link #usesArp()} false), with the
   * next hop the route chose: its gateway, or the destination itself on a direct route. A tunnel
   * without a fixed remote (Linux's {@code tunl0}) sends to that next hop; by default it is ignored
   * and the frame goes to {@link #transmit(Frame)}.
   */
  protected void transmit(Frame frame, int nextHop) {
    transmit(frame);
  }

  /** Records a hop of {@code frame} at this device in the trace (and its walk). */
  protected final void hop(HopAction action, Frame frame, String detail) {
    namespace().stack().hop(this, action, frame, detail);
  }

  /** Records that this device dropped {@code frame}. */
  protected final void drop(Frame frame, Drop drop) {
    namespace().stack().drop(this, frame, drop);
  }

  /** A fresh packet id for a frame this device builds (an encapsulated packet, say). */
  protected final long newPacketId() {
    return namespace().host().network().nextPacketId();
  }

  /** Hands a frame arriving at this device to its bridge or its namespace's stack. */
  protected final void receive(Frame frame) {
    NetNamespace ns = namespace;
    if (ns == null) {
      return;
    }
    ns.stack().receive(this, frame);
  }

  /**
   * Called by the stack when a frame goes out: counts and captures it, then transmits; a device
   * that does not {@linkplain #takesLargeSegments take large segments} sends a large TCP segment's
   * wire segments one by one.
   */
  final void send(Frame frame) {
    send(frame, false, 0);
  }

  /** Like {@link #send(Frame)} for a routed frame on a device without ARP, with its next hop. */
  final void send(Frame frame, int nextHop) {
    send(frame, true, nextHop);
  }

  private void send(Frame frame, boolean routed, int nextHop) {
    if (frame.gsoSize() != 0 && !takesLargeSegments()) {
      for (Frame segment : wireSegments(frame)) {
        send(segment, routed, nextHop);
      }
      return;
    }
    txPackets += frame.wirePackets();
    long at =
        Math.max(
            Math.max(namespace().host().network().simulation().now(), frame.notBefore()),
            lastDeparture);
    lastDeparture = at;
    tap(frame, at);
    if (routed) {
      transmit(frame, nextHop);
    } else {
      transmit(frame);
    }
  }

  /** A large segment's wire segments, the last one telling its stream when it has left. */
  static List<Frame> wireSegments(Frame frame) {
    List<Frame> segments = frame.wireFrames();
    segments.get(segments.size() - 1).sender = frame.sender;
    frame.sender = null;
    return segments;
  }

  /**
   * Whether the device takes a TCP segment larger than the MSS whole, as Linux's NICs with TCP
   * segmentation offload, veths, bridges and the loopback do; a tunnel does not (its segments are
   * encapsulated one by one).
   */
  protected boolean takesLargeSegments() {
    return false;
  }

  /** Called by the stack when a frame comes in: counts and captures it. */
  final void countReceived(Frame frame) {
    rxPackets += frame.wirePackets();
    tap(frame, namespace().host().network().simulation().now());
  }

  /**
   * When the frame this device was last handed leaves it: once its processing is over, and never
   * before the frame handed to it before.
   */
  protected final long lastDeparture() {
    return lastDeparture;
  }

  /** Captures the frame as the wire carries it (a large TCP segment as its segments). */
  private void tap(Frame frame, long at) {
    if (captures.isEmpty()) {
      return;
    }
    for (Frame f : frame.gsoSize() == 0 ? List.of(frame) : frame.wireFrames()) {
      for (PcapWriter writer : captures) {
        writer.write(at, f.buffer(), f.offset(), f.length());
      }
    }
  }

  final void attach(NetNamespace ns, int index) {
    this.namespace = ns;
    this.ifindex = index;
  }

  final void detach() {
    this.namespace = null;
    this.qdiscAttached = false;
  }

  final void rename(String newName) {
    checkName(newName);
    this.name = newName;
  }

  final void setAdminUp(boolean up) {
    boolean wasUp = adminUp;
    this.adminUp = up;
    if (up) {
      qdiscAttached = true;
    }
    if (up != wasUp) {
      adminStateChanged();
      carrierMayHaveChanged();
    }
  }

  /**
   * Tells the bridge this device is a port of, if any, that whether it can forward may have changed
   * (the kernel's {@code br_port_carrier_check} on a carrier or state change).
   */
  final void carrierMayHaveChanged() {
    if (master != null) {
      master.portCheck(this);
    }
  }

  /** Called when the device goes up or down ({@link #isUp} tells which); nothing by default. */
  protected void adminStateChanged() {}

  /**
   * Whether the device has been up since it was registered in its namespace: the kernel attaches
   * the default qdisc on the first up and shows {@code noop} before (and again after a move).
   */
  final boolean qdiscAttached() {
    return qdiscAttached;
  }

  final void setMaster(@Nullable Bridge bridge) {
    this.master = bridge;
  }

  final List<IfAddress> mutableAddresses() {
    return addresses;
  }

  static void checkName(String name) {
    if (name.isEmpty()
        || name.length() > 15
        || name.equals(".")
        || name.equals("..")
        || name.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c))) {
      throw new IllegalArgumentException(
          "invalid device name \""
              + name
              + "\" (expected 1-15 characters, not . or .., without '/', ':' or whitespace)");
    }
  }

  static void checkMtu(int mtu) {
    if (mtu < MIN_MTU || mtu > MAX_MTU) {
      throw new IllegalArgumentException(
          "mtu must be in [" + MIN_MTU + ", " + MAX_MTU + "]: " + mtu);
    }
  }

  @Override
  public String toString() {
    return namespace == null ? name : namespace.label() + ":" + name;
  }
}
