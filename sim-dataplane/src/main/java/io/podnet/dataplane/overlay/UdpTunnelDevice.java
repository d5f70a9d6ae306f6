package io.podnet.dataplane.overlay;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Device;
import io.podnet.core.net.Drop;
import io.podnet.core.net.DropReason;
import io.podnet.core.net.Frame;
import io.podnet.core.net.HopAction;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.packet.EthernetHeader;
import io.podnet.core.packet.Ipv4Header;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What a VXLAN and a Geneve device share: a UDP port bound in their namespace, a VNI, an underlay
 * device or else (external, collect-metadata mode) a {@link TunnelMap} that picks the remote per
 * packet, and the steps around their 8-byte headers: the outer IPv4 and UDP headers built on
 * transmit, and the UDP checksum, header removal and delivery on receive. Subclasses parse and
 * write their own header and choose the remotes of a device that is not external.
 */
abstract class UdpTunnelDevice extends Device {

  /** What tells one UDP tunnel protocol from another in the shared steps. */
  record Flavour(String kind, String label, int srcPortMin, int srcPortMax, boolean checksum) {}

  private final Flavour flavour;
  private final NetNamespace ns;
  private final int vni;
  private final int dstPort;
  private final @Nullable Device underlay;
  private final @Nullable TunnelMap tunnels;
  private int nextIpId = 1;

  /**
   * A device over {@code underlay}, or an external one (with a tunnel map) if that is null, with
   * the next MAC address of the network.
   */
  UdpTunnelDevice(
      Flavour flavour,
      NetNamespace ns,
      String name,
      int mtu,
      int vni,
      int dstPort,
      @Nullable Device underlay) {
    super(name, ns.host().network().newMac(), mtu);
    this.flavour = flavour;
    this.ns = ns;
    this.vni = vni;
    this.dstPort = dstPort;
    this.underlay = underlay;
    this.tunnels = underlay == null ? new TunnelMap() : null;
  }

  /**
   * Binds UDP {@code port} in {@code ns}, then constructs the device and adds it, as {@link
   * Encapsulation#addBound} does; the port's datagrams go to {@code decapsulator}.
   */
  static <D extends UdpTunnelDevice> D addBound(
      NetNamespace ns,
      int port,
      Supplier<D> construct,
      Encapsulation.Decapsulator<? super D> decapsulator) {
    return Encapsulation.addBound(ns, Encapsulation.Binding.udpPort(port), construct, decapsulator);
  }

  /** Whether the device is external (collect-metadata): remotes come from its tunnel map. */
  public boolean isExternal() {
    return tunnels != null;
  }

  /**
   * Maps inner destinations in {@code prefix} to {@code remote} on an external device, replacing
   * any endpoint of that prefix; {@link IllegalStateException} on a device that is not external.
   */
  public void setTunnelEndpoint(Cidr prefix, Ipv4Address remote) {
    externalMap().put(prefix, remote);
  }

  /** Removes the endpoint of {@code prefix}; false if there was none. */
  public boolean removeTunnelEndpoint(Cidr prefix) {
    return externalMap().remove(prefix);
  }

  /** The tunnel map of an external device, by prefix. */
  public Map<Cidr, Ipv4Address> tunnelEndpoints() {
    return externalMap().view();
  }

  private TunnelMap externalMap() {
    if (tunnels == null) {
      throw new IllegalStateException(notExternalMessage());
    }
    return tunnels;
  }

  /** The message of the {@link IllegalStateException} a tunnel map call gets on this device. */
  abstract String notExternalMessage();

  /** The virtual network identifier (VNI); 0 on an external device. */
  public int vni() {
    return vni;
  }

  /** The UDP destination port. */
  final int port() {
    return dstPort;
  }

  /** The device the tunnel runs over, or null for an external device. */
  final @Nullable Device underlayOrNull() {
    return underlay;
  }

  /**
   * Rejects an MTU above the underlay's less 50, as the driver's {@code change_mtu} does; an
   * external device takes any MTU up to the driver's maximum.
   */
  @Override
  public void setMtu(int newMtu) {
    if (underlay != null) {
      Encapsulation.checkMtu(newMtu, underlay, Encapsulation.UDP_TUNNEL_OVERHEAD, flavour.label());
    }
    super.setMtu(newMtu);
  }

  /** Deletes the device ({@code ip link del}) and releases its UDP port. */
  public void delete() {
    ns.deleteDevice(this);
    ns.unbindUdp(dstPort);
  }

  @Override
  public boolean hasCarrier() {
    return true;
  }

  @Override
  public String kind() {
    return flavour.kind();
  }

  @Override
  protected String operState() {
    return "UNKNOWN";
  }

  /**
   * Sends a frame: to the remote the tunnel map gives its inner IPv4 destination on an external
   * device (dropped if there is none), else as {@link #transmitConfigured} decides.
   */
  @Override
  protected final void transmit(Frame frame) {
    if (tunnels == null) {
      transmitConfigured(frame);
      return;
    }
    int inner = Encapsulation.innerIpv4(frame);
    Ipv4Address remote = inner < 0 ? null : tunnels.lookup(Ipv4Header.dst(frame.buffer(), inner));
    if (remote == null) {
      drop(
          frame,
          Drop.of(
              DropReason.NO_TUNNEL_DESTINATION,
              inner < 0
                  ? "no IPv4 packet for the tunnel map of " + name()
                  : "no tunnel endpoint for "
                      + Ipv4Address.of(Ipv4Header.dst(frame.buffer(), inner))
                      + " on "
                      + name()));
      return;
    }
    encapsulate(frame, remote);
  }

  /** Sends a frame out of a device that is not external, to the remotes it is configured with. */
  abstract void transmitConfigured(Frame frame);

  /** The protocol's header for this device's VNI. */
  abstract byte[] header();

  /** The outer source address, or 0 to let routing pick it. */
  int outerSource() {
    return 0;
  }

  /**
   * Wraps {@code frame} in outer Ethernet, IPv4 (TTL 64, ECN copied), UDP (source port from the
   * inner flow's hash) and the protocol's header, and sends it to {@code remote} through the
   * namespace's routing; a circular route or no route drops the frame.
   */
  final void encapsulate(Frame frame, Ipv4Address remote) {
    int srcPort =
        Encapsulation.sourcePort(
            Encapsulation.flowHash(frame), flavour.srcPortMin(), flavour.srcPortMax());
    int tos = Encapsulation.outerTos(frame.buffer(), Encapsulation.innerIpv4(frame));
    int ipId = nextIpId;
    nextIpId = (nextIpId + 1) & 0xFFFF;
    if (Encapsulation.circular(ns, this, remote.toInt())) {
      drop(frame, Encapsulation.circularDrop(this, remote));
      return;
    }
    String kind = flavour.kind();
    hop(
        HopAction.ENCAP,
        frame,
        kind + " vni " + vni + " remote " + remote + " srcport " + srcPort + " dstport " + dstPort);
    byte[] header = header();
    boolean checksum = flavour.checksum();
    String error =
        ns.sendEncapsulated(
            outerSource(),
            remote.toInt(),
            src ->
                Encapsulation.udpFrame(
                    src, remote.toInt(), tos, ipId, srcPort, dstPort, checksum, header, frame),
            frame);
    if (error != null) {
      drop(frame, Drop.of(DropReason.NO_ROUTE, kind + " remote " + remote + ": " + error));
    }
  }

  /** The 24-bit VNI both headers carry in octets 4 to 6. */
  static int vniAt(byte[] b, int headerOffset) {
    return (b[headerOffset + 4] & 0xFF) << 16
        | (b[headerOffset + 5] & 0xFF) << 8
        | b[headerOffset + 6] & 0xFF;
  }

  /**
   * The last steps of receiving a datagram whose header the subclass accepted: checks the UDP
   * checksum, takes everything before {@code innerOffset} off, addresses the inner frame to the
   * device's own MAC on an external device, and lets it in.
   */
  final void deliver(Frame frame, int innerOffset, int packetVni) {
    if (!Encapsulation.udpChecksumValid(frame)) {
      drop(frame, Drop.of(DropReason.MALFORMED, "bad UDP checksum"));
      return;
    }
    Ipv4Address outerSrc = Ipv4Address.of(Ipv4Header.src(frame.buffer(), frame.l3Offset()));
    frame.trimFront(innerOffset - frame.offset());
    if (tunnels != null) {
      EthernetHeader.setDst(frame.buffer(), frame.offset(), mac().toLong());
    }
    hop(HopAction.DECAP, frame, flavour.kind() + " vni " + packetVni + " from " + outerSrc);
    receive(frame);
  }
}
