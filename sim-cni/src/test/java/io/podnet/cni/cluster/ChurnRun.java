package io.podnet.cni.cluster;

import io.podnet.cni.calico.CalicoDatastore;
import io.podnet.cni.cilium.CiliumAgent;
import io.podnet.cni.cilium.ClusterPoolIpam;
import io.podnet.cni.contract.ContractChecker;
import io.podnet.cni.contract.ContractReport;
import io.podnet.cni.runtime.Attachment;
import io.podnet.cni.runtime.CniRuntime;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.fs.SimFileSystem;
import io.podnet.core.net.Bridge;
import io.podnet.core.net.Device;
import io.podnet.core.net.Link;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Nic;
import io.podnet.core.net.Route;
import io.podnet.core.net.Veth;
import io.podnet.dataplane.service.Service;
import io.podnet.dataplane.service.ServicePort;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One churn run: a small cluster of one strategy and service mode, the steps of a {@link ChurnOp}
 * sequence applied to it, and after every step the invariants checked against the model's real
 * state. {@link #violations()} lists what is wrong right now:
 *
 * <ul>
 *   <li>every pod IP is unique and in the cluster CIDR;
 *   <li>nothing outlives the pod that owned it: no network namespace, pod veth, {@code /32} route
 *       to a pod IP, learned bridge FDB entry, IPAM reservation (host-local's files under {@code
 *       /var/lib/cni/networks}, calico-ipam's handles, cilium's cluster pool), cached CNI result or
 *       Service conntrack entry (a DNAT to the pod) is left without a pod that still holds it;
 *   <li>every running pod's IP is still reserved for its own sandbox.
 * </ul>
 *
 * <p>{@link ChurnOp.Kind#REPEAT_DEL} checks that DEL repeated any number of times succeeds, and
 * {@link ChurnOp.Kind#CONVERGE} that the CNI contract holds once every fault is healed and the
 * network has converged; both record a violation when they do not.
 */
final class ChurnRun {

  /** The UDP port every pod listens on from the moment it runs. */
  static final int POD_PORT = 7000;

  /** The port of every churn Service. */
  static final int SERVICE_PORT = 53;

  /** Simulated time after each step, so that what the step set in motion (a sync) takes effect. */
  static final long STEP_NANOS = SimTime.SECOND;

  /** Longest a {@link ChurnOp.Kind#CONVERGE} waits for every pod to run. */
  static final long CONVERGE_LIMIT_NANOS = 600 * SimTime.SECOND;

  /**
   * Time a healed network gets to settle: a BGP session whose handshake packet loss broke is up
   * again one hold time (240 s) after the loss.
   */
  static final long SETTLE_NANOS = 300 * SimTime.SECOND;

  private static final String IPAM_DIR = "/var/lib/cni/networks/";

  private final ChurnStrategy strategy;
  private final Cluster cluster;
  private final List<String> services = new ArrayList<>();
  private final Set<String> crashed = new TreeSet<>();
  private final Set<String> cut = new TreeSet<>();
  private final Set<String> lossy = new TreeSet<>();
  private final Map<String, Set<String>> removed = new TreeMap<>();
  private final Map<String, Pod> created = new LinkedHashMap<>();
  private final Map<String, String> netnsPaths = new LinkedHashMap<>();
  private final List<String> failures = new ArrayList<>();
  private int podCount;
  private int serviceCount;

  ChurnRun(ChurnStrategy strategy, ServiceMode mode, int nodes, long seed) {
    this.strategy = strategy;
    this.cluster = strategy.builder().nodes(nodes).seed(seed).services(mode).build();
    cluster.onPodStarted(
        pod -> {
          if (pod.hostNetwork()) {
            return;
          }
          NetNamespace ns = pod.requireNetns();
          ns.listenUdp(POD_PORT);
          netnsPaths.put(pod.sandboxId().orElseThrow(), Kubelet.netnsPath(ns));
        });
  }

  /** The cluster under churn. */
  Cluster cluster() {
    return cluster;
  }

  /**
   * Applies one step, lets {@link #STEP_NANOS} pass, and returns whether it applied; an applied
   * step's broken invariants are in {@link #violations()}. The step methods below take the picks of
   * a {@link ChurnOp} and return whether they applied.
   */
  boolean step(ChurnOp op) {
    boolean applied = op.applyTo(this);
    cluster.run(STEP_NANOS);
    return applied;
  }

  // ---------------------------------------------------------------- steps

  boolean createPod(int node, int app) {
    PodSpec spec = PodSpec.named("p" + ++podCount).label("app", app(app));
    if (node != 0) {
      spec = spec.onNode(node(node).name());
    }
    Pod pod = cluster.runPod(spec);
    created.put(pod.key(), pod);
    return true;
  }

  boolean deletePod(int pick) {
    List<Pod> pods = cluster.pods();
    if (pods.isEmpty()) {
      return false;
    }
    cluster.deletePod(pods.get(Math.floorMod(pick, pods.size())).key());
    return true;
  }

  /**
   * The pods CNI set up, which the invariants are about: every pod but the DaemonSets' ones on the
   * host network (deleting one of those is an operation too: its DaemonSet replaces it).
   */
  private List<Pod> cniPods() {
    return cluster.pods().stream().filter(p -> !p.hostNetwork()).toList();
  }

  boolean createService(int app) {
    String key = "default/svc-" + ++serviceCount;
    cluster.createService(
        key,
        Map.of("app", app(app)),
        List.of(ServicePort.of("dns", "UDP", SERVICE_PORT, POD_PORT)));
    services.add(key);
    return true;
  }

  boolean deleteService(int pick) {
    if (services.isEmpty()) {
      return false;
    }
    cluster.deleteService(services.remove(Math.floorMod(pick, services.size())));
    return true;
  }

  boolean crashNode(int node) {
    Node n = node(node);
    if (crashed.contains(n.name()) || cut.contains(n.name())) {
      return false;
    }
    cluster.crashNode(n.name());
    crashed.add(n.name());
    return true;
  }

  boolean restoreNode(int node) {
    Node n = node(node);
    if (!crashed.remove(n.name())) {
      return false;
    }
    cluster.restoreNode(n.name());
    return true;
  }

  boolean cutLink(int node) {
    Node n = node(node);
    if (crashed.contains(n.name()) || !cut.add(n.name())) {
      return false;
    }
    uplink(n).setUp(false);
    return true;
  }

  boolean restoreLink(int node) {
    Node n = node(node);
    if (!cut.remove(n.name())) {
      return false;
    }
    uplink(n).setUp(true);
    return true;
  }

  boolean losePackets(int node, int percent) {
    Node n = node(node);
    uplink(n).setLossRate(percent / 100.0);
    if (percent == 0) {
      lossy.remove(n.name());
    } else {
      lossy.add(n.name());
    }
    return true;
  }

  boolean removePlugin(int node, int plugin) {
    Node n = node(node);
    String type = plugin(plugin);
    if (!removed.computeIfAbsent(n.name(), k -> new TreeSet<>()).add(type)) {
      return false;
    }
    n.runtime().removePlugin(type);
    return true;
  }

  boolean installPlugin(int node, int plugin) {
    Node n = node(node);
    String type = plugin(plugin);
    Set<String> gone = removed.get(n.name());
    if (gone == null || !gone.remove(type)) {
      return false;
    }
    n.runtime().installPlugin(type);
    return true;
  }

  boolean udpToPod(int from, int to) {
    List<Pod> targets = cniPods().stream().filter(p -> p.ip().isPresent()).toList();
    return !targets.isEmpty()
        && sendUdp(from, targets.get(Math.floorMod(to, targets.size())).requireIp(), POD_PORT);
  }

  boolean udpToService(int from, int to) {
    List<Service> svcs = cluster.services();
    return !svcs.isEmpty()
        && sendUdp(from, svcs.get(Math.floorMod(to, svcs.size())).clusterIp(), SERVICE_PORT);
  }

  private boolean sendUdp(int from, Ipv4Address dst, int port) {
    List<Pod> senders = cniPods().stream().filter(Pod::isRunning).toList();
    if (senders.isEmpty()) {
      return false;
    }
    Pod sender = senders.get(Math.floorMod(from, senders.size()));
    byte[] payload = "churn".getBytes(StandardCharsets.US_ASCII);
    sender.requireNetns().sendUdp(dst, port, payload, SimTime.SECOND);
    return true;
  }

  boolean repeatDel(int pick, int times) {
    List<Teardown> gone =
        cluster.teardowns().stream()
            .filter(t -> created.containsKey(t.pod()) && created.get(t.pod()).isDeleted())
            .filter(t -> removed.getOrDefault(t.node().name(), Set.of()).isEmpty())
            .toList();
    if (gone.isEmpty()) {
      return false;
    }
    Teardown t = gone.get(Math.floorMod(pick, gone.size()));
    Pod pod = created.get(t.pod());
    CniRuntime runtime = t.node().runtime();
    String netns = netnsPaths.getOrDefault(t.containerId(), "/var/run/netns/cni-gone");
    for (int i = 1; i <= times; i++) {
      try {
        runtime.del(new Attachment(t.containerId(), "eth0"), netns, pod.cniArgs(t.containerId()));
      } catch (RuntimeException e) {
        failures.add("DEL number " + i + " again for " + t.pod() + " failed: " + e.getMessage());
      }
    }
    return true;
  }

  boolean gc(int node) {
    Node n = node(node);
    List<Attachment> valid = new ArrayList<>();
    for (Pod pod : cniPods()) {
      if (pod.node().orElse(null) == n) {
        pod.sandboxId().ifPresent(id -> valid.add(new Attachment(id, "eth0")));
      }
    }
    List<String> errors = n.runtime().gc(valid);
    if (removed.getOrDefault(n.name(), Set.of()).isEmpty() && !errors.isEmpty()) {
      failures.add("GC on " + n + " with every plugin installed failed: " + errors);
    }
    return true;
  }

  boolean waitSeconds(int seconds) {
    cluster.run(seconds * SimTime.SECOND);
    return true;
  }

  boolean converge() {
    for (String name : List.copyOf(crashed)) {
      restoreNode(cluster.nodes().indexOf(cluster.node(name)));
    }
    for (String name : List.copyOf(cut)) {
      restoreLink(cluster.nodes().indexOf(cluster.node(name)));
    }
    for (String name : List.copyOf(lossy)) {
      losePackets(cluster.nodes().indexOf(cluster.node(name)), 0);
    }
    removed.forEach(
        (name, types) -> {
          types.forEach(cluster.node(name).runtime()::installPlugin);
          types.clear();
        });
    long deadline = cluster.simulation().now() + CONVERGE_LIMIT_NANOS;
    while (!cniPods().stream().allMatch(Pod::isRunning) && cluster.simulation().now() < deadline) {
      cluster.run(SimTime.SECOND);
    }
    List<Pod> stuck = cniPods().stream().filter(p -> !p.isRunning()).toList();
    if (!stuck.isEmpty()) {
      failures.add(
          "after healing every fault, pods still not running: "
              + stuck.stream().map(p -> p + " " + p.events()).toList());
      return true;
    }
    cluster.run(SETTLE_NANOS);
    ContractReport report = ContractChecker.check(cluster);
    if (!report.holds()) {
      failures.add("the CNI contract does not hold after converging:\n" + report.render());
    }
    return true;
  }

  // ---------------------------------------------------------------- invariants

  /**
   * What is wrong now: failures recorded by the last steps (a repeated DEL, convergence) and every
   * broken state invariant. Clears the recorded failures.
   */
  List<String> violations() {
    List<String> out = new ArrayList<>(failures);
    failures.clear();
    uniqueIps(out);
    for (Node node : cluster.nodes()) {
      leaks(node, out);
    }
    ipamReservations(out);
    conntrack(out);
    daemonPods(out);
    return out;
  }

  /**
   * Every DaemonSet (kube-proxy with iptables only, and the network agent's) has as many live pods
   * (not being deleted) as there are nodes, never two bound to one node.
   */
  private void daemonPods(List<String> out) {
    Map<String, List<Pod>> byOwner = new TreeMap<>();
    for (Pod p : cluster.pods()) {
      if (p.hostNetwork() && p.status() != PodStatus.TERMINATING) {
        byOwner.computeIfAbsent(p.controlledBy().orElse("?"), k -> new ArrayList<>()).add(p);
      }
    }
    Set<String> expected = new TreeSet<>();
    if (cluster.serviceMode() == ServiceMode.IPTABLES) {
      expected.add("DaemonSet/kube-proxy");
    }
    switch (strategy) {
      case FLANNEL -> expected.add("DaemonSet/kube-flannel-ds");
      case CALICO -> expected.add("DaemonSet/calico-node");
      case CILIUM -> expected.add("DaemonSet/cilium");
      default -> {}
    }
    if (!byOwner.keySet().equals(expected)) {
      out.add("DaemonSets with live pods " + byOwner.keySet() + ", expected " + expected);
    }
    byOwner.forEach(
        (owner, live) -> {
          if (live.size() != cluster.nodes().size()) {
            out.add(
                live.size()
                    + " live pods of "
                    + owner
                    + " on "
                    + cluster.nodes().size()
                    + " nodes: "
                    + live);
          }
          List<Node> bound = live.stream().flatMap(p -> p.node().stream()).toList();
          if (bound.stream().distinct().count() != bound.size()) {
            out.add(owner + " has two pods bound to one node: " + live);
          }
        });
  }

  private void uniqueIps(List<String> out) {
    Map<Ipv4Address, String> holders = new TreeMap<>();
    for (Pod pod : cniPods()) {
      Optional<Ipv4Address> ip = pod.ip();
      if (ip.isEmpty()) {
        continue;
      }
      String other = holders.put(ip.get(), pod.key());
      if (other != null) {
        out.add("IP " + ip.get() + " is held by both " + other + " and " + pod.key());
      }
      if (!cluster.clusterCidr().contains(ip.get())) {
        out.add(pod.key() + " has " + ip.get() + ", outside " + cluster.clusterCidr());
      }
    }
  }

  private void leaks(Node node, List<String> out) {
    Set<NetNamespace> sandboxes = new LinkedHashSet<>();
    Set<Ipv4Address> podIps = new TreeSet<>();
    Set<String> ids = new TreeSet<>();
    for (Pod pod : cniPods()) {
      if (pod.node().orElse(null) == node) {
        pod.netns().ifPresent(sandboxes::add);
        pod.ip().ifPresent(podIps::add);
        pod.sandboxId().ifPresent(ids::add);
      }
    }
    NetNamespace root = node.host().root();
    for (NetNamespace ns : node.host().namespaces()) {
      if (ns != root && !sandboxes.contains(ns)) {
        out.add("network namespace " + ns.name() + " on " + node + " has no pod");
      }
    }
    Set<Device> ports = new LinkedHashSet<>();
    for (Device d : root.devices()) {
      if (d instanceof Veth v
          && v.peer().namespace() != root
          && !sandboxes.contains(v.peer().namespace())) {
        out.add("veth " + v.name() + " on " + node + " leads to no pod's namespace");
      }
      if (d instanceof Bridge b) {
        ports.addAll(b.ports());
      }
    }
    for (Device d : root.devices()) {
      if (d instanceof Bridge b) {
        for (Bridge.FdbEntry e : b.fdb()) {
          if (!e.local() && !ports.contains(e.port())) {
            out.add(
                "bridge "
                    + b.name()
                    + " on "
                    + node
                    + " has an FDB entry "
                    + e.mac()
                    + " on "
                    + e.port().name()
                    + ", which is not its port");
          }
        }
      }
    }
    reservations(node)
        .forEach(
            (ip, id) -> {
              if (ids.contains(id)) {
                podIps.add(ip);
              }
            });
    for (Route r : root.routes().routes()) {
      Cidr dst = r.destination();
      if (dst.prefixLength() == 32
          && r.gateway() == null
          && cluster.clusterCidr().contains(dst.network())
          && !podIps.contains(dst.network())
          && !routerIp(node).equals(Optional.of(dst.network()))) {
        out.add("route \"" + r + "\" on " + node + " leads to no pod");
      }
    }
    SimFileSystem files = node.host().files();
    for (String path : files.paths()) {
      if (path.startsWith(CniRuntime.CACHE_DIR + "/")) {
        String name = path.substring(CniRuntime.CACHE_DIR.length() + 1);
        if (ids.stream().noneMatch(name::contains)) {
          out.add("cached CNI result " + path + " on " + node + " belongs to no sandbox");
        }
      }
    }
  }

  private Optional<Ipv4Address> routerIp(Node node) {
    return strategy == ChurnStrategy.CILIUM
        ? Optional.of(
            cluster
                .network()
                .shared(ClusterPoolIpam.class, ClusterPoolIpam::new)
                .allocations(node.name())
                .entrySet()
                .stream()
                .filter(e -> e.getValue().equals(CiliumAgent.ROUTER_OWNER))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow())
        : Optional.empty();
  }

  /** IPAM reservations of each node, address to the sandbox (container id) holding it. */
  private Map<Ipv4Address, String> reservations(Node node) {
    Map<Ipv4Address, String> out = new TreeMap<>();
    switch (strategy) {
      case CALICO -> {
        Set<Cidr> blocks = new LinkedHashSet<>();
        CalicoDatastore store =
            cluster.network().shared(CalicoDatastore.class, CalicoDatastore::new);
        store
            .blockAffinities()
            .forEach(
                (block, owner) -> {
                  if (owner.equals(node.name())) {
                    blocks.add(block);
                  }
                });
        store
            .allocations()
            .forEach(
                (ip, handle) -> {
                  if (blocks.stream().anyMatch(b -> b.contains(ip))) {
                    out.put(ip, handle.substring(handle.indexOf('.') + 1));
                  }
                });
      }
      case CILIUM ->
          cluster
              .network()
              .shared(ClusterPoolIpam.class, ClusterPoolIpam::new)
              .allocations(node.name())
              .forEach(
                  (ip, owner) -> {
                    if (!owner.equals(CiliumAgent.ROUTER_OWNER)) {
                      out.put(ip, owner.substring(0, owner.indexOf(':')));
                    }
                  });
      default -> {
        SimFileSystem files = node.host().files();
        for (String path : files.paths()) {
          if (path.startsWith(IPAM_DIR)) {
            String name = path.substring(path.lastIndexOf('/') + 1);
            if (name.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
              out.put(
                  Ipv4Address.parse(name),
                  files.read(path).orElse("").lines().findFirst().orElse(""));
            }
          }
        }
      }
    }
    return out;
  }

  private void ipamReservations(List<String> out) {
    for (Node node : cluster.nodes()) {
      Map<Ipv4Address, String> reserved = reservations(node);
      Set<String> ids = new TreeSet<>();
      for (Pod pod : cniPods()) {
        if (pod.node().orElse(null) == node) {
          pod.sandboxId().ifPresent(ids::add);
          if (pod.isRunning() && pod.ip().isPresent()) {
            String holder = reserved.get(pod.ip().get());
            if (!pod.sandboxId().orElse("").equals(holder)) {
              out.add(
                  pod.key()
                      + " runs with "
                      + pod.ip().get()
                      + " but IPAM on "
                      + node
                      + " reserves it for "
                      + holder);
            }
          }
        }
      }
      reserved.forEach(
          (ip, id) -> {
            if (!ids.contains(id)) {
              out.add("IPAM on " + node + " still reserves " + ip + " for gone sandbox " + id);
            }
          });
    }
  }

  private void conntrack(List<String> out) {
    Set<String> live = new TreeSet<>();
    cniPods().forEach(p -> p.ip().ifPresent(ip -> live.add(ip.toString())));
    for (Node node : cluster.nodes()) {
      for (String line : cluster.conntrackList(node.name()).split("\n")) {
        List<String> src = field(line, "src=");
        List<String> dst = field(line, "dst=");
        if (src.size() == 2
            && dst.size() == 2
            && !src.get(1).equals(dst.get(0))
            && cluster.clusterCidr().contains(Ipv4Address.parse(src.get(1)))
            && !live.contains(src.get(1))) {
          out.add(
              "conntrack on " + node + " still NATs to " + src.get(1) + ", gone: " + line.strip());
        }
      }
    }
  }

  private static List<String> field(String line, String key) {
    List<String> values = new ArrayList<>();
    for (String token : line.split(" ")) {
      if (token.startsWith(key)) {
        values.add(token.substring(key.length()));
      }
    }
    return values;
  }

  // ---------------------------------------------------------------- helpers

  private Node node(int pick) {
    List<Node> nodes = cluster.nodes();
    return nodes.get(Math.floorMod(pick, nodes.size()));
  }

  private static String app(int pick) {
    return Math.floorMod(pick, 2) == 0 ? "a" : "b";
  }

  private String plugin(int pick) {
    List<String> plugins = strategy.plugins();
    return plugins.get(Math.floorMod(pick, plugins.size()));
  }

  private static Link uplink(Node node) {
    Device eth0 = node.host().root().device("eth0");
    if (eth0 instanceof Nic nic && nic.link() != null) {
      return nic.link();
    }
    throw new IllegalStateException(node + " has no uplink");
  }
}
