package io.podnet.dataplane.overlay;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.net.Device;
import io.podnet.core.net.Drop;
import io.podnet.core.net.DropReason;
import io.podnet.core.net.Frame;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.packet.EthernetHeader;
import it.unimi.dsi.fastutil.longs.Long2ObjectLinkedOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A Linux VXLAN device (RFC 7348) as flannel, Calico and Cilium create it: one VNI, a UDP port, a
 * local VTEP address on an underlay device, learning off, and a forwarding table programmed from
 * outside that maps each remote device's MAC to its node ({@code bridge fdb append MAC dev
 * flannel.1 dst 192.168.1.12}). A frame routed to the device is looked up by destination MAC,
 * wrapped in outer Ethernet, IPv4 (TTL 64, DF clear, ECN copied), UDP (source port from the inner
 * flow's hash, checksum on) and the 8-byte VXLAN header, and sent to the remote VTEP through the
 * namespace's routing; a datagram arriving on the port with the right flags and VNI is unwrapped
 * and the inner frame enters the device. The inner packet's TTL is never touched.
 *
 * <pre>{@code
 * VxlanDevice flannel = VxlanDevice.create(root, "flannel.1", 1, 8472, nodeIp, eth0);
 * flannel.addFdb(remoteVtepMac, remoteNodeIp);
 * root.addRoute(Route.to(remotePodCidr).via(remoteVtepIp).dev(flannel).onlink().build());
 * root.addNeighbour(flannel, remoteVtepIp, remoteVtepMac);
 * }</pre>
 *
 * <p>An <em>external</em> device ({@code ip link add cilium_vxlan type vxlan external dstport
 * 8472}, Cilium's) has no VNI, local address or underlay device of its own: the remote of each
 * frame comes from per-packet tunnel metadata, which PodNet keeps as a {@linkplain
 * #setTunnelEndpoint tunnel map} of inner destination prefixes (what Cilium's BPF programs read
 * from {@code cilium_tunnel_map}). It sends with VNI 0 and the source address routing picks, takes
 * in any VNI, and hands what it unwraps to the stack addressed to its own MAC, as Cilium's {@code
 * from-overlay} program does.
 */
public final class VxlanDevice extends UdpTunnelDevice {

  /** The IANA port (RFC 7348 section 5). */
  public static final int IANA_PORT = 4789;

  /** The port Linux used before IANA assigned one; flannel and Cilium still use it. */
  public static final int LINUX_PORT = 8472;

  /** Bytes VXLAN over IPv4 adds to the inner IP packet: Ethernet 14, IPv4 20, UDP 8, VXLAN 8. */
  public static final int OVERHEAD = Encapsulation.UDP_TUNNEL_OVERHEAD;

  /** The VXLAN header length. */
  static final int HEADER_LENGTH = 8;

  /** The flags word with only the I bit (valid VNI) set. */
  static final int FLAGS_VNI = 0x0800_0000;

  /** {@code srcport 0 0}: the kernel takes {@code net.ipv4.ip_local_port_range}, 32768 60999. */
  static final int SRC_PORT_MIN = 32768;

  static final int SRC_PORT_MAX = 60999;

  /** The MTU Linux gives a VXLAN device bound to no underlay device ({@code ETH_DATA_LEN}). */
  public static final int EXTERNAL_MTU = 1500;

  private static final Flavour FLAVOUR =
      new Flavour("vxlan", "VXLAN", SRC_PORT_MIN, SRC_PORT_MAX, true);

  private final @Nullable Ipv4Address localVtep;

  /**
   * The forwarding entries in insertion order, keyed by MAC bits: one remote VTEP for a unicast
   * MAC, held as the address itself (a node's flannel.1 holds one entry per other node, so the
   * entry is kept small), or a list of VTEPs for the all-zeros default.
   */
  private final Long2ObjectLinkedOpenHashMap<Object> fdb = new Long2ObjectLinkedOpenHashMap<>();

  /** Entries shared with other devices, shown and used after the device's own; or null. */
  private @Nullable SharedFdb shared;

  /** The shared entries' MAC bits this device does not hold. */
  private final LongOpenHashSet excluded = new LongOpenHashSet(0);

  private VxlanDevice(
      NetNamespace ns,
      String name,
      int mtu,
      int vni,
      int dstPort,
      @Nullable Ipv4Address localVtep,
      @Nullable Device underlay) {
    super(FLAVOUR, ns, name, mtu, vni, dstPort, underlay);
    this.localVtep = localVtep;
  }

  /**
   * Creates a VXLAN device in {@code ns} ({@code ip link add NAME type vxlan id VNI local LOCAL dev
   * UNDERLAY dstport PORT nolearning}), with MTU the underlay's less 50, down, and binds its UDP
   * port. {@link IllegalArgumentException} for a VNI outside [0, 16777215], a port outside [1,
   * 65535], an underlay device not in {@code ns} or a name in use; {@link IllegalStateException} if
   * the port is bound already. Nothing changes when it throws.
   */
  public static VxlanDevice create(
      NetNamespace ns, String name, int vni, int dstPort, Ipv4Address localVtep, Device underlay) {
    Encapsulation.checkVni(vni);
    Encapsulation.checkPort(dstPort);
    Encapsulation.checkPlacement(ns, name, underlay);
    int mtu = Encapsulation.tunnelMtu(underlay, OVERHEAD, "VXLAN");
    return addBound(
        ns,
        dstPort,
        () -> new VxlanDevice(ns, name, mtu, vni, dstPort, localVtep, underlay),
        VxlanDevice::decapsulate);
  }

  /**
   * Creates an external (collect-metadata) VXLAN device in {@code ns} ({@code ip link add NAME type
   * vxlan external dstport PORT}), MTU 1500, down, learning off, and binds its UDP port. {@link
   * IllegalArgumentException} for a port outside [1, 65535] or a name in use; {@link
   * IllegalStateException} if the port is bound already. Nothing changes when it throws.
   */
  public static VxlanDevice createExternal(NetNamespace ns, String name, int dstPort) {
    Encapsulation.checkPort(dstPort);
    Encapsulation.checkName(ns, name);
    return addBound(
        ns,
        dstPort,
        () -> new VxlanDevice(ns, name, EXTERNAL_MTU, 0, dstPort, null, null),
        VxlanDevice::decapsulate);
  }

  @Override
  String notExternalMessage() {
    return name() + " is not external (it has VNI " + vni() + "); use addFdb";
  }

  /** The UDP destination port. */
  public int dstPort() {
    return port();
  }

  /**
   * The local VTEP address, the source of encapsulated packets; {@link IllegalStateException} for
   * an external device, whose source routing picks.
   */
  public Ipv4Address localVtep() {
    if (localVtep == null) {
      throw new IllegalStateException(name() + " is external and has no local address");
    }
    return localVtep;
  }

  /**
   * The device the tunnel runs over ({@code dev eth0}); {@link IllegalStateException} for an
   * external device.
   */
  public Device underlay() {
    Device underlay = underlayOrNull();
    if (underlay == null) {
      throw new IllegalStateException(name() + " is external and has no underlay device");
    }
    return underlay;
  }

  /**
   * Adds a forwarding entry: frames for {@code mac} go to {@code remoteVtep}. For a unicast MAC it
   * replaces any entry for it, like flannel's {@code NeighSet}; the all-zeros MAC is the default
   * destination and appends ({@code bridge fdb append 00:00:00:00:00:00}), so unknown and broadcast
   * frames go to every default VTEP.
   */
  public void addFdb(MacAddress mac, Ipv4Address remoteVtep) {
    if (isExternal()) {
      throw new IllegalStateException(name() + " is external; use setTunnelEndpoint");
    }
    if (mac.isMulticast()) {
      throw new IllegalArgumentException(
          "fdb MAC must be unicast or 00:00:00:00:00:00 (the default): " + mac);
    }
    if (mac.equals(MacAddress.ZERO)) {
      List<Ipv4Address> defaults = remotes(MacAddress.ZERO.toLong());
      if (!defaults.contains(remoteVtep)) {
        List<Ipv4Address> more = new ArrayList<>(defaults);
        more.add(remoteVtep);
        fdb.put(MacAddress.ZERO.toLong(), more);
      }
    } else {
      fdb.put(mac.toLong(), remoteVtep);
    }
  }

  /**
   * Holds the entries of {@code set}, except the one for {@code excludedMac} (the device's own), as
   * if each were added with {@link #addFdb}; an entry added for the same MAC takes its place.
   * {@link IllegalStateException} if the device is external or holds a set already.
   */
  public void attachFdb(SharedFdb set, MacAddress excludedMac) {
    if (isExternal()) {
      throw new IllegalStateException(name() + " is external; use setTunnelEndpoint");
    }
    if (shared != null) {
      throw new IllegalStateException(name() + " holds a shared fdb already");
    }
    shared = set;
    excluded.add(excludedMac.toLong());
  }

  /** The remote VTEPs for MAC bits, empty if there is no entry. */
  @SuppressWarnings("unchecked")
  private List<Ipv4Address> remotes(long mac) {
    Object value = fdb.get(mac);
    if (value == null) {
      Ipv4Address other = sharedRemote(mac);
      return other == null ? List.of() : List.of(other);
    }
    return value instanceof Ipv4Address one ? List.of(one) : (List<Ipv4Address>) value;
  }

  private @Nullable Ipv4Address sharedRemote(long mac) {
    return shared == null || excluded.contains(mac) ? null : shared.get(mac);
  }

  /**
   * The remote VTEPs a frame for {@code dst} is sent to: its forwarding entry's, else the default
   * entries'; empty when it would be dropped ({@code bridge fdb get}).
   */
  public List<Ipv4Address> destinations(MacAddress dst) {
    List<Ipv4Address> remotes = remotes(dst.toLong());
    return remotes.isEmpty() ? remotes(MacAddress.ZERO.toLong()) : remotes;
  }

  /** Removes every forwarding entry for {@code mac}; false if there was none. */
  public boolean removeFdb(MacAddress mac) {
    long bits = mac.toLong();
    if (fdb.remove(bits) != null) {
      return true;
    }
    if (sharedRemote(bits) == null) {
      return false;
    }
    excluded.add(bits);
    return true;
  }

  /** Its underlay's ({@code vxlan_config_apply} inherits it), else the default. */
  @Override
  protected int tsoMaxSize() {
    Device underlay = underlayOrNull();
    return underlay == null ? super.tsoMaxSize() : inheritedTsoMaxSize(underlay);
  }

  @Override
  protected int txQueueLength() {
    return 0;
  }

  @Override
  protected String details() {
    Device u = underlayOrNull();
    if (u == null) {
      return "vxlan external id 0 srcport 0 0 dstport "
          + port()
          + " nolearning ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx";
    }
    return "vxlan id "
        + vni()
        + " local "
        + localVtep
        + " dev "
        + u.name()
        + " srcport 0 0 dstport "
        + port()
        + " nolearning ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx";
  }

  @Override
  protected List<String> fdbLines() {
    List<String> lines = new ArrayList<>();
    for (long mac : fdb.keySet()) {
      for (Ipv4Address remote : remotes(mac)) {
        lines.add(fdbLine(mac, remote));
      }
    }
    if (shared != null) {
      for (long mac : shared.macs()) {
        Ipv4Address remote = sharedRemote(mac);
        if (remote != null && !fdb.containsKey(mac)) {
          lines.add(fdbLine(mac, remote));
        }
      }
    }
    return lines;
  }

  private String fdbLine(long mac, Ipv4Address remote) {
    return MacAddress.of(mac) + " dev " + name() + " dst " + remote + " self permanent";
  }

  /**
   * Looks the destination MAC up in the fdb (else the default entries) and sends to each remote.
   */
  @Override
  void transmitConfigured(Frame frame) {
    long dstBits = EthernetHeader.dst(frame.buffer(), frame.offset());
    MacAddress dst = MacAddress.of(dstBits);
    List<Ipv4Address> remotes = remotes(dstBits);
    if (remotes.isEmpty()) {
      remotes = remotes(MacAddress.ZERO.toLong());
    }
    if (remotes.isEmpty()) {
      drop(
          frame,
          Drop.of(
              DropReason.NO_TUNNEL_DESTINATION,
              "no fdb entry for " + dst + " and no default on " + name()));
      return;
    }
    for (int i = 0; i < remotes.size(); i++) {
      encapsulate(i == remotes.size() - 1 ? frame : frame.copy(), remotes.get(i));
    }
  }

  @Override
  byte[] header() {
    return header(vni());
  }

  @Override
  int outerSource() {
    return localVtep == null ? 0 : localVtep.toInt();
  }

  /** The 8-byte VXLAN header: flags with the I bit, 24 reserved bits, the VNI, 8 reserved bits. */
  static byte[] header(int vni) {
    byte[] h = new byte[HEADER_LENGTH];
    h[0] = 0x08;
    h[4] = (byte) (vni >>> 16);
    h[5] = (byte) (vni >>> 8);
    h[6] = (byte) vni;
    return h;
  }

  /** The UDP handler of the device's port: checks the header and VNI and unwraps the frame. */
  private void decapsulate(Frame frame, int payloadOffset, int payloadLength) {
    byte[] b = frame.buffer();
    if (payloadLength < HEADER_LENGTH + EthernetHeader.LENGTH) {
      drop(frame, Drop.of(DropReason.MALFORMED, "vxlan packet of " + payloadLength + " bytes"));
      return;
    }
    int flags =
        (b[payloadOffset] & 0xFF) << 24
            | (b[payloadOffset + 1] & 0xFF) << 16
            | (b[payloadOffset + 2] & 0xFF) << 8
            | b[payloadOffset + 3] & 0xFF;
    if (flags != FLAGS_VNI || b[payloadOffset + 7] != 0) {
      drop(
          frame,
          Drop.of(
              DropReason.MALFORMED,
              String.format(
                  java.util.Locale.ROOT,
                  "vxlan flags 0x%08x reserved 0x%02x (expected 0x%08x, 0x00)",
                  flags,
                  b[payloadOffset + 7] & 0xFF,
                  FLAGS_VNI)));
      return;
    }
    int packetVni = vniAt(b, payloadOffset);
    if (packetVni != vni() && !isExternal()) {
      drop(
          frame,
          Drop.of(
              DropReason.UNKNOWN_TUNNEL_ID,
              "vni "
                  + packetVni
                  + " on port "
                  + port()
                  + " ("
                  + name()
                  + " has vni "
                  + vni()
                  + ")"));
      return;
    }
    deliver(frame, payloadOffset + HEADER_LENGTH, packetVni);
  }
}
