package io.podnet.dataplane.overlay;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.net.Device;
import io.podnet.core.net.Drop;
import io.podnet.core.net.DropReason;
import io.podnet.core.net.Frame;
import io.podnet.core.net.HopAction;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.packet.EthernetHeader;
import io.podnet.core.packet.Ipv4Header;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A Linux Geneve device (RFC 8926) with a fixed remote ({@code ip link add NAME type geneve id VNI
 * remote ADDR}): every frame it transmits goes to that remote in outer Ethernet, IPv4 (TTL 64, DF
 * clear, ECN copied), UDP to port 6081 (source port from the inner flow's hash over [1, 65535), no
 * checksum, as Linux's default {@code noudpcsum}) and the 8-byte base header (version 0, no
 * options, O and C clear, protocol type 0x6558 Transparent Ethernet Bridging, the 24-bit VNI). What
 * arrives on the port from the remote with version 0, that protocol type, no critical options and
 * the device's VNI is unwrapped, options skipped, and the inner frame enters the device.
 *
 * <p>Cilium runs Geneve in external (collect-metadata) mode ({@code ip link add cilium_geneve type
 * geneve external}), choosing the remote per packet from BPF: {@link #createExternal} models it
 * with a tunnel map of inner destination prefixes, as {@link VxlanDevice#createExternal} does. It
 * sends with VNI 0, takes in any VNI from any remote, and hands what it unwraps to the stack
 * addressed to its own MAC.
 */
public final class GeneveDevice extends Device {

  /** The IANA port (RFC 8926 section 3.3). */
  public static final int PORT = 6081;

  /** Bytes Geneve over IPv4 without options adds: Ethernet 14, IPv4 20, UDP 8, Geneve 8. */
  public static final int OVERHEAD = Encapsulation.UDP_TUNNEL_OVERHEAD;

  /** The base header length. */
  static final int HEADER_LENGTH = 8;

  /** Protocol type of an inner Ethernet frame: Transparent Ethernet Bridging. */
  static final int ETH_P_TEB = 0x6558;

  /** The largest MTU the driver accepts: 65535 less the IPv4, UDP, Geneve and Ethernet headers. */
  static final int MAX_MTU = 65535 - Ipv4Header.MIN_LENGTH - 8 - HEADER_LENGTH - 14;

  private final NetNamespace ns;
  private final int vni;
  private final @Nullable Ipv4Address remote;
  private final @Nullable Device underlay;
  private final @Nullable TunnelMap tunnels;
  private int nextIpId = 1;

  private GeneveDevice(
      NetNamespace ns,
      String name,
      MacAddress mac,
      int mtu,
      int vni,
      @Nullable Ipv4Address remote,
      @Nullable Device underlay) {
    super(name, mac, mtu);
    this.ns = ns;
    this.vni = vni;
    this.remote = remote;
    this.underlay = underlay;
    this.tunnels = remote == null ? new TunnelMap() : null;
  }

  /**
   * Creates a Geneve device in {@code ns} sending to {@code remote}, with MTU the underlay's less
   * 50, down, and binds UDP port 6081. {@link IllegalArgumentException} for a VNI outside [0,
   * 16777215], an underlay device not in {@code ns} or a name in use; {@link IllegalStateException}
   * if the port is bound already. Nothing changes when it throws.
   */
  public static GeneveDevice create(
      NetNamespace ns, String name, int vni, Ipv4Address remote, Device underlay) {
    Encapsulation.checkVni(vni);
    Encapsulation.checkPlacement(ns, name, underlay);
    if (remote.toInt() == 0) {
      throw new IllegalArgumentException("geneve remote must be a unicast address: " + remote);
    }
    int mtu = Encapsulation.tunnelMtu(underlay, OVERHEAD, "Geneve");
    // Bind first, so that a taken port leaves even the MAC stream untouched.
    GeneveDevice[] bound = new GeneveDevice[1];
    ns.bindUdp(PORT, (in, frame, off, len) -> bound[0].decapsulate(frame, off, len));
    try {
      GeneveDevice device =
          new GeneveDevice(ns, name, ns.host().network().newMac(), mtu, vni, remote, underlay);
      bound[0] = device;
      ns.addDevice(device);
      return device;
    } catch (RuntimeException e) {
      ns.unbindUdp(PORT);
      throw e;
    }
  }

  /**
   * Creates an external (collect-metadata) Geneve device in {@code ns} ({@code ip link add NAME
   * type geneve external}), MTU 1500, down, and binds UDP port 6081. {@link
   * IllegalArgumentException} for a name in use; {@link IllegalStateException} if the port is bound
   * already.
   */
  public static GeneveDevice createExternal(NetNamespace ns, String name) {
    if (ns.findDevice(name).isPresent()) {
      throw new IllegalArgumentException("device \"" + name + "\" already exists in " + ns);
    }
    GeneveDevice[] bound = new GeneveDevice[1];
    ns.bindUdp(PORT, (in, frame, off, len) -> bound[0].decapsulate(frame, off, len));
    try {
      GeneveDevice device =
          new GeneveDevice(
              ns, name, ns.host().network().newMac(), VxlanDevice.EXTERNAL_MTU, 0, null, null);
      bound[0] = device;
      ns.addDevice(device);
      return device;
    } catch (RuntimeException e) {
      ns.unbindUdp(PORT);
      throw e;
    }
  }

  /** Whether the device is external (collect-metadata): remotes come from its tunnel map. */
  public boolean isExternal() {
    return tunnels != null;
  }

  /**
   * Maps inner destinations in {@code prefix} to {@code remote} on an external device; {@link
   * IllegalStateException} on a point-to-point device.
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
      throw new IllegalStateException(name() + " is not external (it has remote " + remote + ")");
    }
    return tunnels;
  }

  /** The virtual network identifier. */
  public int vni() {
    return vni;
  }

  /** The tunnel's remote endpoint; {@link IllegalStateException} for an external device. */
  public Ipv4Address remote() {
    if (remote == null) {
      throw new IllegalStateException(name() + " is external and has no fixed remote");
    }
    return remote;
  }

  /** Rejects an MTU above the underlay's less 50; an external device takes up to the maximum. */
  @Override
  public void setMtu(int newMtu) {
    if (underlay != null) {
      Encapsulation.checkMtu(newMtu, underlay, OVERHEAD, "Geneve");
    }
    super.setMtu(newMtu);
  }

  /** Deletes the device ({@code ip link del}) and releases its UDP port. */
  public void delete() {
    ns.deleteDevice(this);
    ns.unbindUdp(PORT);
  }

  @Override
  public boolean hasCarrier() {
    return true;
  }

  @Override
  public String kind() {
    return "geneve";
  }

  @Override
  protected String operState() {
    return "UNKNOWN";
  }

  @Override
  protected int maxMtu() {
    return MAX_MTU;
  }

  @Override
  protected String details() {
    if (remote == null) {
      return "geneve external id 0 ttl auto dstport " + PORT + " noudpcsum udp6zerocsumrx";
    }
    return "geneve id "
        + vni
        + " remote "
        + remote
        + " ttl auto dstport "
        + PORT
        + " noudpcsum udp6zerocsumrx";
  }

  @Override
  protected void transmit(Frame frame) {
    Ipv4Address remote = this.remote;
    if (tunnels != null) {
      int inner = Encapsulation.innerIpv4(frame);
      remote = inner < 0 ? null : tunnels.lookup(Ipv4Header.dst(frame.buffer(), inner));
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
    }
    if (remote == null) {
      return;
    }
    Ipv4Address to = remote;
    int srcPort = Encapsulation.sourcePort(Encapsulation.flowHash(frame), 1, 65535);
    int tos = Encapsulation.outerTos(frame.buffer(), Encapsulation.innerIpv4(frame));
    int ipId = nextIpId;
    nextIpId = (nextIpId + 1) & 0xFFFF;
    if (Encapsulation.circular(ns, this, to.toInt())) {
      drop(frame, Encapsulation.circularDrop(this, to));
      return;
    }
    hop(
        HopAction.ENCAP,
        frame,
        "geneve vni " + vni + " remote " + to + " srcport " + srcPort + " dstport " + PORT);
    byte[] header = header(vni);
    String error =
        ns.sendPacket(
            0,
            to.toInt(),
            src ->
                Encapsulation.udpFrame(
                    src, to.toInt(), tos, ipId, srcPort, PORT, false, header, frame),
            frame.walk());
    if (error != null) {
      drop(frame, Drop.of(DropReason.NO_ROUTE, "geneve remote " + to + ": " + error));
    }
  }

  /** The 8-byte base header: version 0, no options, O and C clear, TEB, the VNI, reserved 0. */
  static byte[] header(int vni) {
    byte[] h = new byte[HEADER_LENGTH];
    h[2] = (byte) (ETH_P_TEB >>> 8);
    h[3] = (byte) ETH_P_TEB;
    h[4] = (byte) (vni >>> 16);
    h[5] = (byte) (vni >>> 8);
    h[6] = (byte) vni;
    return h;
  }

  private void decapsulate(Frame frame, int payloadOffset, int payloadLength) {
    if (ns.findDevice(name()).orElse(null) != this) {
      return;
    }
    byte[] b = frame.buffer();
    if (payloadLength < HEADER_LENGTH) {
      drop(frame, Drop.of(DropReason.MALFORMED, "geneve packet of " + payloadLength + " bytes"));
      return;
    }
    int version = (b[payloadOffset] & 0xFF) >>> 6;
    int optionsLength = (b[payloadOffset] & 0x3F) * 4;
    boolean critical = (b[payloadOffset + 1] & 0x40) != 0;
    int protocol = (b[payloadOffset + 2] & 0xFF) << 8 | b[payloadOffset + 3] & 0xFF;
    if (version != 0 || protocol != ETH_P_TEB) {
      drop(
          frame,
          Drop.of(
              DropReason.MALFORMED,
              String.format(
                  "geneve version %d protocol 0x%04x (expected 0, 0x%04x)",
                  version, protocol, ETH_P_TEB)));
      return;
    }
    if (payloadLength < HEADER_LENGTH + optionsLength + EthernetHeader.LENGTH) {
      drop(
          frame,
          Drop.of(
              DropReason.MALFORMED,
              "geneve packet of "
                  + payloadLength
                  + " bytes with "
                  + optionsLength
                  + " bytes of options"));
      return;
    }
    if (critical) {
      drop(frame, Drop.of(DropReason.MALFORMED, "geneve critical options not supported"));
      return;
    }
    int packetVni =
        (b[payloadOffset + 4] & 0xFF) << 16
            | (b[payloadOffset + 5] & 0xFF) << 8
            | b[payloadOffset + 6] & 0xFF;
    Ipv4Address outerSrc = Ipv4Address.of(Ipv4Header.src(b, frame.l3Offset()));
    if (tunnels == null && (packetVni != vni || !outerSrc.equals(remote))) {
      drop(
          frame,
          Drop.of(
              DropReason.UNKNOWN_TUNNEL_ID,
              "vni "
                  + packetVni
                  + " from "
                  + outerSrc
                  + " on port "
                  + PORT
                  + " ("
                  + name()
                  + " has vni "
                  + vni
                  + " remote "
                  + remote
                  + ")"));
      return;
    }
    if (!Encapsulation.udpChecksumValid(frame)) {
      drop(frame, Drop.of(DropReason.MALFORMED, "bad UDP checksum"));
      return;
    }
    frame.trimFront(payloadOffset + HEADER_LENGTH + optionsLength - frame.offset());
    if (tunnels != null) {
      EthernetHeader.setDst(frame.buffer(), frame.offset(), mac().toLong());
    }
    hop(HopAction.DECAP, frame, "geneve vni " + packetVni + " from " + outerSrc);
    receive(frame);
  }
}
