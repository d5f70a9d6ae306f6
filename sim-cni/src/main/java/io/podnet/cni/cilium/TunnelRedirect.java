package io.podnet.cni.cilium;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Device;
import io.podnet.core.net.Frame;
import io.podnet.core.net.TcProgram;
import io.podnet.core.net.TcVerdict;
import io.podnet.core.packet.EtherType;
import io.podnet.core.packet.EthernetHeader;
import io.podnet.core.packet.Ipv4Header;
import io.podnet.dataplane.overlay.GeneveDevice;
import io.podnet.dataplane.overlay.VxlanDevice;
import java.util.Map;

/**
 * The tc ingress program the cilium agent attaches to {@code cilium_net}, standing for {@code
 * bpf_host}: an IPv4 packet whose destination lies in a prefix of the tunnel device's map (another
 * node's pod CIDR) is redirected to the tunnel device, which sends it to the node that prefix maps
 * to; anything else passes.
 */
public final class TunnelRedirect implements TcProgram {

  private final Device tunnel;
  private final Map<Cidr, Ipv4Address> endpoints;

  /** A program redirecting to an external VXLAN or Geneve device. */
  TunnelRedirect(Device tunnel) {
    this.tunnel = tunnel;
    this.endpoints =
        tunnel instanceof VxlanDevice vx
            ? vx.tunnelEndpoints()
            : ((GeneveDevice) tunnel).tunnelEndpoints();
  }

  /** The tunnel device packets are redirected to. */
  public Device tunnel() {
    return tunnel;
  }

  /** The tunnel map the program and the device read: prefix to remote node (a live view). */
  public Map<Cidr, Ipv4Address> endpoints() {
    return endpoints;
  }

  @Override
  public TcVerdict run(Device dev, Frame frame) {
    byte[] b = frame.buffer();
    if (frame.length() < EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH
        || EthernetHeader.etherType(b, frame.offset()) != EtherType.IPV4) {
      return TcVerdict.ok();
    }
    int dst = Ipv4Header.dst(b, frame.l3Offset());
    for (Cidr prefix : endpoints.keySet()) {
      if (prefix.contains(dst)) {
        return TcVerdict.redirect(tunnel);
      }
    }
    return TcVerdict.ok();
  }
}
