package io.podnet.dataplane.overlay;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Device;
import io.podnet.core.net.Drop;
import io.podnet.core.net.DropReason;
import io.podnet.core.net.Frame;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.packet.EthernetHeader;
import io.podnet.core.packet.Ipv4Header;
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
public final class GeneveDevice extends UdpTunnelDevice {

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

  private static final Flavour FLAVOUR = new Flavour("geneve", "Geneve", 1, 65535, false);

  private final @Nullable Ipv4Address remote;

  private GeneveDevice(
      NetNamespace ns,
      String name,
      int mtu,
      int vni,
      @Nullable Ipv4Address remote,
      @Nullable Device underlay) {
    super(FLAVOUR, ns, name, mtu, vni, PORT, underlay);
    this.remote = remote;
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
    return addBound(
        ns,
        PORT,
        () -> new GeneveDevice(ns, name, mtu, vni, remote, underlay),
        GeneveDevice::decapsulate);
  }

  /**
   * Creates an external (collect-metadata) Geneve device in {@code ns} ({@code ip link add NAME
   * type geneve external}), MTU 1500, down, and binds UDP port 6081. {@link
   * IllegalArgumentException} for a name in use; {@link IllegalStateException} if the port is bound
   * already.
   */
  public static GeneveDevice createExternal(NetNamespace ns, String name) {
    Encapsulation.checkName(ns, name);
    return addBound(
        ns,
        PORT,
        () -> new GeneveDevice(ns, name, VxlanDevice.EXTERNAL_MTU, 0, null, null),
        GeneveDevice::decapsulate);
  }

  @Override
  String notExternalMessage() {
    return name() + " is not external (it has remote " + remote + ")";
  }

  /** The tunnel's remote endpoint; {@link IllegalStateException} for an external device. */
  public Ipv4Address remote() {
    if (remote == null) {
      throw new IllegalStateException(name() + " is external and has no fixed remote");
    }
    return remote;
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
        + vni()
        + " remote "
        + remote
        + " ttl auto dstport "
        + PORT
        + " noudpcsum udp6zerocsumrx";
  }

  /** Sends every frame to the fixed remote. */
  @Override
  void transmitConfigured(Frame frame) {
    Ipv4Address to = remote;
    if (to != null) {
      encapsulate(frame, to);
    }
  }

  @Override
  byte[] header() {
    return header(vni());
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

  /** The UDP handler of port 6081: checks the header, VNI and remote and unwraps the frame. */
  private void decapsulate(Frame frame, int payloadOffset, int payloadLength) {
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
                  java.util.Locale.ROOT,
                  "geneve version %d protocol 0x%04x (expected 0, 0x%04x)",
                  version,
                  protocol,
                  ETH_P_TEB)));
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
    int packetVni = vniAt(b, payloadOffset);
    Ipv4Address outerSrc = Ipv4Address.of(Ipv4Header.src(b, frame.l3Offset()));
    if (!isExternal() && (packetVni != vni() || !outerSrc.equals(remote))) {
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
                  + vni()
                  + " remote "
                  + remote
                  + ")"));
      return;
    }
    deliver(frame, payloadOffset + HEADER_LENGTH + optionsLength, packetVni);
  }
}
