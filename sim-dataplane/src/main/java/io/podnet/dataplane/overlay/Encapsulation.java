package io.podnet.dataplane.overlay;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.net.Device;
import io.podnet.core.net.Drop;
import io.podnet.core.net.DropReason;
import io.podnet.core.net.Frame;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.PacketHandler;
import io.podnet.core.net.Route;
import io.podnet.core.packet.EtherType;
import io.podnet.core.packet.EthernetHeader;
import io.podnet.core.packet.Frames;
import io.podnet.core.packet.IpProtocol;
import io.podnet.core.packet.Ipv4Header;
import io.podnet.core.packet.UdpHeader;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What the kernel's tunnel drivers share: validation of their settings, the UDP source port taken
 * from a hash of the inner flow ({@code udp_flow_src_port}), ECN copied to the outer header (RFC
 * 6040) and the outer IPv4 (and UDP) headers built around an inner packet.
 */
final class Encapsulation {

  /** The largest VNI: 24 bits (RFC 7348 section 5, RFC 8926 section 3.4). */
  static final int MAX_VNI = (1 << 24) - 1;

  /** Outer Ethernet, IPv4, UDP and the 8-byte VXLAN or Geneve header. */
  static final int UDP_TUNNEL_OVERHEAD = EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH + 16;

  /** The TTL {@code ttl auto} gives: the route's hop limit, {@code ip_default_ttl} 64. */
  static final int AUTO_TTL = 64;

  private static final int ECN_MASK = 0x3;
  private static final int ECN_ECT0 = 0x2;
  private static final int ECN_CE = 0x3;

  private Encapsulation() {}

  static void checkVni(int vni) {
    if (vni < 0 || vni > MAX_VNI) {
      throw new IllegalArgumentException("VNI must be in [0, " + MAX_VNI + "]: " + vni);
    }
  }

  static void checkPort(int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("dstport must be in [1, 65535]: " + port);
    }
  }

  /** Checks a new device's name is free and its underlay device belongs to {@code ns}. */
  static void checkPlacement(NetNamespace ns, String name, Device underlay) {
    if (ns.findDevice(underlay.name()).orElse(null) != underlay) {
      throw new IllegalArgumentException(
          "underlay device " + underlay.name() + " is not in " + ns.label());
    }
    checkName(ns, name);
  }

  /** Checks no device of {@code ns} is called {@code name} yet. */
  static void checkName(NetNamespace ns, String name) {
    if (ns.findDevice(name).isPresent()) {
      throw new IllegalArgumentException("device \"" + name + "\" already exists in " + ns.label());
    }
  }

  /**
   * The UDP port or IP protocol of a namespace through which a tunnel device takes in what is sent
   * to it: {@code dstport} of VXLAN and Geneve, protocol 4 of IPIP.
   */
  record Binding(boolean udp, int number) {

    static Binding udpPort(int port) {
      return new Binding(true, port);
    }

    static Binding ipProtocol(int protocol) {
      return new Binding(false, protocol);
    }

    void bind(NetNamespace ns, PacketHandler handler) {
      if (udp) {
        ns.bindUdp(number, handler);
      } else {
        ns.bindProtocol(number, handler);
      }
    }

    void unbind(NetNamespace ns) {
      if (udp) {
        ns.unbindUdp(number);
      } else {
        ns.unbindProtocol(number);
      }
    }
  }

  /** The receive side of a tunnel device: takes the outer headers off a packet for it. */
  @FunctionalInterface
  interface Decapsulator<D> {

    /** Handles a packet whose tunnel payload is at {@code payloadOffset} in {@code frame}. */
    void decapsulate(D device, Frame frame, int payloadOffset, int payloadLength);
  }

  /**
   * What every tunnel factory does once its settings are checked: binds {@code binding} first (so
   * that a taken port or protocol leaves even the MAC stream untouched), then constructs the device
   * and adds it to {@code ns}, releasing the binding if that throws. What arrives on the binding
   * goes to {@code decapsulator} while the device is still in {@code ns}, and is ignored after.
   */
  static <D extends Device> D addBound(
      NetNamespace ns,
      Binding binding,
      Supplier<D> construct,
      Decapsulator<? super D> decapsulator) {
    Bound<D> bound = new Bound<>();
    binding.bind(
        ns,
        (in, frame, off, len) -> {
          D device = bound.device;
          if (device != null && ns.findDevice(device.name()).orElse(null) == device) {
            decapsulator.decapsulate(device, frame, off, len);
          }
        });
    try {
      D device = construct.get();
      bound.device = device;
      ns.addDevice(device);
      return device;
    } catch (RuntimeException e) {
      binding.unbind(ns);
      throw e;
    }
  }

  /** The device a binding serves, set once it is constructed. */
  private static final class Bound<D> {
    @Nullable D device;
  }

  /** The MTU a tunnel over {@code underlay} gets: the underlay's less the overhead. */
  static int tunnelMtu(Device underlay, int overhead, String kind) {
    int mtu = underlay.mtu() - overhead;
    if (mtu < Device.MIN_MTU) {
      throw new IllegalArgumentException(
          "underlay "
              + underlay.name()
              + " mtu "
              + underlay.mtu()
              + " leaves no room for the "
              + overhead
              + "-byte "
              + kind
              + " overhead (expected at least "
              + (Device.MIN_MTU + overhead)
              + ")");
    }
    return mtu;
  }

  /** Rejects an MTU above what the underlay can carry, as the kernel's change_mtu does. */
  static void checkMtu(int newMtu, Device underlay, int overhead, String kind) {
    int max = underlay.mtu() - overhead;
    if (newMtu > max) {
      throw new IllegalArgumentException(
          "mtu must be <= "
              + max
              + " (dev "
              + underlay.name()
              + " mtu "
              + underlay.mtu()
              + " less "
              + overhead
              + " bytes of "
              + kind
              + " overhead): "
              + newMtu);
    }
  }

  /**
   * A deterministic hash of the inner flow, standing in for the kernel's {@code skb_get_hash}: IPv4
   * addresses and protocol, plus the ports of TCP and UDP (not of fragments, like the flow
   * dissector); for anything but IPv4 the MACs and EtherType, like the fallback over the Ethernet
   * header. The kernel keys its hash with a random per-boot secret; this one has a fixed key.
   */
  static int flowHash(Frame inner) {
    byte[] b = inner.buffer();
    int off = inner.offset();
    int len = inner.length();
    if (len >= EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH
        && EthernetHeader.etherType(b, off) == EtherType.IPV4) {
      int ip = off + EthernetHeader.LENGTH;
      int protocol = Ipv4Header.protocol(b, ip);
      int h = mix(0x9e3779b9, Ipv4Header.src(b, ip));
      h = mix(h, Ipv4Header.dst(b, ip));
      h = mix(h, protocol);
      int l4 = ip + Ipv4Header.headerLength(b, ip);
      boolean fragment = Ipv4Header.moreFragments(b, ip) || Ipv4Header.fragmentOffset(b, ip) != 0;
      if ((protocol == IpProtocol.TCP || protocol == IpProtocol.UDP)
          && !fragment
          && l4 + 4 <= off + len) {
        h = mix(h, UdpHeader.srcPort(b, l4) << 16 | UdpHeader.dstPort(b, l4));
      }
      return fmix(h);
    }
    int h = mix(0x85ebca6b, EthernetHeader.etherType(b, off));
    long dst = EthernetHeader.dst(b, off);
    long src = EthernetHeader.src(b, off);
    h = mix(h, (int) (dst >>> 32) << 16 | (int) (src >>> 32) & 0xFFFF);
    h = mix(h, (int) dst);
    h = mix(h, (int) src);
    return fmix(h);
  }

  /**
   * Maps a flow hash into {@code [min, max)} the way {@code udp_flow_src_port} does: fold the low
   * half into the high half, then scale.
   */
  static int sourcePort(int hash, int min, int max) {
    long h = (hash ^ hash << 16) & 0xFFFF_FFFFL;
    return (int) ((h * (max - min)) >>> 32) + min;
  }

  private static int mix(int h, int k) {
    k *= 0xcc9e2d51;
    k = Integer.rotateLeft(k, 15);
    k *= 0x1b873593;
    h ^= k;
    h = Integer.rotateLeft(h, 13);
    return h * 5 + 0xe6546b64;
  }

  private static int fmix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    return h ^ h >>> 16;
  }

  /**
   * The outer TOS octet for an inner packet at {@code ipOff} (or none, -1): DSCP 0 and the inner
   * ECN field, CE sent as ECT(0), as {@code ip_tunnel_ecn_encap} does (RFC 6040 section 4.1).
   */
  static int outerTos(byte[] b, int ipOff) {
    if (ipOff < 0) {
      return 0;
    }
    int ecn = b[ipOff + 1] & ECN_MASK;
    return ecn == ECN_CE ? ECN_ECT0 : ecn;
  }

  /** The offset of the inner IPv4 header of an Ethernet frame, or -1 if it carries none. */
  static int innerIpv4(Frame inner) {
    byte[] b = inner.buffer();
    int off = inner.offset();
    if (inner.length() >= EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH
        && EthernetHeader.etherType(b, off) == EtherType.IPV4) {
      return off + EthernetHeader.LENGTH;
    }
    return -1;
  }

  /**
   * A complete outer frame: Ethernet (MACs left for the neighbour layer), IPv4 from {@code src} to
   * {@code dst}, UDP, the tunnel header and the whole inner frame; the UDP checksum is computed
   * when {@code checksum} is set and left 0 otherwise (allowed over IPv4, RFC 768).
   */
  static byte[] udpFrame(
      int src,
      int dst,
      int tos,
      int ipId,
      int srcPort,
      int dstPort,
      boolean checksum,
      byte[] tunnelHeader,
      Frame inner) {
    int udpLength = UdpHeader.LENGTH + tunnelHeader.length + inner.length();
    byte[] payload = new byte[udpLength];
    UdpHeader.of(srcPort, dstPort, udpLength - UdpHeader.LENGTH).encode(payload, 0);
    System.arraycopy(tunnelHeader, 0, payload, UdpHeader.LENGTH, tunnelHeader.length);
    System.arraycopy(
        inner.buffer(),
        inner.offset(),
        payload,
        UdpHeader.LENGTH + tunnelHeader.length,
        inner.length());
    Ipv4Header ip =
        Ipv4Header.of(Ipv4Address.of(src), Ipv4Address.of(dst), IpProtocol.UDP, udpLength)
            .withTos(tos)
            .withIdentification(ipId)
            .withTtl(AUTO_TTL);
    byte[] frame = Frames.ipv4(MacAddress.ZERO, MacAddress.ZERO, ip, payload);
    if (checksum) {
      UdpHeader.writeChecksum(
          frame, EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH, udpLength, src, dst);
    }
    return frame;
  }

  /**
   * Whether the route to {@code remote} goes out of {@code tunnel} itself, a loop the kernel's
   * tunnel drivers refuse ("circular route"); the caller drops the frame.
   */
  static boolean circular(NetNamespace ns, Device tunnel, int remote) {
    Route route = ns.routes().lookup(remote);
    return route != null && route.device() == tunnel;
  }

  /** The drop for a circular route. */
  static Drop circularDrop(Device tunnel, Ipv4Address remote) {
    return Drop.of(
        DropReason.NO_TUNNEL_DESTINATION, "circular route to " + remote + " via " + tunnel.name());
  }

  /** Whether the UDP datagram of {@code frame} has a correct checksum, or none. */
  static boolean udpChecksumValid(Frame frame) {
    byte[] b = frame.buffer();
    int ip = frame.l3Offset();
    int udp = ip + Ipv4Header.headerLength(b, ip);
    int udpLength = Ipv4Header.totalLength(b, ip) - Ipv4Header.headerLength(b, ip);
    return UdpHeader.checksumValid(b, udp, udpLength, Ipv4Header.src(b, ip), Ipv4Header.dst(b, ip));
  }
}
