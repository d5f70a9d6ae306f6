package io.podnet.cni.cluster;

import io.podnet.core.engine.SimTime;
import io.podnet.dataplane.service.Service;
import io.podnet.dataplane.service.ServiceOptions;
import io.podnet.dataplane.service.ServicePort;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Renders the cluster as kubectl prints it: {@code kubectl get pods} with its flags ({@link
 * GetPods}; columns padded to the widest cell plus three spaces, at least six wide, {@code <none>}
 * for what is missing, ages in kubectl's human-readable form), its watch ({@code -w}, a {@link
 * PodWatch}), {@code kubectl get service NAME} and {@code kubectl describe pod}.
 */
public final class Kubectl {

  /** Where {@code describe pod}'s values start: "Service Account:" and kubectl's 2 of padding. */
  private static final int FIELD_WIDTH = 18;

  /** A pod's {@code terminationGracePeriodSeconds} when its spec gives none. */
  private static final int TERMINATION_GRACE_SECONDS = 30;

  /** The minimum column width of kubectl's tabwriter for {@code get}, padding included. */
  private static final int GET_MIN_WIDTH = 6;

  /**
   * The flags of a {@code kubectl get pods}: {@code -n NAMESPACE} (null for {@code -A}), {@code -o
   * wide}, {@code -l SELECTOR} and {@code --show-labels}. Build one with {@link #in}:
   *
   * <pre>{@code
   * LabelSelector proxies = LabelSelector.parse("k8s-app=kube-proxy");
   * Kubectl.getPods(cluster, GetPods.in("kube-system").withSelector(proxies));
   * }</pre>
   */
  public record GetPods(
      @Nullable String namespace, boolean wide, LabelSelector selector, boolean showLabels) {

    /** Checks the selector. */
    public GetPods {
      Objects.requireNonNull(selector, "selector");
    }

    /** {@code kubectl get pods -n namespace}, or {@code -A} for null. */
    public static GetPods in(@Nullable String namespace) {
      return new GetPods(namespace, false, LabelSelector.EVERYTHING, false);
    }

    /** {@code kubectl get pods -A}. */
    public static GetPods allNamespaces() {
      return in(null);
    }

    /** With {@code -o wide}. */
    public GetPods withWide() {
      return new GetPods(namespace, true, selector, showLabels);
    }

    /** With {@code -l selector}. */
    public GetPods withSelector(LabelSelector labelSelector) {
      return new GetPods(namespace, wide, labelSelector, showLabels);
    }

    /** With {@code --show-labels}: a last {@code LABELS} column. */
    public GetPods withShowLabels() {
      return new GetPods(namespace, wide, selector, true);
    }

    /** Whether the command lists {@code pod}. */
    boolean selects(Pod pod) {
      return (namespace == null || pod.namespace().equals(namespace))
          && selector.matches(pod.labels());
    }
  }

  private Kubectl() {}

  /** {@code kubectl get pods -o wide}: the pods of the {@code default} namespace. */
  public static String getPodsWide(Cluster cluster) {
    return getPods(cluster, "default", true);
  }

  /** {@code kubectl get pods [-o wide] [-n NAMESPACE]}, or {@code -A} for a null namespace. */
  public static String getPods(Cluster cluster, @Nullable String namespace, boolean wide) {
    GetPods get = GetPods.in(namespace);
    return getPods(cluster, wide ? get.withWide() : get);
  }

  /**
   * {@code kubectl get pods} with the flags of {@code get}: the pods it selects in the API server's
   * order (by {@code namespace/name}, as etcd keeps its keys), a leading {@code NAMESPACE} column
   * with {@code -A}, the wide columns with {@code -o wide}, a last {@code LABELS} column with
   * {@code --show-labels}; kubectl's {@code No resources found} line when there are none.
   */
  public static String getPods(Cluster cluster, GetPods get) {
    List<Pod> pods = listed(cluster, get);
    if (pods.isEmpty()) {
      return get.namespace() == null
          ? "No resources found\n"
          : "No resources found in " + get.namespace() + " namespace.\n";
    }
    return new PodTable(get).flush(pods, cluster.simulation().now());
  }

  /**
   * Starts {@code kubectl get pods ... -w} with the flags of {@code get}: the list as {@link
   * #getPods} prints it (nothing at all when it is empty), then a row for each change to a listed
   * pod, as it happens. See {@link PodWatch}.
   */
  public static PodWatch watchPods(Cluster cluster, GetPods get) {
    PodWatch watch = new PodWatch(cluster, get);
    watch.print(listed(cluster, get), cluster.simulation().now());
    return watch;
  }

  /** The pods {@code get} lists, by key. */
  private static List<Pod> listed(Cluster cluster, GetPods get) {
    return cluster.pods().stream()
        .filter(get::selects)
        .sorted(Comparator.comparing(Pod::key))
        .toList();
  }

  /**
   * The rows of {@code kubectl get pods} written through one tabwriter, as kubectl writes them:
   * columns at least six wide and three spaces apart, the header once before the first row, and
   * with kubectl's {@code RememberWidths} flag, a column's width kept across flushes and only ever
   * grown, so a wider cell in a later flush widens its own row and later ones, never the rows
   * already written.
   */
  static final class PodTable {
    private final GetPods get;
    private final int[] widths;
    private boolean headerPrinted;

    PodTable(GetPods get) {
      this.get = get;
      this.widths = new int[header().length];
    }

    /**
     * Writes {@code pods} as one flush (with the header if not yet written) at time {@code now}.
     */
    String flush(List<Pod> pods, long now) {
      if (pods.isEmpty()) {
        return "";
      }
      List<String[]> rows = new ArrayList<>();
      if (!headerPrinted) {
        rows.add(header());
        headerPrinted = true;
      }
      for (Pod pod : pods) {
        rows.add(
            row(
                pod.namespace(),
                pod.name(),
                ready(pod) ? "1/1" : "0/1",
                pod.status().text(),
                "0",
                humanDuration(now - pod.createdAt()),
                pod.ip().map(Object::toString).orElse("<none>"),
                pod.node().map(Node::name).orElse("<none>"),
                "<none>",
                "<none>",
                formatLabels(pod.labels())));
      }
      return table(rows, GET_MIN_WIDTH, 3, "", widths);
    }

    private String[] header() {
      return row(
          "NAMESPACE",
          "NAME",
          "READY",
          "STATUS",
          "RESTARTS",
          "AGE",
          "IP",
          "NODE",
          "NOMINATED NODE",
          "READINESS GATES",
          "LABELS");
    }

    /**
     * One row's cells: the namespace only for all namespaces, the four before the last only when
     * wide, the last (the labels) only with {@code --show-labels}.
     */
    private String[] row(String... cells) {
      List<String> kept = new ArrayList<>();
      for (int c = get.namespace() == null ? 0 : 1; c < cells.length; c++) {
        boolean wideColumn = c >= cells.length - 5 && c < cells.length - 1;
        boolean labelsColumn = c == cells.length - 1;
        if ((!wideColumn || get.wide()) && (!labelsColumn || get.showLabels())) {
          kept.add(cells[c]);
        }
      }
      return kept.toArray(String[]::new);
    }
  }

  /**
   * {@code kubectl get service NAME [-o wide]} for the Service {@code key} ({@code name} or {@code
   * namespace/name}), as kubectl's printer writes it: {@code TYPE} (LoadBalancer, NodePort when a
   * port has a node port, else ClusterIP), {@code EXTERNAL-IP} ({@code <none>}, the external IPs,
   * and for a LoadBalancer its ingress IPs first, {@code <pending>} without any; ingress IPs cut to
   * 16 characters unless wide), {@code PORT(S)} ({@code 80/TCP}, {@code 80:30080/TCP}), {@code
   * AGE}, and with {@code -o wide} the {@code SELECTOR}; kubectl's NotFound error when there is no
   * such Service.
   */
  public static String getService(Cluster cluster, String key, boolean wide) {
    Cluster.ServiceEntry entry = entry(cluster, key);
    if (entry == null) {
      return notFound("services", key);
    }
    return serviceTable(cluster, List.of(entry), wide, false);
  }

  /**
   * {@code kubectl get services [-o wide]} in {@code namespace}, or with {@code -A} in every
   * namespace ({@code namespace} null, with kubectl's leading {@code NAMESPACE} column): the
   * columns of {@link #getService}, a row per Service in the order the API server lists them (by
   * {@code namespace/name}, as etcd keeps its keys), the API server's {@code kubernetes} Service
   * among them; kubectl's {@code No resources found in NS namespace.} when the namespace has none.
   */
  public static String getServices(Cluster cluster, @Nullable String namespace, boolean wide) {
    List<Cluster.ServiceEntry> listed = new ArrayList<>();
    for (Cluster.ServiceEntry e : cluster.serviceEntries()) {
      if (namespace == null || e.service.namespace().equals(namespace)) {
        listed.add(e);
      }
    }
    if (listed.isEmpty()) {
      return "No resources found in " + namespace + " namespace.\n";
    }
    listed.sort(Comparator.comparing(e -> e.service.namespacedName()));
    return serviceTable(cluster, listed, wide, namespace == null);
  }

  /** The {@code get service} table of {@code entries}, with a NAMESPACE column if asked. */
  private static String serviceTable(
      Cluster cluster, List<Cluster.ServiceEntry> entries, boolean wide, boolean namespaces) {
    String[] header = {"NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"};
    int columns = wide ? 7 : 6;
    List<String[]> rows = new ArrayList<>();
    rows.add(withNamespace(namespaces, "NAMESPACE", Arrays.copyOf(header, columns)));
    for (Cluster.ServiceEntry entry : entries) {
      rows.add(
          withNamespace(
              namespaces,
              entry.service.namespace(),
              Arrays.copyOf(serviceRow(cluster, entry, wide), columns)));
    }
    int width = rows.get(0).length;
    return table(rows, GET_MIN_WIDTH, 3, "", new int[width]);
  }

  private static String[] withNamespace(boolean namespaces, String namespace, String[] row) {
    if (!namespaces) {
      return row;
    }
    String[] out = new String[row.length + 1];
    out[0] = namespace;
    System.arraycopy(row, 0, out, 1, row.length);
    return out;
  }

  /** One Service's cells of {@code kubectl get service}, the SELECTOR last. */
  private static String[] serviceRow(Cluster cluster, Cluster.ServiceEntry entry, boolean wide) {
    Service s = entry.service;
    ServiceOptions o = s.options();
    String type = type(s);
    List<String> external = new ArrayList<>();
    if (o.loadBalancer()) {
      String ingress =
          String.join(
              ",",
              o.loadBalancerIngress().stream().map(Object::toString).sorted().distinct().toList());
      if (!wide && ingress.length() > 16) {
        ingress = ingress.substring(0, 13) + "...";
      }
      if (!ingress.isEmpty()) {
        external.add(ingress);
      }
    }
    o.externalIps().forEach(ip -> external.add(ip.toString()));
    String externalIp =
        !external.isEmpty()
            ? String.join(",", external)
            : o.loadBalancer() ? "<pending>" : "<none>";
    List<String> ports = new ArrayList<>();
    for (ServicePort p : s.ports()) {
      ports.add(p.port() + (p.hasNodePort() ? ":" + p.nodePort() : "") + "/" + p.protocol().name());
    }
    String age = humanDuration(cluster.simulation().now() - entry.createdAt);
    return new String[] {
      s.name(),
      type,
      s.clusterIp().toString(),
      externalIp,
      String.join(",", ports),
      age,
      formatLabels(entry.selector)
    };
  }

  /**
   * {@code kubectl get endpoints NAME} for the Service {@code key} ({@code name} or {@code
   * namespace/name}), as a 1.33 or later API server answers it: kubectl's {@code Warning:} line for
   * the deprecated v1 Endpoints API (on stderr, shown first as a terminal does), then {@code NAME},
   * {@code ENDPOINTS} and {@code AGE}. The endpoints controller's object: one subset whose ready
   * addresses are sorted as IP strings and whose ports are sorted by the MD5 of their Go dump
   * ({@code SortSubsets}); kubectl prints each port's {@code IP:port} for every ready address, at
   * most three, then {@code + N more...}. {@code <none>} when no selected pod has an IP; an empty
   * cell when some have but none is ready (a pod on a node that is not Ready).
   */
  public static String getEndpoints(Cluster cluster, String key) {
    Cluster.ServiceEntry entry = entry(cluster, key);
    if (entry == null) {
      return ENDPOINTS_DEPRECATED + notFound("endpoints", key);
    }
    List<String> ready = new ArrayList<>();
    boolean notReady = false;
    for (Addressed a : addressed(entry)) {
      if (a.state() == EndpointState.READY) {
        ready.add(a.ip());
      }
      notReady |= a.state() == EndpointState.NOT_READY;
    }
    ready.sort(Comparator.naturalOrder());
    List<ServicePort> ports = new ArrayList<>(entry.service.ports());
    ports.sort(Comparator.comparing(Kubectl::endpointPortHash, Arrays::compareUnsigned));
    List<String> listed = new ArrayList<>();
    for (int i = 0; i < Math.min(MAX_ENDPOINTS, ports.size() * ready.size()); i++) {
      listed.add(ready.get(i % ready.size()) + ":" + ports.get(i / ready.size()).targetPort());
    }
    int count = ports.size() * ready.size();
    String cell =
        ready.isEmpty() && !notReady
            ? "<none>"
            : moreEndpoints(listed, count > MAX_ENDPOINTS, count);
    String age = humanDuration(cluster.simulation().now() - entry.createdAt);
    List<String[]> rows =
        List.of(
            new String[] {"NAME", "ENDPOINTS", "AGE"},
            new String[] {entry.service.name(), cell, age});
    return ENDPOINTS_DEPRECATED + table(rows, GET_MIN_WIDTH, 3, "", new int[3]);
  }

  /**
   * {@code kubectl describe service NAME} for the Service {@code key}, as kubectl 1.32 to 1.35
   * prints it: the fields in kubectl's order with the API server's defaults ({@code SingleStack},
   * {@code IPv4}, {@code Internal Traffic Policy: Cluster}, {@code External Traffic Policy} for a
   * NodePort, LoadBalancer or external-IP Service, {@code (VIP)} after each LoadBalancer ingress
   * IP), one {@code Port}/{@code TargetPort}/{@code NodePort}/{@code Endpoints} group per port, the
   * label column as wide as the longest label plus two. {@code Endpoints} lists the Service's
   * EndpointSlice as kubectl reads it: the ready endpoints in the slice's order (the pods'), at
   * most three then {@code + N more...}, counting from where the fourth endpoint stands even when
   * that one is not ready; empty when the slice holds none (the controller's placeholder). No
   * Service events are modelled: {@code Events: <none>}. kubectl's NotFound error when there is no
   * such Service.
   */
  public static String describeService(Cluster cluster, String key) {
    Cluster.ServiceEntry entry = entry(cluster, key);
    if (entry == null) {
      return notFound("services", key);
    }
    Service s = entry.service;
    ServiceOptions o = s.options();
    String type = type(s);
    List<String[]> lines = new ArrayList<>();
    lines.add(new String[] {"Name:", s.name()});
    lines.add(new String[] {"Namespace:", s.namespace()});
    if (entry.labels.isEmpty()) {
      lines.add(new String[] {"Labels:", "<none>"});
    }
    String labelKey = "Labels:";
    for (Map.Entry<String, String> label : entry.labels.entrySet()) {
      lines.add(new String[] {labelKey, label.getKey() + "=" + label.getValue()});
      labelKey = "";
    }
    lines.add(new String[] {"Annotations:", "<none>"});
    lines.add(new String[] {"Selector:", formatLabels(entry.selector)});
    lines.add(new String[] {"Type:", type});
    lines.add(new String[] {"IP Family Policy:", "SingleStack"});
    lines.add(new String[] {"IP Families:", "IPv4"});
    lines.add(new String[] {"IP:", s.clusterIp().toString()});
    lines.add(new String[] {"IPs:", s.clusterIp().toString()});
    if (!o.externalIps().isEmpty()) {
      lines.add(
          new String[] {
            "External IPs:",
            String.join(",", o.externalIps().stream().map(Object::toString).toList())
          });
    }
    if (!o.loadBalancerIngress().isEmpty()) {
      lines.add(
          new String[] {
            "LoadBalancer Ingress:",
            String.join(", ", o.loadBalancerIngress().stream().map(ip -> ip + " (VIP)").toList())
          });
    }
    List<SliceEndpoint> sliced = new ArrayList<>();
    for (Addressed a : addressed(entry)) {
      sliced.add(new SliceEndpoint(a.ip(), a.state() == EndpointState.READY));
    }
    for (ServicePort port : s.ports()) {
      String name = port.name().isEmpty() ? "<unset>" : port.name();
      String protocol = port.protocol().name();
      lines.add(new String[] {"Port:", name, port.port() + "/" + protocol});
      lines.add(new String[] {"TargetPort:", port.targetPort() + "/" + protocol});
      if (port.hasNodePort()) {
        lines.add(new String[] {"NodePort:", name, port.nodePort() + "/" + protocol});
      }
      lines.add(new String[] {"Endpoints:", sliceEndpoints(sliced, port.targetPort())});
    }
    lines.add(new String[] {"Session Affinity:", o.affinitySeconds() > 0 ? "ClientIP" : "None"});
    if (!type.equals("ClusterIP") || !o.externalIps().isEmpty()) {
      lines.add(
          new String[] {
            "External Traffic Policy:", o.externalTrafficPolicyLocal() ? "Local" : "Cluster"
          });
    }
    lines.add(new String[] {"Internal Traffic Policy:", "Cluster"});
    if (o.healthCheckNodePort() != 0) {
      lines.add(new String[] {"HealthCheck NodePort:", Integer.toString(o.healthCheckNodePort())});
    }
    if (!o.loadBalancerSourceRanges().isEmpty()) {
      lines.add(
          new String[] {
            "LoadBalancer Source Ranges:",
            String.join(",", o.loadBalancerSourceRanges().stream().map(Object::toString).toList())
          });
    }
    lines.add(new String[] {"Events:", "<none>"});
    int width = 0;
    for (String[] line : lines) {
      width = Math.max(width, line[0].length() + 2);
    }
    StringBuilder sb = new StringBuilder();
    for (String[] line : lines) {
      field(sb, width, line[0], line.length == 3 ? line[1] + "  " + line[2] : line[1]);
    }
    return sb.toString();
  }

  /**
   * kube-apiserver's warning on every request for v1 Endpoints since 1.33 (KEP-4974), as kubectl
   * prints it.
   */
  private static final String ENDPOINTS_DEPRECATED =
      "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\n";

  /** How many endpoints kubectl lists before {@code + N more...}. */
  private static final int MAX_ENDPOINTS = 3;

  /** Where a selected pod stands in its Service's endpoints. */
  private enum EndpointState {
    /** Serving: running on a Ready node (what the dataplane balances over). */
    READY,
    /** Running on a node that is not Ready: a not-ready address. */
    NOT_READY,
    /** Being deleted: not in Endpoints, a not-ready endpoint in the EndpointSlice. */
    TERMINATING
  }

  /** An address in a Service's endpoints and where it stands. */
  private record Addressed(String ip, EndpointState state) {}

  /**
   * The addresses of a Service's endpoints in its pods' order, each with where it stands; those the
   * API server writes itself (the {@code kubernetes} Service's) are ready.
   */
  private static List<Addressed> addressed(Cluster.ServiceEntry entry) {
    List<Addressed> out = new ArrayList<>();
    for (Pod pod : entry.pods) {
      EndpointState state = endpointState(pod);
      if (state != null) {
        out.add(new Addressed(pod.requireIp().toString(), state));
      }
    }
    if (entry.managedEndpoints != null) {
      entry.managedEndpoints.forEach(
          e -> out.add(new Addressed(e.ip().toString(), EndpointState.READY)));
    }
    return out;
  }

  /**
   * The pod's place in its Service's endpoints, or null for none (no IP yet): ready exactly when
   * {@link Cluster#endpoints} lists it.
   */
  private static @Nullable EndpointState endpointState(Pod pod) {
    if (pod.ip().isEmpty()) {
      return null;
    }
    if (pod.status() == PodStatus.TERMINATING) {
      return EndpointState.TERMINATING;
    }
    if (!pod.isRunning()) {
      return null;
    }
    return Cluster.servesEndpoints(pod) ? EndpointState.READY : EndpointState.NOT_READY;
  }

  /**
   * kubectl's {@code formatEndpointSlices} for one port of a Service whose slice holds {@code
   * endpoints}: {@code IP:targetPort} of each ready one in order; the fourth endpoint, ready or
   * not, ends the list.
   */
  private static String sliceEndpoints(List<SliceEndpoint> endpoints, int targetPort) {
    List<String> listed = new ArrayList<>();
    boolean more = false;
    int count = 0;
    for (SliceEndpoint e : endpoints) {
      more |= listed.size() == MAX_ENDPOINTS;
      if (!e.ready()) {
        continue;
      }
      if (!more) {
        listed.add(e.ip() + ":" + targetPort);
      }
      count++;
    }
    return moreEndpoints(listed, more, count);
  }

  /** An endpoint of a Service's EndpointSlice: a selected pod's address and its ready condition. */
  private record SliceEndpoint(String ip, boolean ready) {}

  /**
   * The endpoints kubectl {@code listed}, comma-separated, and when it stopped listing ({@code
   * more}) its {@code + N more...}, N being {@code count} less the three listed.
   */
  private static String moreEndpoints(List<String> listed, boolean more, int count) {
    String joined = String.join(",", listed);
    return more ? joined + " + " + (count - MAX_ENDPOINTS) + " more..." : joined;
  }

  /**
   * The MD5 of Go's spew dump of the port as the endpoints controller holds it ({@code
   * hashutil.DeepHashObject} of a {@code v1.EndpointPort}: the Service port's name, the target
   * port, the protocol, no appProtocol), by which {@code SortSubsets} orders a subset's ports.
   */
  static byte[] endpointPortHash(ServicePort port) {
    String dump =
        "(v1.EndpointPort){Name:(string)"
            + port.name()
            + " Port:(int32)"
            + port.targetPort()
            + " Protocol:(v1.Protocol)"
            + port.protocol().name()
            + " AppProtocol:(*string)<nil>}";
    try {
      return MessageDigest.getInstance("MD5").digest(dump.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has MD5", e);
    }
  }

  /** The Service {@code key}, or null when the API server would answer NotFound. */
  private static Cluster.@Nullable ServiceEntry entry(Cluster cluster, String key) {
    try {
      return cluster.serviceEntry(key);
    } catch (IllegalArgumentException e) {
      return null; // not a name the API server could hold: it answers NotFound
    }
  }

  /** kubectl's NotFound error for the {@code resource} named by {@code key}. */
  private static String notFound(String resource, String key) {
    String name = key.contains("/") ? key.substring(key.indexOf('/') + 1) : key;
    return "Error from server (NotFound): " + resource + " \"" + name + "\" not found\n";
  }

  /** {@code spec.type}: LoadBalancer, NodePort when a port has a node port, else ClusterIP. */
  private static String type(Service s) {
    return s.options().loadBalancer()
        ? "LoadBalancer"
        : s.ports().stream().anyMatch(ServicePort::hasNodePort) ? "NodePort" : "ClusterIP";
  }

  /**
   * kubectl's {@code labels.FormatLabels} of {@code labels}, a map sorted by key (a pod's labels, a
   * Service's selector): {@code k=v}, comma-separated.
   */
  static String formatLabels(Map<String, String> labels) {
    if (labels.isEmpty()) {
      return "<none>";
    }
    StringBuilder sb = new StringBuilder();
    labels.forEach(
        (k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append('=').append(v));
    return sb.toString();
  }

  /**
   * Whether kubectl counts the pod's container ready: while it runs, and while it is Terminating
   * until the kubelet stops its container (on a crashed node, not before the node comes back: the
   * API server keeps what the kubelet last posted).
   */
  private static boolean ready(Pod pod) {
    return pod.isRunning()
        || pod.status() == PodStatus.TERMINATING && pod.ip().isPresent() && !pod.containerStopped();
  }

  /**
   * {@code kubectl describe pod}, reduced to what PodNet models: name, namespace, node, the labels
   * (sorted by key, one a line), status, IP, the controller that owns it, the tolerations (sorted
   * by key, one a line, as kubectl lists them) and the events table.
   */
  public static String describePod(Cluster cluster, String key) {
    Pod pod =
        cluster
            .pod(key)
            .orElseThrow(() -> new IllegalArgumentException("pod \"" + key + "\" does not exist"));
    long now = cluster.simulation().now();
    StringBuilder sb = new StringBuilder();
    // one tabwriter block from Name to IP: as wide as "Service Account:" (every pod has one), or
    // as "Termination Grace Period:" while the pod is being deleted
    long terminating = pod.terminatingSince();
    int width = terminating < 0 ? FIELD_WIDTH : "Termination Grace Period:".length() + 2;
    field(sb, width, "Name:", pod.name());
    field(sb, width, "Namespace:", pod.namespace());
    field(
        sb, width, "Node:", pod.node().map(n -> n.name() + "/" + n.internalIp()).orElse("<none>"));
    fields(
        sb,
        width,
        "Labels:",
        pod.labels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    if (terminating >= 0) {
      // the API server sets deletionTimestamp a grace period after the request, so kubectl prints
      // <invalid> until then and counts from it afterwards
      long deletionTimestamp = terminating + TERMINATION_GRACE_SECONDS * SimTime.SECOND;
      field(
          sb,
          width,
          "Status:",
          "Terminating (lasts " + humanDuration(now - deletionTimestamp) + ")");
      field(sb, width, "Termination Grace Period:", TERMINATION_GRACE_SECONDS + "s");
    } else {
      field(
          sb,
          width,
          "Status:",
          pod.status() == PodStatus.CONTAINER_CREATING ? "Pending" : pod.status().text());
    }
    field(sb, width, "IP:", pod.ip().map(Object::toString).orElse(""));
    // kubectl's tabwriter aligns "  IP:" with the "Controlled By:" line after it, when there is one
    String controlledBy = pod.controlledBy().orElse(null);
    if (pod.ip().isEmpty()) {
      field(sb, width, "IPs:", "<none>");
    } else {
      sb.append("IPs:\n");
      field(sb, controlledBy == null ? 7 : 16, "  IP:", pod.ip().get().toString());
    }
    if (controlledBy != null) {
      field(sb, 16, "Controlled By:", controlledBy);
    }
    fields(
        sb,
        FIELD_WIDTH,
        "Tolerations:",
        pod.tolerations().stream()
            .sorted(Comparator.comparing(Toleration::key))
            .map(Toleration::toString)
            .toList());
    sb.append(events(pod, now));
    return sb.toString();
  }

  /** The {@code Events:} section of {@code kubectl describe}. */
  static String events(Pod pod, long now) {
    if (pod.events().isEmpty()) {
      return "Events:  <none>\n";
    }
    List<PodEvent> sorted = new ArrayList<>(pod.events());
    sorted.sort(Comparator.comparingLong(PodEvent::lastSeen));
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"Type", "Reason", "Age", "From", "Message"});
    rows.add(new String[] {"----", "------", "----", "----", "-------"});
    for (PodEvent e : sorted) {
      String age = humanDuration(now - e.lastSeen());
      if (e.count() > 1) {
        age += " (x" + e.count() + " over " + humanDuration(now - e.firstSeen()) + ")";
      }
      rows.add(new String[] {e.type(), e.reason(), age, e.from(), e.message()});
    }
    return "Events:\n" + table(rows, 0, 2, "  ", new int[rows.get(0).length]);
  }

  /**
   * A field of several values, as kubectl prints them: one a line, {@code <none>} for none, the
   * values from column {@code width}.
   */
  private static void fields(StringBuilder sb, int width, String label, List<String> values) {
    field(sb, width, label, values.isEmpty() ? "<none>" : values.get(0));
    for (String value : values.subList(Math.min(1, values.size()), values.size())) {
      field(sb, width, "", value);
    }
  }

  private static void field(StringBuilder sb, int width, String label, String value) {
    sb.append(label).append(" ".repeat(Math.max(width - label.length(), 2))).append(value);
    sb.append('\n');
  }

  /**
   * Lays rows out like Go's {@code text/tabwriter}: each column but the last is as wide as its
   * widest cell plus {@code gap} (3 for kubectl's printers, 2 for {@code describe}), and at least
   * {@code minWidth}; {@code widths} holds the widths of earlier flushes (zeros for none) and is
   * widened to this one's, which it also bounds from below.
   */
  private static String table(
      List<String[]> rows, int minWidth, int gap, String indent, int[] widths) {
    int columns = rows.get(0).length;
    for (int c = 0; c < columns - 1; c++) {
      int width = minWidth;
      for (String[] row : rows) {
        width = Math.max(width, row[c].length() + gap);
      }
      widths[c] = Math.max(widths[c], width);
    }
    StringBuilder sb = new StringBuilder();
    for (String[] row : rows) {
      sb.append(indent);
      for (int c = 0; c < columns; c++) {
        sb.append(row[c]);
        if (c < columns - 1) {
          sb.append(" ".repeat(widths[c] - row[c].length()));
        }
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /**
   * The pod {@code kubectl exec}, {@code attach} and {@code port-forward} pick for a workload
   * ({@code kubectl exec deploy/web}): of the pods of {@code namespace} that {@code selector}
   * matches, the first by kubectl's {@code sort.Reverse(podutils.ActivePods)}: one bound to a node,
   * then Running over Pending, Ready (see {@link Cluster#podReady}), Ready the longest, the oldest,
   * times compared in whole seconds as the API serves them (a pod's Ready time here is when it last
   * turned Running). Ties keep the API server's order, by name, as Go's sort does for up to 12 pods
   * (beyond, its unstable sort may break ties otherwise). Empty if none matches.
   */
  public static Optional<Pod> firstPod(Cluster cluster, String namespace, LabelSelector selector) {
    Comparator<Pod> active =
        Comparator.<Pod>comparingInt(p -> p.node().isPresent() ? 0 : 1)
            .thenComparingInt(p -> p.runningSince() >= 0 ? 0 : 1)
            .thenComparingInt(p -> Cluster.podReady(p) ? 0 : 1)
            .thenComparingLong(p -> Cluster.podReady(p) ? p.runningSince() / SimTime.SECOND : 0)
            .thenComparingLong(p -> p.createdAt() / SimTime.SECOND)
            .thenComparing(Pod::name);
    return cluster.pods().stream()
        .filter(p -> p.namespace().equals(namespace) && selector.matches(p.labels()))
        .min(active);
  }

  /**
   * Kubernetes' {@code duration.HumanDuration}: seconds up to 2 minutes, then minutes and seconds
   * up to 10 minutes, minutes up to 3 hours, hours and minutes up to 8 hours, hours up to 2 days,
   * then days and hours, days, and years.
   */
  public static String humanDuration(long nanos) {
    long seconds = nanos / SimTime.SECOND;
    if (seconds < -1) {
      return "<invalid>";
    }
    if (seconds < 0) {
      return "0s";
    }
    if (seconds < 60 * 2) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 10) {
      long s = seconds % 60;
      return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
    }
    if (minutes < 60 * 3) {
      return minutes + "m";
    }
    long hours = minutes / 60;
    if (hours < 8) {
      long m = minutes % 60;
      return m == 0 ? hours + "h" : hours + "h" + m + "m";
    }
    if (hours < 48) {
      return hours + "h";
    }
    if (hours < 24 * 8) {
      long h = hours % 24;
      return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
    }
    if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    }
    if (hours < 24 * 365 * 8) {
      long dy = (hours / 24) % 365;
      return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
    }
    return hours / 24 / 365 + "y";
  }
}
