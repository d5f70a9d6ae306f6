package io.podnet.cni.cluster;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Host;
import io.podnet.core.net.LinkSpec;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Network;
import io.podnet.core.net.Nic;
import io.podnet.core.net.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The network under the nodes. With one rack it is a single L2 switch on {@code 192.168.0.0/16},
 * whose bridge holds the gateway {@code 192.168.0.1} (which answers but forwards nothing). With
 * several racks, rack R is a switch on {@code 192.168.R.0/24} and a router joins the racks, holding
 * {@code 192.168.R.1} in each; nodes fill the racks in order. Every node's default route points at
 * its gateway.
 */
final class Underlay {

  private final Network network;
  private final int racks;
  private final int perRack;
  private final LinkSpec link;
  private final List<Host> switches = new ArrayList<>();
  private @Nullable Host router;

  private Underlay(Network network, int racks, int perRack, LinkSpec link) {
    this.network = network;
    this.racks = racks;
    this.perRack = perRack;
    this.link = link;
  }

  static Underlay build(Network network, int racks, int nodes, LinkSpec link) {
    Underlay u = new Underlay(network, racks, (nodes + racks - 1) / racks, link);
    if (racks == 1) {
      Host sw = network.addSwitch("underlay");
      NetNamespace fabric = sw.root();
      fabric.addAddress(
          fabric.device("br0"),
          IfAddress.of(Cluster.UNDERLAY_GATEWAY, Cluster.UNDERLAY.prefixLength()));
      u.switches.add(sw);
      return u;
    }
    if (u.perRack > 240) {
      throw new IllegalArgumentException(
          nodes + " nodes in " + racks + " racks is more than 240 a rack (expected more racks)");
    }
    Host router = network.addHost("router");
    u.router = router;
    router.root().loopback().up();
    router.root().setIpForward(true);
    for (int r = 1; r <= racks; r++) {
      Host sw = network.addSwitch("rack-" + r);
      Nic nic = network.attachToSwitch(router, "eth" + r, sw, link);
      router.root().addAddress(nic, IfAddress.of(gateway(r), 24));
      u.switches.add(sw);
    }
    return u;
  }

  /**
   * Plugs node {@code i} (1-based) in and gives it its address ({@code 192.168.1.10+i}, or {@code
   * address} when not null, on one rack) and its default route.
   */
  Ipv4Address attach(Host host, int i, @Nullable Ipv4Address address) {
    NetNamespace root = host.root();
    if (racks == 1) {
      Nic eth0 = network.attachToSwitch(host, "eth0", switches.get(0), link);
      Ipv4Address ip = address != null ? address : Cluster.UNDERLAY.address(256L + 10 + i);
      root.addAddress(eth0, IfAddress.of(ip, Cluster.UNDERLAY.prefixLength()));
      root.addRoute(
          Route.to(Cidr.parse("0.0.0.0/0")).via(Cluster.UNDERLAY_GATEWAY).dev(eth0).build());
      return ip;
    }
    int rack = (i - 1) / perRack + 1;
    int slot = (i - 1) % perRack + 1;
    Nic eth0 = network.attachToSwitch(host, "eth0", switches.get(rack - 1), link);
    Ipv4Address ip = rackSubnet(rack).address(10L + slot);
    root.addAddress(eth0, IfAddress.of(ip, 24));
    root.addRoute(Route.to(Cidr.parse("0.0.0.0/0")).via(gateway(rack)).dev(eth0).build());
    return ip;
  }

  /**
   * Plugs in the {@code i}-th (1-based, at most 40) host outside the cluster: on the first switch,
   * at {@code 192.168.0.200+i} with one rack or {@code 192.168.1.200+i} with several, with its
   * default route through the gateway, like a client on the nodes' network.
   */
  Ipv4Address attachExternal(Host host, int i) {
    if (i < 1 || i > 40) {
      throw new IllegalArgumentException(
          "at most 40 hosts outside the cluster (expected fewer): " + i);
    }
    Nic eth0 = network.attachToSwitch(host, "eth0", switches.get(0), link);
    Cidr subnet = racks == 1 ? Cluster.UNDERLAY : rackSubnet(1);
    Ipv4Address ip =
        racks == 1 ? Cluster.UNDERLAY.address(200L + i) : rackSubnet(1).address(200L + i);
    host.root().addAddress(eth0, IfAddress.of(ip, subnet.prefixLength()));
    Ipv4Address gw = racks == 1 ? Cluster.UNDERLAY_GATEWAY : gateway(1);
    host.root().addRoute(Route.to(Cidr.parse("0.0.0.0/0")).via(gw).dev(eth0).build());
    return ip;
  }

  /** The router between racks, if there is more than one rack. */
  Optional<Host> router() {
    return Optional.ofNullable(router);
  }

  private static Cidr rackSubnet(int rack) {
    return Cidr.parse("192.168." + rack + ".0/24");
  }

  private static Ipv4Address gateway(int rack) {
    return rackSubnet(rack).address(1);
  }
}
