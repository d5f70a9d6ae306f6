package io.podnet.dataplane.overlay;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.net.Device;
import io.podnet.core.net.Drop;
import io.podnet.core.net.DropReason;
import io.podnet.core.net.Frame;
import io.podnet.core.net.HopAction;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.packet.EtherType;
import io.podnet.core.packet.EthernetHeader;
import io.podnet.core.packet.Frames;
import io.podnet.core.packet.IpProtocol;
import io.podnet.core.packet.Ipv4Header;
import java.util.Arrays;
import java.util.List;

/**
 * An IP-in-IP tunnel (RFC 2003) like Linux's {@code tunl0}, the device Calico routes over: no fixed
 * endpoints ({@code ipip any remote any local any}), no ARP, 20 bytes of overhead. A packet routed
 * to it ({@code 10.244.2.0/26 via 192.168.1.12 dev tunl0 onlink}) is wrapped in an outer IPv4
 * header to the route's gateway, protocol 4, TTL inherited from the inner packet ({@code ttl
 * inherit}), DF copied from it and ECN copied to it, and sent through the namespace's routing; what
 * arrives with protocol 4 is unwrapped and the inner packet enters the device. The inner TTL is
 * never touched.
 *
 * <p>Path MTU discovery goes through the tunnel as in the kernel's {@code tnl_update_pmtu} (since
 * Linux 5.11, "net: fix pmtu check in nopmtudisc mode", for {@code nopmtudisc} tunnels too): a DF
 * packet longer than the path MTU to the remote less 20 (the MTU of the route to the remote, or a
 * smaller one the node learned from a router's "fragmentation needed" about an outer packet) is
 * dropped and answered with "fragmentation needed" reporting that MTU, so the inner sender learns
 * it in turn. Not modelled: the kernel's check skips a large TCP segment (GSO), which PodNet's
 * tunnel gets already cut into its wire segments, so each of them is answered; the answer goes to
 * the packet's source as it is after POSTROUTING, where {@code icmp_ndo_send} would first undo a
 * source NAT; and the MTU is not also recorded for the inner destination on the node ({@code
 * skb_dst_update_pmtu_no_confirm}), which only the node's own later packets would feel.
 */
public final class IpipTunnel extends Device {

  /** Bytes IPIP adds: one IPv4 header. */
  public static final int OVERHEAD = Ipv4Header.MIN_LENGTH;

  private final NetNamespace ns;
  private final Device underlay;
  private int nextIpId = 1;

  private IpipTunnel(NetNamespace ns, String name, int mtu, Device underlay) {
    super(name, MacAddress.ZERO, mtu);
    this.ns = ns;
    this.underlay = underlay;
  }

  /**
   * Creates the tunnel in {@code ns} with MTU the underlay's less 20, down, and binds IP protocol
   * 4. {@link IllegalArgumentException} for an underlay device not in {@code ns} or a name in use;
   * {@link IllegalStateException} if protocol 4 is bound already. Nothing changes when it throws.
   */
  public static IpipTunnel create(NetNamespace ns, String name, Device underlay) {
    Encapsulation.checkPlacement(ns, name, underlay);
    int mtu = Encapsulation.tunnelMtu(underlay, OVERHEAD, "IPIP");
    return Encapsulation.addBound(
        ns,
        Encapsulation.Binding.ipProtocol(IpProtocol.IPIP),
        () -> new IpipTunnel(ns, name, mtu, underlay),
        IpipTunnel::decapsulate);
  }

  /** Rejects an MTU above the underlay's less 20. */
  @Override
  public void setMtu(int newMtu) {
    Encapsulation.checkMtu(newMtu, underlay, OVERHEAD, "IPIP");
    super.setMtu(newMtu);
  }

  /** Deletes the device ({@code ip link del}) and releases IP protocol 4. */
  public void delete() {
    ns.deleteDevice(this);
    ns.unbindProtocol(IpProtocol.IPIP);
  }

  @Override
  public boolean hasCarrier() {
    return true;
  }

  @Override
  public String kind() {
    return "ipip";
  }

  @Override
  protected String baseFlags() {
    return "NOARP";
  }

  @Override
  protected String operState() {
    return "UNKNOWN";
  }

  @Override
  protected String linkType() {
    return "ipip";
  }

  @Override
  protected String linkSuffix() {
    return "@NONE";
  }

  @Override
  protected String hardwareAddresses() {
    return "0.0.0.0 brd 0.0.0.0";
  }

  @Override
  protected int minMtu() {
    return 0;
  }

  @Override
  protected int maxMtu() {
    return 0;
  }

  @Override
  protected boolean usesArp() {
    return false;
  }

  @Override
  protected String details() {
    return "ipip any remote any local any ttl inherit nopmtudisc";
  }

  @Override
  protected List<String> fdbLines() {
    return List.of();
  }

  /** Without a route there is no next hop, and {@code tunl0} has no fixed remote. */
  @Override
  protected void transmit(Frame frame) {
    drop(frame, Drop.of(DropReason.NO_TUNNEL_DESTINATION, name() + " has no remote"));
  }

  @Override
  protected void transmit(Frame frame, int nextHop) {
    byte[] b = frame.buffer();
    int ip = frame.l3Offset();
    if (frame.length() < EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH
        || EthernetHeader.etherType(b, frame.offset()) != EtherType.IPV4) {
      drop(frame, Drop.of(DropReason.UNSUPPORTED_ETHERTYPE, "ipip carries IPv4 only"));
      return;
    }
    if (nextHop == 0) {
      drop(frame, Drop.of(DropReason.NO_TUNNEL_DESTINATION, name() + " has no remote"));
      return;
    }
    Ipv4Address remote = Ipv4Address.of(nextHop);
    int total = Ipv4Header.totalLength(b, ip);
    boolean df = Ipv4Header.dontFragment(b, ip);
    if (Encapsulation.circular(ns, this, remote.toInt())) {
      drop(frame, Encapsulation.circularDrop(this, remote));
      return;
    }
    if (df) {
      int pathMtu = ns.pathMtu(nextHop);
      if (pathMtu > 0 && total > pathMtu - OVERHEAD) {
        ns.sendFragmentationNeeded(this, frame, pathMtu - OVERHEAD);
        drop(frame, Drop.of(DropReason.FRAG_NEEDED, "mtu " + (pathMtu - OVERHEAD)));
        return;
      }
    }
    byte[] inner = Arrays.copyOfRange(b, ip, ip + total);
    int ttl = Ipv4Header.ttl(b, ip);
    int tos = Encapsulation.outerTos(b, ip);
    int ipId = nextIpId;
    nextIpId = (nextIpId + 1) & 0xFFFF;
    hop(HopAction.ENCAP, frame, "ipip remote " + remote);
    String error =
        ns.sendEncapsulated(
            0,
            nextHop,
            src ->
                Frames.ipv4(
                    MacAddress.ZERO,
                    MacAddress.ZERO,
                    Ipv4Header.of(Ipv4Address.of(src), remote, IpProtocol.IPIP, total)
                        .withTos(tos)
                        .withIdentification(ipId)
                        .withDontFragment(df)
                        .withTtl(ttl),
                    inner),
            frame);
    if (error != null) {
      drop(frame, Drop.of(DropReason.NO_ROUTE, "ipip remote " + remote + ": " + error));
    }
  }

  /** The protocol-4 handler: takes the outer header off and lets the inner packet in. */
  private void decapsulate(Frame frame, int payloadOffset, int payloadLength) {
    byte[] b = frame.buffer();
    if (payloadLength < Ipv4Header.MIN_LENGTH || Ipv4Header.version(b, payloadOffset) != 4) {
      drop(frame, Drop.of(DropReason.MALFORMED, "ipip payload is not an IPv4 packet"));
      return;
    }
    Ipv4Address outerSrc = Ipv4Address.of(Ipv4Header.src(b, frame.l3Offset()));
    int start = payloadOffset - EthernetHeader.LENGTH;
    frame.trimFront(start - frame.offset());
    EthernetHeader.of(MacAddress.ZERO, MacAddress.ZERO, EtherType.IPV4)
        .encode(frame.buffer(), frame.offset());
    hop(HopAction.DECAP, frame, "ipip from " + outerSrc);
    receive(frame);
  }
}
