package io.podnet.cni.calico;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.DaemonSet;
import io.podnet.cni.cluster.NetworkAgent;
import io.podnet.cni.cluster.Node;
import io.podnet.cni.cluster.Toleration;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Device;
import io.podnet.core.net.Host;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Route;
import io.podnet.core.net.SharedRoutes;
import io.podnet.dataplane.bgp.BgpSpeaker;
import io.podnet.dataplane.overlay.IpipTunnel;
import io.podnet.dataplane.overlay.VxlanDevice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * calico-node, the strategy's node agent. It creates the IP pool (the cluster CIDR in /26 blocks)
 * in the shared datastore and joins the nodes' blocks, and the /32s of addresses a node borrowed
 * from another node's block, according to the pool's mode:
 *
 * <ul>
 *   <li>{@link Mode#BGP}: BIRD on every node (AS 64512) advertises the node's blocks over BGP,
 *       node-to-node full mesh by default or through route reflectors; learned routes are installed
 *       as {@code <block> via <node IP> dev eth0 proto bird}.
 *   <li>{@link Mode#IPIP}: the same BGP, with routes through {@code tunl0} ({@code <block> via
 *       <node IP> dev tunl0 proto bird onlink}); {@code tunl0} holds an address from the node's
 *       first block, so pods start at the block's second address.
 *   <li>{@link Mode#VXLAN}: no BGP; {@code vxlan.calico} (VNI 4096, UDP 4789) with an address from
 *       the node's first block, and for every remote block {@code <block> via <remote vxlan.calico
 *       address> dev vxlan.calico onlink} with a permanent neighbour and a forwarding entry,
 *       programmed from the datastore as Felix does.
 * </ul>
 *
 * On the owning node every block gets {@code blackhole <block> proto bird}. The routes BIRD learns
 * alike on many nodes are kept once for the cluster ({@link NetNamespace#poolRoutes}); each node
 * still shows and uses exactly the routes its own BIRD installed.
 */
public final class CalicoNode implements NetworkAgent {

  /**
   * Calico's manifest ({@code calico.yaml}): {@code calico-node} in {@code kube-system}, labelled
   * {@code k8s-app=calico-node}, tolerating every {@code NoSchedule} and {@code NoExecute} taint
   * and {@code CriticalAddonsOnly}.
   */
  private static final DaemonSet DAEMON_SET =
      DaemonSet.of(
          "kube-system",
          "calico-node",
          Map.of("k8s-app", "calico-node"),
          List.of(
              Toleration.of("", Toleration.EXISTS, "", Toleration.NO_SCHEDULE, null),
              Toleration.of("CriticalAddonsOnly", Toleration.EXISTS, "", "", null),
              Toleration.of("", Toleration.EXISTS, "", Toleration.NO_EXECUTE, null)));

  /** Calico's default block size. */
  public static final int BLOCK_SIZE = 26;

  /** Calico's default AS number. */
  public static final long AS_NUMBER = 64512;

  /** How a pool's traffic crosses between nodes. */
  public enum Mode {
    /** Plain routes learned over BGP (no encapsulation). */
    BGP,
    /** IP-in-IP through {@code tunl0}, routes learned over BGP. */
    IPIP,
    /** VXLAN through {@code vxlan.calico}, routes from the datastore. */
    VXLAN
  }

  private final Mode mode;
  private final int routeReflectors;
  private final Map<String, BgpSpeaker> speakers = new LinkedHashMap<>();
  private final Map<String, VxlanDevice> vxlan = new LinkedHashMap<>();
  private final Map<String, Ipv4Address> tunnelAddress = new LinkedHashMap<>();
  private final List<Runnable> pending = new ArrayList<>();

  /**
   * The routes BIRD installs alike on many nodes ({@code <block> via <owner IP> dev eth0 proto
   * bird}), kept once: every node's table pools its learned routes here, and still holds exactly
   * the routes its own BIRD installed and has not removed.
   */
  private final SharedRoutes learnedRoutes = new SharedRoutes();

  private boolean ready;
  private boolean torPeering;
  private @Nullable BgpSpeaker tor;

  private long asNumber = AS_NUMBER;
  private int blockSize = BLOCK_SIZE;
  private final List<Cidr> pools = new ArrayList<>();

  private CalicoNode(Mode mode, int routeReflectors) {
    this.mode = mode;
    this.routeReflectors = routeReflectors;
  }

  /**
   * Uses another AS number (Calico's {@code asNumber}, default 64512); {@link
   * IllegalArgumentException} outside [1, 4294967295]. Returns this agent.
   */
  public CalicoNode withAsNumber(long asn) {
    if (asn < 1 || asn > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("asNumber must be in [1, 4294967295]: " + asn);
    }
    this.asNumber = asn;
    return this;
  }

  /**
   * Uses these IP pools (default: one pool, the cluster CIDR); {@link IllegalArgumentException} for
   * a bad CIDR or two pools that overlap, naming both. Returns this agent.
   */
  public CalicoNode withIpPools(String... cidrs) {
    List<Cidr> parsed = new ArrayList<>();
    for (String text : cidrs) {
      Cidr cidr = Cidr.parse(text);
      for (Cidr other : parsed) {
        if (other.overlaps(cidr)) {
          throw new IllegalArgumentException(
              "IP pool " + cidr + " overlaps IP pool " + other + " (expected disjoint pools)");
        }
      }
      parsed.add(cidr);
    }
    pools.clear();
    pools.addAll(parsed);
    return this;
  }

  /**
   * Uses this block size for the IP pools (Calico's {@code blockSize}, default 26); {@link
   * IllegalArgumentException} outside [20, 32], Calico's range for IPv4. Returns this agent.
   */
  public CalicoNode withBlockSize(int size) {
    if (size < 20 || size > 32) {
      throw new IllegalArgumentException("blockSize must be in [20, 32]: " + size);
    }
    this.blockSize = size;
    return this;
  }

  /** calico-node with a pool mode and a node-to-node BGP full mesh. */
  public static CalicoNode of(Mode mode) {
    return new CalicoNode(mode, 0);
  }

  /**
   * calico-node whose first {@code count} nodes are route reflectors (peering with each other and
   * with every other node), instead of a full mesh.
   */
  public static CalicoNode withRouteReflectors(Mode mode, int count) {
    if (mode == Mode.VXLAN) {
      throw new IllegalArgumentException("route reflectors need BGP; mode VXLAN runs without it");
    }
    if (count < 1) {
      throw new IllegalArgumentException("route reflector count must be >= 1: " + count);
    }
    return new CalicoNode(mode, count);
  }

  /**
   * calico-node peering with the top-of-rack router instead of with other nodes: the router (the
   * cluster's {@link Cluster#underlayRouter()}) runs a BGP route reflector that every node peers
   * with, so it learns every block and carries pod traffic between racks without encapsulation. The
   * cluster must have racks.
   */
  public static CalicoNode withTorPeering(Mode mode) {
    if (mode == Mode.VXLAN) {
      throw new IllegalArgumentException("ToR peering needs BGP; mode VXLAN runs without it");
    }
    CalicoNode node = new CalicoNode(mode, 0);
    node.torPeering = true;
    return node;
  }

  /** The ToR router's speaker, when peering with it. */
  public Optional<BgpSpeaker> torSpeaker() {
    return Optional.ofNullable(tor);
  }

  /** The pool mode. */
  public Mode mode() {
    return mode;
  }

  /** Bytes the mode's encapsulation adds: 0, 20 for IPIP, 50 for VXLAN (the pods' MTU shrinks). */
  public int encapsulationOverhead() {
    return switch (mode) {
      case BGP -> 0;
      case IPIP -> IpipTunnel.OVERHEAD;
      case VXLAN -> VxlanDevice.OVERHEAD;
    };
  }

  /** The BGP speaker of a node, when the mode uses BGP. */
  public Optional<BgpSpeaker> speaker(Node node) {
    return Optional.ofNullable(speakers.get(node.name()));
  }

  /** Every BGP speaker, in node order. */
  public List<BgpSpeaker> speakers() {
    return List.copyOf(speakers.values());
  }

  /** The routes the nodes' BIRD learned alike, kept once (see {@link NetNamespace#poolRoutes}). */
  SharedRoutes learnedRoutes() {
    return learnedRoutes;
  }

  @Override
  public void nodeAdded(Cluster cluster, Node node) {
    CalicoDatastore store = cluster.network().shared(CalicoDatastore.class, CalicoDatastore::new);
    if (store.pools().isEmpty()) {
      for (Cidr pool : pools.isEmpty() ? List.of(cluster.clusterCidr()) : pools) {
        store.addPool(new CalicoDatastore.IpPool(pool, blockSize));
      }
      store.onBlockClaimed((owner, block) -> whenReady(() -> claimed(cluster, owner, block)));
      store.onAddressBorrowed((by, ip) -> whenReady(() -> borrowed(cluster, by, ip, true)));
      store.onBorrowedAddressReleased(
          (by, ip) -> whenReady(() -> borrowed(cluster, by, ip, false)));
    }
    NetNamespace root = node.host().root();
    root.setIpForward(true);
    if (mode != Mode.VXLAN) {
      BgpSpeaker.Builder b =
          BgpSpeaker.builder(root, asNumber, node.internalIp()).activeEnd(activeEnd());
      if (routeReflectors > 0 && speakers.size() < routeReflectors) {
        b.routeReflector(node.internalIp());
      }
      if (mode == Mode.IPIP) {
        IpipTunnel tunl0 = IpipTunnel.create(root, "tunl0", root.device("eth0"));
        b.exportThrough(tunl0);
        root.poolRoutes(learnedRoutes, tunl0);
        speakers.put(node.name(), b.build());
        Ipv4Address address = tunnelAddress(cluster, store, node, "ipip-tunnel-addr-");
        root.addAddress(tunl0, IfAddress.of(address, 32));
        tunl0.up();
      } else {
        root.poolRoutes(learnedRoutes, root.device("eth0"));
        speakers.put(node.name(), b.build());
      }
    } else {
      VxlanDevice device =
          VxlanDevice.create(
              root,
              "vxlan.calico",
              4096,
              VxlanDevice.IANA_PORT,
              node.internalIp(),
              root.device("eth0"));
      vxlan.put(node.name(), device);
      Ipv4Address address = tunnelAddress(cluster, store, node, "vxlan-tunnel-addr-");
      root.addAddress(device, IfAddress.of(address, 32));
      device.up();
    }
  }

  private Ipv4Address tunnelAddress(
      Cluster cluster, CalicoDatastore store, Node node, String handlePrefix) {
    Ipv4Address address =
        store
            .assign(
                node.name(),
                handlePrefix + node.name(),
                cluster.simulation().random().stream(node.name() + "/calico-ipam"))
            .orElseThrow(() -> new IllegalStateException("IP pool exhausted for " + node.name()));
    tunnelAddress.put(node.name(), address);
    return address;
  }

  @Override
  public Optional<DaemonSet> daemonSet() {
    return Optional.of(DAEMON_SET);
  }

  /**
   * Which end of a BGP session connects: in the node-to-node mesh, as Calico's {@code
   * bird.cfg.template} has it, the node whose address is greater as text (the other is {@code
   * passive on}); toward reflectors and the ToR, where Calico leaves both ends active and BIRD
   * resolves the collision, the lower address, the speaker's default.
   */
  private BgpSpeaker.ActiveEnd activeEnd() {
    return routeReflectors > 0 || torPeering
        ? BgpSpeaker.ActiveEnd.LOWER_ADDRESS
        : BgpSpeaker.ActiveEnd.GREATER_ADDRESS_TEXT;
  }

  @Override
  public void nodesReady(Cluster cluster) {
    ready = true;
    List<Node> nodes = cluster.nodes();
    if (torPeering) {
      Host router =
          cluster
              .underlayRouter()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "ToR peering needs racks (Cluster.Builder.racks(n) with n > 1)"));
      Ipv4Address routerId = router.root().device("eth1").addresses().get(0).address();
      BgpSpeaker reflector =
          BgpSpeaker.builder(router.root(), asNumber, routerId)
              .routeReflector(routerId)
              .activeEnd(activeEnd())
              .build();
      for (Node node : nodes) {
        reflector.addRouteReflectorClient(node.internalIp());
        Device eth0 = node.host().root().device("eth0");
        Ipv4Address gateway =
            node.host().root().routes().lookup(routerId.toInt()) == null
                ? routerId
                : rackGateway(eth0);
        speakers.get(node.name()).addPeer(gateway);
      }
      tor = reflector;
      reflector.start();
    }
    for (int index = 0; index < nodes.size(); index++) {
      Node node = nodes.get(index);
      BgpSpeaker speaker = speakers.get(node.name());
      if (speaker == null) {
        continue;
      }
      for (int otherIndex = 0; otherIndex < nodes.size(); otherIndex++) {
        Node other = nodes.get(otherIndex);
        if (other == node) {
          continue;
        }
        if (torPeering) {
          break;
        } else if (routeReflectors == 0) {
          speaker.addPeer(other.internalIp());
        } else if (index < routeReflectors) {
          if (otherIndex < routeReflectors) {
            speaker.addPeer(other.internalIp());
          } else {
            speaker.addRouteReflectorClient(other.internalIp());
          }
        } else if (otherIndex < routeReflectors) {
          speaker.addPeer(other.internalIp());
        }
      }
    }
    for (BgpSpeaker speaker : speakers.values()) {
      speaker.start();
    }
    pending.forEach(Runnable::run);
    pending.clear();
  }

  /** Runs {@code action} now once the nodes are ready, else when they are. */
  private void whenReady(Runnable action) {
    if (ready) {
      action.run();
    } else {
      pending.add(action);
    }
  }

  /** The router's address on a node's rack: the gateway of the node's default route. */
  private static Ipv4Address rackGateway(Device eth0) {
    Route def = eth0.namespace().routes().lookup(0);
    if (def == null || def.gateway() == null) {
      throw new IllegalStateException(
          "node " + eth0.namespace().label() + " has no default gateway");
    }
    return def.gateway();
  }

  private void claimed(Cluster cluster, String owner, Cidr block) {
    Node ownerNode = cluster.node(owner);
    ownerNode.host().root().addRoute(Route.of(Route.Type.BLACKHOLE, block).proto("bird").build());
    BgpSpeaker speaker = speakers.get(owner);
    if (speaker != null) {
      speaker.originate(block);
      return;
    }
    routeThroughVxlan(cluster, ownerNode, block, true);
  }

  /**
   * An address {@code node} borrowed from another node's block was taken ({@code taken}) or given
   * back: calico-node on the borrower advertises (or withdraws) its /32, which beats the block's
   * route and the owner's blackhole by prefix length; in VXLAN mode Felix programs (or removes) the
   * /32 through the borrower's VTEP on every other node.
   */
  private void borrowed(Cluster cluster, String node, Ipv4Address ip, boolean taken) {
    Cidr host = Cidr.of(ip, 32);
    BgpSpeaker speaker = speakers.get(node);
    if (speaker == null) {
      routeThroughVxlan(cluster, cluster.node(node), host, taken);
    } else if (taken) {
      speaker.originate(host);
    } else {
      speaker.withdraw(host);
    }
  }

  /** Adds (or removes) {@code <prefix> via <owner's VTEP> dev vxlan.calico} on the other nodes. */
  private void routeThroughVxlan(Cluster cluster, Node ownerNode, Cidr prefix, boolean add) {
    VxlanDevice ownerDevice = vxlan.get(ownerNode.name());
    Ipv4Address ownerVtepAddress = tunnelAddress.get(ownerNode.name());
    for (Node node : cluster.nodes()) {
      if (node == ownerNode) {
        continue;
      }
      NetNamespace root = node.host().root();
      VxlanDevice local = vxlan.get(node.name());
      Route route =
          Route.to(prefix).via(ownerVtepAddress).dev(local).onlink().proto("bird").build();
      if (!add) {
        root.removeRoute(route);
        continue;
      }
      if (root.neighbourEntries().stream().noneMatch(e -> e.address().equals(ownerVtepAddress))) {
        root.addNeighbour(local, ownerVtepAddress, ownerDevice.mac());
        local.addFdb(ownerDevice.mac(), ownerNode.internalIp());
      }
      root.addRoute(route);
    }
  }
}
