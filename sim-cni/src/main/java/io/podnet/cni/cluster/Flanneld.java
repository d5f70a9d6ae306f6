package io.podnet.cni.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.cni.plugins.FlannelPlugin;
import io.podnet.cni.spec.Json;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Route;
import io.podnet.core.net.SharedNeighbours;
import io.podnet.core.net.SharedRoutes;
import io.podnet.dataplane.overlay.SharedFdb;
import io.podnet.dataplane.overlay.VxlanDevice;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * flanneld, the node agent of the flannel strategy: it takes the node's podCIDR as its lease,
 * writes {@code /run/flannel/subnet.env} ({@code FLANNEL_NETWORK}, {@code FLANNEL_SUBNET} as the
 * gateway address with the subnet's length, {@code FLANNEL_MTU}, {@code FLANNEL_IPMASQ}) for the
 * CNI plugin, and joins the nodes with its backend:
 *
 * <ul>
 *   <li>{@code host-gw}: {@code <podCIDR> via <node IP> dev eth0} to every other node, which needs
 *       the nodes on one L2 segment;
 *   <li>{@code vxlan}: a device {@code flannel.1} (VNI 1, UDP port 8472, the node IP as VTEP, MTU
 *       the link's less 50) holding {@code <subnet>.0/32}, and for every other node the route
 *       {@code <podCIDR> via <subnet>.0 dev flannel.1 onlink}, a permanent neighbour entry for
 *       {@code <subnet>.0} with the remote {@code flannel.1} MAC, and a forwarding entry sending
 *       that MAC to the remote node's address;
 *   <li>{@code vxlan} with {@code DirectRouting}: host-gw routes to nodes on the same subnet, VXLAN
 *       to the others.
 * </ul>
 */
public final class Flanneld implements NetworkAgent {

  /**
   * flannel's manifest ({@code kube-flannel.yml}): {@code kube-flannel-ds} in {@code kube-flannel},
   * labelled {@code app=flannel}, {@code k8s-app=flannel} and {@code tier=node}, tolerating every
   * {@code NoSchedule} taint.
   */
  private static final DaemonSet DAEMON_SET =
      DaemonSet.of(
          "kube-flannel",
          "kube-flannel-ds",
          Map.of("app", "flannel", "k8s-app", "flannel", "tier", "node"),
          java.util.List.of(
              Toleration.of("", Toleration.EXISTS, "", Toleration.NO_SCHEDULE, null)));

  /** flannel's backends. */
  public enum Backend {
    /** Direct routes through the other nodes' addresses; requires L2 adjacency. */
    HOST_GW,
    /** A VXLAN overlay between the nodes ({@code flannel.1}). */
    VXLAN,
    /** VXLAN, but direct routes to nodes on the same subnet. */
    VXLAN_DIRECT_ROUTING
  }

  /** flannel's VXLAN device name, VNI and port. */
  public static final String VXLAN_DEVICE = "flannel.1";

  static final int VNI = 1;

  private final Backend backend;
  private final Map<Node, VxlanDevice> devices = new LinkedHashMap<>();

  /**
   * The VXLAN backend's route, neighbour entry and forwarding entry for every node's subnet, kept
   * once for the cluster: each node holds all but its own (a node per other node, as flanneld
   * programs them, without n(n-1) copies).
   */
  private final SharedRoutes peerRoutes = new SharedRoutes();

  private final SharedNeighbours peerNeighbours = new SharedNeighbours();
  private final SharedFdb peerFdb = new SharedFdb();

  private Flanneld(Backend backend) {
    this.backend = backend;
  }

  /**
   * flanneld configured by flannel's {@code net-conf.json} (the {@code kube-flannel-cfg}
   * ConfigMap): {@code {"Network": "10.244.0.0/16", "Backend": {"Type": "vxlan"}}}, with {@code
   * Type} {@code vxlan} (optionally {@code "DirectRouting": true}) or {@code host-gw}. {@link
   * IllegalArgumentException} naming the key and the value for anything else; {@code Network} must
   * be the cluster CIDR, which {@link Cluster#flannel(String)} takes from it.
   */
  public static Flanneld fromNetConf(String json) {
    JsonNode conf;
    try {
      conf = Json.parse(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("net-conf.json is not JSON: " + e.getMessage(), e);
    }
    JsonNode backendNode = conf.path("Backend");
    String type = backendNode.path("Type").asText("vxlan");
    boolean direct = backendNode.path("DirectRouting").asBoolean(false);
    if (backendNode.has("VNI")) {
      long vni = backendNode.path("VNI").asLong();
      if (vni != VNI) {
        throw new IllegalArgumentException(
            vni < 0 || vni > 0xFF_FFFF
                ? "Backend.VNI must be in [0, 16777215]: " + backendNode.path("VNI")
                : "Backend.VNI " + vni + " is not supported (PodNet's flannel uses VNI 1)");
      }
    }
    Backend backend =
        switch (type) {
          case "vxlan" -> direct ? Backend.VXLAN_DIRECT_ROUTING : Backend.VXLAN;
          case "host-gw" -> Backend.HOST_GW;
          default ->
              throw new IllegalArgumentException(
                  "Backend.Type: unknown backend type \""
                      + type
                      + "\" (expected vxlan or host-gw)");
        };
    return new Flanneld(backend);
  }

  /** flanneld with a backend. */
  public static Flanneld with(Backend backend) {
    return new Flanneld(backend);
  }

  /** The backend. */
  public Backend backend() {
    return backend;
  }

  @Override
  public void nodeAdded(Cluster cluster, Node node) {
    NetNamespace root = node.host().root();
    int mtu = root.device("eth0").mtu();
    if (backend != Backend.HOST_GW) {
      VxlanDevice flannel1 =
          VxlanDevice.create(
              root,
              VXLAN_DEVICE,
              VNI,
              VxlanDevice.LINUX_PORT,
              node.internalIp(),
              root.device("eth0"));
      Ipv4Address gateway = node.podCidr().network();
      root.addAddress(flannel1, IfAddress.of(gateway, 32));
      flannel1.up();
      devices.put(node, flannel1);
      mtu = flannel1.mtu();
      if (backend == Backend.VXLAN) {
        peerRoutes.put(node.podCidr(), gateway);
        peerNeighbours.put(gateway, flannel1.mac());
        peerFdb.put(flannel1.mac(), node.internalIp());
      }
    }
    String env =
        "FLANNEL_NETWORK="
            + cluster.clusterCidr()
            + "\nFLANNEL_SUBNET="
            + node.podCidr().address(1)
            + "/"
            + node.podCidr().prefixLength()
            + "\nFLANNEL_MTU="
            + mtu
            + "\nFLANNEL_IPMASQ=true\n";
    node.host().files().write(FlannelPlugin.DEFAULT_SUBNET_FILE, env);
  }

  @Override
  public java.util.Optional<DaemonSet> daemonSet() {
    return java.util.Optional.of(DAEMON_SET);
  }

  @Override
  public void nodesReady(Cluster cluster) {
    if (backend == Backend.VXLAN) {
      for (Node node : cluster.nodes()) {
        VxlanDevice local = devices.get(node);
        NetNamespace root = node.host().root();
        root.attachNeighbours(peerNeighbours, local, node.podCidr().network());
        local.attachFdb(peerFdb, local.mac());
        root.attachRoutes(peerRoutes, local, node.podCidr());
      }
      return;
    }
    Map<Node, Ipv4Address> gateways = new IdentityHashMap<>();
    for (Node node : cluster.nodes()) {
      gateways.put(node, node.podCidr().network()); // one address object shared by every node
    }
    for (Node node : cluster.nodes()) {
      NetNamespace root = node.host().root();
      for (Node other : cluster.nodes()) {
        if (other == node) {
          continue;
        }
        boolean direct = backend == Backend.HOST_GW || HostGwRoutes.adjacent(node, other);
        if (!direct) {
          VxlanDevice local = devices.get(node);
          VxlanDevice remote = devices.get(other);
          Ipv4Address gateway = gateways.get(other);
          root.addNeighbour(local, gateway, remote.mac());
          local.addFdb(remote.mac(), other.internalIp());
          root.addRoute(Route.to(other.podCidr()).via(gateway).dev(local).onlink().build());
        } else {
          HostGwRoutes.addDirectRoute(node, other);
        }
      }
    }
  }

  /** The VXLAN device on {@code node}; {@link IllegalStateException} for host-gw. */
  public VxlanDevice vxlanDevice(Node node) {
    VxlanDevice device = devices.get(node);
    if (device == null) {
      throw new IllegalStateException("flannel's " + backend + " backend has no VXLAN device");
    }
    return device;
  }
}
