package io.podnet.cni.cilium;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.DaemonSet;
import io.podnet.cni.cluster.NetworkAgent;
import io.podnet.cni.cluster.Node;
import io.podnet.cni.cluster.Toleration;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Device;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Route;
import io.podnet.core.net.Veth;
import io.podnet.dataplane.overlay.GeneveDevice;
import io.podnet.dataplane.overlay.VxlanDevice;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The cilium agent, the strategy's node agent. On every node it takes the node's pod CIDR into the
 * cluster pool ({@link ClusterPoolIpam}), allocates the router IP from it, and lays out what a
 * Cilium node shows:
 *
 * <ul>
 *   <li>the veth pair {@code cilium_host@cilium_net} / {@code cilium_net@cilium_host}, MTU 1500,
 *       with the router IP as a /32 on {@code cilium_host}, forwarding on, and the routes {@code
 *       <podCIDR> via <router> dev cilium_host proto kernel src <router>} and {@code <router> dev
 *       cilium_host proto kernel scope link};
 *   <li>in tunnel mode (the default, {@code routing-mode: tunnel}) an external tunnel device,
 *       {@code cilium_vxlan} on UDP 8472 ({@code tunnel-protocol: vxlan}) or {@code cilium_geneve}
 *       on 6081 ({@code geneve}), MTU 1500, and for every other node {@code <its podCIDR> via
 *       <router> dev cilium_host proto kernel src <router> mtu 1450} with its node IP in the tunnel
 *       map; pods' routes get MTU 1450;
 *   <li>in native routing mode ({@code routing-mode: native} with {@code auto-direct-node-routes})
 *       {@code <its podCIDR> via <node IP> dev eth0 proto kernel} instead, and MTU 1500.
 * </ul>
 *
 * <p>Cilium's BPF programs steer pod traffic without the kernel's routing table; PodNet has no BPF
 * and routes with the kernel instead: packets for a remote pod CIDR follow the route to {@code
 * cilium_host}, come out of {@code cilium_net}, and a tc ingress program there (standing for {@code
 * bpf_host}) redirects them to the tunnel device, which encapsulates them to the node its tunnel
 * map names; local pods are reached by a host route per pod, which the CNI plugin adds.
 */
public final class CiliumAgent implements NetworkAgent {

  /**
   * Cilium's Helm chart: the agent's DaemonSet {@code cilium} in {@code kube-system}, labelled
   * {@code k8s-app=cilium}, {@code app.kubernetes.io/name=cilium-agent} and {@code
   * app.kubernetes.io/part-of=cilium}, tolerating everything.
   */
  private static final DaemonSet DAEMON_SET =
      DaemonSet.of(
          "kube-system",
          "cilium",
          Map.of(
              "k8s-app",
              "cilium",
              "app.kubernetes.io/name",
              "cilium-agent",
              "app.kubernetes.io/part-of",
              "cilium"),
          List.of(Toleration.of("", Toleration.EXISTS, "", "", null)));

  /** How the agent joins the nodes' pod CIDRs. */
  public enum RoutingMode {
    /** {@code routing-mode: tunnel}, {@code tunnel-protocol: vxlan}: {@code cilium_vxlan}, 8472. */
    VXLAN("vxlan", "cilium_vxlan", VxlanDevice.LINUX_PORT),
    /**
     * {@code routing-mode: tunnel}, {@code tunnel-protocol: geneve}: {@code cilium_geneve}, 6081.
     */
    GENEVE("geneve", "cilium_geneve", GeneveDevice.PORT),
    /** {@code routing-mode: native} with direct routes to the other nodes' pod CIDRs. */
    NATIVE("native", "", 0);

    private final String text;
    private final String device;
    private final int port;

    RoutingMode(String text, String device, int port) {
      this.text = text;
      this.device = device;
      this.port = port;
    }

    /** The tunnel protocol or {@code native}, as Cilium's configuration spells it. */
    public String text() {
      return text;
    }

    /** The tunnel device name, empty for native routing. */
    public String device() {
      return device;
    }

    /** The tunnel's UDP port, 0 for native routing. */
    public int port() {
      return port;
    }
  }

  /** The owner of the router IP in the cluster pool. */
  public static final String ROUTER_OWNER = "router";

  /** Bytes the tunnel takes from the route MTU (outer Ethernet, IPv4, UDP, VXLAN or Geneve). */
  static final int TUNNEL_OVERHEAD = 50;

  private final RoutingMode mode;
  private final Map<String, Device> tunnels = new LinkedHashMap<>();
  private final Map<String, Ipv4Address> routers = new LinkedHashMap<>();

  private CiliumAgent(RoutingMode mode) {
    this.mode = mode;
  }

  /** The agent with Cilium's defaults: tunnel mode over VXLAN. */
  public static CiliumAgent vxlan() {
    return new CiliumAgent(RoutingMode.VXLAN);
  }

  /** The agent with {@code routing-mode} and {@code tunnel-protocol} set by {@code mode}. */
  public static CiliumAgent with(RoutingMode mode) {
    return new CiliumAgent(mode);
  }

  /**
   * The agent in tunnel mode with {@code tunnel-protocol} {@code protocol} ({@code vxlan} or {@code
   * geneve}, any case); {@link IllegalArgumentException} naming the key and the value otherwise.
   */
  public static CiliumAgent tunnel(String protocol) {
    String p = protocol.toLowerCase(Locale.ROOT);
    if (p.equals("vxlan")) {
      return new CiliumAgent(RoutingMode.VXLAN);
    }
    if (p.equals("geneve")) {
      return new CiliumAgent(RoutingMode.GENEVE);
    }
    throw new IllegalArgumentException(
        "tunnel-protocol must be \"vxlan\" or \"geneve\": \"" + protocol + "\"");
  }

  /** The routing mode. */
  public RoutingMode mode() {
    return mode;
  }

  /** The router IP (the address of {@code cilium_host}) of {@code node}. */
  public Ipv4Address routerIp(Node node) {
    Ipv4Address ip = routers.get(node.name());
    if (ip == null) {
      throw new IllegalArgumentException("the cilium agent does not run on " + node);
    }
    return ip;
  }

  @Override
  public void nodeAdded(Cluster cluster, Node node) {
    ClusterPoolIpam ipam = cluster.network().shared(ClusterPoolIpam.class, ClusterPoolIpam::new);
    ipam.addNode(node.name(), node.podCidr());
    Ipv4Address router =
        ipam.allocateNext(node.name(), ROUTER_OWNER, random(cluster, node))
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "pod CIDR "
                            + node.podCidr()
                            + " of "
                            + node
                            + " has no room for a router"));
    routers.put(node.name(), router);
    NetNamespace root = node.host().root();
    int deviceMtu = root.device("eth0").mtu();
    Veth host = root.addVethPair("cilium_host", "cilium_net", deviceMtu);
    Veth net = host.peer();
    host.up();
    net.up();
    root.addAddress(host, IfAddress.of(router, 32));
    root.addRoute(
        Route.to(node.podCidr()).via(router).dev(host).proto("kernel").src(router).build());
    root.addRoute(
        Route.to(Cidr.of(router, 32)).dev(host).proto("kernel").scope(Route.Scope.LINK).build());
    root.setIpForward(true);
    int routeMtu = deviceMtu;
    if (mode != RoutingMode.NATIVE) {
      Device tunnel =
          mode == RoutingMode.VXLAN
              ? VxlanDevice.createExternal(root, mode.device(), mode.port())
              : GeneveDevice.createExternal(root, mode.device());
      tunnel.up();
      tunnels.put(node.name(), tunnel);
      routeMtu = deviceMtu - TUNNEL_OVERHEAD;
      net.attachTcIngress(new TunnelRedirect(tunnel));
    }
    AgentApi api = cluster.network().shared(AgentApi.class, AgentApi::new);
    api.mode(mode);
    api.register(node.name(), new AgentApi.NodeConfig(router, deviceMtu, routeMtu));
  }

  @Override
  public Optional<DaemonSet> daemonSet() {
    return Optional.of(DAEMON_SET);
  }

  @Override
  public void nodesReady(Cluster cluster) {
    for (Node node : cluster.nodes()) {
      NetNamespace root = node.host().root();
      Ipv4Address router = routerIp(node);
      Device tunnel = tunnels.get(node.name());
      for (Node other : cluster.nodes()) {
        if (other == node) {
          continue;
        }
        if (tunnel == null) {
          root.addRoute(
              Route.to(other.podCidr())
                  .via(other.internalIp())
                  .dev(root.device("eth0"))
                  .proto("kernel")
                  .build());
          continue;
        }
        root.addRoute(
            Route.to(other.podCidr())
                .via(router)
                .dev(root.device("cilium_host"))
                .proto("kernel")
                .src(router)
                .mtu(root.device("eth0").mtu() - TUNNEL_OVERHEAD)
                .build());
        if (tunnel instanceof VxlanDevice vx) {
          vx.setTunnelEndpoint(other.podCidr(), other.internalIp());
        } else {
          ((GeneveDevice) tunnel).setTunnelEndpoint(other.podCidr(), other.internalIp());
        }
      }
    }
  }

  /** The tunnel device of {@code node}; {@link IllegalStateException} in native routing mode. */
  public Device tunnelDevice(Node node) {
    Device d = tunnels.get(node.name());
    if (d == null) {
      throw new IllegalStateException("the cilium agent on " + node + " runs without a tunnel");
    }
    return d;
  }

  static java.util.random.RandomGenerator random(Cluster cluster, Node node) {
    return cluster.simulation().random().stream(node.name() + "/" + CiliumPlugin.IPAM_STREAM);
  }
}
