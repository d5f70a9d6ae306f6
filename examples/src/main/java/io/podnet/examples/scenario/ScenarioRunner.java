package io.podnet.examples.scenario;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.podnet.cni.calico.CalicoNode;
import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.EndpointCounts;
import io.podnet.cni.cluster.Flanneld;
import io.podnet.cni.cluster.Kubectl;
import io.podnet.cni.cluster.LabelSelector;
import io.podnet.cni.cluster.Node;
import io.podnet.cni.cluster.Pod;
import io.podnet.cni.cluster.PodWatch;
import io.podnet.cni.cluster.StatefulSet.PodManagementPolicy;
import io.podnet.cni.cluster.Toleration;
import io.podnet.cni.contract.ContractChecker;
import io.podnet.cni.contract.ContractReport;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.net.Link;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Nic;
import io.podnet.core.net.Ping;
import io.podnet.core.net.PingOptions;
import io.podnet.core.net.ProbeResult;
import io.podnet.core.net.Traceroute;
import io.podnet.core.trace.Trace;
import io.podnet.core.trace.TraceSink;
import io.podnet.dataplane.service.Service;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Replays a {@link Scenario} on a simulated cluster and writes its transcript: each step with its
 * simulated time, the command's output as the real tool prints it, {@code expect ... OK} or {@code
 * expect ... FAILED: why}, and last the trace digest. The same scenario always gives the same
 * transcript, byte for byte.
 */
public final class ScenarioRunner {

  /** Nodes listed at the top of a transcript before the rest are summed up in one line. */
  private static final int MAX_NODE_LINES = 20;

  /** How far a {@code settle} step advances the clock between looks. */
  private static final long SETTLE_STEP_NANOS = 100 * SimTime.MILLISECOND;

  private final Scenario scenario;
  private final Options options;
  private final long seed;
  private final StringBuilder out = new StringBuilder();
  private final StringBuilder walks = new StringBuilder();
  private @Nullable ProbeResult lastProbe;
  private final Map<String, List<Integer>> listening = new LinkedHashMap<>();

  /**
   * The container ports of the pods a workload's controller makes, by namespace and owner ({@code
   * default/ReplicaSet/web-d9c9cfb46}).
   */
  private final Map<String, List<Integer>> templatePorts = new HashMap<>();

  /** The selector of each applied workload, by its reference, in the order applied. */
  private final Map<PodRef, LabelSelector> workloads = new LinkedHashMap<>();

  private final Set<String> namespaces = new TreeSet<>(Scenario.INITIAL_NAMESPACES);
  private boolean failed;
  private int stepsDone;
  private EndpointCounts.@Nullable Layout apps;
  private final List<Watch> watches = new ArrayList<>();

  /** A {@code kubectl get pods -w} a step started: its command line and what it prints. */
  private record Watch(String command, PodWatch watch) {}

  private ScenarioRunner(Scenario scenario, Options options) {
    this.scenario = scenario;
    this.options = options;
    this.seed = options.seed() == null ? scenario.seed() : options.seed();
    Scenario.agentNamespace(scenario.cni()).ifPresent(namespaces::add);
  }

  /**
   * The outcome of a run: its transcript, exit code (0 every expectation held, 1 not) and the
   * hop-by-hop walk of every ping and curl step.
   */
  public record Result(String transcript, int exitCode, String walks) {}

  /** Told after each step of a run: how many steps are done, of how many. */
  @FunctionalInterface
  public interface Progress {
    /** Called once per step, after it ran. */
    void stepDone(int done, int total);

    /**
     * Called while a long step runs ({@code settle}): {@code done} steps are done and the next one
     * is {@code fraction} (0 to 1) of the way.
     */
    default void within(int done, int total, double fraction) {}
  }

  /**
   * How to run a scenario: a seed that overrides the file's (null keeps it), sinks that see every
   * trace record, a progress listener (null for none) and a callback told of the cluster as soon as
   * it is built, before any step runs (null for none; e.g. to start packet captures).
   */
  public record Options(
      @Nullable Long seed,
      List<TraceSink> traceSinks,
      @Nullable Progress progress,
      java.util.function.@Nullable Consumer<Cluster> onCluster) {
    /** Validates and copies. */
    public Options {
      traceSinks = List.copyOf(traceSinks);
    }

    /** Options without a cluster callback. */
    public Options(@Nullable Long seed, List<TraceSink> traceSinks, @Nullable Progress progress) {
      this(seed, traceSinks, progress, null);
    }

    /** The file's seed, no sinks, no progress. */
    public static Options defaults() {
      return new Options(null, List.of(), null);
    }
  }

  /**
   * Runs a scenario and returns its transcript and exit code. {@link ScenarioException} when the
   * cluster it describes cannot be built (a podCIDR too small for its nodes, a conflist a plugin
   * refuses).
   */
  public static Result run(Scenario scenario) {
    return run(scenario, Options.defaults());
  }

  /** Runs a scenario with options (seed override, trace sinks, progress); see {@link #run}. */
  public static Result run(Scenario scenario, Options options) {
    ScenarioRunner r = new ScenarioRunner(scenario, options);
    Cluster cluster = r.buildOrThrow();
    String transcript = r.replay(cluster, Long.MAX_VALUE);
    return new Result(transcript, r.failed ? 1 : 0, r.walks.toString());
  }

  /**
   * Runs the steps of a scenario due at or before {@code atNanos}, then the clock up to it, and
   * returns the cluster as it is then (for inspecting it). Nothing is printed.
   */
  public static Cluster runUntil(Scenario scenario, Options options, long atNanos) {
    ScenarioRunner r = new ScenarioRunner(scenario, options);
    Cluster cluster = r.buildOrThrow();
    r.replay(cluster, atNanos);
    long now = cluster.simulation().now();
    if (atNanos > now) {
      cluster.run(atNanos - now);
    }
    return cluster;
  }

  private Cluster buildOrThrow() {
    Cluster cluster;
    try {
      cluster = build();
    } catch (RuntimeException e) {
      throw new ScenarioException(
          List.of(scenario.clusterLocation() + ": cluster: " + e.getMessage()));
    }
    cluster.onPodStarted(this::listen);
    if (options.onCluster() != null) {
      options.onCluster().accept(cluster);
    }
    return cluster;
  }

  private String replay(Cluster cluster, long stopAt) {
    out.append("scenario: ").append(scenario.name()).append(", seed ").append(seed);
    out.append('\n');
    out.append("cluster: ")
        .append(scenario.nodes())
        .append(scenario.nodes() == 1 ? " node" : " nodes")
        .append(", cni ")
        .append(scenario.cni())
        .append(
            scenario.conflistText() == null || scenario.cni().equals(scenario.conflistPath())
                ? ""
                : " with conflist " + scenario.conflistPath())
        .append(", services ")
        .append(
            scenario.services() == io.podnet.cni.cluster.ServiceMode.IPTABLES
                ? "iptables"
                : "hash-map")
        .append(
            scenario.minimizeIptablesRestore()
                ? ""
                : " (kube-proxy feature gate MinimizeIPTablesRestore=false)")
        .append('\n');
    List<Node> nodes = cluster.nodes();
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.size() > MAX_NODE_LINES && i == MAX_NODE_LINES - 1) {
        out.append("  ... ").append(nodes.size() - MAX_NODE_LINES).append(" more\n");
        i = nodes.size() - 1;
      }
      out.append("  ").append(nodes.get(i).summary()).append('\n');
    }
    for (Step step : scenario.steps()) {
      if (step.at() > stopAt) {
        break;
      }
      long now = cluster.simulation().now();
      if (step.at() > now) {
        cluster.run(step.at() - now);
      }
      printWatches();
      long started = cluster.simulation().now();
      out.append("\n[").append(SimTime.format(started)).append("s] ");
      try {
        execute(cluster, step);
      } catch (RuntimeException e) {
        out.append("error: ").append(e.getMessage()).append('\n');
        failed = true;
      }
      // the command has exited: what the kernel still does in this instant (the segments nc
      // queued on its way out crossing the node's own devices) is done before the next one
      cluster.run(0);
      printWatches();
      recordWalk(started, step);
      stepsDone++;
      if (options.progress() != null) {
        options.progress().stepDone(stepsDone, scenario.steps().size());
      }
    }
    printWatches();
    out.append("\ntrace digest: ").append(cluster.network().trace().digest()).append('\n');
    return out.toString();
  }

  /**
   * Prints what the running watches printed since the last look, as blocks headed by their time and
   * command ({@code [0.005000000s] # kubectl get pods -w}), oldest first; the rows of one watch at
   * one time share a block.
   */
  private void printWatches() {
    List<Map.Entry<Watch, PodWatch.Output>> due = new ArrayList<>();
    for (Watch w : watches) {
      w.watch().take().forEach(o -> due.add(Map.entry(w, o)));
    }
    due.sort(Comparator.comparingLong(e -> e.getValue().at()));
    Watch last = null;
    long lastAt = -1;
    for (Map.Entry<Watch, PodWatch.Output> e : due) {
      long at = e.getValue().at();
      if (e.getKey() != last || at != lastAt) {
        out.append("\n[").append(SimTime.format(at)).append("s] # ");
        out.append(e.getKey().command()).append('\n');
        last = e.getKey();
        lastAt = at;
      }
      out.append(e.getValue().text());
    }
  }

  private Cluster build() {
    Cluster.Builder b =
        switch (scenario.cni()) {
          case "bridge" -> Cluster.bridge();
          case "ptp" -> Cluster.ptp();
          case "flannel-vxlan" -> Cluster.flannel(Flanneld.Backend.VXLAN);
          case "flannel-host-gw" -> Cluster.flannel(Flanneld.Backend.HOST_GW);
          case "calico" -> Cluster.calico();
          case "calico-ipip" -> Cluster.calico(CalicoNode.of(CalicoNode.Mode.IPIP));
          case "calico-vxlan" -> Cluster.calico(CalicoNode.of(CalicoNode.Mode.VXLAN));
          case "cilium" -> Cluster.cilium();
          default -> Cluster.builder();
        };
    if (scenario.conflistText() != null) {
      b.cni(String.valueOf(scenario.conflistName()), scenario.conflistText());
    }
    if (scenario.nodeNames().isEmpty()) {
      b.nodes(scenario.nodes());
    }
    if (scenario.racks() > 1) {
      b.racks(scenario.racks());
    }
    for (String name : scenario.nodeNames()) {
      b.node(name, Ipv4Address.parse(scenario.nodeAddress(name)));
    }
    b.seed(seed)
        .services(scenario.services())
        .minimizeIptablesRestore(scenario.minimizeIptablesRestore());
    if (!options.traceSinks().isEmpty()) {
      Trace trace = Trace.digestOnly();
      options.traceSinks().forEach(trace::addSink);
      b.trace(trace);
    }
    if (scenario.podCidr() != null) {
      b.clusterCidr(scenario.podCidr());
    }
    if (scenario.serviceCidr() != null) {
      b.serviceCidr(scenario.serviceCidr());
    }
    return b.build();
  }

  private void execute(Cluster cluster, Step step) {
    Map<String, String> a = step.args();
    switch (step.action()) {
      case "apply" -> apply(cluster, step.manifests());
      case "delete" -> {
        if (a.containsKey("pod")) {
          out.append("$ kubectl delete pod ").append(a.get("pod")).append('\n');
          cluster.deletePod(a.get("pod"));
          out.append("pod \"").append(a.get("pod")).append("\" deleted\n");
        } else if (a.containsKey("namespace")) {
          deleteNamespace(cluster, a.get("namespace"));
        } else {
          out.append("$ kubectl delete service ").append(a.get("service")).append('\n');
          cluster.deleteService(a.get("service"));
          out.append("service \"").append(a.get("service")).append("\" deleted\n");
        }
      }
      case "kubectl" -> {
        out.append("$ kubectl ").append(a.get("command")).append('\n');
        if (a.containsKey("pod")) {
          out.append(Kubectl.describePod(cluster, a.get("pod")));
          return;
        }
        if (a.containsKey("services")) {
          String namespace = a.get("services");
          out.append(
              Kubectl.getServices(
                  cluster,
                  namespace.isEmpty() ? null : namespace,
                  Boolean.parseBoolean(a.get("wide"))));
          return;
        }
        if (a.containsKey("service")) {
          String key = a.get("service");
          out.append(
              switch (a.get("view")) {
                case "describe" -> Kubectl.describeService(cluster, key);
                case "endpoints" -> Kubectl.getEndpoints(cluster, key);
                default -> Kubectl.getService(cluster, key, Boolean.parseBoolean(a.get("wide")));
              });
          return;
        }
        Kubectl.GetPods get =
            Kubectl.GetPods.in(a.get("namespace").isEmpty() ? null : a.get("namespace"));
        if (Boolean.parseBoolean(a.get("wide"))) {
          get = get.withWide();
        }
        if (a.containsKey("selector")) {
          get = get.withSelector(LabelSelector.parse(a.get("selector")));
        }
        if (Boolean.parseBoolean(a.get("showLabels"))) {
          get = get.withShowLabels();
        }
        if (Boolean.parseBoolean(a.get("watch"))) {
          PodWatch watch = Kubectl.watchPods(cluster, get);
          watch.take().forEach(o -> out.append(o.text()));
          watches.add(new Watch("kubectl " + a.get("command"), watch));
        } else {
          out.append(Kubectl.getPods(cluster, get));
        }
      }
      case "exec" -> exec(cluster, a);
      case "ping" -> {
        Ipv4Address to = resolve(cluster, a.get("to"));
        int count = Integer.parseInt(a.getOrDefault("count", "1"));
        out.append("$ kubectl exec ")
            .append(a.get("from"))
            .append(" -- ping -c ")
            .append(count)
            .append(' ');
        if (a.containsKey("dontFragment")) {
          out.append(a.get("dontFragment").equals("true") ? "-M do " : "-M dont ");
        }
        if (a.containsKey("size")) {
          out.append("-s ").append(a.get("size")).append(' ');
        }
        Ping run = Ping.run(netns(cluster, a.get("from")), to, count, pingOptions(a));
        lastProbe = run.results().get(0);
        out.append(to).append('\n').append(run.output());
      }
      case "traceroute" -> {
        Ipv4Address to = resolve(cluster, a.get("to"));
        out.append("$ kubectl exec ")
            .append(a.get("from"))
            .append(" -- traceroute ")
            .append(to)
            .append('\n')
            .append(Traceroute.run(netns(cluster, a.get("from")), to).output());
      }
      case "curl" -> {
        Ipv4Address to = resolve(cluster, a.get("to"));
        int port = Integer.parseInt(a.get("port"));
        out.append("$ kubectl exec ")
            .append(a.get("from"))
            .append(" -- nc -zv ")
            .append(to)
            .append(' ')
            .append(port)
            .append("    # curl ")
            .append(a.get("to"))
            .append(':')
            .append(port)
            .append(" (TCP connect)\n");
        ProbeResult r = netns(cluster, a.get("from")).connectTcp(to, port);
        lastProbe = r;
        out.append(r.message()).append('\n');
      }
      case "expect" -> {
        out.append("# expect\n");
        for (Map<String, String> check : step.expects()) {
          expect(cluster, check);
        }
      }
      case "crashNode" -> {
        out.append("# crash ").append(a.get("node")).append('\n');
        cluster.crashNode(a.get("node"));
      }
      case "restoreNode" -> {
        out.append("# restore ").append(a.get("node")).append('\n');
        cluster.restoreNode(a.get("node"));
      }
      case "removePlugin" -> {
        out.append("$ rm /opt/cni/bin/")
            .append(a.get("type"))
            .append("    # on ")
            .append(a.get("node"))
            .append('\n');
        cluster.node(a.get("node")).runtime().removePlugin(a.get("type"));
      }
      case "cutLink", "restoreLink" -> {
        boolean up = step.action().equals("restoreLink");
        out.append("# ")
            .append(up ? "restore" : "cut")
            .append(" the link of ")
            .append(a.get("node"))
            .append(" eth0\n");
        uplink(cluster, a.get("node")).setUp(up);
      }
      case "linkLatency" -> {
        out.append("$ tc qdisc replace dev eth0 root netem delay ")
            .append(a.get("latency"))
            .append("    # on ")
            .append(a.get("node"))
            .append(" (the whole link)\n");
        uplink(cluster, a.get("node")).setLatency(Long.parseLong(a.get("nanos")));
      }
      case "packetLoss" -> {
        out.append("$ tc qdisc replace dev eth0 root netem loss ")
            .append(a.get("percent"))
            .append("%    # on ")
            .append(a.get("node"))
            .append(" (the whole link)\n");
        uplink(cluster, a.get("node")).setLossRate(Double.parseDouble(a.get("percent")) / 100);
      }
      case "bulkServices" -> ServicePropagation.bulk(cluster, a, apps, out);
      case "bulkPods" -> apps = BulkPods.create(cluster, a, apps, out);
      case "settle" -> settle(cluster, Long.parseLong(a.get("nanos")), a.get("within"));
      case "programmed" -> ServicePropagation.report(cluster, a.get("service"), out);
      case "iptablesRestore" -> {
        out.append("$ iptables-restore < ")
            .append(a.get("file"))
            .append("    # on ")
            .append(a.get("node"))
            .append('\n');
        cluster.iptablesRestore(a.get("node"), a.get("text"), a.get("where"));
      }
      default -> { // installPlugin
        out.append("$ install -m 755 ")
            .append(a.get("type"))
            .append(" /opt/cni/bin/")
            .append(a.get("type"))
            .append("    # on ")
            .append(a.get("node"))
            .append('\n');
        cluster.node(a.get("node")).runtime().installPlugin(a.get("type"));
      }
    }
  }

  /**
   * The {@code settle} step: runs the clock, a tenth of a second at a time, until every pod is
   * Running and every node's Service dataplane holds every Service and endpoint, at most {@code
   * nanos}; prints how long that took in simulated time and what the cluster then holds.
   */
  private void settle(Cluster cluster, long nanos, String within) {
    out.append("# settle: every pod Running, every Service programmed on every node (at most ")
        .append(within)
        .append(")\n");
    long start = cluster.simulation().now();
    long deadline = start + nanos;
    List<Pod> pods = cluster.pods();
    long running = pods.stream().filter(Pod::isRunning).count();
    while ((running < pods.size() || !cluster.servicesInSync())
        && cluster.simulation().now() < deadline) {
      cluster.run(Math.min(SETTLE_STEP_NANOS, deadline - cluster.simulation().now()));
      running = pods.stream().filter(Pod::isRunning).count();
      if (options.progress() != null) {
        options
            .progress()
            .within(
                stepsDone,
                scenario.steps().size(),
                pods.isEmpty() ? 1 : running / (double) pods.size());
      }
    }
    boolean synced = cluster.servicesInSync();
    long endpoints = 0;
    for (Service service : cluster.services()) {
      endpoints += cluster.endpoints(service).size();
    }
    out.append(running == pods.size() && synced ? "settled after " : "not settled after ")
        .append(SimTime.format(cluster.simulation().now() - start))
        .append("s: ")
        .append(running)
        .append('/')
        .append(pods.size())
        .append(" pods Running on ")
        .append(cluster.nodes().size())
        .append(" nodes; ")
        .append(cluster.services().size())
        .append(" Services with ")
        .append(endpoints)
        .append(" endpoints, ")
        .append(synced ? "programmed on every node" : "not yet programmed on every node")
        .append('\n');
    if (running < pods.size() || !synced) {
      failed = true;
    }
  }

  private void apply(Cluster cluster, List<HasMetadata> manifests) {
    out.append("$ kubectl apply -f -\n");
    List<String> created = new ArrayList<>();
    for (HasMetadata m : manifests) {
      ObjectMeta meta = m.getMetadata();
      String ns = meta.getNamespace() == null ? "default" : meta.getNamespace();
      if (m instanceof Namespace) {
        out.append("namespace/")
            .append(meta.getName())
            .append(namespaces.add(meta.getName()) ? " created\n" : " unchanged\n");
      } else if (m instanceof io.fabric8.kubernetes.api.model.Pod p) {
        createPod(cluster, ns, meta.getName(), meta.getLabels(), p.getSpec(), created);
        out.append("pod/").append(meta.getName()).append(" created\n");
      } else if (m instanceof Deployment || m instanceof StatefulSet) {
        WorkloadSpec w = WorkloadSpec.of(m);
        String key = ns + "/" + meta.getName();
        String owner;
        if (m instanceof StatefulSet set) {
          io.podnet.cni.cluster.StatefulSet made =
              cluster.createStatefulSet(
                  key,
                  w.replicas(),
                  template(w),
                  "Parallel".equals(set.getSpec().getPodManagementPolicy())
                      ? PodManagementPolicy.PARALLEL
                      : PodManagementPolicy.ORDERED_READY);
          owner = "StatefulSet/" + made.name();
          for (int i = 0; i < w.replicas(); i++) {
            created.add(key + "-" + i);
          }
        } else {
          io.podnet.cni.cluster.Deployment made =
              cluster.createDeployment(key, w.replicas(), template(w));
          owner = "ReplicaSet/" + made.replicaSetName();
          cluster.pods(made).forEach(pod -> created.add(pod.key()));
        }
        workloads.put(new PodRef(ns, m.getKind(), meta.getName()), selector(w.matchLabels()));
        templatePorts.put(ns + "/" + owner, Scenario.containerPorts(containers(w)));
        out.append(m.getKind().toLowerCase(Locale.ROOT))
            .append(".apps/")
            .append(meta.getName())
            .append(" created\n");
      } else if (m instanceof io.fabric8.kubernetes.api.model.Service s) {
        ServiceManifest.Converted c = ServiceManifest.convert(s, cluster::allocateNodePort);
        cluster.createService(
            ns + "/" + meta.getName(), s.getSpec().getSelector(), c.ports(), c.options());
        if (meta.getLabels() != null && !meta.getLabels().isEmpty()) {
          cluster.labelService(ns + "/" + meta.getName(), meta.getLabels());
        }
        out.append("service/").append(meta.getName()).append(" created\n");
      }
    }
    boolean previousRunning = true;
    for (String key : created) {
      long deadline = cluster.simulation().now() + 60 * SimTime.SECOND;
      while (!cluster.pod(key).map(ScenarioRunner::settled).orElse(false)
          && (previousRunning || cluster.pod(key).isPresent())
          && cluster.simulation().now() < deadline
          && cluster.simulation().step()) {
        // let the pod be made (a StatefulSet's once the one before runs) and start, or fail
      }
      previousRunning = cluster.pod(key).map(Pod::isRunning).orElse(false);
    }
  }

  /**
   * {@code kubectl delete namespace}: every pod of the namespace is deleted (at once, waiting at
   * most 60 simulated seconds for their teardown), then its Services, then the namespace.
   */
  private void deleteNamespace(Cluster cluster, String ns) {
    out.append("$ kubectl delete namespace ").append(ns).append('\n');
    for (PodRef workload : new ArrayList<>(workloads.keySet())) {
      if (workload.namespace().equals(ns)) {
        String key = ns + "/" + workload.name();
        if (workload.kind().equals("Deployment")) {
          cluster.deleteDeployment(key);
        } else {
          cluster.deleteStatefulSet(key);
        }
        workloads.remove(workload);
      }
    }
    List<Pod> deleting = new ArrayList<>();
    for (Pod pod : cluster.pods()) {
      if (pod.namespace().equals(ns)) {
        deleting.add(cluster.startDeletingPod(pod.key()));
      }
    }
    long deadline = cluster.simulation().now() + 60 * SimTime.SECOND;
    while (!deleting.stream().allMatch(Pod::isDeleted)
        && cluster.simulation().now() < deadline
        && cluster.simulation().step()) {
      // let the kubelets tear the pods' networks down
    }
    for (Service s : cluster.services()) {
      if (s.namespace().equals(ns)) {
        cluster.deleteService(s.namespacedName());
      }
    }
    namespaces.remove(ns);
    out.append("namespace \"").append(ns).append("\" deleted\n");
  }

  /**
   * A pod listens on its containers' TCP ports as it starts (again after a new sandbox): an applied
   * pod on its own, a pod a workload's controller made on its template's, replacements included.
   */
  private void listen(Pod pod) {
    List<Integer> ports =
        pod.controlledBy()
            .map(o -> templatePorts.get(pod.namespace() + "/" + o))
            .orElseGet(() -> listening.get(pod.key()));
    if (ports != null && pod.netns().isPresent()) {
      ports.forEach(pod.requireNetns()::listenTcp);
    }
  }

  private static boolean settled(Pod pod) {
    return pod.isRunning()
        || pod.events().stream()
            .anyMatch(
                e ->
                    e.reason().equals("FailedCreatePodSandBox")
                        || e.reason().equals("NetworkNotReady")
                        || e.reason().equals("FailedScheduling"));
  }

  private void createPod(
      Cluster cluster,
      String ns,
      String name,
      @Nullable Map<String, String> labels,
      @Nullable PodSpec spec,
      List<String> created) {
    cluster.createPod(spec(io.podnet.cni.cluster.PodSpec.named(ns + "/" + name), labels, spec));
    String key = ns + "/" + name;
    created.add(key);
    listening.put(key, Scenario.containerPorts(spec == null ? null : spec.getContainers()));
  }

  /** {@code base} with a manifest's labels (by key), pinned node and tolerations. */
  private static io.podnet.cni.cluster.PodSpec spec(
      io.podnet.cni.cluster.PodSpec base,
      @Nullable Map<String, String> labels,
      @Nullable PodSpec spec) {
    io.podnet.cni.cluster.PodSpec s = base;
    if (labels != null) {
      for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
        s = s.label(e.getKey(), e.getValue());
      }
    }
    if (spec != null && spec.getNodeName() != null) {
      s = s.onNode(spec.getNodeName());
    }
    for (Toleration t : Scenario.tolerations(spec)) {
      s = s.tolerate(t);
    }
    return s;
  }

  /** A workload's pod template as the cluster takes it. */
  private static io.podnet.cni.cluster.PodSpec template(WorkloadSpec w) {
    return spec(io.podnet.cni.cluster.PodSpec.template(), w.templateLabels(), w.podSpec());
  }

  private static @Nullable List<Container> containers(WorkloadSpec w) {
    return w.podSpec() == null ? null : w.podSpec().getContainers();
  }

  /** A workload's {@code spec.selector.matchLabels} (the scenario checked it has some). */
  private static LabelSelector selector(Map<String, String> matchLabels) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(matchLabels).entrySet()) {
      sb.append(sb.length() == 0 ? "" : ",").append(e.getKey()).append('=').append(e.getValue());
    }
    return LabelSelector.parse(sb.toString());
  }

  /**
   * The pod a step names: a pod by name, or for a workload ({@code deploy/web}) the pod kubectl
   * exec would pick; empty if there is none.
   */
  private Optional<Pod> findPod(Cluster cluster, String name) {
    PodRef ref = PodRef.parse(name);
    if (!ref.isWorkload()) {
      return cluster.pod(name);
    }
    Optional<Pod> pod = name.split("/").length == 2 ? cluster.pod(name) : Optional.empty();
    if (pod.isPresent()) {
      return pod;
    }
    LabelSelector selector = workloads.get(ref);
    return selector == null
        ? Optional.empty()
        : Kubectl.firstPod(cluster, ref.namespace(), selector);
  }

  /** {@link #findPod}, or {@link IllegalStateException} naming the pod or workload. */
  private Pod pod(Cluster cluster, String name) {
    return findPod(cluster, name)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    PodRef.parse(name).isWorkload()
                        ? "no pod of " + name + " exists"
                        : "pod \"" + name + "\" does not exist"));
  }

  private void exec(Cluster cluster, Map<String, String> a) {
    String cmd = a.get("command");
    String node = a.get("node");
    NetNamespace ns;
    if (node != null) {
      out.append("$ ").append(cmd).append("    # on ").append(node).append('\n');
      ns = cluster.node(node).host().root();
    } else {
      out.append("$ kubectl exec ").append(a.get("pod")).append(" -- ").append(cmd).append('\n');
      ns = netns(cluster, a.get("pod"));
    }
    String output = Inspection.render(cluster, ns, node, a.get("run"), a.get("arg"));
    String pipe = a.get("pipe");
    List<Grep> greps = pipe == null ? List.of() : Inspection.greps(Inspection.stages(pipe));
    out.append(Inspection.terminal(greps, a.get("run"), output));
  }

  private void expect(Cluster cluster, Map<String, String> check) {
    String type = check.get("type");
    String what;
    @Nullable String why;
    switch (type) {
      case "contract" -> {
        boolean byClasses = "holdsByClasses".equals(check.get("how"));
        what = byClasses ? "contract holds (by classes)" : "contract holds";
        ContractReport report =
            byClasses ? ContractChecker.checkByClasses(cluster) : ContractChecker.check(cluster);
        if (byClasses) {
          out.append(report.render().lines().findFirst().orElse("")).append('\n');
        }
        why = report.holds() ? null : report.render().lines().findFirst().orElse("violated");
      }
      case "podPhase" -> {
        what = "podPhase " + check.get("pod") + " is " + check.get("is");
        Optional<Pod> pod = findPod(cluster, check.get("pod"));
        String phase = pod.map(p -> p.status().text()).orElse("gone");
        why = phase.equals(check.get("is")) ? null : "pod " + check.get("pod") + " is " + phase;
      }
      case "podIpIn" -> {
        what = "podIpIn " + check.get("pod") + " " + check.get("cidr");
        Optional<Ipv4Address> ip = findPod(cluster, check.get("pod")).flatMap(Pod::ip);
        if (ip.isEmpty()) {
          why = "pod " + check.get("pod") + " has no IP";
        } else {
          why =
              Cidr.parse(check.get("cidr")).contains(ip.get())
                  ? null
                  : ip.get() + " is not in " + check.get("cidr");
        }
      }
      case "programmed" -> {
        what = ServicePropagation.what(check);
        why = ServicePropagation.check(cluster, check);
      }
      case "unreachable" -> {
        what = probeWhat("unreachable", check);
        Ipv4Address to = resolve(cluster, check.get("to"));
        ProbeResult r = ping(cluster, check, to);
        why = r.success() ? "ping answered: " + r.message() : null;
      }
      case "crosses" -> {
        what = probeWhat("crosses", check) + " via " + check.get("device");
        ProbeResult r = ping(cluster, check, resolve(cluster, check.get("to")));
        List<String> devices =
            r.walk().hops().stream().map(h -> h.hop().device()).distinct().toList();
        why =
            r.walk().crosses(check.get("device"))
                ? null
                : "the walk crosses " + String.join(", ", devices) + ", not " + check.get("device");
      }
      case "ruleCount" -> {
        String chain = check.get("chain");
        what =
            "ruleCount "
                + check.get("node")
                + " "
                + check.get("table")
                + (chain.isEmpty() ? "" : " " + chain)
                + " "
                + check.get("bound")
                + " "
                + check.get("count");
        long n = ruleCount(cluster, check.get("node"), check.get("table"), chain);
        long bound = Long.parseLong(check.get("count"));
        boolean ok =
            switch (check.get("bound")) {
              case "atLeast" -> n >= bound;
              case "atMost" -> n <= bound;
              default -> n == bound;
            };
        why = ok ? null : check.get("table") + (chain.isEmpty() ? "" : " " + chain) + " has " + n;
      }
      case "fragNeeded" -> {
        String mtu = check.get("mtu");
        what = probeWhat("fragNeeded", check) + (mtu == null ? "" : " mtu " + mtu);
        ProbeResult r = ping(cluster, check, resolve(cluster, check.get("to")));
        String expected = "Frag needed and DF set (mtu = " + (mtu == null ? "" : mtu + ")");
        why =
            r.outcome() == ProbeResult.Outcome.ICMP_ERROR && r.message().contains(expected)
                ? null
                : "ping got: " + r.message();
      }
      default -> {
        what = probeWhat("reachable", check);
        Ipv4Address to = resolve(cluster, check.get("to"));
        ProbeResult r = ping(cluster, check, to);
        why = r.success() ? null : r.message();
      }
    }
    out.append("expect ").append(what).append(" ... ");
    if (why == null) {
      out.append("OK\n");
    } else {
      out.append("FAILED: ").append(why).append('\n');
      failed = true;
    }
  }

  /**
   * The rules ({@code -A} lines) of a table, or of one chain of it, as iptables-save shows them.
   */
  private static long ruleCount(Cluster cluster, String node, String table, String chain) {
    String prefix = chain.isEmpty() ? "-A " : "-A " + chain + " ";
    boolean in = false;
    long n = 0;
    for (String line : cluster.iptablesSave(node).split("\n")) {
      if (line.startsWith("*")) {
        in = line.equals("*" + table);
      } else if (in && line.startsWith(prefix)) {
        n++;
      }
    }
    return n;
  }

  /** One ping of an expectation ({@code ping -c 1}) with the expectation's options. */
  private ProbeResult ping(Cluster cluster, Map<String, String> a, Ipv4Address to) {
    return netns(cluster, a.get("from")).ping(to, pingOptions(a));
  }

  /** The options of a ping step or expectation: its {@code size} and {@code dontFragment}. */
  private static PingOptions pingOptions(Map<String, String> a) {
    PingOptions options = PingOptions.DEFAULT;
    if (a.containsKey("size")) {
      options = options.withPayloadSize(Integer.parseInt(a.get("size")));
    }
    if (a.containsKey("dontFragment")) {
      options = options.withDontFragment(Boolean.parseBoolean(a.get("dontFragment")));
    }
    return options;
  }

  /** {@code KIND FROM -> TO}, with the ping's size when it has one. */
  private static String probeWhat(String kind, Map<String, String> check) {
    String size = check.containsKey("size") ? " (" + check.get("size") + " bytes)" : "";
    return kind + " " + check.get("from") + " -> " + check.get("to") + size;
  }

  /** The link on a node's eth0. */
  private static Link uplink(Cluster cluster, String node) {
    Link link =
        cluster.node(node).host().root().device("eth0") instanceof Nic nic ? nic.link() : null;
    if (link != null) {
      return link;
    }
    throw new IllegalStateException(node + " has no link on eth0");
  }

  /** After a ping or curl step, appends its hop-by-hop walk to {@link Result#walks()}. */
  private void recordWalk(long started, Step step) {
    ProbeResult probe = lastProbe;
    lastProbe = null;
    boolean curl = step.action().equals("curl");
    if (probe == null || !(curl || step.action().equals("ping"))) {
      return;
    }
    Map<String, String> a = step.args();
    walks.append('[').append(SimTime.format(started)).append("s] ");
    walks
        .append(step.action())
        .append(' ')
        .append(a.get("from"))
        .append(" -> ")
        .append(a.get("to"));
    if (curl) {
      walks.append(':').append(a.get("port"));
    }
    walks.append(": ").append(probe.message()).append('\n');
    walks.append(probe.walk().render()).append('\n');
  }

  private NetNamespace netns(Cluster cluster, String pod) {
    Pod p = pod(cluster, pod);
    return p.netns()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "pod \""
                        + p.name()
                        + "\" has no network namespace (it is "
                        + p.status().text()
                        + ")"));
  }

  private Ipv4Address resolve(Cluster cluster, String host) {
    Optional<Pod> pod = findPod(cluster, host);
    if (pod.isPresent()) {
      return pod.get()
          .ip()
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "pod \""
                          + pod.get().name()
                          + "\" has no IP (it is "
                          + pod.get().status().text()
                          + ")"));
    }
    if (PodRef.parse(host).isWorkload()) {
      throw new IllegalStateException("no pod of " + host + " exists");
    }
    String key = host.contains("/") ? host : "default/" + host;
    for (Service s : cluster.services()) {
      if (s.namespacedName().equals(key)) {
        return s.clusterIp();
      }
    }
    return Ipv4Address.parse(host);
  }
}
