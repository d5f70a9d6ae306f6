package io.podnet.examples.scenario;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.DaemonSet;
import io.podnet.cni.cluster.Flanneld;
import io.podnet.cni.cluster.LabelSelector;
import io.podnet.cni.cluster.ServiceMode;
import io.podnet.cni.cluster.Toleration;
import io.podnet.cni.plugins.Plugins;
import io.podnet.cni.runtime.CniRuntime;
import io.podnet.cni.spec.CniConfigException;
import io.podnet.cni.spec.NetworkConfigList;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.net.Host;
import io.podnet.core.net.Network;
import io.podnet.dataplane.netfilter.IptablesParseException;
import io.podnet.dataplane.netfilter.IptablesSave;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A parsed and validated scenario file: the cluster to build and the steps to replay on its
 * simulated clock. {@link #load} finds every problem before anything runs (unknown keys with a
 * did-you-mean, wrong types, a missing or escaping conflist, unsupported manifest kinds, times
 * going backwards, references to pods, Services or nodes that do not exist, absurd sizes) and
 * reports them as {@code file:line:column: message}, one line each.
 */
public final class Scenario {

  /** The prefix length of each node's podCIDR, as the cluster hands them out. */
  static final int NODE_MASK = 24;

  /** The most nodes a scenario may ask for. */
  public static final int MAX_NODES = 5000;

  /** The most replicas a Deployment or StatefulSet may ask for. */
  public static final int MAX_REPLICAS = 1000;

  /** What a template hash takes after a workload's name: '-' and up to 10 characters. */
  private static final int ROOM_FOR_HASH = 11;

  /**
   * The most nodes a calico preset may have: its nodes peer in a full BGP mesh, n(n-1)/2 sessions,
   * and 5,000 nodes' 12.5 million sessions do not fit in memory.
   */
  static final int MAX_BGP_MESH_NODES = 500;

  /** The largest scenario, manifest or conflist file read, in bytes (1 MiB). */
  public static final long MAX_FILE_BYTES = 1L << 20;

  /** The most pods the {@code bulkPods} steps of a scenario may create per node, in all. */
  public static final int MAX_BULK_PODS_PER_NODE = 110;

  /** The longest a {@code settle} step may wait. */
  static final long MAX_SETTLE_NANOS = 3600 * SimTime.SECOND;

  /** The most Services the {@code bulkServices} steps of a scenario may generate in all. */
  public static final int MAX_BULK_SERVICES = 50_000;

  /** The Service CIDR a cluster has when the scenario names none (as {@code Cluster}'s). */
  private static final String DEFAULT_SERVICE_CIDR = "10.96.0.0/12";

  /** What {@code cluster.cni} reads as when the conflist is written inline. */
  static final String INLINE_CNI = "inline";

  static final List<String> PRESETS =
      List.of(
          "bridge",
          "ptp",
          "flannel-vxlan",
          "flannel-host-gw",
          "calico",
          "calico-ipip",
          "calico-vxlan",
          "cilium");

  static final List<String> ACTIONS =
      List.of(
          "apply",
          "delete",
          "kubectl",
          "exec",
          "ping",
          "curl",
          "traceroute",
          "expect",
          "crashNode",
          "restoreNode",
          "removePlugin",
          "installPlugin",
          "cutLink",
          "restoreLink",
          "linkLatency",
          "packetLoss",
          "bulkServices",
          "programmed",
          "iptablesRestore",
          "bulkPods",
          "settle");

  /** The namespaces a cluster starts with, as kubeadm creates them. */
  static final List<String> INITIAL_NAMESPACES =
      List.of("default", "kube-node-lease", "kube-public", "kube-system");

  /**
   * The namespace a preset's network agent runs in when it is not one a cluster starts with ({@code
   * kube-flannel} for flannel's DaemonSet); it exists from the start and, as the agent's DaemonSet
   * is not modelled as a deletable object, may not be deleted.
   */
  static Optional<String> agentNamespace(String cni) {
    if (!cni.startsWith("flannel-")) {
      return Optional.empty();
    }
    return Flanneld.with(Flanneld.Backend.VXLAN)
        .daemonSet()
        .map(DaemonSet::namespace)
        .filter(ns -> !INITIAL_NAMESPACES.contains(ns));
  }

  /** The namespaces the API server's NamespaceLifecycle admission never lets anyone delete. */
  static final List<String> IMMORTAL_NAMESPACES = List.of("default", "kube-public", "kube-system");

  private static final String KINDS = "Pod, Deployment, StatefulSet, Service or Namespace";

  /** The most requests a scenario's {@code ping} step sends ({@code count}), one a second. */
  static final int MAX_PING_COUNT = 1000;

  private static final List<String> TOP_KEYS = List.of("name", "seed", "cluster", "steps");
  private static final List<String> CLUSTER_KEYS =
      List.of(
          "nodes", "podCIDR", "serviceCIDR", "cni", "conflist", "services", "racks", "kubeProxy");
  private static final List<String> EXPECT_KEYS =
      List.of(
          "podPhase",
          "podIpIn",
          "reachable",
          "unreachable",
          "fragNeeded",
          "crosses",
          "ruleCount",
          "contract",
          "programmed");
  private static final List<String> RULE_TABLES = List.of("filter", "nat", "mangle", "raw");
  private static final Pattern DEVICE_NAME = Pattern.compile("[A-Za-z0-9][-A-Za-z0-9_.@]{0,14}");
  private static final List<String> PHASES =
      List.of("Pending", "ContainerCreating", "Running", "Terminating");
  private static final String LABEL_KEY = "[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?";
  private static final String LABEL_VALUE = "([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?";

  /** The longest a {@code programmed} step waits, and the most an expectation may allow. */
  static final long MAX_PROGRAMMING_NANOS = 60 * SimTime.SECOND;

  private static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final String name;
  private final long seed;
  private final int nodes;
  private final Map<String, String> namedNodes;
  private final List<String> nodeOrder;
  private final @Nullable String podCidr;
  private final @Nullable String serviceCidr;
  private final String cni;
  private final @Nullable String conflistName;
  private final @Nullable String conflistText;
  private final @Nullable String conflistPath;
  private final ServiceMode services;
  private final boolean minimizeIptablesRestore;
  private final int racks;
  private final List<Step> steps;
  private final List<String> warnings;
  private final String clusterLocation;

  private Scenario(Parser p) {
    this.clusterLocation = p.clusterLocation;
    this.name = p.name;
    this.seed = p.seed;
    this.nodes = p.nodes;
    this.namedNodes = Map.copyOf(p.namedNodes);
    this.nodeOrder = List.copyOf(p.namedNodes.keySet());
    this.podCidr = p.podCidr;
    this.serviceCidr = p.serviceCidr;
    this.cni = p.cni;
    this.conflistName = p.conflistName;
    this.conflistText = p.conflistText;
    this.conflistPath = p.conflistPath;
    this.services = p.services;
    this.minimizeIptablesRestore = p.minimizeIptablesRestore;
    this.racks = p.racks;
    this.steps = List.copyOf(p.steps);
    this.warnings = List.copyOf(p.warnings);
  }

  /**
   * Reads and validates a scenario file. {@link ScenarioException} lists every problem found; a
   * file that cannot be read is one problem too.
   */
  public static Scenario load(Path file) {
    return load(file, false);
  }

  /**
   * Reads and validates a scenario file; with {@code allowOutside} its conflist and manifest paths
   * may lead out of the scenario's folder (a {@code ../} path, an absolute path or a symlink to a
   * file elsewhere), which is otherwise an error.
   */
  public static Scenario load(Path file, boolean allowOutside) {
    Parser p = new Parser(file, allowOutside);
    p.parseFile();
    if (!p.errors.isEmpty()) {
      throw new ScenarioException(p.errors);
    }
    return new Scenario(p);
  }

  /** The scenario's name (the file name when it has none). */
  public String name() {
    return name;
  }

  /** The master seed. */
  public long seed() {
    return seed;
  }

  /** Warnings about manifest fields PodNet does not model, one line each. */
  public List<String> warnings() {
    return warnings;
  }

  int nodes() {
    return nodes;
  }

  /** The nodes given by name, in order, with their underlay addresses (empty: node-1...). */
  List<String> nodeNames() {
    return nodeOrder;
  }

  /** The underlay address of a node given by name. */
  String nodeAddress(String name) {
    return namedNodes.get(name);
  }

  /** Where the {@code cluster} key is, as {@code file:line:column}. */
  String clusterLocation() {
    return clusterLocation;
  }

  @Nullable String podCidr() {
    return podCidr;
  }

  /** The racks the nodes are in ({@code cluster.racks}; 1: one L2 segment). */
  int racks() {
    return racks;
  }

  @Nullable String serviceCidr() {
    return serviceCidr;
  }

  String cni() {
    return cni;
  }

  @Nullable String conflistName() {
    return conflistName;
  }

  @Nullable String conflistText() {
    return conflistText;
  }

  /** The conflist path as the scenario gives it, under {@code cni} or {@code conflist}. */
  @Nullable String conflistPath() {
    return conflistPath;
  }

  ServiceMode services() {
    return services;
  }

  /**
   * kube-proxy's {@code MinimizeIPTablesRestore} feature gate ({@code
   * cluster.kubeProxy.featureGates}; on unless the scenario turns it off).
   */
  boolean minimizeIptablesRestore() {
    return minimizeIptablesRestore;
  }

  List<Step> steps() {
    return steps;
  }

  /** Levenshtein distance between two strings. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** " (did you mean "x"?)" for the closest candidate within reach, else the list of candidates. */
  static String suggest(String got, List<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d =
          distance(got.toLowerCase(java.util.Locale.ROOT), c.toLowerCase(java.util.Locale.ROOT));
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    if (best != null && bestDistance <= Math.max(2, best.length() / 3)) {
      return " (did you mean \"" + best + "\"?)";
    }
    return " (expected one of: " + String.join(", ", candidates) + ")";
  }

  /**
   * A manifest's {@code tolerations} as PodNet's; {@link IllegalArgumentException} for the first
   * the API server would refuse, its message starting with {@code tolerations[i].<field>}.
   */
  static List<Toleration> tolerations(io.fabric8.kubernetes.api.model.@Nullable PodSpec spec) {
    if (spec == null || spec.getTolerations() == null) {
      return List.of();
    }
    List<Toleration> out = new ArrayList<>();
    List<io.fabric8.kubernetes.api.model.Toleration> given = spec.getTolerations();
    for (int i = 0; i < given.size(); i++) {
      io.fabric8.kubernetes.api.model.Toleration t = given.get(i);
      try {
        out.add(
            Toleration.of(
                Objects.toString(t.getKey(), ""),
                Objects.toString(t.getOperator(), ""),
                Objects.toString(t.getValue(), ""),
                Objects.toString(t.getEffect(), ""),
                t.getTolerationSeconds()));
      } catch (Toleration.Invalid e) {
        throw new IllegalArgumentException("tolerations[" + i + "]." + e.getMessage(), e);
      }
    }
    return out;
  }

  /** The parser and validator: one pass over the file, collecting every problem. */
  private static final class Parser {
    final Path file;
    final Path folder;
    final boolean allowOutside;
    final List<String> errors = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    String name;
    long seed = 1;
    int nodes = 1;
    final Map<String, String> namedNodes = new LinkedHashMap<>();
    boolean nodeListFailed;
    @Nullable String podCidr;
    @Nullable String serviceCidr;
    String cni = "bridge";
    @Nullable String conflistName;
    @Nullable String conflistText;
    @Nullable String conflistPath;
    ServiceMode services = ServiceMode.IPTABLES;
    boolean minimizeIptablesRestore = true;
    int racks = 1;
    int bulkPodsPerNode;
    int bulkApps;
    final List<Step> steps = new ArrayList<>();
    final Set<String> pods = new HashSet<>();
    final Set<String> deployments = new TreeSet<>();
    final Set<String> statefulSets = new TreeSet<>();

    /** The pods of the StatefulSets: a deleted one is made again under its name. */
    final Set<String> statefulPods = new HashSet<>();

    /** The Services, the API server's own {@code kubernetes} from the start. */
    final Set<String> svcs = new HashSet<>(Set.of(Cluster.KUBERNETES_SERVICE));

    final Set<String> crashed = new HashSet<>();
    final Set<String> namespaces = new TreeSet<>(INITIAL_NAMESPACES);
    boolean manifestFailed;
    int bulkServices;
    String lastAt = "0s";
    String clusterLocation = "";
    String display;

    Parser(Path file, boolean allowOutside) {
      this.file = file;
      this.allowOutside = allowOutside;
      Path parent = file.toAbsolutePath().normalize().getParent();
      this.folder = parent == null ? Path.of("/") : parent;
      this.display = file.toString();
      Path fn = file.getFileName();
      this.name = fn == null ? display : fn.toString();
    }

    void error(String where, YamlNode at, String message) {
      errors.add(where + ":" + at.line + ":" + at.column + ": " + message);
    }

    void error(YamlNode at, String message) {
      error(display, at, message);
    }

    void keyError(YamlNode map, String key, String message) {
      int[] pos = map.keyPositions.get(key);
      errors.add(display + ":" + pos[0] + ":" + pos[1] + ": " + message);
    }

    void parseFile() {
      String text;
      try {
        String big = tooLarge(file);
        if (big != null) {
          errors.add(display + ":1:1: the scenario file " + big);
          return;
        }
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        errors.add(
            display + ": cannot read the scenario file (" + e.getClass().getSimpleName() + ")");
        return;
      }
      List<YamlNode> docs = readYaml(text, display);
      if (docs == null) {
        return;
      }
      if (docs.size() != 1 || docs.get(0).kind != YamlNode.Kind.MAP) {
        errors.add(
            display
                + ":1:1: expected one YAML document, a map with keys "
                + String.join(", ", TOP_KEYS));
        return;
      }
      parseTop(docs.get(0));
    }

    /**
     * Returns why a file is too large to read ({@code "is N bytes (expected at most M)"}), or null:
     * sizes are checked before anything is read or allocated.
     */
    static @Nullable String tooLarge(Path file) throws IOException {
      long size = Files.size(file);
      return size <= MAX_FILE_BYTES
          ? null
          : "is " + size + " bytes (expected at most " + MAX_FILE_BYTES + ")";
    }

    @Nullable List<YamlNode> readYaml(String text, String where) {
      try {
        return YamlNode.readAll(text);
      } catch (YamlNode.Refused e) {
        errors.add(where + ":" + e.line + ":" + e.column + ": " + e.getMessage());
      } catch (JacksonException e) {
        JsonLocation loc = e.getLocation();
        List<String> lines = e.getOriginalMessage().lines().map(String::trim).toList();
        String msg = lines.isEmpty() ? "" : lines.get(0);
        for (String l : lines.subList(Math.min(1, lines.size()), lines.size())) {
          if (l.startsWith("expected") || l.startsWith("found") || l.startsWith("could not")) {
            msg = msg + ": " + l;
            break;
          }
        }
        errors.add(
            where
                + ":"
                + (loc == null ? 1 : loc.getLineNr())
                + ":"
                + (loc == null ? 1 : loc.getColumnNr())
                + ": invalid YAML: "
                + msg);
      } catch (IOException e) {
        errors.add(where + ":1:1: invalid YAML: " + e.getMessage());
      }
      return null;
    }

    boolean checkKeys(YamlNode map, String path, List<String> allowed) {
      boolean ok = true;
      for (String key : map.map.keySet()) {
        if (!allowed.contains(key)) {
          keyError(map, key, "unknown key \"" + path + key + "\"" + suggest(key, allowed));
          ok = false;
        }
      }
      return ok;
    }

    @Nullable String string(YamlNode map, String key, String path) {
      YamlNode v = map.map.get(key);
      if (v == null) {
        return null;
      }
      if (v.kind != YamlNode.Kind.SCALAR) {
        error(v, path + ": expected a string, got " + v.describe());
        return null;
      }
      return v.text;
    }

    @Nullable String required(YamlNode map, String key, String path) {
      if (!map.map.containsKey(key)) {
        error(map, path + ": missing key \"" + key + "\"");
        return null;
      }
      return string(map, key, path + "." + key);
    }

    void parseTop(YamlNode root) {
      checkKeys(root, "", TOP_KEYS);
      String n = string(root, "name", "name");
      if (n != null) {
        name = n;
      }
      YamlNode s = root.map.get("seed");
      if (s != null) {
        if (!s.isInt()) {
          error(s, "seed: expected an integer, got " + s.describe());
        } else {
          try {
            seed = Long.parseLong(s.text);
          } catch (NumberFormatException e) {
            error(s, "seed: expected an integer that fits in 64 bits, got " + s.text);
          }
        }
      }
      YamlNode c = root.map.get("cluster");
      if (c == null) {
        error(root, "missing key \"cluster\" (expected " + String.join(", ", CLUSTER_KEYS) + ")");
      } else if (c.kind != YamlNode.Kind.MAP) {
        error(c, "cluster: expected a map, got " + c.describe());
      } else {
        clusterLocation =
            display
                + ":"
                + root.keyPositions.get("cluster")[0]
                + ":"
                + root.keyPositions.get("cluster")[1];
        parseCluster(c);
      }
      agentNamespace(cni).ifPresent(namespaces::add);
      YamlNode st = root.map.get("steps");
      if (st == null) {
        error(root, "missing key \"steps\" (expected a list of steps)");
      } else if (st.kind != YamlNode.Kind.LIST) {
        error(st, "steps: expected a list, got " + st.describe());
      } else {
        long last = 0;
        for (int i = 0; i < st.list.size(); i++) {
          last = parseStep(st.list.get(i), "steps[" + i + "]", last);
        }
      }
    }

    /**
     * {@code cluster.kubeProxy}: the part of kube-proxy's {@code KubeProxyConfiguration} a scenario
     * may set, {@code featureGates: {MinimizeIPTablesRestore: false}}; iptables mode only.
     */
    void parseKubeProxy(YamlNode k) {
      String p = "cluster.kubeProxy";
      if (!map(k, p, List.of("featureGates"))) {
        return;
      }
      if (services != ServiceMode.IPTABLES) {
        error(
            k,
            p + ": there is no kube-proxy with services: hash-map (expected services: iptables)");
        return;
      }
      YamlNode gates = k.map.get("featureGates");
      if (gates == null || !map(gates, p + ".featureGates", List.of("MinimizeIPTablesRestore"))) {
        return;
      }
      YamlNode gate = gates.map.get("MinimizeIPTablesRestore");
      Boolean on = gate == null ? null : bool(gate, p + ".featureGates.MinimizeIPTablesRestore");
      if (on != null) {
        minimizeIptablesRestore = on;
      }
    }

    /** The boolean a scalar {@code true} or {@code false} holds, or null after reporting it. */
    @Nullable Boolean bool(YamlNode n, String path) {
      if (n.kind != YamlNode.Kind.SCALAR || !(n.text.equals("true") || n.text.equals("false"))) {
        error(n, path + ": expected true or false, got " + n.describe());
        return null;
      }
      return n.text.equals("true");
    }

    void parseCluster(YamlNode c) {
      checkKeys(c, "cluster.", CLUSTER_KEYS);
      YamlNode n = c.map.get("nodes");
      if (n != null && n.kind == YamlNode.Kind.LIST) {
        parseNodeList(n);
      } else if (n != null) {
        long count = -1;
        if (n.isInt()) {
          try {
            count = Long.parseLong(n.text);
          } catch (NumberFormatException e) {
            count = Long.MAX_VALUE;
          }
        }
        if (!n.isInt()) {
          error(
              n,
              "cluster.nodes: expected an integer from 1 to "
                  + MAX_NODES
                  + ", got "
                  + n.describe());
        } else if (count < 1 || count > MAX_NODES) {
          error(
              n, "cluster.nodes: " + n.text + " is out of range (expected 1 to " + MAX_NODES + ")");
        } else {
          nodes = (int) count;
        }
      }
      podCidr = cidr(c, "podCIDR");
      serviceCidr = cidr(c, "serviceCIDR");
      if (serviceCidr != null) {
        try {
          Cluster.checkServiceCidr(Cidr.parse(serviceCidr));
        } catch (IllegalArgumentException e) {
          error(c.map.get("serviceCIDR"), "cluster.serviceCIDR: " + e.getMessage());
          serviceCidr = null;
        }
      }
      String mode = string(c, "services", "cluster.services");
      if (mode != null) {
        switch (mode) {
          case "iptables" -> services = ServiceMode.IPTABLES;
          case "hash-map" -> services = ServiceMode.HASH_MAP;
          default ->
              error(
                  c.map.get("services"),
                  "cluster.services: \""
                      + mode
                      + "\" is not a mode"
                      + suggest(mode, List.of("iptables", "hash-map")));
        }
      }
      YamlNode kubeProxy = c.map.get("kubeProxy");
      if (kubeProxy != null) {
        parseKubeProxy(kubeProxy);
      }
      YamlNode rackNode = c.map.get("racks");
      if (rackNode != null) {
        long r = integer(rackNode);
        if (r < 1 || r > 200) {
          error(
              rackNode,
              "cluster.racks: expected an integer from 1 to 200, got " + rackNode.describe());
        } else {
          racks = (int) r;
        }
      }
      YamlNode inline = c.map.get("cni");
      String cniText =
          inline != null && inline.kind == YamlNode.Kind.MAP
              ? null
              : string(c, "cni", "cluster.cni");
      if (inline != null && inline.kind == YamlNode.Kind.MAP) {
        readInlineConflist(inline);
      } else if (cniText != null) {
        YamlNode at = c.map.get("cni");
        if (PRESETS.contains(cniText)) {
          cni = cniText;
        } else if (cniText.contains("/")
            || cniText.endsWith(".conflist")
            || cniText.endsWith(".json")) {
          if (readConflist(at, cniText, "cluster.cni")) {
            cni = cniText;
          }
        } else {
          error(
              at,
              "cluster.cni: unknown preset \""
                  + cniText
                  + "\""
                  + suggest(cniText, PRESETS)
                  + " or a path to a conflist");
        }
      }
      podCidrsFit(c);
      if (cni.startsWith("calico") && nodes > MAX_BGP_MESH_NODES) {
        long sessions = (long) nodes * (nodes - 1) / 2;
        error(
            c.map.get("nodes"),
            "cluster.nodes: "
                + nodes
                + " calico nodes peer in a full BGP mesh of "
                + sessions
                + " sessions (expected at most "
                + MAX_BGP_MESH_NODES
                + " nodes with a calico preset; Calico advises route reflectors beyond about 100)");
      }
      String override = string(c, "conflist", "cluster.conflist");
      if (override != null) {
        YamlNode at = c.map.get("conflist");
        if (conflistText != null || !PRESETS.contains(cni)) {
          error(
              at,
              "cluster.conflist: expected it only with a preset cni (whose agent then runs with"
                  + " this conflist), but cni is the conflist \""
                  + cni
                  + "\"");
        } else {
          readConflist(at, override, "cluster.conflist");
        }
      }
    }

    /**
     * Takes a conflist written inline under {@code cluster.cni} (YAML for the conflist's JSON) into
     * {@link #conflistText}; a problem is reported at the {@code cni} key with libcni's message.
     */
    void readInlineConflist(YamlNode at) {
      String text;
      try {
        text = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(at.toJson()) + "\n";
      } catch (IOException e) {
        error(at, "cluster.cni: cannot write the inline conflist as JSON");
        return;
      }
      try {
        validatePlugins(
            NetworkConfigList.parse(text.replace("${podCIDR}", "1.0.0.0/24"), "inline"));
      } catch (CniConfigException e) {
        error(at, "cluster.cni (inline conflist): " + e.error().render());
        return;
      }
      cni = INLINE_CNI;
      conflistText = text;
      conflistName = "10-inline.conflist";
      conflistPath = INLINE_CNI;
    }

    /**
     * Reads the conflist a scenario names into {@link #conflistText} and checks it parses (errors
     * point into the conflist); false, with an error, when it cannot be used.
     */
    boolean readConflist(YamlNode at, String path, String key) {
      String text = readReferenced(at, path, key, "conflist");
      if (text == null) {
        return false;
      }
      String where = shown(path);
      try {
        // a podCIDR as long as the placeholder keeps the columns right
        NetworkConfigList list =
            NetworkConfigList.parse(text.replace("${podCIDR}", "1.0.0.0/24"), where);
        validatePlugins(list);
      } catch (CniConfigException e) {
        errors.add(e.line() > 0 ? e.getMessage() : where + ":1:1: " + e.error().render());
      }
      Path target = folder.resolve(path).normalize();
      Path fn = target.getFileName();
      conflistText = text;
      conflistName = fn == null ? path : fn.toString();
      conflistPath = path;
      return true;
    }

    /**
     * The text of a file the scenario names at {@code at} ({@code what}: conflist, manifest file,
     * iptables-save file), or null after reporting why it cannot be used: it leads out of the
     * scenario's folder, does not exist, is over {@link #MAX_FILE_BYTES} (checked before reading)
     * or cannot be read.
     */
    @Nullable String readReferenced(YamlNode at, String path, String key, String what) {
      Path target = inside(at, path, key);
      if (target == null) {
        return null;
      }
      if (!Files.isRegularFile(target)) {
        error(
            at,
            key
                + ": "
                + what
                + " \""
                + path
                + "\" not found (expected a file inside the scenario's folder)");
        return null;
      }
      try {
        String big = tooLarge(target);
        if (big != null) {
          error(at, key + ": " + what + " \"" + path + "\" " + big);
          return null;
        }
        return Files.readString(target, StandardCharsets.UTF_8);
      } catch (IOException e) {
        error(at, key + ": cannot read " + what + " \"" + path + "\"");
        return null;
      }
    }

    /** How errors name a file the scenario refers to: its path next to the scenario file. */
    String shown(String path) {
      Path parent = file.getParent();
      return parent == null ? path : parent.resolve(path).normalize().toString();
    }

    /**
     * The file a path in the scenario names, or null (with an error) when the path is invalid or
     * leads out of the scenario's folder by {@code ..}, an absolute path or a symlink, unless
     * {@code --allow-outside} permits it.
     */
    @Nullable Path inside(YamlNode at, String relative, String what) {
      Path target;
      try {
        target = folder.resolve(relative).normalize();
      } catch (java.nio.file.InvalidPathException e) {
        error(at, what + ": invalid path \"" + relative + "\"");
        return null;
      }
      if (allowOutside) {
        return target;
      }
      String how = null;
      if (Path.of(relative).isAbsolute() || !target.startsWith(folder)) {
        how = "";
      } else if (Files.exists(target)) {
        try {
          Path real = target.toRealPath();
          if (!real.startsWith(folder.toRealPath())) {
            how = "a symlink to " + real + "; ";
          }
        } catch (IOException e) {
          error(at, what + ": cannot resolve \"" + relative + "\" (" + e.getMessage() + ")");
          return null;
        }
      }
      if (how != null) {
        error(
            at,
            what
                + ": path \""
                + relative
                + "\" escapes the scenario's folder ("
                + how
                + "expected a path inside it; --allow-outside permits it)");
        return null;
      }
      return target;
    }

    @Nullable String cidr(YamlNode c, String key) {
      String text = string(c, key, "cluster." + key);
      if (text == null) {
        return null;
      }
      try {
        Cidr.parse(text);
        return text;
      } catch (IllegalArgumentException e) {
        String why = e.getMessage();
        error(
            c.map.get(key),
            "cluster."
                + key
                + ": \""
                + text
                + "\" is not a CIDR: "
                + (why.contains("(expected") ? why : why + " (expected a.b.c.d/len)"));
        return null;
      }
    }

    /**
     * Whether the nodes fit: each node gets the {@code /24} of the podCIDR after the first (as the
     * cluster's node IPAM hands them out), so a podCIDR of prefix {@code p} holds {@code 2^(24-p) -
     * 1} nodes. Reports the error at the podCIDR (or at nodes when the podCIDR is the default).
     */
    void podCidrsFit(YamlNode c) {
      String cidr =
          podCidr != null ? podCidr : cni.equals("cilium") ? "10.0.0.0/8" : "10.244.0.0/16";
      if (c.map.containsKey("podCIDR") && podCidr == null || nodeListFailed) {
        return;
      }
      int count = namedNodes.isEmpty() ? nodes : namedNodes.size();
      int prefix = Cidr.parse(cidr).prefixLength();
      long held = prefix >= NODE_MASK ? 0 : (1L << (NODE_MASK - prefix)) - 1;
      if (count <= held) {
        return;
      }
      int needed = NODE_MASK - (64 - Long.numberOfLeadingZeros(count));
      String key = podCidr != null ? "podCIDR" : "nodes";
      YamlNode at = c.map.get(key);
      error(
          at == null ? c : at,
          "cluster."
              + key
              + ": the podCIDR "
              + cidr
              + " holds "
              + held
              + " /"
              + NODE_MASK
              + " node podCIDRs after the first, too few for "
              + count
              + " nodes (expected a podCIDR of /"
              + needed
              + " or shorter)");
    }

    long parseStep(YamlNode s, String path, long last) {
      if (s.kind != YamlNode.Kind.MAP) {
        error(s, path + ": expected a map with \"at\" and one action, got " + s.describe());
        return last;
      }
      List<String> allowed = new ArrayList<>();
      allowed.add("at");
      allowed.addAll(ACTIONS);
      if (!checkKeys(s, path + ".", allowed)) {
        return last;
      }
      long at = last;
      YamlNode atNode = s.map.get("at");
      if (atNode == null) {
        error(s, path + ": missing key \"at\" (expected a time such as 2s or 500ms)");
      } else if (atNode.isInt()) {
        at = parseTime(atNode, atNode.text + "s", path, last);
      } else if (atNode.isString()) {
        at = parseTime(atNode, atNode.text, path, last);
      } else {
        error(atNode, path + ".at: expected a time such as 2s or 500ms, got " + atNode.describe());
      }
      List<String> actions = s.map.keySet().stream().filter(ACTIONS::contains).toList();
      if (actions.isEmpty()) {
        error(s, path + ": no action (expected one of: " + String.join(", ", ACTIONS) + ")");
        return at;
      }
      if (actions.size() > 1) {
        keyError(
            s,
            actions.get(1),
            path
                + ": more than one action ("
                + actions.get(0)
                + " and "
                + actions.get(1)
                + "); expected one per step");
        return at;
      }
      String action = actions.get(0);
      YamlNode v = s.map.get(action);
      Map<String, String> args = new LinkedHashMap<>();
      List<HasMetadata> manifests = new ArrayList<>();
      List<Map<String, String>> expects = new ArrayList<>();
      String p = path + "." + action;
      switch (action) {
        case "apply" -> parseApply(v, p, manifests);
        case "delete" -> parseDelete(v, p, args);
        case "kubectl" -> parseKubectl(v, p, args);
        case "exec" -> parseExec(v, p, args);
        case "ping" -> parsePing(v, p, args, false);
        case "curl" -> parsePing(v, p, args, true);
        case "traceroute" -> parsePing(v, p, args, false, List.of("from", "to"));
        case "expect" -> parseExpect(v, p, expects);
        case "crashNode", "restoreNode" -> {
          if (v.kind != YamlNode.Kind.SCALAR) {
            error(v, p + ": expected a node name, got " + v.describe());
          } else if (node(v, v.text, p)) {
            args.put("node", v.text);
            boolean crash = action.equals("crashNode");
            if (crash && !crashed.add(v.text)) {
              error(v, p + ": node \"" + v.text + "\" has already crashed");
            } else if (!crash && !crashed.remove(v.text)) {
              error(
                  v,
                  p
                      + ": node \""
                      + v.text
                      + "\" has not crashed (expected a crashNode"
                      + " step before)");
            }
          }
        }
        case "cutLink", "restoreLink" -> {
          if (v.kind != YamlNode.Kind.SCALAR) {
            error(v, p + ": expected a node name, got " + v.describe());
          } else if (node(v, v.text, p)) {
            args.put("node", v.text);
          }
        }
        case "linkLatency" -> {
          if (map(v, p, List.of("node", "latency"))) {
            String node = required(v, "node", p);
            String latency = required(v, "latency", p);
            if (node != null && node(v.map.get("node"), node, p + ".node") && latency != null) {
              YamlNode lat = v.map.get("latency");
              long nanos = -1;
              try {
                nanos = SimTime.parse(lat.isInt() ? latency + "s" : latency);
              } catch (IllegalArgumentException e) {
                nanos = -1;
              }
              if (nanos < 0) {
                error(
                    lat,
                    p
                        + ".latency: \""
                        + latency
                        + "\" is not a latency (expected a number >= 0 and a unit: s, ms, us or"
                        + " ns, e.g. 5ms)");
              } else {
                args.put("node", node);
                args.put("latency", latency);
                args.put("nanos", Long.toString(nanos));
              }
            }
          }
        }
        case "packetLoss" -> {
          if (map(v, p, List.of("node", "percent"))) {
            String node = required(v, "node", p);
            String percent = required(v, "percent", p);
            if (node != null && node(v.map.get("node"), node, p + ".node") && percent != null) {
              double value = Double.NaN;
              try {
                value = Double.parseDouble(percent);
              } catch (NumberFormatException e) {
                value = Double.NaN;
              }
              if (!(value >= 0 && value <= 100)) {
                error(
                    v.map.get("percent"),
                    p + ".percent: expected a number in [0, 100], got " + percent);
              } else {
                args.put("node", node);
                args.put("percent", percent);
              }
            }
          }
        }
        case "bulkServices" -> parseBulkServices(v, p, args);
        case "bulkPods" -> parseBulkPods(v, p, args);
        case "settle" -> parseSettle(v, p, args);
        case "programmed" -> parseProgrammed(v, p, args, false);
        case "iptablesRestore" -> parseIptablesRestore(v, p, args);
        default -> { // removePlugin, installPlugin
          if (map(v, p, List.of("node", "type"))) {
            String node = required(v, "node", p);
            String type = required(v, "type", p);
            if (node != null && node(v.map.get("node"), node, p + ".node") && type != null) {
              args.put("node", node);
              args.put("type", type);
            }
          }
        }
      }
      steps.add(new Step(at, action, args, manifests, expects));
      return at;
    }

    /**
     * {@code iptablesRestore: {node, file}}: an iptables-save dump next to the scenario, parsed now
     * as {@code iptables-restore} will read it, so a bad dump is one line naming its file, line,
     * column and token. Puts node, file, where (the file as errors name it) and text in {@code
     * args}.
     */
    void parseIptablesRestore(YamlNode v, String p, Map<String, String> args) {
      if (!map(v, p, List.of("node", "file"))) {
        return;
      }
      String node = required(v, "node", p);
      String path = required(v, "file", p);
      if (node == null || path == null || !node(v.map.get("node"), node, p + ".node")) {
        return;
      }
      String text = readReferenced(v.map.get("file"), path, p + ".file", "iptables-save file");
      if (text == null) {
        return;
      }
      String where = shown(path);
      try {
        IptablesSave.parse(text, where);
      } catch (IptablesParseException e) {
        errors.add(e.getMessage());
        return;
      }
      args.put("node", node);
      args.put("file", path);
      args.put("where", where);
      args.put("text", text);
    }

    long parseTime(YamlNode at, String text, String path, long last) {
      long t;
      try {
        t = SimTime.parse(text);
      } catch (IllegalArgumentException e) {
        error(
            at,
            path
                + ".at: \""
                + at.text
                + "\" is not a time (expected a number and a unit:"
                + " s, ms, us or ns, e.g. 2s)");
        return last;
      }
      if (t < last) {
        error(
            at,
            path
                + ".at: "
                + text
                + " is before the previous step's "
                + lastAt
                + " (expected steps in time order)");
        return last;
      }
      lastAt = text;
      return t;
    }

    boolean map(YamlNode v, String path, List<String> keys) {
      if (v.kind != YamlNode.Kind.MAP) {
        error(
            v, path + ": expected a map with " + String.join(", ", keys) + ", got " + v.describe());
        return false;
      }
      return checkKeys(v, path + ".", keys);
    }

    /** {@code cluster.nodes} as a list of {@code {name, address}} maps. */
    void parseNodeList(YamlNode list) {
      if (list.list.isEmpty() || list.list.size() > MAX_NODES) {
        error(
            list, "cluster.nodes: expected 1 to " + MAX_NODES + " nodes, got " + list.list.size());
        nodeListFailed = true;
        return;
      }
      Cluster.Builder check = Cluster.builder();
      for (int i = 0; i < list.list.size(); i++) {
        YamlNode e = list.list.get(i);
        String p = "cluster.nodes[" + i + "]";
        if (!map(e, p, List.of("name", "address"))) {
          nodeListFailed = true;
          return;
        }
        String name = required(e, "name", p);
        String address = required(e, "address", p);
        if (name == null || address == null) {
          nodeListFailed = true;
          return;
        }
        Ipv4Address ip;
        try {
          ip = Ipv4Address.parse(address);
        } catch (IllegalArgumentException ex) {
          error(
              e.map.get("address"),
              p
                  + ".address: \""
                  + address
                  + "\" is not an IPv4 address (expected e.g. 192.168.1.11)");
          nodeListFailed = true;
          return;
        }
        try {
          check.node(name, ip);
        } catch (IllegalArgumentException ex) {
          boolean addressProblem = ex.getMessage().startsWith("node address");
          error(
              e.map.get(addressProblem ? "address" : "name"),
              p + (addressProblem ? ".address: " : ".name: ") + ex.getMessage());
          nodeListFailed = true;
          return;
        }
        namedNodes.put(name, address);
      }
      nodes = namedNodes.size();
    }

    boolean node(YamlNode at, String node, String path) {
      if (nodeListFailed) {
        return true; // the node list's own error says what is wrong
      }
      if (!namedNodes.isEmpty()) {
        if (namedNodes.containsKey(node)) {
          return true;
        }
        error(
            at,
            path
                + ": no node \""
                + node
                + "\" (expected one of: "
                + String.join(", ", namedNodes.keySet())
                + ")");
        return false;
      }
      if (node.startsWith("node-")) {
        try {
          int i = Integer.parseInt(node.substring(5));
          if (i >= 1 && i <= nodes && node.equals("node-" + i)) {
            return true;
          }
        } catch (NumberFormatException e) {
          // not a node name
        }
      }
      error(at, path + ": no node \"" + node + "\" (expected node-1 to node-" + nodes + ")");
      return false;
    }

    boolean pod(YamlNode at, String pod, String path) {
      if (knownPod(pod) || manifestFailed) {
        return true;
      }
      PodRef ref = PodRef.parse(pod);
      if (ref.isWorkload()) {
        Set<String> workloads = ref.kind().equals("Deployment") ? deployments : statefulSets;
        error(
            at,
            path
                + ": no "
                + ref.kind()
                + " \""
                + ref.key()
                + "\" at this step"
                + (workloads.isEmpty()
                    ? " (no " + ref.kind() + " has been applied yet)"
                    : suggest(ref.key(), List.copyOf(workloads))));
        return false;
      }
      String hint = deploymentHint(ref);
      if (hint != null) {
        error(at, path + ": no pod \"" + pod + "\" at this step" + hint);
        return false;
      }
      List<String> known = pods.stream().sorted().toList();
      error(
          at,
          path
              + ": no pod \""
              + pod
              + "\" at this step"
              + (known.isEmpty() ? " (no pod has been applied yet)" : suggest(pod, known)));
      return false;
    }

    /**
     * For a pod named as a Deployment's with a number after it ({@code web-0}), what to write
     * instead, in parentheses; else null.
     */
    private @Nullable String deploymentHint(PodRef ref) {
      String prefix = ref.namespace().equals("default") ? "" : ref.namespace() + "/";
      int dash = ref.name().lastIndexOf('-');
      if (dash < 0 || !ref.name().substring(dash + 1).matches("[0-9]+")) {
        return null;
      }
      String d = ref.name().substring(0, dash);
      if (!deployments.contains(prefix + d)) {
        return null;
      }
      return " (Deployment "
          + d
          + " names its pods "
          + d
          + "-<hash>-<5 characters>: expected deploy/"
          + d
          + " for the pod kubectl exec picks, or a StatefulSet for pods named "
          + d
          + "-0, "
          + d
          + "-1, ...)";
    }

    /**
     * Whether {@code pod} names a pod applied by this step, a Deployment's pod by the name its
     * ReplicaSet gives ({@code web-<hash>-<5>}), or a Deployment or StatefulSet ({@code
     * deploy/web}).
     */
    boolean knownPod(String pod) {
      if (pods.contains(pod)) {
        return true;
      }
      PodRef ref = PodRef.parse(pod);
      if (ref.isWorkload()) {
        return (ref.kind().equals("Deployment") ? deployments : statefulSets).contains(ref.key());
      }
      String prefix = ref.namespace().equals("default") ? "" : ref.namespace() + "/";
      for (String d : deployments) {
        if (d.startsWith(prefix)
            && d.indexOf('/', prefix.length()) < 0
            && PodRef.isReplicaName(ref.name(), d.substring(prefix.length()))) {
          return true;
        }
      }
      return false;
    }

    void parseDelete(YamlNode v, String p, Map<String, String> args) {
      if (!map(v, p, List.of("pod", "service", "namespace"))) {
        return;
      }
      if (v.map.size() != 1) {
        error(v, p + ": expected exactly one of pod, service or namespace");
        return;
      }
      String kind = v.map.keySet().iterator().next();
      String target = string(v, kind, p + "." + kind);
      if (target == null) {
        return;
      }
      YamlNode at = v.map.get(kind);
      switch (kind) {
        case "pod" -> {
          if (PodRef.parse(target).isWorkload()) {
            error(
                at,
                p
                    + ".pod: \""
                    + target
                    + "\" names a workload (expected a pod; kubectl delete "
                    + target
                    + " would delete the workload)");
          } else if (pod(at, target, p + ".pod")) {
            if (!statefulPods.contains(target)) {
              pods.remove(target);
            }
            args.put("pod", target);
          }
        }
        case "service" -> {
          if (target.equals(Cluster.KUBERNETES_SERVICE)
              || target.equals("default/" + Cluster.KUBERNETES_SERVICE)) {
            error(
                at,
                p
                    + ".service: \"kubernetes\" is the API server's own Service, which it makes"
                    + " again at once (expected a Service the scenario applied)");
          } else if (svcs.remove(target) || manifestFailed) {
            args.put("service", target);
          } else {
            error(at, p + ".service: no Service \"" + target + "\" at this step");
          }
        }
        default -> deleteNamespace(at, target, p + ".namespace", args);
      }
    }

    /** A namespace that exists and may be deleted goes, and with it its pods and Services. */
    void deleteNamespace(YamlNode at, String ns, String path, Map<String, String> args) {
      if (agentNamespace(cni).filter(ns::equals).isPresent()) {
        error(
            at,
            path
                + ": namespaces \""
                + ns
                + "\" holds the network agent's DaemonSet, whose deletion PodNet does not model"
                + " (expected a namespace the scenario applied)");
      } else if (IMMORTAL_NAMESPACES.contains(ns)) {
        error(
            at,
            path
                + ": namespaces \""
                + ns
                + "\" is forbidden: this namespace may not be deleted (expected a namespace other"
                + " than "
                + String.join(", ", IMMORTAL_NAMESPACES)
                + ")");
      } else if (!namespaces.remove(ns)) {
        List<String> known =
            namespaces.stream().filter(n -> !INITIAL_NAMESPACES.contains(n)).toList();
        error(
            at,
            path
                + ": namespaces \""
                + ns
                + "\" not found"
                + (known.isEmpty() ? " (no namespace has been applied yet)" : suggest(ns, known)));
      } else {
        pods.removeIf(pod -> pod.startsWith(ns + "/"));
        statefulPods.removeIf(pod -> pod.startsWith(ns + "/"));
        deployments.removeIf(d -> d.startsWith(ns + "/"));
        statefulSets.removeIf(d -> d.startsWith(ns + "/"));
        svcs.removeIf(svc -> svc.startsWith(ns + "/"));
        args.put("namespace", ns);
      }
    }

    void parseKubectl(YamlNode v, String p, Map<String, String> args) {
      if (v.kind != YamlNode.Kind.SCALAR) {
        error(v, p + ": expected a kubectl command line, got " + v.describe());
        return;
      }
      String[] w = v.text.trim().split("\\s+");
      List<String> words = new ArrayList<>();
      String namespace = null;
      boolean all = false;
      boolean wide = false;
      boolean watch = false;
      boolean showLabels = false;
      String selector = null;
      boolean ok = true;
      for (int i = 0; i < w.length; i++) {
        switch (w[i]) {
          case "-A", "--all-namespaces" -> all = true;
          case "-n", "--namespace" -> {
            ok &= i + 1 < w.length;
            namespace = i + 1 < w.length ? w[++i] : null;
          }
          case "-o" -> {
            ok &= i + 1 < w.length && w[i + 1].equals("wide");
            wide = true;
            i++;
          }
          case "-owide", "-o=wide", "--output=wide" -> wide = true;
          case "-w", "--watch" -> watch = true;
          case "--show-labels", "--show-labels=true" -> showLabels = true;
          case "--show-labels=false" -> showLabels = false;
          case "-l", "--selector" -> {
            ok &= i + 1 < w.length;
            selector = i + 1 < w.length ? w[++i] : null;
          }
          default -> {
            if (w[i].startsWith("--namespace=") || w[i].startsWith("-n=")) {
              namespace = w[i].substring(w[i].indexOf('=') + 1);
            } else if (w[i].startsWith("--selector=") || w[i].startsWith("-l=")) {
              selector = w[i].substring(w[i].indexOf('=') + 1);
            } else {
              words.add(w[i]);
            }
          }
        }
      }
      String line = String.join(" ", w);
      boolean get = words.equals(List.of("get", "pods"));
      boolean named = words.size() == 3;
      boolean describe = named && words.get(0).equals("describe") && words.get(1).equals("pod");
      boolean service = named && List.of("service", "services", "svc").contains(words.get(1));
      boolean getService = service && words.get(0).equals("get");
      boolean describeService = service && words.get(0).equals("describe");
      boolean getEndpoints =
          named
              && words.get(0).equals("get")
              && List.of("endpoints", "endpoint", "ep").contains(words.get(1));
      boolean getServices =
          words.size() == 2
              && words.get(0).equals("get")
              && List.of("service", "services", "svc").contains(words.get(1));
      boolean listFlags = all || watch || showLabels || selector != null;
      if (!ok
          || !(get || describe || getService || describeService || getEndpoints || getServices)
          || (describe || describeService) && (listFlags || wide)
          || (getService || getEndpoints) && listFlags
          || getServices && (watch || showLabels || selector != null)) {
        error(
            v,
            p
                + ": unsupported kubectl command \""
                + v.text
                + "\" (expected get pods [-o wide] [-n NAMESPACE | -A] [-l SELECTOR]"
                + " [--show-labels] [-w], get services [NAME] [-o wide] [-n NAMESPACE | -A], get"
                + " endpoints NAME [-o wide] [-n NAMESPACE], describe service NAME [-n NAMESPACE]"
                + " or describe pod NAME [-n NAMESPACE])");
        return;
      }
      if (selector != null) {
        try {
          LabelSelector.parse(selector);
        } catch (IllegalArgumentException e) {
          error(v, p + ": " + e.getMessage());
          return;
        }
        args.put("selector", selector);
      }
      args.put("command", line);
      if (getServices) {
        args.put("services", all ? "" : namespace == null ? "default" : namespace);
        args.put("wide", Boolean.toString(wide));
        return;
      }
      if (get) {
        args.put("namespace", all ? "" : namespace == null ? "default" : namespace);
        args.put("wide", Boolean.toString(wide));
        args.put("watch", Boolean.toString(watch));
        args.put("showLabels", Boolean.toString(showLabels));
        return;
      }
      String key =
          namespace == null || namespace.equals("default")
              ? words.get(2)
              : namespace + "/" + words.get(2);
      if (service || getEndpoints) {
        if (service(v, key, p)) {
          args.put("service", key);
          args.put("wide", Boolean.toString(wide));
          args.put("view", describeService ? "describe" : getEndpoints ? "endpoints" : "get");
        }
        return;
      }
      if (words.get(2).contains("/")) {
        error(
            v,
            p
                + ": \""
                + words.get(2)
                + "\" is not a pod name (expected the name of a pod, as kubectl "
                + words.get(0)
                + " pod takes)");
        return;
      }
      if (pod(v, key, p)) {
        args.put("pod", key);
      }
    }

    void parseExec(YamlNode v, String p, Map<String, String> args) {
      if (!map(v, p, List.of("node", "pod", "command"))) {
        return;
      }
      String node = string(v, "node", p + ".node");
      String pod = string(v, "pod", p + ".pod");
      String command = required(v, "command", p);
      if ((node == null) == (pod == null)) {
        if (!v.map.containsKey("node") && !v.map.containsKey("pod")
            || v.map.containsKey("node") && v.map.containsKey("pod")) {
          error(v, p + ": expected exactly one of node or pod");
        }
        return;
      }
      boolean ok =
          node != null
              ? node(v.map.get("node"), node, p + ".node")
              : pod(v.map.get("pod"), pod == null ? "" : pod, p + ".pod");
      if (command == null || !ok) {
        return;
      }
      YamlNode at = v.map.get("command");
      List<List<String>> stages;
      try {
        stages = Inspection.stages(command);
        Inspection.greps(stages.subList(1, stages.size()));
      } catch (IllegalArgumentException e) {
        error(at, p + ".command: " + e.getMessage());
        return;
      }
      List<List<String>> pipe = stages.subList(1, stages.size());
      String[] w = stages.get(0).toArray(String[]::new);
      String line = String.join(" ", w);
      String normalized = Inspection.kind(w);
      if (normalized == null) {
        error(
            at,
            p
                + ".command: unsupported command \""
                + line
                + "\" (expected one of: "
                + Inspection.COMMANDS
                + ")");
        return;
      }
      String problem = Inspection.problem(normalized, w);
      if (problem != null) {
        error(at, p + ".command: " + problem);
        return;
      }
      if (normalized.equals("cilium") && !cni.equals("cilium")) {
        error(
            at,
            p
                + ".command: "
                + line
                + " needs the cilium agent (expected cluster.cni: cilium, not "
                + cni
                + ")");
        return;
      }
      if (pod != null && Inspection.onNodeOnly(normalized)) {
        error(
            at,
            p
                + ".command: "
                + line
                + " runs on a node (expected exec: {node: NAME, command: "
                + line
                + "})");
        return;
      }
      if (node != null) {
        args.put("node", node);
      } else if (pod != null) {
        args.put("pod", pod);
      }
      args.put("command", Inspection.display(stages));
      if (!pipe.isEmpty()) {
        args.put("pipe", Inspection.display(pipe));
      }
      args.put("run", normalized);
      String arg = Inspection.argument(normalized, w);
      if (arg != null) {
        args.put("arg", arg);
      }
    }

    void parsePing(YamlNode v, String p, Map<String, String> args, boolean curl) {
      parsePing(
          v,
          p,
          args,
          curl,
          curl ? List.of("from", "to") : List.of("from", "to", "size", "dontFragment", "count"));
    }

    /** A ping or curl target (from, to) and a ping's options, with these keys allowed. */
    void parsePing(
        YamlNode v, String p, Map<String, String> args, boolean curl, List<String> keys) {
      if (!map(v, p, keys)) {
        return;
      }
      if (!curl && !pingOptions(v, p, args)) {
        return;
      }
      String from = required(v, "from", p);
      String to = required(v, "to", p);
      if (from == null || to == null) {
        return;
      }
      boolean ok = pod(v.map.get("from"), from, p + ".from");
      YamlNode toAt = v.map.get("to");
      String host = to;
      if (curl) {
        int colon = to.lastIndexOf(':');
        int port = -1;
        if (colon > 0) {
          try {
            port = Integer.parseInt(to.substring(colon + 1));
          } catch (NumberFormatException e) {
            port = -1;
          }
        }
        if (port < 1 || port > 65535) {
          error(
              toAt,
              p
                  + ".to: expected HOST:PORT with a port from 1 to 65535 (HOST a pod, a Service"
                  + " or an IP), got \""
                  + to
                  + "\"");
          return;
        }
        host = to.substring(0, colon);
        args.put("port", Integer.toString(port));
      }
      if (!target(toAt, host, p + ".to") || !ok) {
        return;
      }
      args.put("from", from);
      args.put("to", host);
    }

    /**
     * The optional size (ping -s), dontFragment (ping -M do / dont) and count (ping -c, 1 to
     * {@value #MAX_PING_COUNT}) of a ping.
     */
    boolean pingOptions(YamlNode v, String p, Map<String, String> args) {
      YamlNode count = v.map.get("count");
      if (count != null) {
        long n = integer(count);
        if (n < 1 || n > MAX_PING_COUNT) {
          error(
              count,
              p
                  + ".count: expected a number of requests from 1 to "
                  + MAX_PING_COUNT
                  + ", got "
                  + count.describe());
          return false;
        }
        args.put("count", Long.toString(n));
      }
      YamlNode size = v.map.get("size");
      if (size != null) {
        int n = -1;
        if (size.isInt()) {
          try {
            n = Integer.parseInt(size.text);
          } catch (NumberFormatException e) {
            n = -1;
          }
        }
        if (n < 0 || n > 65507) {
          error(size, p + ".size: expected ICMP payload bytes in [0, 65507], got " + size.text);
          return false;
        }
        args.put("size", Integer.toString(n));
      }
      YamlNode df = v.map.get("dontFragment");
      if (df != null) {
        Boolean on = bool(df, p + ".dontFragment");
        if (on == null) {
          return false;
        }
        args.put("dontFragment", on.toString());
      }
      return true;
    }

    boolean target(YamlNode at, String host, String path) {
      if (knownPod(host) || svcs.contains(host) || manifestFailed) {
        return true;
      }
      try {
        Ipv4Address.parse(host);
        return true;
      } catch (IllegalArgumentException e) {
        String hint = deploymentHint(PodRef.parse(host));
        if (hint != null) {
          error(at, path + ": no pod or Service \"" + host + "\" at this step" + hint);
          return false;
        }
        List<String> known = new ArrayList<>(pods);
        known.addAll(svcs);
        known.sort(null);
        error(
            at,
            path
                + ": no pod or Service \""
                + host
                + "\" at this step"
                + (known.isEmpty()
                    ? " (expected a pod, a Service or an IP)"
                    : suggest(host, known)));
        return false;
      }
    }

    void parseExpect(YamlNode v, String p, List<Map<String, String>> expects) {
      if (!map(v, p, EXPECT_KEYS)) {
        return;
      }
      if (v.map.isEmpty()) {
        error(v, p + ": expected at least one of " + String.join(", ", EXPECT_KEYS));
      }
      for (Map.Entry<String, YamlNode> e : v.map.entrySet()) {
        String k = e.getKey();
        YamlNode x = e.getValue();
        String q = p + "." + k;
        Map<String, String> check = new LinkedHashMap<>();
        check.put("type", k);
        switch (k) {
          case "contract" -> {
            if (x.kind != YamlNode.Kind.SCALAR
                || !x.text.equals("holds") && !x.text.equals("holdsByClasses")) {
              error(x, q + ": expected \"holds\" or \"holdsByClasses\", got " + x.describe());
              continue;
            }
            check.put("how", x.text);
          }
          case "podPhase" -> {
            if (!map(x, q, List.of("pod", "is"))) {
              continue;
            }
            String pod = required(x, "pod", q);
            String is = required(x, "is", q);
            if (pod == null || is == null || !pod(x.map.get("pod"), pod, q + ".pod")) {
              continue;
            }
            if (!PHASES.contains(is)) {
              error(x.map.get("is"), q + ".is: unknown phase \"" + is + "\"" + suggest(is, PHASES));
              continue;
            }
            check.put("pod", pod);
            check.put("is", is);
          }
          case "podIpIn" -> {
            if (!map(x, q, List.of("pod", "cidr"))) {
              continue;
            }
            String pod = required(x, "pod", q);
            String cidr = required(x, "cidr", q);
            if (pod == null || cidr == null || !pod(x.map.get("pod"), pod, q + ".pod")) {
              continue;
            }
            try {
              Cidr.parse(cidr);
            } catch (IllegalArgumentException ex) {
              error(
                  x.map.get("cidr"),
                  q + ".cidr: \"" + cidr + "\" is not a CIDR (expected" + " a.b.c.d/len)");
              continue;
            }
            check.put("pod", pod);
            check.put("cidr", cidr);
          }
          case "crosses" -> {
            Map<String, String> a = new LinkedHashMap<>();
            int before = errors.size();
            parsePing(x, q, a, false, List.of("from", "to", "device", "size", "dontFragment"));
            String device = errors.size() == before ? required(x, "device", q) : null;
            if (device == null) {
              continue;
            }
            if (!DEVICE_NAME.matcher(device).matches()) {
              error(
                  x.map.get("device"),
                  q + ".device: \"" + device + "\" is not a device name (expected e.g. cni0)");
              continue;
            }
            a.put("device", device);
            check.putAll(a);
          }
          case "ruleCount" -> {
            if (!map(x, q, List.of("node", "table", "chain", "is", "atLeast", "atMost"))) {
              continue;
            }
            String node = required(x, "node", q);
            String table = required(x, "table", q);
            if (node == null || table == null || !node(x.map.get("node"), node, q + ".node")) {
              continue;
            }
            if (!RULE_TABLES.contains(table)) {
              error(
                  x.map.get("table"),
                  q
                      + ".table: \""
                      + table
                      + "\" is not a table (expected filter, nat, mangle or raw)");
              continue;
            }
            List<String> bounds =
                List.of("is", "atLeast", "atMost").stream().filter(x.map::containsKey).toList();
            if (bounds.size() != 1) {
              error(x, q + ": expected exactly one of is, atLeast, atMost");
              continue;
            }
            YamlNode bound = x.map.get(bounds.get(0));
            if (!bound.isInt() || bound.text.length() > 9) {
              error(
                  bound,
                  q + "." + bounds.get(0) + ": expected a rule count, got " + bound.describe());
              continue;
            }
            String chain = x.map.containsKey("chain") ? string(x, "chain", q + ".chain") : "";
            if (chain == null) {
              continue;
            }
            check.put("node", node);
            check.put("table", table);
            check.put("chain", chain);
            check.put("bound", bounds.get(0));
            check.put("count", bound.text);
          }
          case "fragNeeded" -> {
            Map<String, String> a = new LinkedHashMap<>();
            int before = errors.size();
            parsePing(x, q, a, false, List.of("from", "to", "size", "mtu"));
            if (errors.size() != before) {
              continue;
            }
            if (!a.containsKey("size")) {
              error(
                  x,
                  q
                      + ": missing key \"size\" (expected the ICMP payload bytes of a ping"
                      + " too big for the path, e.g. 1472)");
              continue;
            }
            YamlNode mtu = x.map.get("mtu");
            if (mtu != null) {
              int n = mtu.isInt() && mtu.text.length() < 6 ? Integer.parseInt(mtu.text) : -1;
              if (n < 68 || n > 65535) {
                error(mtu, q + ".mtu: expected an MTU in [68, 65535], got " + mtu.text);
                continue;
              }
              a.put("mtu", Integer.toString(n));
            }
            a.put("dontFragment", "true");
            check.putAll(a);
          }
          case "programmed" -> {
            if (!parseProgrammed(x, q, check, true)) {
              continue;
            }
          }
          default -> { // reachable, unreachable
            Map<String, String> a = new LinkedHashMap<>();
            int before = errors.size();
            parsePing(x, q, a, false);
            if (errors.size() != before) {
              continue;
            }
            check.putAll(a);
          }
        }
        expects.add(check);
      }
    }

    void parseApply(YamlNode v, String p, List<HasMetadata> out) {
      int before = errors.size();
      parseManifests(v, p, out);
      if (errors.size() != before) {
        manifestFailed = true;
      }
    }

    void parseManifests(YamlNode v, String p, List<HasMetadata> out) {
      if (v.kind == YamlNode.Kind.LIST) {
        for (int i = 0; i < v.list.size(); i++) {
          manifest(v.list.get(i), p + "[" + i + "]", display, out);
        }
        return;
      }
      if (v.kind != YamlNode.Kind.SCALAR) {
        error(
            v,
            p + ": expected a list of manifests or a path to a manifest file, got " + v.describe());
        return;
      }
      String text = readReferenced(v, v.text, p, "manifest file");
      if (text == null) {
        return;
      }
      String where = shown(v.text);
      List<YamlNode> docs = readYaml(text, where);
      if (docs == null) {
        return;
      }
      String saved = display;
      display = where;
      try {
        int i = 0;
        for (YamlNode d : docs) {
          if (d.kind == YamlNode.Kind.LIST) {
            for (YamlNode e : d.list) {
              manifest(e, "[" + i++ + "]", where, out);
            }
          } else if (d.kind != YamlNode.Kind.NULL) {
            manifest(d, "[" + i++ + "]", where, out);
          }
        }
      } finally {
        display = saved;
      }
    }

    void manifest(YamlNode m, String p, String where, List<HasMetadata> out) {
      if (m.kind != YamlNode.Kind.MAP) {
        error(where, m, p + ": expected a Kubernetes manifest (a map), got " + m.describe());
        return;
      }
      YamlNode kindNode = m.map.get("kind");
      if (kindNode == null) {
        error(where, m, p + ": manifest without kind (expected " + KINDS + ")");
        return;
      }
      String kind = kindNode.text;
      Class<? extends HasMetadata> type =
          switch (kind) {
            case "Pod" -> Pod.class;
            case "Deployment" -> Deployment.class;
            case "StatefulSet" -> StatefulSet.class;
            case "Service" -> Service.class;
            case "Namespace" -> Namespace.class;
            default -> null;
          };
      if (type == null) {
        error(
            where,
            kindNode,
            p + ".kind: unsupported kind \"" + kind + "\" (expected " + KINDS + ")");
        return;
      }
      HasMetadata r;
      try {
        r = MAPPER.treeToValue(m.toJson(), type);
      } catch (JsonMappingException e) {
        YamlNode at = m;
        StringBuilder field = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
          YamlNode next = null;
          if (ref.getFieldName() != null) {
            next = at.map.get(ref.getFieldName());
            field.append(field.length() == 0 ? "" : ".").append(ref.getFieldName());
          } else if (ref.getIndex() >= 0 && ref.getIndex() < at.list.size()) {
            next = at.list.get(ref.getIndex());
            field.append('[').append(ref.getIndex()).append(']');
          }
          if (next == null) {
            break;
          }
          at = next;
        }
        error(
            where,
            at,
            p
                + " ("
                + kind
                + "): "
                + field
                + ": expected "
                + expectedType(e)
                + ", got "
                + at.describe());
        return;
      } catch (IOException e) {
        error(where, m, p + " (" + kind + "): " + e.getMessage());
        return;
      }
      String name = r.getMetadata() == null ? null : r.getMetadata().getName();
      if (name == null || name.isEmpty()) {
        error(
            where, m, p + " (" + kind + "): missing metadata.name (expected a name such as web-0)");
        return;
      }
      warnUnmodeled(m, "", kind, name, where);
      Refusal bad = refusal(m, kind, name);
      if (bad != null) {
        error(where, bad.at(), p + " (" + kind + " " + name + "): " + bad.message());
        return;
      }
      if (r instanceof Namespace) {
        if (!name.matches(DNS_LABEL)) {
          error(
              where,
              m.map.get("metadata").map.get("name"),
              p
                  + " (Namespace): metadata.name: \""
                  + name
                  + "\" is not a lowercase RFC 1123 label (expected at most 63 lower case letters,"
                  + " digits or '-', starting and ending with a letter or digit)");
          return;
        }
        namespaces.add(name);
        out.add(r);
        return;
      }
      String ns = r.getMetadata().getNamespace();
      if (ns != null && !namespaces.contains(ns)) {
        error(
            where,
            m.map.get("metadata").map.get("namespace"),
            p
                + " ("
                + kind
                + " "
                + name
                + "): namespaces \""
                + ns
                + "\" not found (expected a Namespace \""
                + ns
                + "\" applied before it, or one of: "
                + String.join(", ", namespaces)
                + ")");
        return;
      }
      String prefix = ns == null || ns.equals("default") ? "" : ns + "/";
      if (r instanceof Pod || r instanceof Deployment || r instanceof StatefulSet) {
        String field = r instanceof Pod ? "spec." : "spec.template.spec.";
        try {
          tolerations(podSpec(r));
        } catch (IllegalArgumentException e) {
          String problem = field + e.getMessage();
          error(where, at(m, field + locate(e)), p + " (" + kind + " " + name + "): " + problem);
          return;
        }
      }
      switch (kind) {
        case "Pod" -> addPod(m, prefix + name, p, where);
        case "Deployment", "StatefulSet" -> {
          if (!workload(m, r, kind, prefix + name, p, where)) {
            return;
          }
        }
        default -> {
          Service s = (Service) r;
          if (s.getSpec() == null
              || s.getSpec().getSelector() == null
              || s.getSpec().getSelector().isEmpty()) {
            error(
                where,
                m,
                p + " (Service " + name + "): spec.selector: expected at least one" + " label");
            return;
          }
          if (s.getSpec().getPorts() == null || s.getSpec().getPorts().isEmpty()) {
            error(where, m, p + " (Service " + name + "): spec.ports: expected at least one port");
            return;
          }
          List<ServicePort> ports = s.getSpec().getPorts();
          for (int i = 0; i < ports.size(); i++) {
            IntOrString t = ports.get(i).getTargetPort();
            Integer port = ports.get(i).getPort();
            boolean badPort = port == null || port < 1 || port > 65535;
            Integer target = t == null ? null : t.getIntVal();
            if (badPort || t != null && (target == null || target < 1 || target > 65535)) {
              String field = "spec.ports[" + i + "]." + (badPort ? "port" : "targetPort");
              YamlNode at = at(m, field + ":");
              error(
                  where,
                  at,
                  p
                      + " (Service "
                      + name
                      + "): "
                      + field
                      + ": expected a port number from 1 to 65535, got "
                      + at.describe()
                      + (badPort ? "" : " (named target ports are not modeled)"));
              return;
            }
          }
          String problem = ServiceManifest.problem(s);
          if (problem != null) {
            error(where, at(m, problem), p + " (Service " + name + "): " + problem);
            return;
          }
          if (!svcs.add(prefix + name)) {
            error(where, m, p + ": Service \"" + prefix + name + "\" already exists");
            return;
          }
        }
      }
      out.add(r);
    }

    /**
     * A Deployment or StatefulSet: its replica count in range, a selector its template's labels
     * match (as the API server requires), for a StatefulSet a known {@code podManagementPolicy} and
     * a {@code serviceName} that is a DNS label if given (optional since Kubernetes 1.33); records
     * it for {@code deploy/NAME} references, and a StatefulSet's pods by their names.
     */
    private boolean workload(
        YamlNode m, HasMetadata r, String kind, String key, String p, String where) {
      String name = r.getMetadata().getName();
      String what = p + " (" + kind + " " + name + "): ";
      YamlNode spec = m.map.get("spec");
      WorkloadSpec w = WorkloadSpec.of(r);
      int n = w.replicas();
      if (n < 0 || n > MAX_REPLICAS) {
        YamlNode at = spec == null ? m : spec.map.get("replicas");
        error(
            where,
            at == null ? m : at,
            what + "spec.replicas: " + n + " is out of range (expected 0 to " + MAX_REPLICAS + ")");
        return false;
      }
      YamlNode matchLabels = find(m, "spec.selector.matchLabels");
      if (matchLabels == null
          || matchLabels.kind != YamlNode.Kind.MAP
          || matchLabels.map.isEmpty()) {
        YamlNode selector = find(m, "spec.selector");
        error(
            where,
            selector != null ? selector : spec != null ? spec : m,
            what
                + "spec.selector: Required value (expected matchLabels that"
                + " spec.template.metadata.labels carry)");
        return false;
      }
      Map<String, String> labels = w.templateLabels();
      for (Map.Entry<String, YamlNode> e : matchLabels.map.entrySet()) {
        String value = e.getValue().kind == YamlNode.Kind.NULL ? "" : e.getValue().text;
        if (!value.equals(labels.get(e.getKey()))) {
          YamlNode templateLabels = find(m, "spec.template.metadata.labels");
          error(
              where,
              templateLabels != null ? templateLabels : e.getValue(),
              what
                  + "spec.template.metadata.labels: `selector` does not match template `labels`"
                  + " (expected "
                  + e.getKey()
                  + ": "
                  + value
                  + " among them, as spec.selector.matchLabels has)");
          return false;
        }
      }
      if (r instanceof StatefulSet set && set.getSpec() != null) {
        String policy = set.getSpec().getPodManagementPolicy();
        if (policy != null && !policy.equals("OrderedReady") && !policy.equals("Parallel")) {
          error(
              where,
              spec.map.get("podManagementPolicy"),
              what
                  + "spec.podManagementPolicy: \""
                  + policy
                  + "\" is not supported (expected OrderedReady or Parallel)");
          return false;
        }
        String service = set.getSpec().getServiceName();
        if (service != null && !service.isEmpty() && !service.matches(DNS_LABEL)) {
          error(
              where,
              spec.map.get("serviceName"),
              what
                  + "spec.serviceName: \""
                  + service
                  + "\" is not a lowercase RFC 1123 label (expected at most 63 lower case letters,"
                  + " digits or '-', starting and ending with a letter or digit)");
          return false;
        }
      }
      Set<String> known = r instanceof Deployment ? deployments : statefulSets;
      if (!known.add(key)) {
        error(where, m, p + ": " + kind + " \"" + key + "\" already exists");
        return false;
      }
      if (r instanceof StatefulSet) {
        for (int i = 0; i < n; i++) {
          addPod(m, key + "-" + i, p, where);
          statefulPods.add(key + "-" + i);
        }
      }
      return true;
    }

    /** Where a manifest's kind keeps labels, as field paths. */
    private static final Map<String, List<String>> LABEL_MAPS =
        Map.of(
            "Pod", List.of("metadata.labels"),
            "Deployment",
                List.of(
                    "metadata.labels",
                    "spec.selector.matchLabels",
                    "spec.template.metadata.labels"),
            "StatefulSet",
                List.of(
                    "metadata.labels",
                    "spec.selector.matchLabels",
                    "spec.template.metadata.labels"),
            "Service", List.of("metadata.labels", "spec.selector"),
            "Namespace", List.of("metadata.labels"));

    /** A value of a manifest the API server would refuse: where it is and why. */
    record Refusal(YamlNode at, String message) {}

    /**
     * The first name, label or container port of a manifest the API server would refuse, or null: a
     * Pod's, Deployment's or StatefulSet's name is a lowercase RFC 1123 subdomain (a workload's
     * leaving room for the '-' and hash of its ReplicaSet's name or revision label; the API server
     * takes a StatefulSet name longer than 52 characters, but its controller then cannot make the
     * pods, kubernetes#64023), a Service's an RFC 1035 label; label values (and the name part of
     * keys) are at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or
     * digit; a containerPort is from 1 to 65535.
     */
    static @Nullable Refusal refusal(YamlNode m, String kind, String name) {
      YamlNode nameAt = find(m, "metadata.name");
      if (nameAt != null && kind.equals("Service") && !name.matches(DNS_1035)) {
        return new Refusal(
            nameAt,
            "metadata.name: \""
                + name
                + "\" is not an RFC 1035 label (expected at most 63 lower case letters, digits or"
                + " '-', starting with a letter and ending with a letter or digit)");
      }
      int most =
          switch (kind) {
            case "Deployment" -> 253 - ROOM_FOR_HASH;
            case "StatefulSet" -> 63 - ROOM_FOR_HASH;
            default -> 253;
          };
      if (nameAt != null
          && (kind.equals("Pod") || kind.equals("Deployment") || kind.equals("StatefulSet"))
          && (!name.matches(DNS_SUBDOMAIN) || name.length() > most)) {
        return new Refusal(
            nameAt,
            "metadata.name: \""
                + name
                + "\" is not a lowercase RFC 1123 subdomain (expected at most "
                + most
                + " lower case letters, digits, '-' or '.', starting and ending with a letter or"
                + " digit"
                + (kind.equals("StatefulSet")
                    ? ", leaving room for '-' and the 10-character hash of its pods'"
                        + " controller-revision-hash label"
                    : "")
                + ")");
      }
      String label =
          " (expected at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter"
              + " or digit)";
      for (String path : LABEL_MAPS.getOrDefault(kind, List.of())) {
        YamlNode labels = find(m, path);
        if (labels == null || labels.kind != YamlNode.Kind.MAP) {
          continue;
        }
        for (Map.Entry<String, YamlNode> e : labels.map.entrySet()) {
          String key = e.getKey();
          YamlNode v = e.getValue();
          if (!key.matches(LABEL_KEY) || key.substring(key.indexOf('/') + 1).length() > 63) {
            return new Refusal(v, path + ": \"" + key + "\" is not a valid label key" + label);
          }
          String text = v.kind == YamlNode.Kind.NULL ? "" : v.text;
          if (v.kind == YamlNode.Kind.MAP
              || v.kind == YamlNode.Kind.LIST
              || text.length() > 63
              || !text.matches(LABEL_VALUE)) {
            return new Refusal(
                v, path + "." + key + ": " + v.describe() + " is not a valid label value" + label);
          }
        }
      }
      String containers = kind.equals("Pod") ? "spec.containers" : "spec.template.spec.containers";
      YamlNode list = find(m, containers);
      if (list == null || list.kind != YamlNode.Kind.LIST) {
        return null;
      }
      for (int i = 0; i < list.list.size(); i++) {
        String ports = containers + "[" + i + "].ports";
        YamlNode portList = find(m, ports);
        for (int j = 0; portList != null && j < portList.list.size(); j++) {
          String field = ports + "[" + j + "].containerPort";
          YamlNode port = find(m, field);
          long n = port == null || port.kind != YamlNode.Kind.SCALAR ? 1 : integer(port);
          if (n < 1 || n > 65535) {
            return new Refusal(
                port, field + ": expected a port number from 1 to 65535, got " + port.describe());
          }
        }
      }
      return null;
    }

    /** The node at a field path ({@code spec.ports[0].port}) of {@code m}, or null if missing. */
    static @Nullable YamlNode find(YamlNode m, String path) {
      YamlNode n = m;
      for (String part : path.split("\\.")) {
        int bracket = part.indexOf('[');
        n =
            n.kind == YamlNode.Kind.MAP
                ? n.map.get(bracket < 0 ? part : part.substring(0, bracket))
                : null;
        if (n != null && bracket >= 0) {
          int i = Integer.parseInt(part.substring(bracket + 1, part.indexOf(']')));
          n = n.kind == YamlNode.Kind.LIST && i < n.list.size() ? n.list.get(i) : null;
        }
        if (n == null) {
          return null;
        }
      }
      return n;
    }

    /** The node of {@code m} the problem's leading field path names, as deep as it exists. */
    static YamlNode at(YamlNode m, String problem) {
      YamlNode n = m;
      for (String part : problem.substring(0, problem.indexOf(':')).split("\\.")) {
        int bracket = part.indexOf('[');
        String key = bracket < 0 ? part : part.substring(0, bracket);
        YamlNode next = n.kind == YamlNode.Kind.MAP ? n.map.get(key) : null;
        if (next != null && bracket >= 0 && next.kind == YamlNode.Kind.LIST) {
          int i = Integer.parseInt(part.substring(bracket + 1, part.indexOf(']')));
          next = i < next.list.size() ? next.list.get(i) : next;
        }
        if (next == null) {
          return n;
        }
        n = next;
      }
      return n;
    }

    /** The pod spec of a Pod, or of a workload's template; null when there is none. */
    static io.fabric8.kubernetes.api.model.@Nullable PodSpec podSpec(HasMetadata r) {
      return r instanceof Pod pod ? pod.getSpec() : WorkloadSpec.of(r).podSpec();
    }

    /**
     * Where a toleration's problem ({@link #tolerations}' {@code tolerations[i].} and the cause)
     * should point: the field that holds the bad input.
     */
    private static String locate(IllegalArgumentException e) {
      String problem = Objects.requireNonNull(e.getMessage());
      Toleration.Invalid cause = (Toleration.Invalid) Objects.requireNonNull(e.getCause());
      return problem.substring(0, problem.indexOf('.') + 1) + cause.field() + ":";
    }

    void addPod(YamlNode m, String name, String p, String where) {
      if (!pods.add(name)) {
        error(where, m, p + ": pod \"" + name + "\" already exists");
      }
    }

    static String expectedType(JsonMappingException e) {
      String msg = e.getOriginalMessage();
      if (msg.contains("`int`") || msg.contains("Integer") || msg.contains("`long`")) {
        return "an integer";
      }
      if (msg.contains("String") || msg.contains("`java.lang.String`")) {
        return "a string";
      }
      if (msg.contains("Map") || msg.contains("START_OBJECT")) {
        return "a map";
      }
      if (msg.contains("List") || msg.contains("START_ARRAY") || msg.contains("ArrayList")) {
        return "a list";
      }
      return "another type";
    }

    /** A lowercase RFC 1123 subdomain, what a Pod's name must be. */
    private static final String DNS_SUBDOMAIN =
        "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

    /** An RFC 1035 label, what a Service's name must be. */
    private static final String DNS_1035 = "[a-z]([-a-z0-9]{0,61}[a-z0-9])?";

    /** An RFC 1123 label, what a namespace's name must be. */
    private static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";

    private static final Set<String> MODELED =
        Set.of(
            "apiVersion",
            "kind",
            "metadata",
            "metadata.name",
            "metadata.namespace",
            "metadata.labels",
            "spec",
            "spec.nodeName",
            "spec.containers",
            "spec.containers[]",
            "spec.containers[].name",
            "spec.containers[].image",
            "spec.containers[].ports",
            "spec.containers[].ports[]",
            "spec.containers[].ports[].name",
            "spec.containers[].ports[].containerPort",
            "spec.containers[].ports[].protocol",
            "spec.replicas",
            "spec.serviceName",
            "spec.podManagementPolicy",
            "spec.selector",
            "spec.selector.matchLabels",
            "spec.template",
            "spec.template.metadata",
            "spec.template.metadata.labels",
            "spec.template.spec",
            "spec.template.spec.nodeName",
            "spec.template.spec.containers",
            "spec.template.spec.containers[]",
            "spec.template.spec.containers[].name",
            "spec.template.spec.containers[].image",
            "spec.template.spec.containers[].ports",
            "spec.template.spec.containers[].ports[]",
            "spec.template.spec.containers[].ports[].name",
            "spec.template.spec.containers[].ports[].containerPort",
            "spec.template.spec.containers[].ports[].protocol",
            "spec.tolerations",
            "spec.tolerations[]",
            "spec.tolerations[].key",
            "spec.tolerations[].operator",
            "spec.tolerations[].value",
            "spec.tolerations[].effect",
            "spec.tolerations[].tolerationSeconds",
            "spec.template.spec.tolerations",
            "spec.template.spec.tolerations[]",
            "spec.template.spec.tolerations[].key",
            "spec.template.spec.tolerations[].operator",
            "spec.template.spec.tolerations[].value",
            "spec.template.spec.tolerations[].effect",
            "spec.template.spec.tolerations[].tolerationSeconds",
            "spec.ports",
            "spec.ports[]",
            "spec.ports[].name",
            "spec.ports[].port",
            "spec.ports[].targetPort",
            "spec.ports[].protocol",
            "spec.ports[].nodePort",
            "spec.type",
            "spec.externalIPs",
            "spec.externalTrafficPolicy",
            "spec.healthCheckNodePort",
            "spec.loadBalancerSourceRanges",
            "spec.sessionAffinity",
            "spec.sessionAffinityConfig",
            "spec.sessionAffinityConfig.clientIP",
            "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
            "status",
            "status.loadBalancer",
            "status.loadBalancer.ingress",
            "status.loadBalancer.ingress[]",
            "status.loadBalancer.ingress[].ip");

    private static final Set<String> FREE_MAPS =
        Set.of(
            "metadata.labels",
            "spec.template.metadata.labels",
            "spec.selector.matchLabels",
            "Service:spec.selector");

    void warnUnmodeled(YamlNode n, String path, String kind, String name, String where) {
      if (FREE_MAPS.contains(path) || FREE_MAPS.contains(kind + ":" + path)) {
        return;
      }
      if (n.kind == YamlNode.Kind.MAP) {
        for (Map.Entry<String, YamlNode> e : n.map.entrySet()) {
          String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
          if (!MODELED.contains(child)
              || (kind.equals("Service")
                  && child.equals("spec.selector")
                  && e.getValue().kind != YamlNode.Kind.MAP)) {
            int[] pos = n.keyPositions.get(e.getKey());
            warnings.add(
                where
                    + ":"
                    + pos[0]
                    + ":"
                    + pos[1]
                    + ": warning: "
                    + kind
                    + " "
                    + name
                    + ": "
                    + child
                    + " is not modeled by PodNet; ignored");
          } else {
            warnUnmodeled(e.getValue(), child, kind, name, where);
          }
        }
      } else if (n.kind == YamlNode.Kind.LIST) {
        for (YamlNode e : n.list) {
          warnUnmodeled(e, path + "[]", kind, name, where);
        }
      }
    }

    /**
     * {@code bulkPods: {perNode, name, labels, apps}}: {@code perNode} pods on every node, named
     * {@code NAME-NODE-I} (name {@code pod} unless given) and labelled {@code labels}; with {@code
     * apps: {count, endpoints: {min, max, exponent}}} they are also grouped into that many apps
     * ({@code app: app-00001}...) whose sizes follow the power law (default 1 to 250, exponent 1.5;
     * see {@link io.podnet.cni.cluster.EndpointCounts}), for {@code bulkServices} with {@code
     * selector: apps} to select. Puts perNode, name, labels and the apps' count, min, max and
     * exponent in {@code args}.
     */
    void parseBulkPods(YamlNode v, String p, Map<String, String> args) {
      if (!map(v, p, List.of("perNode", "name", "labels", "apps"))) {
        return;
      }
      YamlNode per = v.map.get("perNode");
      if (per == null) {
        error(v, p + ": expected perNode (pods on every node)");
        return;
      }
      long count = integer(per);
      if (count < 1 || bulkPodsPerNode + count > MAX_BULK_PODS_PER_NODE) {
        error(
            per,
            p
                + ".perNode: expected an integer from 1 to "
                + (MAX_BULK_PODS_PER_NODE - bulkPodsPerNode)
                + " (at most "
                + MAX_BULK_PODS_PER_NODE
                + " pods per node in all, the kubelet's default maxPods), got "
                + per.describe());
        return;
      }
      String prefix = v.map.containsKey("name") ? string(v, "name", p + ".name") : "pod";
      if (prefix == null || !prefix.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
        error(
            v.map.getOrDefault("name", v),
            p + ".name: expected a DNS label (lower-case letters, digits and '-')");
        return;
      }
      YamlNode labelNode = v.map.get("labels");
      String labels = labelNode == null ? "" : labels(labelNode, p + ".labels");
      if (labels == null) {
        return;
      }
      YamlNode apps = v.map.get("apps");
      if (apps != null && !parseApps(apps, p + ".apps", args)) {
        return;
      }
      List<String> names =
          namedNodes.isEmpty()
              ? java.util.stream.IntStream.rangeClosed(1, nodes).mapToObj(i -> "node-" + i).toList()
              : List.copyOf(namedNodes.keySet());
      int from = bulkPodsPerNode + 1;
      for (String node : names) {
        for (int i = from; i < from + count; i++) {
          String pod = prefix + "-" + node + "-" + i;
          if (!pods.add(pod)) {
            error(v, p + ": pod \"" + pod + "\" already exists");
            return;
          }
        }
      }
      bulkPodsPerNode += (int) count;
      args.put("perNode", Long.toString(count));
      args.put("from", Integer.toString(from));
      args.put("name", prefix);
      args.put("labels", labels);
    }

    /** The {@code apps} of a {@code bulkPods} step; false, with an error, when invalid. */
    boolean parseApps(YamlNode apps, String p, Map<String, String> args) {
      if (!map(apps, p, List.of("count", "endpoints"))) {
        return false;
      }
      YamlNode countNode = apps.map.get("count");
      long count = countNode == null ? -1 : integer(countNode);
      if (count < 1 || count > MAX_BULK_SERVICES) {
        error(
            countNode == null ? apps : countNode,
            p + ".count: expected an integer from 1 to " + MAX_BULK_SERVICES);
        return false;
      }
      if (bulkApps > 0) {
        error(apps, p + ": apps were already made by an earlier bulkPods step (expected one)");
        return false;
      }
      long min = 1;
      long max = 250;
      double exponent = 1.5;
      YamlNode e = apps.map.get("endpoints");
      if (e != null) {
        if (!map(e, p + ".endpoints", List.of("min", "max", "exponent"))) {
          return false;
        }
        min = e.map.containsKey("min") ? integer(e.map.get("min")) : min;
        max = e.map.containsKey("max") ? integer(e.map.get("max")) : max;
        if (min < 1 || max < min || max > 5000) {
          error(
              e,
              p
                  + ".endpoints: expected 1 <= min <= max <= 5000 (the endpoints of a Service),"
                  + " got min "
                  + min
                  + ", max "
                  + max);
          return false;
        }
        YamlNode x = e.map.get("exponent");
        if (x != null) {
          try {
            exponent = Double.parseDouble(x.text);
          } catch (NumberFormatException ex) {
            exponent = Double.NaN;
          }
          if (x.kind != YamlNode.Kind.SCALAR || !(exponent >= 0 && exponent <= 10)) {
            error(
                x, p + ".endpoints.exponent: expected a number from 0 to 10, got " + x.describe());
            return false;
          }
        }
      }
      bulkApps = (int) count;
      args.put("apps", Long.toString(count));
      args.put("min", Long.toString(min));
      args.put("max", Long.toString(max));
      args.put("exponent", Double.toString(exponent));
      return true;
    }

    /**
     * {@code settle: {within}}: runs the clock until every pod is Running and every node's Service
     * dataplane holds every Service and endpoint, at most {@code within} (a duration up to an
     * hour). Puts within and its nanoseconds in {@code args}.
     */
    void parseSettle(YamlNode v, String p, Map<String, String> args) {
      if (!map(v, p, List.of("within"))) {
        return;
      }
      YamlNode within = v.map.get("within");
      if (within == null) {
        error(v, p + ": expected within (the longest to wait, e.g. 300s)");
        return;
      }
      long nanos;
      try {
        nanos = SimTime.parse(within.isInt() ? within.text + "s" : within.text);
      } catch (IllegalArgumentException e) {
        nanos = -1;
      }
      if (within.kind != YamlNode.Kind.SCALAR || nanos <= 0 || nanos > MAX_SETTLE_NANOS) {
        error(
            within,
            p
                + ".within: \""
                + within.text
                + "\" is not a duration from 1ns to 3600s (expected a number and a unit: s, ms,"
                + " us or ns, e.g. 300s)");
        return;
      }
      args.put("within", within.text);
      args.put("nanos", Long.toString(nanos));
    }

    /**
     * {@code bulkServices: {count, selector, port, targetPort}}: {@code count} ClusterIP Services
     * named {@code bulk-00001} on (numbering goes on across steps), each selecting {@code
     * selector}. Puts count, the first index, the selector as {@code k=v,...}, port and targetPort
     * in {@code args}.
     */
    void parseBulkServices(YamlNode v, String p, Map<String, String> args) {
      if (!map(v, p, List.of("count", "selector", "port", "targetPort"))) {
        return;
      }
      YamlNode countNode = v.map.get("count");
      YamlNode sel = v.map.get("selector");
      if (countNode == null || sel == null || !v.map.containsKey("port")) {
        error(v, p + ": expected count, selector and port (targetPort defaults to port)");
        return;
      }
      long count = integer(countNode);
      if (count < 1 || count > MAX_BULK_SERVICES) {
        error(
            countNode,
            p
                + ".count: expected an integer from 1 to "
                + MAX_BULK_SERVICES
                + ", got "
                + countNode.describe());
        return;
      }
      if (bulkServices + count > MAX_BULK_SERVICES) {
        error(
            countNode,
            p
                + ".count: "
                + count
                + " more would make "
                + (bulkServices + count)
                + " generated Services (expected at most "
                + MAX_BULK_SERVICES
                + " in a scenario)");
        return;
      }
      String cidr = serviceCidr == null ? DEFAULT_SERVICE_CIDR : serviceCidr;
      long room = Cidr.parse(cidr).size() - 3;
      int applied = svcs.size() - 1; // the kubernetes Service has its own address
      if (applied + count > room) {
        error(
            countNode,
            p
                + ".count: "
                + (applied + count)
                + " Services do not fit in the Service CIDR "
                + cidr
                + " ("
                + room
                + " ClusterIPs)");
        return;
      }
      String selector;
      if (sel.kind == YamlNode.Kind.SCALAR && sel.text.equals("apps")) {
        selector = bulkApps > 0 ? "apps" : null;
        if (selector == null) {
          error(
              sel,
              p
                  + ".selector: \"apps\" needs a bulkPods step with apps before it (expected a"
                  + " map of labels, or apps after bulkPods: {..., apps: {count: N}})");
        }
      } else {
        selector = labels(sel, p + ".selector");
      }
      int port = port(v.map.get("port"), p + ".port");
      YamlNode t = v.map.get("targetPort");
      int target = t == null ? port : port(t, p + ".targetPort");
      if (selector == null || port < 0 || target < 0) {
        return;
      }
      int first = bulkServices + 1;
      for (int i = first; i < first + count; i++) {
        String name = bulkName(i);
        if (!svcs.add(name)) {
          error(v, p + ": Service \"" + name + "\" already exists");
          return;
        }
      }
      bulkServices += (int) count;
      args.put("count", Long.toString(count));
      args.put("first", Integer.toString(first));
      args.put("selector", selector);
      args.put("port", Integer.toString(port));
      args.put("targetPort", Integer.toString(target));
    }

    /** The integer a scalar holds, or -1 when it holds none (or one beyond 64 bits). */
    static long integer(YamlNode n) {
      if (!n.isInt()) {
        return -1;
      }
      try {
        return Long.parseLong(n.text);
      } catch (NumberFormatException e) {
        return -1;
      }
    }

    /** A port number from 1 to 65535, or -1 after reporting the error. */
    int port(YamlNode n, String path) {
      long port = integer(n);
      if (port < 1 || port > 65535) {
        error(n, path + ": expected a port number from 1 to 65535, got " + n.describe());
        return -1;
      }
      return (int) port;
    }

    /** A non-empty label map as {@code k=v,...} in key order, or null after reporting the error. */
    @Nullable String labels(YamlNode n, String path) {
      if (n.kind != YamlNode.Kind.MAP || n.map.isEmpty()) {
        error(n, path + ": expected a map of at least one label, got " + n.describe());
        return null;
      }
      List<String> out = new ArrayList<>();
      for (Map.Entry<String, YamlNode> e : new java.util.TreeMap<>(n.map).entrySet()) {
        YamlNode value = e.getValue();
        if (!e.getKey().matches(LABEL_KEY)
            || value.kind != YamlNode.Kind.SCALAR
            || !value.text.matches(LABEL_VALUE)) {
          error(
              value,
              path
                  + "."
                  + e.getKey()
                  + ": expected a label (a name and a value of letters, digits, '-', '_', '.'),"
                  + " got "
                  + value.describe());
          return null;
        }
        out.add(e.getKey() + "=" + value.text);
      }
      return String.join(",", out);
    }

    /**
     * {@code programmed: {service}} as a step, or as an expectation also with {@code within} (a
     * duration), {@code slowerThan} and {@code notSlowerThan} (other Services); puts them in {@code
     * args}. Returns whether it is valid.
     */
    boolean parseProgrammed(YamlNode v, String p, Map<String, String> args, boolean expect) {
      List<String> keys =
          expect ? List.of("service", "within", "slowerThan", "notSlowerThan") : List.of("service");
      if (!map(v, p, keys)) {
        return false;
      }
      String service = required(v, "service", p);
      if (service == null || !service(v.map.get("service"), service, p + ".service")) {
        return false;
      }
      args.put("service", service);
      YamlNode within = v.map.get("within");
      if (within != null) {
        long nanos = -1;
        try {
          nanos = SimTime.parse(within.isInt() ? within.text + "s" : within.text);
        } catch (IllegalArgumentException e) {
          nanos = -1;
        }
        if (nanos <= 0 || nanos > MAX_PROGRAMMING_NANOS) {
          error(
              within,
              p
                  + ".within: \""
                  + within.text
                  + "\" is not a duration from 1ns to 60s (expected a number and a unit: s, ms,"
                  + " us or ns, e.g. 50ms)");
          return false;
        }
        args.put("within", within.text);
        args.put("withinNanos", Long.toString(nanos));
      }
      for (String key : List.of("slowerThan", "notSlowerThan")) {
        YamlNode at = v.map.get(key);
        if (at == null) {
          continue;
        }
        String than = string(v, key, p + "." + key);
        if (than == null) {
          return false;
        }
        if (than.equals(service)) {
          error(at, p + "." + key + ": expected another Service than \"" + service + "\"");
          return false;
        }
        if (!service(at, than, p + "." + key)) {
          return false;
        }
        args.put(key, than);
      }
      return true;
    }

    /** Whether {@code name} is a Service at this step; reports the error when not. */
    boolean service(YamlNode at, String name, String path) {
      if (svcs.contains(name) || manifestFailed) {
        return true;
      }
      String hint = suggest(name, svcs.stream().sorted().toList());
      error(
          at,
          path
              + ": no Service \""
              + name
              + "\" at this step"
              + (svcs.equals(Set.of(Cluster.KUBERNETES_SERVICE))
                  ? " (no Service has been applied yet)"
                  : hint.startsWith(" (did you mean") ? hint : ""));
      return false;
    }
  }

  /**
   * Validates a conflist's plugins as a node's CNI runtime does before installing it ({@link
   * CniRuntime#installConfig}), on a throwaway host, so its problems are found before the run.
   */
  static void validatePlugins(NetworkConfigList list) {
    Host host = Network.create(Simulation.create(0)).addHost("validate");
    CniRuntime.on(host, Plugins.standard()).validate(list);
  }

  /** The name of the {@code index}-th generated Service (from 1): {@code bulk-00001}. */
  static String bulkName(int index) {
    return String.format(java.util.Locale.ROOT, "bulk-%05d", index);
  }

  /** The TCP ports a pod's containers declare, in order. */
  static List<Integer> containerPorts(@Nullable List<Container> containers) {
    List<Integer> ports = new ArrayList<>();
    if (containers != null) {
      for (Container c : containers) {
        if (c.getPorts() != null) {
          c.getPorts().stream()
              .filter(cp -> cp.getContainerPort() != null)
              .filter(cp -> cp.getProtocol() == null || cp.getProtocol().equals("TCP"))
              .forEach(cp -> ports.add(cp.getContainerPort()));
        }
      }
    }
    return ports;
  }
}
