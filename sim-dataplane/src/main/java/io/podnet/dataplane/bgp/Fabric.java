package io.podnet.dataplane.bgp;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Host;
import io.podnet.core.net.Link;
import io.podnet.core.net.LinkSpec;
import io.podnet.core.net.Network;
import io.podnet.core.net.Nic;
import io.podnet.core.net.Route;
import java.util.ArrayList;
import java.util.List;

/**
 * A routed underlay for many nodes: one top-of-rack router ({@code tor-1}, {@code ip_forward} on)
 * with a point-to-point /31 link to every node, so that ARP costs O(N) instead of the O(N^2)
 * broadcasts of one big L2 switch. Link {@code i} (0-based) is {@code 192.168.0.0 + 2i} on the
 * router's {@code swp<i+1>} and {@code 192.168.0.0 + 2i + 1} on node {@code node-<i+1>}'s {@code
 * eth0}; each node routes by default via the router, and owns the pod block {@code 10.244.0.0 + 64i
 * /26}.
 */
public final class Fabric {

  private static final int UNDERLAY_BASE = Ipv4Address.parse("192.168.0.0").toInt();
  private static final int POD_BASE = Ipv4Address.parse("10.244.0.0").toInt();

  private final Host tor;
  private final List<Host> nodes;
  private final List<Link> links;

  private Fabric(Host tor, List<Host> nodes, List<Link> links) {
    this.tor = tor;
    this.nodes = nodes;
    this.links = links;
  }

  /** Builds the router and {@code nodeCount} nodes (in [1, 32767]) on {@code net}. */
  public static Fabric star(Network net, int nodeCount, LinkSpec spec) {
    if (nodeCount < 1 || nodeCount > 32767) {
      throw new IllegalArgumentException("nodeCount must be in [1, 32767]: " + nodeCount);
    }
    Host tor = net.addHost("tor-1");
    tor.root().loopback().up();
    tor.root().setIpForward(true);
    List<Host> nodes = new ArrayList<>(nodeCount);
    List<Link> links = new ArrayList<>(nodeCount);
    Cidr any = Cidr.parse("0.0.0.0/0");
    for (int i = 0; i < nodeCount; i++) {
      Host node = net.addHost("node-" + (i + 1));
      node.root().loopback().up();
      Nic port = tor.root().addNic("swp" + (i + 1));
      Nic eth0 = node.root().addNic("eth0");
      links.add(net.connect(port, eth0, spec));
      Ipv4Address torIp = Ipv4Address.of(UNDERLAY_BASE + 2 * i);
      tor.root().addAddress(port, IfAddress.of(torIp, 31));
      node.root().addAddress(eth0, IfAddress.of(Ipv4Address.of(UNDERLAY_BASE + 2 * i + 1), 31));
      port.up();
      eth0.up();
      node.root().addRoute(Route.to(any).via(torIp).dev(eth0).build());
      nodes.add(node);
    }
    return new Fabric(tor, List.copyOf(nodes), List.copyOf(links));
  }

  /** The top-of-rack router. */
  public Host tor() {
    return tor;
  }

  /** Number of nodes. */
  public int size() {
    return nodes.size();
  }

  /** Node {@code i} (0-based), named {@code node-<i+1>}. */
  public Host node(int i) {
    return nodes.get(i);
  }

  /** The address of node {@code i}'s eth0, its router id. */
  public Ipv4Address nodeAddress(int i) {
    checkIndex(i);
    return Ipv4Address.of(UNDERLAY_BASE + 2 * i + 1);
  }

  /** Node {@code i}'s pod block, a /26 as Calico's IPAM gives. */
  public Cidr podCidr(int i) {
    checkIndex(i);
    return Cidr.of(Ipv4Address.of(POD_BASE + 64 * i), 26);
  }

  /** The link between the router and node {@code i}; cut it to crash the node. */
  public Link link(int i) {
    return links.get(i);
  }

  private void checkIndex(int i) {
    if (i < 0 || i >= nodes.size()) {
      throw new IllegalArgumentException("node index must be in [0, " + nodes.size() + "): " + i);
    }
  }
}
