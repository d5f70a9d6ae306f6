package io.podnet.cni.cluster;

import io.podnet.cni.calico.CalicoNode;
import io.podnet.cni.cilium.CiliumAgent;
import io.podnet.cni.plugins.Plugins;
import io.podnet.cni.runtime.Attachment;
import io.podnet.cni.runtime.CniRuntime;
import io.podnet.cni.runtime.PluginRegistry;
import io.podnet.cni.spec.CniResult;
import io.podnet.cni.spec.Json;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.net.Host;
import io.podnet.core.net.Link;
import io.podnet.core.net.LinkSpec;
import io.podnet.core.net.Network;
import io.podnet.core.net.Nic;
import io.podnet.core.trace.Trace;
import io.podnet.dataplane.netfilter.Netfilter;
import io.podnet.dataplane.service.Endpoint;
import io.podnet.dataplane.service.Service;
import io.podnet.dataplane.service.ServiceOptions;
import io.podnet.dataplane.service.ServicePort;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A simulated Kubernetes cluster, the library's front door. Nodes sit on one L2 underlay ({@code
 * node-1} at {@code 192.168.1.11}, ...), each with a podCIDR carved from the cluster CIDR ({@code
 * 10.244.1.0/24}, ...), a container runtime with the CNI plugins installed in {@code /opt/cni/bin}
 * and a network configuration in {@code /etc/cni/net.d}, and host-gw routes to the other nodes'
 * podCIDRs. Pods go through the kubelet's lifecycle on the simulated clock: Pending,
 * ContainerCreating while the sandbox is made and CNI ADD runs, then Running with their IP.
 *
 * <pre>{@code
 * Cluster cluster = Cluster.bridge().nodes(2).seed(7).build();
 * Pod web = cluster.runPod("default/web-1");
 * web.requireIp();                       // 10.244.1.2, host-local's first address
 * Kubectl.getPodsWide(cluster);          // what `kubectl get pods -o wide` prints
 * }</pre>
 */
public final class Cluster {

  /** The underlay the nodes share. */
  public static final Cidr UNDERLAY = Cidr.parse("192.168.0.0/16");

  /**
   * The underlay's gateway, every node's default route; it answers ARP and ping but forwards
   * nothing, standing for the network beyond the cluster.
   */
  public static final Ipv4Address UNDERLAY_GATEWAY = Ipv4Address.parse("192.168.0.1");

  private static final int NODE_PORT_BASE = 30000;
  private static final int NODE_PORT_COUNT = 2768;

  /** Longest a {@link #runPod} waits for the pod to settle, in simulated time. */
  static final long SETTLE_NANOS = 60 * SimTime.SECOND;

  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");

  /** A pod name: an RFC 1123 subdomain (dot-separated DNS labels), at most 253 characters. */
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

  private final Simulation simulation;
  private final Network network;
  private final Cidr clusterCidr;
  private @Nullable Host router;
  private @Nullable Underlay underlay;
  private final Map<String, Host> externalHosts = new LinkedHashMap<>();
  private final Cidr serviceCidr;
  private final Map<String, ServiceEntry> services = new LinkedHashMap<>();

  /** The ClusterIPs in use, for allocation only (never iterated). */
  private final Set<Integer> clusterIps = new HashSet<>();

  private final Map<Node, ServiceProxy> kubeProxies = new LinkedHashMap<>();
  private final ServiceMode serviceMode;
  private final boolean minimizeIptablesRestore;
  private final RandomGenerator serviceIps;
  private final RandomGenerator nodePorts;
  private final Set<Integer> nodePortsInUse = new HashSet<>();
  private boolean syncPending;
  private ServiceSnapshot serviceSnapshot;
  private final ServiceFeed serviceFeed;

  /**
   * Pods by label ({@code key=value}), each set in creation order (endpoints are listed in it); the
   * map itself is only looked up, never iterated.
   */
  private final Map<String, LinkedHashSet<Pod>> podsByLabel = new HashMap<>();

  /** Services by the first label of their selector; only looked up, never iterated. */
  private final Map<String, List<ServiceEntry>> servicesByLabel = new HashMap<>();

  /** Services whose endpoints may have changed since the last snapshot. */
  private final Set<ServiceEntry> dirtyServices = new LinkedHashSet<>();

  private boolean allServicesDirty;

  /** Services deleted since the last snapshot, which holds them, by {@code namespace/name}. */
  private final List<String> deletedServices = new ArrayList<>();

  /** Services of the latest snapshot whose rules depend on the node. */
  private int perNodeServices;

  /**
   * A Service, the labels its selector matches, when it was created, the pods the selector matches
   * (in creation order, whatever their phase) and the generation of the first snapshot holding it.
   */
  static final class ServiceEntry {
    final Service service;

    /** Sorted by key. */
    final SortedMap<String, String> selector;

    final long createdAt;
    final Set<Pod> pods = new LinkedHashSet<>();
    long firstGeneration = -1;

    /**
     * The endpoints of a Service without a selector whose endpoints the API server itself writes
     * (the {@code kubernetes} Service); null for a Service that selects pods.
     */
    @Nullable List<Endpoint> managedEndpoints;

    /** The Service object's labels ({@code kubectl describe svc} prints them). */
    SortedMap<String, String> labels = Collections.emptySortedMap();

    /** Its entry in the latest snapshot, or null before it is in one. */
    ServiceSnapshot.@Nullable Entry snapshotEntry;

    ServiceEntry(Service service, SortedMap<String, String> selector, long createdAt) {
      this.service = service;
      this.selector = selector;
      this.createdAt = createdAt;
    }

    boolean selects(Pod pod) {
      return pod.namespace().equals(service.namespace())
          && pod.labels().entrySet().containsAll(selector.entrySet());
    }

    /** The label it is indexed by: the first of its selector, by key. */
    String indexLabel() {
      String key = selector.firstKey();
      return key + "=" + selector.get(key);
    }
  }

  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private final Map<Node, Kubelet> kubelets = new LinkedHashMap<>();
  private final Map<String, Pod> pods = new LinkedHashMap<>();
  private final List<Teardown> teardowns = new ArrayList<>();
  private final RandomGenerator uids;
  private final List<java.util.function.Consumer<Pod>> podWatchers = new ArrayList<>();
  private final NodeLifecycleController nodeLifecycle;
  private final ReplicaSetController replicaSets;
  private final StatefulSetController statefulSets;
  private final DaemonSetController daemonSets;

  private Cluster(
      Simulation simulation,
      Network network,
      Cidr clusterCidr,
      Cidr serviceCidr,
      ServiceMode serviceMode,
      boolean minimizeIptablesRestore) {
    this.serviceMode = serviceMode;
    this.minimizeIptablesRestore = minimizeIptablesRestore;
    this.simulation = simulation;
    this.network = network;
    this.clusterCidr = clusterCidr;
    this.serviceCidr = serviceCidr;
    this.serviceIps = simulation.random().stream("service-ips");
    this.nodePorts = simulation.random().stream("node-ports");
    this.serviceSnapshot = ServiceSnapshot.empty(clusterCidr);
    this.serviceFeed = new ServiceFeed(serviceSnapshot);
    this.uids = simulation.random().stream("pod-uids");
    this.nodeLifecycle = new NodeLifecycleController(this);
    this.replicaSets = new ReplicaSetController(this);
    this.statefulSets = new StatefulSetController(this);
    this.daemonSets = new DaemonSetController(this);
  }

  /**
   * The {@code bridge} preset: the reference bridge plugin with host-local IPAM over each node's
   * podCIDR ({@code isGateway}, {@code isDefaultGateway}, {@code hairpinMode}), then {@code
   * portmap}, as {@code 10-bridge.conflist}; host-gw routes between nodes.
   */
  public static Builder bridge() {
    return new Builder().cni("10-bridge.conflist", Conflists.BRIDGE);
  }

  /**
   * The {@code ptp} preset: the reference ptp plugin (a veth per pod, no bridge, the gateway as a
   * /32 on each host veth and a host route per pod) with host-local IPAM over each node's podCIDR,
   * as {@code 10-ptp.conflist}; host-gw routes between nodes.
   */
  public static Builder ptp() {
    return new Builder().cni("10-ptp.conflist", Conflists.PTP);
  }

  /**
   * The flannel preset: flanneld on every node writing {@code /run/flannel/subnet.env} and joining
   * the nodes with {@code backend}, and flannel's own {@code 10-flannel.conflist} (network {@code
   * cbr0}, the {@code flannel} plugin delegating to {@code bridge}, then {@code portmap}).
   */
  public static Builder flannel(Flanneld.Backend backend) {
    return new Builder()
        .cni("10-flannel.conflist", Conflists.FLANNEL)
        .agent(Flanneld.with(backend));
  }

  /**
   * The flannel preset configured by a {@code net-conf.json} text (see {@link
   * Flanneld#fromNetConf}); its {@code Network} becomes the cluster CIDR.
   */
  public static Builder flannel(String netConfJson) {
    Flanneld agent = Flanneld.fromNetConf(netConfJson);
    Builder b = new Builder().cni("10-flannel.conflist", Conflists.FLANNEL).agent(agent);
    String network = Json.parse(netConfJson).path("Network").asText("");
    if (network.isEmpty()) {
      throw new IllegalArgumentException(
          "Network: missing (expected the cluster CIDR, e.g. 10.244.0.0/16)");
    }
    try {
      b.clusterCidr(network);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Network: " + e.getMessage(), e);
    }
    return b;
  }

  /**
   * The calico preset: Calico's {@code 10-calico.conflist} (network {@code k8s-pod-network}, the
   * {@code calico} plugin with {@code calico-ipam}, then {@code portmap}), and calico-node joining
   * the nodes' /26 blocks over a BGP full mesh with plain routes.
   */
  public static Builder calico() {
    return calico(CalicoNode.of(CalicoNode.Mode.BGP));
  }

  /** The calico preset with a configured calico-node (pool mode, route reflectors). */
  public static Builder calico(CalicoNode node) {
    int mtu = LinkSpec.DEFAULT.mtu() - node.encapsulationOverhead();
    return new Builder()
        .cni("10-calico.conflist", Conflists.CALICO.replace("${mtu}", Integer.toString(mtu)))
        .agent(node);
  }

  /**
   * The cilium preset: the cilium agent in its default tunnel mode over VXLAN ({@code
   * cilium_vxlan}, UDP 8472) with cluster-pool IPAM over Cilium's default cluster CIDR {@code
   * 10.0.0.0/8} in /24s, and the {@code 05-cilium.conflist} the agent writes (network {@code
   * cilium}, the one plugin {@code cilium-cni}).
   */
  public static Builder cilium() {
    return cilium(CiliumAgent.vxlan());
  }

  /**
   * The cilium preset in tunnel mode with {@code tunnel-protocol} {@code vxlan} or {@code geneve};
   * {@link IllegalArgumentException} naming the key and value for anything else.
   */
  public static Builder cilium(String tunnelProtocol) {
    return cilium(CiliumAgent.tunnel(tunnelProtocol));
  }

  /** The cilium preset with a given agent (tunnel protocol or native routing). */
  public static Builder cilium(CiliumAgent agent) {
    return new Builder()
        .cni("05-cilium.conflist", Conflists.CILIUM)
        .clusterCidr("10.0.0.0/8")
        .agent(agent);
  }

  /** A builder with no network configuration yet; set one with {@link Builder#cni}. */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- accessors

  /** The simulation (clock and events). */
  public Simulation simulation() {
    return simulation;
  }

  /** The simulated network (hosts, links, trace). */
  public Network network() {
    return network;
  }

  /** The cluster CIDR pods' addresses come from. */
  public Cidr clusterCidr() {
    return clusterCidr;
  }

  /** The router joining the racks, when the cluster has more than one ({@link Builder#racks}). */
  public Optional<Host> underlayRouter() {
    return Optional.ofNullable(router);
  }

  /**
   * Adds a host outside the cluster on the nodes' network (a client of NodePorts, external and
   * LoadBalancer IPs): {@code 192.168.0.201} for the first with one rack, its default route through
   * the gateway. Traffic for an external or LoadBalancer IP reaches a node only by a route the
   * caller adds on the host, as a load balancer or a BGP speaker would provide.
   *
   * @throws IllegalArgumentException if the name is taken or 40 hosts exist already
   */
  public Host addExternalHost(String name) {
    if (externalHosts.containsKey(name) || nodes.containsKey(name)) {
      throw new IllegalArgumentException("host \"" + name + "\" already exists");
    }
    Underlay u = Objects.requireNonNull(underlay, "underlay");
    Host host = network.addHost(name);
    host.root().loopback().up();
    u.attachExternal(host, externalHosts.size() + 1);
    externalHosts.put(name, host);
    return host;
  }

  /** The nodes, in order. */
  public List<Node> nodes() {
    return List.copyOf(nodes.values());
  }

  /** The node with this name; {@link IllegalArgumentException} if there is none. */
  public Node node(String name) {
    Node node = nodes.get(name);
    if (node == null) {
      throw new IllegalArgumentException(
          "node \"" + name + "\" does not exist (has " + nodes.keySet() + ")");
    }
    return node;
  }

  /**
   * The pods that exist (not yet deleted), in creation order. They include the node agents', one
   * per node of each DaemonSet on the host network (see {@link Pod#hostNetwork}): kube-proxy's in
   * iptables mode, and the network agent's ({@link NetworkAgent#daemonSet}).
   */
  public List<Pod> pods() {
    return List.copyOf(pods.values());
  }

  /** The pod {@code namespace/name} (or {@code name} in {@code default}), if it exists. */
  public Optional<Pod> pod(String key) {
    return Optional.ofNullable(pods.get(qualify(key)));
  }

  /** What deleted pods held when their network was torn down, oldest first. */
  public List<Teardown> teardowns() {
    return Collections.unmodifiableList(teardowns);
  }

  // ---------------------------------------------------------------- pods

  /**
   * Creates a pod, lets the scheduler place it, and runs the simulation until it is Running or its
   * sandbox failed (a {@code FailedCreatePodSandBox} or {@code NetworkNotReady} event), at most 60
   * simulated seconds. Returns the pod in whatever state it reached.
   */
  public Pod runPod(String key) {
    Pod pod = createPod(key);
    settle(pod);
    return pod;
  }

  /** Like {@link #runPod(String)} on a given node (the pod's {@code spec.nodeName}). */
  public Pod runPod(String key, String nodeName) {
    Pod pod = createPod(key, nodeName);
    settle(pod);
    return pod;
  }

  /** Like {@link #runPod(String)} for a full spec (labels, a pinned node). */
  public Pod runPod(PodSpec spec) {
    Pod pod = createPod(spec);
    settle(pod);
    return pod;
  }

  /** Creates a pod now; the scheduler places it a few milliseconds later. Returns at once. */
  public Pod createPod(String key) {
    return createPod(PodSpec.named(key));
  }

  /** Creates a pod bound to {@code nodeName}, bypassing the scheduler. Returns at once. */
  public Pod createPod(String key, String nodeName) {
    return createPod(PodSpec.named(key).onNode(nodeName));
  }

  /**
   * Creates a pod from a spec: bound to its node at once if pinned, else placed by the scheduler a
   * few milliseconds later. Returns at once.
   */
  public Pod createPod(PodSpec spec) {
    return createPod(spec, null);
  }

  /** Creates a pod from a spec, owned by {@code owner} ({@code ReplicaSet/<name>}) if not null. */
  Pod createPod(PodSpec spec, @Nullable String owner) {
    Optional<Node> pinned = spec.nodeName().map(this::node);
    Pod pod = newPod(spec, owner, pinned.orElse(null));
    if (pinned.isPresent()) {
      simulation.schedule(0, () -> bind(pod, pinned.get(), "kubelet"));
    } else {
      simulation.schedule(Scheduler.LATENCY_NANOS, () -> schedule(pod));
    }
    return pod;
  }

  /**
   * Creates a Deployment {@code [namespace/]name} of {@code replicas} pods labelled {@code labels}:
   * its ReplicaSet creates the pods now ({@code web-7c9f5b6d8b-x2kqp}, placed by the scheduler) and
   * replaces each one that is deleted or evicted, e.g. from a crashed node (see {@link
   * #crashNode}). Returns at once.
   *
   * @throws IllegalArgumentException for a bad name or label, no labels, negative replicas, or a
   *     name taken
   */
  public Deployment createDeployment(String key, int replicas, Map<String, String> labels) {
    return createDeployment(key, replicas, labels, List.of());
  }

  /**
   * Like {@link #createDeployment(String, int, Map)} with {@code tolerations} in the pod template
   * (see {@link PodSpec#tolerate}), e.g. {@code node.kubernetes.io/unreachable} for 30 s, so that
   * the pods of a crashed node are replaced sooner than after the default 300 s.
   */
  public Deployment createDeployment(
      String key, int replicas, Map<String, String> labels, List<Toleration> tolerations) {
    PodSpec template = PodSpec.template();
    for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
      template = template.label(label.getKey(), label.getValue());
    }
    for (Toleration t : tolerations) {
      template = template.tolerate(t);
    }
    return createDeployment(key, replicas, template);
  }

  /**
   * Like {@link #createDeployment(String, int, Map)} with a whole pod {@code template} (see {@link
   * PodSpec#template}): its labels, tolerations and, if pinned, its node ({@code
   * spec.template.spec.nodeName}, which binds every replica there without the scheduler).
   */
  public Deployment createDeployment(String key, int replicas, PodSpec template) {
    String[] parts = qualify(key).split("/", -1);
    return replicaSets.create(parts[0], parts[1], replicas, template);
  }

  /** The pods of a Deployment, in creation order, those being deleted included. */
  public List<Pod> pods(Deployment deployment) {
    return replicaSets.pods(deployment);
  }

  /**
   * Creates a StatefulSet {@code [namespace/]name} of {@code replicas} pods made from {@code
   * template} (see {@link PodSpec#template}; it needs at least one label) and named by ordinal
   * ({@code web-0}, {@code web-1}): all at once with {@link
   * StatefulSet.PodManagementPolicy#PARALLEL}, else each once the ones before it are Running. A
   * deleted pod is made again under its name once it is gone. Returns at once.
   *
   * @throws IllegalArgumentException for a bad name or label, no labels, negative replicas, or a
   *     name taken
   */
  public StatefulSet createStatefulSet(
      String key, int replicas, PodSpec template, StatefulSet.PodManagementPolicy policy) {
    String[] parts = qualify(key).split("/", -1);
    return statefulSets.create(parts[0], parts[1], replicas, template, policy);
  }

  /** The pods of a StatefulSet that exist, by ordinal, those being deleted included. */
  public List<Pod> pods(StatefulSet set) {
    return statefulSets.pods(set);
  }

  /**
   * Deletes the Deployment {@code [namespace/]name}: its ReplicaSet stops making pods and its pods
   * start terminating, as the garbage collector deletes them. Returns at once.
   *
   * @throws IllegalArgumentException if there is no such Deployment
   */
  public void deleteDeployment(String key) {
    String[] parts = qualify(key).split("/", -1);
    List<Pod> owned = pods(workload(replicaSets.delete(parts[0], parts[1]), "deployment", key));
    owned.forEach(p -> startDeletingPod(p.key()));
  }

  /**
   * Deletes the StatefulSet {@code [namespace/]name}: no pod of it is made again and its pods start
   * terminating, as the garbage collector deletes them. Returns at once.
   *
   * @throws IllegalArgumentException if there is no such StatefulSet
   */
  public void deleteStatefulSet(String key) {
    String[] parts = qualify(key).split("/", -1);
    List<Pod> owned = pods(workload(statefulSets.delete(parts[0], parts[1]), "statefulset", key));
    owned.forEach(p -> startDeletingPod(p.key()));
  }

  private static <T> T workload(@Nullable T found, String kind, String key) {
    if (found == null) {
      throw new IllegalArgumentException(kind + " \"" + qualify(key) + "\" does not exist");
    }
    return found;
  }

  /** Deletes a pod and runs the simulation until it is gone (or its teardown is failing). */
  public void deletePod(String key) {
    Pod pod = startDeletingPod(key);
    runUntil(
        p ->
            pod.isDeleted()
                || pod.events().stream().anyMatch(e -> e.reason().equals("FailedKillPod")),
        pod);
  }

  /**
   * Starts deleting a pod and returns at once: a pod bound to a node turns Terminating until its
   * kubelet has torn it down; one not yet bound is gone at once, as the API server deletes it.
   */
  public Pod startDeletingPod(String key) {
    Pod pod =
        pod(key)
            .orElseThrow(() -> new IllegalArgumentException("pod \"" + key + "\" does not exist"));
    if (pod.status() == PodStatus.TERMINATING) {
      return pod;
    }
    Optional<Node> node = pod.node();
    if (node.isEmpty()) {
      removed(pod);
    } else {
      kubelets.get(node.get()).delete(pod);
    }
    return pod;
  }

  /**
   * Crashes a node: its link to the underlay goes dark (nothing in or out, so its BGP sessions and
   * tunnels time out on the other nodes) and its kubelet stops. After the node monitor grace period
   * (50 s) its Ready condition turns Unknown ({@code Kubelet stopped posting node status.}) and its
   * pods leave their Services' endpoints; 300 s later they are evicted (Terminating until the node
   * comes back) and a Deployment's ReplicaSet replaces them on the other nodes. Its pods otherwise
   * keep the status the API server last saw.
   */
  public void crashNode(String name) {
    Node node = node(name);
    if (node.isCrashed()) {
      throw new IllegalStateException("node " + name + " has already crashed");
    }
    node.setCrashed(true);
    uplink(node).setUp(false);
    nodeLifecycle.crashed(node);
    nodeChanged(node, "node crashed");
  }

  /**
   * Brings a crashed node's link back; its kubelet posts status again (Ready, unless its CNI
   * configuration went meanwhile) and resumes what waited (tearing down evicted pods, which frees
   * their IPs; starting pods bound to it meanwhile).
   */
  public void restoreNode(String name) {
    Node node = node(name);
    if (!node.isCrashed()) {
      throw new IllegalStateException("node " + name + " has not crashed");
    }
    node.setCrashed(false);
    uplink(node).setUp(true);
    nodeLifecycle.restored(node);
    kubelets.get(node).restarted();
    nodeChanged(node, "node restored");
  }

  private static Link uplink(Node node) {
    Link link = ((Nic) node.host().root().device("eth0")).link();
    if (link == null) {
      throw new IllegalStateException("node " + node.name() + " has no uplink");
    }
    return link;
  }

  /**
   * Calls {@code listener} each time a pod becomes Running (its sandbox, eth0 and IP exist), at
   * that simulated instant, after the cluster has recorded it and before the simulation goes on;
   * e.g. to start capturing on its eth0. It is told of host-network pods too (a DaemonSet's pod
   * replacing one that was deleted), whose namespace is their node's root namespace and whose eth0
   * is the node's NIC: see {@link Pod#hostNetwork}.
   */
  public void onPodStarted(java.util.function.Consumer<Pod> listener) {
    java.util.Objects.requireNonNull(listener, "listener");
    watchPods(
        pod -> {
          if (pod.isRunning()) {
            listener.accept(pod);
          }
        });
  }

  /** Advances the simulation by {@code nanos}, firing every event due. */
  public void run(long nanos) {
    simulation.runUntil(simulation.now() + nanos);
  }

  private void settle(Pod pod) {
    runUntil(
        p ->
            p.isRunning()
                || p.events().stream()
                    .anyMatch(
                        e ->
                            e.reason().equals("FailedCreatePodSandBox")
                                || e.reason().equals("NetworkNotReady")
                                || e.reason().equals("FailedScheduling")),
        pod);
  }

  private void runUntil(Predicate<Pod> done, Pod pod) {
    long deadline = simulation.now() + SETTLE_NANOS;
    while (!done.test(pod) && simulation.now() <= deadline && simulation.step()) {
      // each event may settle the pod
    }
  }

  /**
   * A DaemonSet's pod for {@code node} as the cluster has it when the simulation starts: bound and
   * Running on the host network, with the node's address.
   */
  Pod startedDaemonPod(PodSpec spec, String owner, Node node) {
    Pod pod = newPod(spec, owner, node);
    pod.setSandbox(null, node.host().root());
    runningOnHost(pod, node);
    return pod;
  }

  /** A DaemonSet's new pod for {@code node}: the scheduler binds it there a moment later. */
  Pod createDaemonPod(PodSpec spec, String owner, Node node) {
    Pod pod = newPod(spec, owner, null);
    simulation.schedule(Scheduler.LATENCY_NANOS, () -> bind(pod, node, "default-scheduler"));
    return pod;
  }

  /** A host-network pod's container runs: its IP is its node's address. */
  void runningOnHost(Pod pod, Node node) {
    pod.setIp(node.internalIp());
    status(pod, PodStatus.RUNNING);
  }

  /**
   * Creates a pod; one pinned to a node ({@code spec.nodeName}) names it from the start, as the API
   * server's object does, though the kubelet takes it up only when it is bound.
   */
  private Pod newPod(PodSpec spec, @Nullable String owner, @Nullable Node node) {
    String qualified = qualify(spec.key());
    if (pods.containsKey(qualified)) {
      throw new IllegalArgumentException("pod \"" + qualified + "\" already exists");
    }
    String[] parts = qualified.split("/", -1);
    Pod pod =
        new Pod(
            parts[0], parts[1], uuid(uids), simulation.now(), spec.labels(), spec.hostNetwork());
    pod.setTolerations(NodeLifecycleController.admit(spec.tolerations()));
    if (owner != null) {
      pod.setControlledBy(owner);
    }
    if (node != null) {
      pod.schedule(node);
    }
    pods.put(qualified, pod);
    for (Map.Entry<String, String> label : pod.labels().entrySet()) {
      podsByLabel
          .computeIfAbsent(label.getKey() + "=" + label.getValue(), k -> new LinkedHashSet<>())
          .add(pod);
    }
    servicesSelecting(pod).forEach(e -> e.pods.add(pod));
    trace(pod, "created");
    podUpdated(pod);
    return pod;
  }

  /**
   * {@code [namespace/]name} with the namespace filled in; {@link IllegalArgumentException} unless
   * the namespace is a DNS label and the name a DNS subdomain.
   */
  static String qualify(String key) {
    String qualified = key.contains("/") ? key : "default/" + key;
    String[] parts = qualified.split("/", -1);
    if (parts.length != 2
        || !DNS_LABEL.matcher(parts[0]).matches()
        || parts[0].length() > 63
        || !DNS_SUBDOMAIN.matcher(parts[1]).matches()
        || parts[1].length() > 253) {
      throw new IllegalArgumentException(
          "invalid pod \""
              + key
              + "\" (expected [namespace/]name: the namespace a DNS label of at most 63"
              + " characters, the name a DNS subdomain of at most 253; lower-case letters, digits,"
              + " '-' and, in the name, '.')");
    }
    return qualified;
  }

  private void schedule(Pod pod) {
    if (pod.isDeleted() || pod.status() == PodStatus.TERMINATING) {
      return;
    }
    Optional<Node> target = Scheduler.pick(pod, nodes(), pods.values());
    if (target.isEmpty()) {
      int n = nodes.size();
      event(
          pod,
          "Warning",
          "FailedScheduling",
          "default-scheduler",
          "0/"
              + n
              + " nodes are available: "
              + Scheduler.untolerated(nodes())
              + ". preemption: 0/"
              + n
              + " nodes are available: "
              + n
              + " Preemption is not helpful for scheduling.");
      simulation.schedule(Scheduler.RETRY_NANOS, () -> schedule(pod));
      return;
    }
    bind(pod, target.get(), "default-scheduler");
  }

  private void bind(Pod pod, Node node, String from) {
    if (pod.isDeleted() || pod.status() == PodStatus.TERMINATING) {
      return;
    }
    boolean placed = pod.node().isEmpty();
    pod.schedule(node);
    if (from.equals("default-scheduler")) {
      event(
          pod,
          "Normal",
          "Scheduled",
          from,
          "Successfully assigned " + pod.key() + " to " + node.name());
    }
    if (placed) {
      podUpdated(pod);
    }
    nodeLifecycle.podBound(pod, node);
    kubelets.get(node).podBound(pod);
  }

  // ---------------------------------------------------------------- services

  /**
   * Returns {@code cidr} if it can be a Service CIDR.
   *
   * @throws IllegalArgumentException for a CIDR longer than /30, which has no address for a Service
   *     besides the API server's {@code kubernetes} Service
   */
  public static Cidr checkServiceCidr(Cidr cidr) {
    if (cidr.prefixLength() > 30) {
      throw new IllegalArgumentException(
          "service CIDR "
              + cidr
              + " is too small (expected a prefix of at most /30: the kubernetes Service takes"
              + " its first address)");
    }
    return cidr;
  }

  /** The name of the API server's own Service in {@code default}. */
  public static final String KUBERNETES_SERVICE = "kubernetes";

  /** The API server's port on the control-plane node ({@code --secure-port}). */
  private static final int API_SERVER_PORT = 6443;

  /**
   * Creates the {@code kubernetes} Service the API server keeps in every cluster: {@code default},
   * the first address of the service CIDR, port {@code https} 443 to the API server's 6443, no
   * selector, its one endpoint written by the API server itself: the control-plane node's address,
   * here the first node's, where the API server listens.
   */
  private void createKubernetesService(Node controlPlane) {
    Service service =
        Service.of(
            "default",
            KUBERNETES_SERVICE,
            serviceCidr.address(1),
            List.of(ServicePort.of("https", "TCP", 443, API_SERVER_PORT)));
    startServiceProxies();
    ServiceEntry entry = new ServiceEntry(service, Collections.emptySortedMap(), simulation.now());
    entry.managedEndpoints =
        List.of(
            Endpoint.of(controlPlane.internalIp(), API_SERVER_PORT, true)
                .onNode(controlPlane.name()));
    entry.labels =
        Collections.unmodifiableSortedMap(
            new TreeMap<>(Map.of("component", "apiserver", "provider", "kubernetes")));
    services.put(service.namespacedName(), entry);
    controlPlane.host().root().listenTcp(API_SERVER_PORT);
    dirtyServices.add(entry);
    scheduleServiceSync();
  }

  /**
   * Creates a ClusterIP Service selecting the pods whose labels include {@code selector}, with a
   * ClusterIP drawn from the Service CIDR (never its first address, which belongs to the {@code
   * kubernetes} Service). kube-proxy (iptables mode), which runs on every node from the cluster's
   * start, follows the Service's endpoints (its running pods) as they come and go.
   */
  public Service createService(String key, Map<String, String> selector, List<ServicePort> ports) {
    return createService(key, selector, ports, ServiceOptions.NONE);
  }

  /**
   * Creates a Service as {@link #createService(String, Map, List)} does, also reachable on the
   * external and LoadBalancer IPs of {@code options}, with its traffic policy and affinity.
   */
  public Service createService(
      String key, Map<String, String> selector, List<ServicePort> ports, ServiceOptions options) {
    String qualified = qualify(key);
    if (services.containsKey(qualified)) {
      throw new IllegalArgumentException("service \"" + qualified + "\" already exists");
    }
    if (selector.isEmpty()) {
      throw new IllegalArgumentException(
          "service \"" + qualified + "\" needs a selector (expected at least one label)");
    }
    List<Integer> own = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++) {
      int np = ports.get(i).hasNodePort() ? ports.get(i).nodePort() : 0;
      if (np != 0 && own.contains(np)) {
        throw invalid(qualified, "spec.ports[" + i + "].nodePort: Duplicate value: " + np);
      }
      if (np != 0 && nodePortsInUse.contains(np)) {
        throw portTaken(qualified, "spec.ports[" + i + "].nodePort", np);
      }
      own.add(np);
    }
    int hc = options.healthCheckNodePort();
    if (hc != 0 && own.contains(hc)) {
      throw invalid(qualified, "spec.healthCheckNodePort: Duplicate value: " + hc);
    }
    if (nodePortsInUse.contains(hc)) {
      throw portTaken(qualified, "spec.healthCheckNodePort", hc);
    }
    String[] parts = qualified.split("/", -1);
    Ipv4Address clusterIp = allocateClusterIp();
    Service service;
    try {
      service = Service.of(parts[0], parts[1], clusterIp, ports).withOptions(options);
    } catch (RuntimeException e) {
      clusterIps.remove(clusterIp.toInt());
      throw e;
    }
    ServiceEntry entry =
        new ServiceEntry(
            service, Collections.unmodifiableSortedMap(new TreeMap<>(selector)), simulation.now());
    LinkedHashSet<Pod> labelled = podsByLabel.get(entry.indexLabel());
    if (labelled != null) {
      for (Pod pod : labelled) {
        if (entry.selects(pod)) {
          entry.pods.add(pod);
        }
      }
    }
    services.put(qualified, entry);
    servicesByLabel.computeIfAbsent(entry.indexLabel(), k -> new ArrayList<>()).add(entry);
    nodePortsInUse.addAll(nodePortsOf(service));
    dirtyServices.add(entry);
    scheduleServiceSync();
    return service;
  }

  /**
   * Sets the labels of the Service {@code key} ({@code kubectl label svc}), which {@code kubectl
   * describe svc} prints; they select nothing and reach no dataplane.
   *
   * @throws IllegalArgumentException for no such Service or a label that is not a valid key and
   *     value
   */
  public void labelService(String key, Map<String, String> labels) {
    ServiceEntry entry = services.get(qualify(key));
    if (entry == null) {
      throw new IllegalArgumentException("service \"" + qualify(key) + "\" does not exist");
    }
    labels.forEach(PodSpec::checkLabel);
    entry.labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
  }

  /**
   * Deletes a Service; kube-proxy removes its rules at the next sync.
   *
   * @throws IllegalArgumentException for no such Service, or the API server's own {@code
   *     kubernetes} Service, which it would make again at once
   */
  public void deleteService(String key) {
    if (qualify(key).equals("default/" + KUBERNETES_SERVICE)) {
      throw new IllegalArgumentException(
          "service \"default/kubernetes\" is the API server's own; it makes it again at once");
    }
    ServiceEntry gone = services.remove(qualify(key));
    if (gone == null) {
      throw new IllegalArgumentException("service \"" + key + "\" does not exist");
    }
    clusterIps.remove(gone.service.clusterIp().toInt());
    nodePortsInUse.removeAll(nodePortsOf(gone.service));
    servicesByLabel.get(gone.indexLabel()).remove(gone);
    dirtyServices.remove(gone);
    ServiceSnapshot.Entry last = gone.snapshotEntry;
    if (last != null) {
      deletedServices.add(gone.service.namespacedName());
      perNodeServices -= last.perNode() ? 1 : 0;
    }
    scheduleServiceSync();
  }

  /** The entry of the Service {@code key} ({@code name} or {@code namespace/name}), or null. */
  @Nullable ServiceEntry serviceEntry(String key) {
    return services.get(qualify(key));
  }

  /** The Services, in creation order. */
  public List<Service> services() {
    return services.values().stream().map(e -> e.service).toList();
  }

  /** The Services' entries, in creation order. */
  List<ServiceEntry> serviceEntries() {
    return List.copyOf(services.values());
  }

  /**
   * The endpoints of a Service: its selected pods that are running on Ready nodes, or for the
   * {@code kubernetes} Service the API server's.
   */
  public List<Endpoint> endpoints(Service service) {
    ServiceEntry entry = services.get(service.namespacedName());
    if (entry == null) {
      return List.of();
    }
    return endpoints(entry, new HashMap<>());
  }

  /**
   * The endpoints of a Service, in the creation order of its pods; {@code ready} caches each node's
   * readiness (asked once per node).
   */
  private static List<Endpoint> endpoints(ServiceEntry entry, Map<Node, Boolean> ready) {
    if (entry.managedEndpoints != null) {
      return entry.managedEndpoints;
    }
    Service service = entry.service;
    Predicate<Node> nodeReady = n -> ready.computeIfAbsent(n, Node::isReady);
    List<Endpoint> out = new ArrayList<>();
    for (Pod pod : entry.pods) {
      if (servesEndpoints(pod, nodeReady)) {
        for (ServicePort port : service.ports()) {
          out.add(
              Endpoint.of(pod.requireIp(), port.targetPort(), true)
                  .onNode(pod.node().orElseThrow().name()));
        }
      }
    }
    return out;
  }

  /**
   * Whether {@code pod} is a ready endpoint of the Services selecting it: running on a Ready node.
   */
  static boolean servesEndpoints(Pod pod) {
    return servesEndpoints(pod, Node::isReady);
  }

  /**
   * The pod's {@code Ready} condition: its container runs (a Terminating pod's until its kubelet
   * stops it) on a Ready node, as the node lifecycle controller marks the pods of a node that
   * stopped posting its status not ready. Unlike {@link #servesEndpoints(Pod)} it holds for a
   * Terminating pod still running.
   */
  static boolean podReady(Pod pod) {
    boolean running =
        pod.isRunning()
            || pod.status() == PodStatus.TERMINATING
                && pod.runningSince() >= 0
                && !pod.containerStopped();
    return running && pod.node().map(Node::isReady).orElse(false);
  }

  /** {@link #servesEndpoints(Pod)}, asking {@code ready} whether the pod's node is Ready. */
  private static boolean servesEndpoints(Pod pod, Predicate<Node> ready) {
    return pod.isRunning() && pod.node().map(ready::test).orElse(false);
  }

  /** The Services whose selector matches {@code pod}, found by the pod's labels. */
  private List<ServiceEntry> servicesSelecting(Pod pod) {
    List<ServiceEntry> out = new ArrayList<>();
    for (Map.Entry<String, String> label : pod.labels().entrySet()) {
      for (ServiceEntry e :
          servicesByLabel.getOrDefault(label.getKey() + "=" + label.getValue(), List.of())) {
        if (e.selects(pod)) {
          out.add(e);
        }
      }
    }
    return out;
  }

  /**
   * When the Service {@code namespace/name} (or {@code name} in {@code default}) reached each
   * node's dataplane: per node, in order, its creation time and the sync that first programmed it
   * there (empty while none has finished). {@link IllegalArgumentException} if there is no such
   * Service.
   */
  public List<ServiceProgramming> programming(String key) {
    String qualified = qualify(key);
    ServiceEntry entry = services.get(qualified);
    if (entry == null) {
      throw new IllegalArgumentException("service \"" + qualified + "\" does not exist");
    }
    List<ServiceProgramming> out = new ArrayList<>();
    kubeProxies.forEach(
        (node, proxy) ->
            out.add(
                new ServiceProgramming(
                    node.name(),
                    qualified,
                    entry.createdAt,
                    entry.firstGeneration < 0
                        ? Optional.empty()
                        : proxy.programmed(entry.firstGeneration))));
    return out;
  }

  /**
   * Whether every node's Service dataplane holds the Services and endpoints as they are now, with
   * no sync due or running.
   */
  public boolean servicesInSync() {
    return !syncPending && kubeProxies.values().stream().allMatch(p -> p.inSync(serviceSnapshot));
  }

  /**
   * {@code iptables-save} on a node: the kubelet's rules, and kube-proxy's (iptables mode), which
   * it writes from the cluster's start, when it syncs the API server's {@code kubernetes} Service.
   */
  public String iptablesSave(String nodeName) {
    return kubeProxies.get(node(nodeName)).netfilter().save();
  }

  /**
   * {@code iptables-restore < file} on a node: replaces every table {@code text} names in the
   * node's netfilter. On any error nothing changes and an {@link
   * io.podnet.dataplane.netfilter.IptablesParseException} names {@code file}, the line, the column
   * and the token.
   */
  public void iptablesRestore(String nodeName, String text, String file) {
    kubeProxies.get(node(nodeName)).netfilter().restore(text, file);
  }

  /** Starts kube-proxy (or the service map) with netfilter on every node, as the cluster starts. */
  private void startServiceProxies() {
    IntOpenHashSet nodeAddresses = new IntOpenHashSet();
    nodes.values().forEach(n -> nodeAddresses.add(n.internalIp().toInt()));
    for (Node node : nodes.values()) {
      ServiceProxy proxy =
          new ServiceProxy(
              node,
              serviceMode,
              minimizeIptablesRestore,
              simulation,
              serviceFeed,
              nodeAddresses::contains);
      serviceFeed.add(proxy);
      kubeProxies.put(node, proxy);
    }
  }

  /** The netfilter of a node's root namespace, which the Service dataplane installs. */
  public Netfilter netfilter(Node node) {
    return kubeProxies.get(node).netfilter();
  }

  /** {@code conntrack -L} on a node. */
  public String conntrackList(String nodeName) {
    return kubeProxies.get(node(nodeName)).netfilter().conntrack().list();
  }

  /** Rules netfilter evaluated on a node so far. */
  public long rulesEvaluated(String nodeName) {
    return kubeProxies.get(node(nodeName)).netfilter().rulesEvaluated();
  }

  /** How nodes implement Services. */
  public ServiceMode serviceMode() {
    return serviceMode;
  }

  /** Service-map probes made on a node so far (hash-map mode; 0 otherwise). */
  public long serviceMapProbes(String nodeName) {
    return kubeProxies.get(node(nodeName)).map().totalWork();
  }

  /**
   * Returns a free port from the NodePort range 30000-32767 for a Service about to be created, as
   * the API server allocates one for a NodePort or LoadBalancer port that names none (drawn from
   * the seeded stream {@code node-ports}).
   *
   * @throws IllegalStateException if the range is full
   */
  public int allocateNodePort() {
    if (nodePortsInUse.size() >= NODE_PORT_COUNT) {
      throw new IllegalStateException("the NodePort range 30000-32767 is full");
    }
    while (true) {
      int candidate = NODE_PORT_BASE + nodePorts.nextInt(NODE_PORT_COUNT);
      if (!nodePortsInUse.contains(candidate)) {
        return candidate;
      }
    }
  }

  /** The API server's refusal of a NodePort another Service holds. */
  private static IllegalArgumentException portTaken(String qualified, String field, int port) {
    return invalid(
        qualified, field + ": Invalid value: " + port + ": provided port is already allocated");
  }

  /** The API server's refusal of a Service, as kubectl prints it. */
  private static IllegalArgumentException invalid(String qualified, String problem) {
    return new IllegalArgumentException(
        "The Service \""
            + qualified.substring(qualified.indexOf('/') + 1)
            + "\" is invalid: "
            + problem);
  }

  /** The NodePorts a Service holds, its health-check NodePort included. */
  private static List<Integer> nodePortsOf(Service service) {
    List<Integer> out = new ArrayList<>();
    service.ports().stream().filter(ServicePort::hasNodePort).forEach(p -> out.add(p.nodePort()));
    if (service.options().healthCheckNodePort() != 0) {
      out.add(service.options().healthCheckNodePort());
    }
    return out;
  }

  private Ipv4Address allocateClusterIp() {
    long size = serviceCidr.size();
    if (clusterIps.size() >= size - 3) {
      throw new IllegalStateException("service CIDR " + serviceCidr + " is full");
    }
    while (true) {
      Ipv4Address candidate = serviceCidr.address(2 + serviceIps.nextLong(size - 3));
      if (clusterIps.add(candidate.toInt())) {
        return candidate;
      }
    }
  }

  /**
   * A node turned Ready or NotReady, and its pods' Ready conditions with it: once the current
   * instant's changes are all in, every Service's endpoints are worked out again (see {@link
   * #syncServices}), and the StatefulSet controller, which waits for Ready pods, looks again.
   */
  void nodeReadinessChanged() {
    allServicesDirty = true;
    scheduleServiceSync();
    statefulSets.reconcile();
  }

  /** {@code pod} changed: the Services selecting it may have other endpoints. */
  private void podChanged(Pod pod) {
    dirtyServices.addAll(servicesSelecting(pod));
    scheduleServiceSync();
  }

  private void scheduleServiceSync() {
    if (kubeProxies.isEmpty() || syncPending) {
      return;
    }
    syncPending = true;
    simulation.schedule(0, this::syncServices);
  }

  /**
   * Once the current instant's changes are all in, and if the Services or their endpoints really
   * differ, makes the next snapshot and tells every node's proxy (it syncs as soon as it may, see
   * {@link ServiceProxy}). Only the Services that changed, whose pods changed, or (after a node
   * turned Ready or NotReady, which the node lifecycle controller reports) all of them are worked
   * out again; the others keep their entry, and the snapshot records only the change, so the work
   * and what the nodes then write grow with the change, not with the number of Services or nodes.
   */
  private void syncServices() {
    syncPending = false;
    Map<Node, Boolean> ready = new HashMap<>();
    Map<String, ServiceSnapshot.Entry> puts = new LinkedHashMap<>();
    long generation = serviceSnapshot.generation() + 1;
    for (ServiceEntry entry : allServicesDirty ? services.values() : dirtyServices) {
      ServiceSnapshot.Entry old = entry.snapshotEntry;
      List<Endpoint> endpoints = endpoints(entry, ready);
      if (old == null || !old.endpoints().equals(endpoints)) {
        ServiceSnapshot.Entry now =
            new ServiceSnapshot.Entry(entry.service, List.copyOf(endpoints));
        if (old == null) {
          entry.firstGeneration = generation;
          perNodeServices += now.perNode() ? 1 : 0;
        }
        entry.snapshotEntry = now;
        puts.put(entry.service.namespacedName(), now);
      }
    }
    dirtyServices.clear();
    allServicesDirty = false;
    if (puts.isEmpty() && deletedServices.isEmpty()) {
      return;
    }
    serviceSnapshot =
        new ServiceSnapshot(
            serviceSnapshot, puts, List.copyOf(deletedServices), perNodeServices > 0);
    deletedServices.clear();
    serviceFeed.publish(serviceSnapshot);
  }

  // ---------------------------------------------------------------- kubelet callbacks

  void status(Pod pod, PodStatus status) {
    pod.setStatus(status, simulation.now());
    podChanged(pod);
    StringBuilder detail = new StringBuilder(status.text());
    pod.node().ifPresent(n -> detail.append(' ').append(n.name()));
    pod.ip().ifPresent(ip -> detail.append(' ').append(ip));
    published(pod, detail.toString());
  }

  /**
   * A pod's change is in the API server: its controllers hear of it, the trace records {@code
   * detail}, then its watchers are told.
   */
  private void published(Pod pod, String detail) {
    replicaSets.podChanged(pod);
    statefulSets.podChanged(pod);
    trace(pod, detail);
    podUpdated(pod);
    daemonSets.podChanged(pod);
  }

  void event(Pod pod, String type, String reason, String from, String message) {
    pod.event(type, reason, from, message, simulation.now());
    trace(pod, "event " + type + " " + reason + " " + message);
  }

  void removed(Pod pod) {
    pod.markDeleted();
    pods.remove(pod.key());
    podChanged(pod);
    servicesSelecting(pod).forEach(e -> e.pods.remove(pod));
    for (Map.Entry<String, String> label : pod.labels().entrySet()) {
      podsByLabel.get(label.getKey() + "=" + label.getValue()).remove(pod);
    }
    published(pod, "deleted");
  }

  /**
   * Calls {@code watcher} after each change to a pod that a watch on the API server reports: its
   * creation, its binding to a node, each status the kubelet posts, its container stopped on the
   * way out, and its deletion (the pod then {@link Pod#isDeleted is deleted}).
   */
  void watchPods(java.util.function.Consumer<Pod> watcher) {
    podWatchers.add(java.util.Objects.requireNonNull(watcher, "watcher"));
  }

  /** Stops calling {@code watcher}. */
  void unwatchPods(java.util.function.Consumer<Pod> watcher) {
    podWatchers.remove(watcher);
  }

  /** Tells the pod watchers that {@code pod} changed. */
  void podUpdated(Pod pod) {
    for (java.util.function.Consumer<Pod> watcher : List.copyOf(podWatchers)) {
      watcher.accept(pod);
    }
  }

  /** What a pod's network holds on {@code node}, read before its DEL runs. */
  Teardown teardownOf(Pod pod, Node node) {
    String id = pod.sandboxId().orElseThrow();
    Optional<CniResult> cached;
    String networkName;
    try {
      networkName = node.runtime().loadConfig().name();
      cached = node.runtime().cachedResult(new Attachment(id, "eth0"));
    } catch (RuntimeException e) {
      networkName = "";
      cached = Optional.empty();
    }
    List<String> hostInterfaces = new ArrayList<>();
    io.podnet.core.addr.MacAddress mac = null;
    if (cached.isPresent()) {
      for (CniResult.Interface i : cached.get().interfaces()) {
        if (i.sandbox().isEmpty()) {
          hostInterfaces.add(i.name());
        } else if (i.name().equals("eth0")) {
          mac = i.mac();
        }
      }
    }
    return new Teardown(
        pod.key(), node, id, networkName, pod.ip().orElse(null), hostInterfaces, mac);
  }

  /** Records a pod's network teardown once its DEL has succeeded. */
  void recordTeardown(Teardown teardown) {
    teardowns.add(teardown);
  }

  /** Records a change of a node in the trace. */
  void nodeChanged(Node node, String detail) {
    network.trace().record(new PodChange(simulation.now(), node.name(), detail));
  }

  private void trace(Pod pod, String detail) {
    network.trace().record(new PodChange(simulation.now(), pod.key(), detail));
  }

  private static final HexFormat HEX = HexFormat.of();

  static String uuid(RandomGenerator random) {
    long hi = random.nextLong();
    long lo = random.nextLong();
    hi = (hi & ~0xF000L) | 0x4000L;
    lo = (lo & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    String h = HEX.toHexDigits(hi) + HEX.toHexDigits(lo);
    return h.substring(0, 8)
        + "-"
        + h.substring(8, 12)
        + "-"
        + h.substring(12, 16)
        + "-"
        + h.substring(16, 20)
        + "-"
        + h.substring(20);
  }

  /** Builds a {@link Cluster}. */
  public static final class Builder {
    private int nodeCount = 1;
    private final List<String> nodeNames = new ArrayList<>();
    private final List<Ipv4Address> nodeAddresses = new ArrayList<>();
    private long seed = 1;
    private Cidr clusterCidr = Cidr.parse("10.244.0.0/16");
    private int nodeMaskSize = 24;
    private PluginRegistry registry = Plugins.standard();
    private List<String> installed = List.of();
    private boolean installAll = true;
    private String conflistName = "";
    private String conflistTemplate = "";
    private Trace trace = Trace.digestOnly();
    private LinkSpec link = LinkSpec.DEFAULT;
    private NetworkAgent agent = new HostGwRoutes();
    private int racks = 1;
    private Cidr serviceCidr = Cidr.parse("10.96.0.0/12");
    private ServiceMode serviceMode = ServiceMode.IPTABLES;
    private boolean minimizeIptablesRestore = true;

    private Builder() {}

    /** Number of nodes, 1 to 5,000 (default 1). */
    public Builder nodes(int count) {
      if (count < 1 || count > 5000) {
        throw new IllegalArgumentException("node count must be in [1, 5000]: " + count);
      }
      this.nodeCount = count;
      nodeNames.clear();
      nodeAddresses.clear();
      return this;
    }

    /**
     * Adds a node with this name and underlay address, instead of {@code node-1}... at {@code
     * 192.168.1.11}...; nodes added this way are all the cluster's nodes, in this order. Only on a
     * single-rack underlay.
     *
     * @throws IllegalArgumentException for a name that is no DNS label or is taken, or an address
     *     outside {@code 192.168.0.0/16}, taken, or reserved (network, broadcast, the gateway, the
     *     range {@code .0.201}-{@code .0.240} of {@link #addExternalHost hosts outside})
     */
    public Builder node(String name, Ipv4Address address) {
      if (!DNS_LABEL.matcher(name).matches() || name.length() > 63) {
        throw new IllegalArgumentException(
            "node name \"" + name + "\" is not a DNS label (expected e.g. worker-1)");
      }
      if (nodeNames.contains(name)) {
        throw new IllegalArgumentException(
            "node \"" + name + "\" is given twice (expected unique node names)");
      }
      long offset = (address.toInt() & 0xFFFFFFFFL) - (UNDERLAY.address(0).toInt() & 0xFFFFFFFFL);
      if (!UNDERLAY.contains(address)
          || offset == 0
          || offset == 1
          || offset == UNDERLAY.size() - 1
          || (offset > 200 && offset <= 240)
          || nodeAddresses.contains(address)) {
        throw new IllegalArgumentException(
            "node address "
                + address
                + " is taken or reserved (expected a free address in "
                + UNDERLAY
                + ", not .0.0, .0.1, .0.201-.0.240 or the broadcast)");
      }
      if (nodeNames.size() >= 5000) {
        throw new IllegalArgumentException("more than 5000 nodes");
      }
      nodeNames.add(name);
      nodeAddresses.add(address);
      nodeCount = nodeNames.size();
      return this;
    }

    /** The master seed (default 1). */
    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    /** The cluster CIDR (default {@code 10.244.0.0/16}). */
    public Builder clusterCidr(String cidr) {
      this.clusterCidr = Cidr.parse(cidr);
      return this;
    }

    /** How nodes implement Services (default {@link ServiceMode#IPTABLES}). */
    public Builder services(ServiceMode mode) {
      this.serviceMode = mode;
      return this;
    }

    /**
     * kube-proxy's {@code MinimizeIPTablesRestore} feature gate (KEP-3453; on by default since
     * Kubernetes 1.27, locked on since 1.28): off, every sync restores every Service's rules, as
     * before; on (the default), a sync writes {@code KUBE-SERVICES} and the changed Services'
     * chains. Off needs {@link ServiceMode#IPTABLES}: {@link #build} refuses it with the hash map.
     */
    public Builder minimizeIptablesRestore(boolean on) {
      this.minimizeIptablesRestore = on;
      return this;
    }

    /**
     * The Service CIDR ClusterIPs come from (default {@code 10.96.0.0/12}).
     *
     * @throws IllegalArgumentException for a CIDR longer than /30, which has no address for a
     *     Service besides the API server's {@code kubernetes} Service
     */
    public Builder serviceCidr(String cidr) {
      this.serviceCidr = checkServiceCidr(Cidr.parse(cidr));
      return this;
    }

    /** The prefix length of each node's podCIDR (default 24), longer than the cluster CIDR's. */
    public Builder nodeCidrMaskSize(int length) {
      if (length > 30 || length < 1) {
        throw new IllegalArgumentException("node CIDR mask size must be in [1, 30]: " + length);
      }
      this.nodeMaskSize = length;
      return this;
    }

    /** The plugin implementations (default {@link Plugins#standard()}). */
    public Builder plugins(PluginRegistry r) {
      this.registry = r;
      return this;
    }

    /** Installs only these plugin binaries on each node (default: every registered plugin). */
    public Builder installedPlugins(String... types) {
      this.installed = List.of(types);
      this.installAll = false;
      return this;
    }

    /**
     * The network configuration each node gets in {@code /etc/cni/net.d/<fileName>}; {@code
     * ${podCIDR}} in the text is replaced with the node's podCIDR. An empty file name writes none.
     */
    public Builder cni(String fileName, String conflistTemplate) {
      this.conflistName = fileName;
      this.conflistTemplate = conflistTemplate;
      return this;
    }

    /** The trace to write to (default digest-only). */
    public Builder trace(Trace t) {
      this.trace = t;
      return this;
    }

    /**
     * Spreads the nodes over {@code count} racks (default 1). One rack is a single L2 segment,
     * {@code 192.168.0.0/16}. Several racks are L2 segments {@code 192.168.R.0/24} behind a router
     * ({@code 192.168.R.1} in each), so nodes in different racks are an L3 hop apart.
     */
    public Builder racks(int count) {
      if (count < 1 || count > 200) {
        throw new IllegalArgumentException("rack count must be in [1, 200]: " + count);
      }
      this.racks = count;
      return this;
    }

    /** What runs on each node besides CNI (default {@link HostGwRoutes}). */
    public Builder agent(NetworkAgent networkAgent) {
      this.agent = networkAgent;
      return this;
    }

    /** The underlay links' properties (default {@link LinkSpec#DEFAULT}). */
    public Builder link(LinkSpec spec) {
      this.link = spec;
      return this;
    }

    /**
     * Builds the cluster: nodes on the underlay, runtimes, configs and host-gw routes. A network
     * configuration that does not parse or validate throws {@link
     * io.podnet.cni.spec.CniConfigException} (file, line, column, spec code, message) and no
     * cluster is built.
     */
    public Cluster build() {
      if (!minimizeIptablesRestore && serviceMode != ServiceMode.IPTABLES) {
        throw new IllegalArgumentException(
            "minimizeIptablesRestore(false) is a kube-proxy feature gate, and "
                + serviceMode
                + " runs no kube-proxy (expected services(ServiceMode.IPTABLES))");
      }
      if (nodeMaskSize <= clusterCidr.prefixLength()) {
        throw new IllegalArgumentException(
            "node CIDR mask size "
                + nodeMaskSize
                + " must be longer than the cluster CIDR "
                + clusterCidr);
      }
      long podCidrs = 1L << (nodeMaskSize - clusterCidr.prefixLength());
      if (nodeCount >= podCidrs) {
        throw new IllegalArgumentException(
            "cluster CIDR "
                + clusterCidr
                + " holds "
                + (podCidrs - 1)
                + " /"
                + nodeMaskSize
                + " podCIDRs after the first, too few for "
                + nodeCount
                + " nodes");
      }
      installed.forEach(registry::require);
      Simulation sim = Simulation.create(seed);
      Network network = Network.create(sim, trace);
      Cluster cluster =
          new Cluster(sim, network, clusterCidr, serviceCidr, serviceMode, minimizeIptablesRestore);
      if (!nodeNames.isEmpty() && racks != 1) {
        throw new IllegalArgumentException(
            "named nodes with their own addresses need a single rack (expected racks(1))");
      }
      Underlay underlay = Underlay.build(network, racks, nodeCount, link);
      cluster.router = underlay.router().orElse(null);
      cluster.underlay = underlay;
      for (int i = 1; i <= nodeCount; i++) {
        String name = nodeNames.isEmpty() ? "node-" + i : nodeNames.get(i - 1);
        Host host = network.addHost(name);
        host.root().loopback().up();
        // kubeadm's preflight refuses a node whose /proc/sys/net/ipv4/ip_forward is not 1.
        host.root().setIpForward(true);
        Ipv4Address ip =
            underlay.attach(host, i, nodeAddresses.isEmpty() ? null : nodeAddresses.get(i - 1));
        Cidr podCidr = clusterCidr.subnet(nodeMaskSize, i);
        CniRuntime runtime = CniRuntime.on(host, registry);
        for (String type : installAll ? List.copyOf(registry.plugins().keySet()) : installed) {
          runtime.installPlugin(type);
        }
        if (!conflistName.isEmpty()) {
          runtime.installConfig(
              conflistName, conflistTemplate.replace("${podCIDR}", podCidr.toString()));
        }
        Node node = new Node(name, host, podCidr, ip, runtime);
        cluster.nodes.put(name, node);
        agent.nodeAdded(cluster, node);
        cluster.kubelets.put(node, new Kubelet(cluster, node));
      }
      agent.nodesReady(cluster);
      cluster.nodes.values().forEach(cluster.nodeLifecycle::watch);
      List<DaemonSet> daemons = new ArrayList<>();
      if (serviceMode == ServiceMode.IPTABLES) {
        daemons.add(DaemonSet.KUBE_PROXY);
      }
      agent.daemonSet().ifPresent(daemons::add);
      cluster.daemonSets.start(daemons);
      cluster.createKubernetesService(cluster.nodes.values().iterator().next());
      return cluster;
    }
  }
}
