package io.podnet.cni.contract;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.plugins.BridgePlugin;
import io.podnet.cni.plugins.Plugins;
import io.podnet.cni.runtime.CniPlugin;
import io.podnet.cni.runtime.CniRequest;
import io.podnet.cni.spec.CniResult;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Device;
import io.podnet.core.net.HookPoint;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.packet.IpProtocol;
import io.podnet.core.packet.Ipv4Header;
import io.podnet.core.packet.UdpHeader;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/** Deliberately broken CNI strategies, each breaking one rule of the contract. */
final class BrokenStrategies {

  private BrokenStrategies() {}

  private static final String BRIDGE_WITH =
      """
      {
        "cniVersion": "1.0.0",
        "name": "broken",
        "plugins": [
          {
            "type": "%s",
            "bridge": "cni0",
            "isGateway": true,
            "isDefaultGateway": %s,
            "ipam": {"type": "%s", "ranges": [[{"subnet": "${podCIDR}"}]] %s}
          }%s
        ]
      }
      """;

  /** Rule 1: an IPAM plugin that hands every pod the same address. */
  static Cluster.Builder duplicateIps() {
    return Cluster.builder()
        .plugins(Plugins.standard().with("same-ip", new SameIpIpam()))
        .cni("10-broken.conflist", BRIDGE_WITH.formatted("bridge", "true", "same-ip", "", ""));
  }

  /** Rule 2: a chained plugin that masquerades pod traffic leaving the node. */
  static Cluster.Builder natOnPodTraffic() {
    return Cluster.builder()
        .plugins(Plugins.standard().with("masquerade-all", new MasqueradeAll()))
        .cni(
            "10-broken.conflist",
            BRIDGE_WITH.formatted(
                "bridge", "true", "host-local", "", ",\n{\"type\": \"masquerade-all\"}"));
  }

  /** Rule 3: pods get a route to the cluster CIDR but no default route. */
  static Cluster.Builder noDefaultRoute() {
    return Cluster.builder()
        .cni(
            "10-broken.conflist",
            BRIDGE_WITH.formatted(
                "bridge",
                "false",
                "host-local",
                ", \"routes\": [{\"dst\": \"10.244.0.0/16\"}]",
                ""));
  }

  /** Rule 4: a bridge plugin whose DEL does nothing, so IPs leak. */
  static Cluster.Builder leakyDelete() {
    return Cluster.builder()
        .plugins(Plugins.standard().with("leaky-bridge", new LeakyBridge()))
        .cni(
            "10-broken.conflist",
            BRIDGE_WITH.formatted("leaky-bridge", "true", "host-local", "", ""));
  }

  /** Always returns 10.244.1.5/24 via 10.244.1.1. */
  static final class SameIpIpam implements CniPlugin {
    @Override
    public CniResult add(CniRequest request) {
      return CniResult.builder(request.cniVersion())
          .addIp(
              new CniResult.IpConfig(
                  IfAddress.parse("10.244.1.5/24"), Ipv4Address.parse("10.244.1.1"), -1))
          .build();
    }

    @Override
    public void del(CniRequest request) {}

    @Override
    public void check(CniRequest request) {}
  }

  /** The bridge plugin with a DEL that forgets to release anything. */
  static final class LeakyBridge implements CniPlugin {
    private final BridgePlugin bridge = new BridgePlugin();

    @Override
    public CniResult add(CniRequest request) {
      return bridge.add(request);
    }

    @Override
    public void del(CniRequest request) {}

    @Override
    public void check(CniRequest request) {
      bridge.check(request);
    }
  }

  /**
   * Chained after bridge: rewrites the source of pod packets leaving by eth0 to the node's address,
   * fixing the IPv4 and UDP checksums, like a MASQUERADE rule without conntrack.
   */
  static final class MasqueradeAll implements CniPlugin {
    private final Set<NetNamespace> hooked = Collections.newSetFromMap(new IdentityHashMap<>());

    @Override
    public CniResult add(CniRequest request) {
      NetNamespace host = request.node().hostNamespace();
      if (hooked.add(host)) {
        Device eth0 = host.device("eth0");
        Ipv4Address nodeIp = eth0.addresses().get(0).address();
        Cidr pods = Cidr.parse("10.244.0.0/16");
        host.addHook(
            HookPoint.POSTROUTING,
            100,
            (point, frame, in, out) -> {
              byte[] b = frame.buffer();
              int ip = frame.l3Offset();
              if (out == eth0 && pods.contains(Ipv4Header.src(b, ip))) {
                Ipv4Header.setSrc(b, ip, nodeIp.toInt());
                if (Ipv4Header.protocol(b, ip) == IpProtocol.UDP) {
                  int udp = ip + Ipv4Header.headerLength(b, ip);
                  int len = Ipv4Header.totalLength(b, ip) - Ipv4Header.headerLength(b, ip);
                  UdpHeader.writeChecksum(b, udp, len, nodeIp.toInt(), Ipv4Header.dst(b, ip));
                }
              }
              return null;
            });
      }
      return request.prevResult().orElseThrow();
    }

    @Override
    public void del(CniRequest request) {}

    @Override
    public void check(CniRequest request) {}
  }
}
