package io.podnet.core.net;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Nodes and pods built by hand with the kernel model, the way the CNI bridge plugin lays them out
 * (no CNI involved): each node has {@code eth0} on a shared L2 underlay switch ({@code
 * 192.168.1.11}, {@code .12}, ...), a bridge {@code cni0} holding the gateway {@code
 * 10.244.N.1/24}, {@code ip_forward} on and a route {@code 10.244.M.0/24 via 192.168.1.(10+M) dev
 * eth0} to every other node; each pod is a namespace whose {@code eth0} is one end of a veth pair
 * created inside the pod, the other end ({@code veth} and 8 hex digits) moved to the node and
 * enslaved to {@code cni0}, with the pod's address (from {@code .2} up) and {@code default via
 * 10.244.N.1}.
 *
 * <pre>{@code
 * BridgeTopology t = BridgeTopology.build(Network.create(Simulation.create(7)), 2, 2);
 * t.pod(0, 0).ping(t.podAddress(1, 0)).success(); // true
 * }</pre>
 */
public final class BridgeTopology {

  /** The cluster network pods are carved from. */
  public static final Cidr CLUSTER_CIDR = Cidr.parse("10.244.0.0/16");

  /** The underlay network of the nodes. */
  public static final Cidr UNDERLAY_CIDR = Cidr.parse("192.168.1.0/24");

  private final Network network;
  private final List<Host> nodes = new ArrayList<>();
  private final List<List<NetNamespace>> pods = new ArrayList<>();
  private final List<List<Ipv4Address>> podAddresses = new ArrayList<>();

  private BridgeTopology(Network network) {
    this.network = network;
  }

  /**
   * Builds {@code nodeCount} nodes ({@code node-1}, ...) with {@code podsPerNode} pods each ({@code
   * web-1}, {@code web-2}, ... numbered across the cluster) on {@code network}.
   */
  public static BridgeTopology build(Network network, int nodeCount, int podsPerNode) {
    if (nodeCount < 1 || nodeCount > 200) {
      throw new IllegalArgumentException("node count must be in [1, 200]: " + nodeCount);
    }
    if (podsPerNode < 0 || podsPerNode > 250) {
      throw new IllegalArgumentException("pods per node must be in [0, 250]: " + podsPerNode);
    }
    BridgeTopology t = new BridgeTopology(network);
    Host underlay = network.addSwitch("underlay");
    RandomGenerator names = network.random("veth-names");
    for (int n = 0; n < nodeCount; n++) {
      t.addNode(n, underlay);
    }
    for (int n = 0; n < nodeCount; n++) {
      NetNamespace root = t.nodes.get(n).root();
      for (int m = 0; m < nodeCount; m++) {
        if (m != n) {
          root.addRoute(Route.to(podCidr(m)).via(nodeAddress(m)).dev(root.device("eth0")).build());
        }
      }
    }
    int podNumber = 1;
    for (int n = 0; n < nodeCount; n++) {
      for (int p = 0; p < podsPerNode; p++) {
        t.addPod(n, p, "web-" + podNumber++, names);
      }
    }
    return t;
  }

  private void addNode(int n, Host underlay) {
    Host node = network.addHost("node-" + (n + 1));
    NetNamespace root = node.root();
    root.loopback().up();
    Nic eth0 = network.attachToSwitch(node, "eth0", underlay, LinkSpec.DEFAULT);
    root.addAddress(eth0, IfAddress.of(nodeAddress(n), UNDERLAY_CIDR.prefixLength()));
    Bridge cni0 = root.addBridge("cni0");
    root.addAddress(cni0, IfAddress.of(gateway(n), 24));
    cni0.up();
    root.setIpForward(true);
    nodes.add(node);
    pods.add(new ArrayList<>());
    podAddresses.add(new ArrayList<>());
  }

  private void addPod(int n, int p, String name, RandomGenerator names) {
    Host node = nodes.get(n);
    NetNamespace ns = node.addNamespace(name);
    ns.loopback().up();
    String hostVeth = "veth" + HexFormat.of().toHexDigits(names.nextInt());
    Veth eth0 = ns.addVethPair("eth0", hostVeth);
    Veth hostEnd = eth0.peer();
    ns.moveDevice(hostEnd, node.root(), hostVeth);
    ((Bridge) node.root().device("cni0")).addPort(hostEnd);
    hostEnd.up();
    Ipv4Address address = podCidr(n).address(p + 2L);
    ns.addAddress(eth0, IfAddress.of(address, 24));
    eth0.up();
    ns.addRoute(Route.to(Cidr.parse("0.0.0.0/0")).via(gateway(n)).dev(eth0).build());
    pods.get(n).add(ns);
    podAddresses.get(n).add(address);
  }

  /** The pod CIDR of node {@code n} (0-based): {@code 10.244.(n+1).0/24}. */
  public static Cidr podCidr(int n) {
    return CLUSTER_CIDR.subnet(24, n + 1);
  }

  /** The underlay address of node {@code n} (0-based): {@code 192.168.1.(11+n)}. */
  public static Ipv4Address nodeAddress(int n) {
    return UNDERLAY_CIDR.address(11L + n);
  }

  /** The gateway (cni0) address of node {@code n}: {@code 10.244.(n+1).1}. */
  public static Ipv4Address gateway(int n) {
    return podCidr(n).address(1);
  }

  /** The network. */
  public Network network() {
    return network;
  }

  /** Node {@code n} (0-based). */
  public Host node(int n) {
    return nodes.get(n);
  }

  /** The nodes. */
  public List<Host> nodes() {
    return Collections.unmodifiableList(nodes);
  }

  /** Pod {@code p} of node {@code n} (both 0-based). */
  public NetNamespace pod(int n, int p) {
    return pods.get(n).get(p);
  }

  /** The address of pod {@code p} of node {@code n}. */
  public Ipv4Address podAddress(int n, int p) {
    return podAddresses.get(n).get(p);
  }
}
