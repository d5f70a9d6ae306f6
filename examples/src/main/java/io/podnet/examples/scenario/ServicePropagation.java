package io.podnet.examples.scenario;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.EndpointCounts;
import io.podnet.cni.cluster.ServiceProgramming;
import io.podnet.cni.cluster.ServiceSync;
import io.podnet.core.engine.SimTime;
import io.podnet.dataplane.service.ServicePort;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The scenario steps about how fast Service changes reach the nodes: {@code bulkServices} puts
 * thousands of generated ClusterIP Services on the cluster, {@code programmed} waits until every
 * node's dataplane answers for a Service and prints when and through which sync (kube-proxy's
 * {@code iptables-restore} or a map update), and the {@code programmed} expectation bounds that
 * time or compares it with another Service's.
 */
final class ServicePropagation {

  private ServicePropagation() {}

  /**
   * Creates the generated Services of a {@code bulkServices} step and prints what it made; with
   * {@code selector: apps}, Service {@code i} selects app {@code i} of {@code apps} (see {@link
   * BulkPods}).
   */
  static void bulk(
      Cluster cluster,
      Map<String, String> a,
      EndpointCounts.@Nullable Layout apps,
      StringBuilder out) {
    int count = Integer.parseInt(a.get("count"));
    int first = Integer.parseInt(a.get("first"));
    int port = Integer.parseInt(a.get("port"));
    int target = Integer.parseInt(a.get("targetPort"));
    boolean byApp = a.get("selector").equals("apps");
    Map<String, String> selector = byApp ? Map.of() : labels(a.get("selector"));
    List<ServicePort> ports = List.of(ServicePort.of("", "TCP", port, target));
    out.append("$ kubectl apply -f -    # ")
        .append(count)
        .append(count == 1 ? " generated ClusterIP Service" : " generated ClusterIP Services")
        .append(" selecting ")
        .append(a.get("selector"))
        .append(", port ")
        .append(port)
        .append(" -> ")
        .append(target)
        .append('\n');
    for (int i = first; i < first + count; i++) {
      int app = byApp && apps != null ? apps.appOfService(i - first) : -1;
      cluster.createService(
          Scenario.bulkName(i),
          app >= 0 ? Map.of(BulkPods.APP_LABEL, BulkPods.appName(app)) : selector,
          ports);
    }
    out.append("service/").append(Scenario.bulkName(first)).append(" created\n");
    if (count > 2) {
      out.append("... ").append(count - 2).append(" more\n");
    }
    if (count > 1) {
      out.append("service/").append(Scenario.bulkName(first + count - 1)).append(" created\n");
    }
  }

  /** Labels written {@code k=v,k=v} (as the parser leaves them), in order; empty for "". */
  static Map<String, String> labels(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    if (!text.isEmpty()) {
      for (String label : text.split(",")) {
        int eq = label.indexOf('=');
        out.put(label.substring(0, eq), label.substring(eq + 1));
      }
    }
    return out;
  }

  /**
   * Runs the clock until every node answers for {@code service} or {@code deadline} passed, and
   * returns each node's programming.
   */
  static List<ServiceProgramming> await(Cluster cluster, String service, long deadline) {
    cluster.simulation().scheduleAt(Math.max(deadline, cluster.simulation().now()), () -> {});
    List<ServiceProgramming> now = cluster.programming(service);
    while (!now.stream().allMatch(ServiceProgramming::isProgrammed)
        && cluster.simulation().now() < deadline
        && cluster.simulation().step()) {
      now = cluster.programming(service);
    }
    return now;
  }

  /** The {@code programmed} step: waits (at most 60 s) and prints a line per node. */
  static void report(Cluster cluster, String service, StringBuilder out) {
    List<ServiceProgramming> nodes =
        await(cluster, service, cluster.simulation().now() + Scenario.MAX_PROGRAMMING_NANOS);
    long created = nodes.isEmpty() ? cluster.simulation().now() : nodes.get(0).createdAt();
    out.append("# service/")
        .append(service)
        .append(", created at ")
        .append(SimTime.format(created))
        .append("s: when each node's dataplane started answering for it\n");
    String row = "%-8s %-15s %-15s %-12s %s%n";
    out.append(
        String.format(Locale.ROOT, row, "NODE", "SYNC STARTED", "PROGRAMMED", "LATENCY", "SYNC"));
    for (ServiceProgramming p : nodes) {
      if (p.sync().isEmpty()) {
        out.append(
            String.format(Locale.ROOT, row, p.node(), "-", "-", "-", "not programmed within 60s"));
        continue;
      }
      ServiceSync s = p.sync().get();
      out.append(
          String.format(
              Locale.ROOT,
              row,
              p.node(),
              SimTime.format(s.started()) + "s",
              SimTime.format(s.finished()) + "s",
              millis(p.latencyNanos()),
              s.describe()));
    }
  }

  /** Nanoseconds as milliseconds with three decimals: {@code 23.773ms}. */
  static String millis(long nanos) {
    return String.format(Locale.ROOT, "%d.%03dms", nanos / 1_000_000, nanos / 1_000 % 1_000);
  }

  /** What a {@code programmed} expectation checks, as its transcript line names it. */
  static String what(Map<String, String> check) {
    List<String> parts = new ArrayList<>();
    if (check.containsKey("within")) {
      parts.add("within " + check.get("within"));
    }
    if (check.containsKey("slowerThan")) {
      parts.add("slower than " + check.get("slowerThan"));
    }
    if (check.containsKey("notSlowerThan")) {
      parts.add("not slower than " + check.get("notSlowerThan"));
    }
    return ("programmed " + check.get("service") + " " + String.join(", ", parts)).strip();
  }

  /**
   * Checks a {@code programmed} expectation (waiting until the Service is programmed or its bound
   * passed) and returns why it failed, or null when it held.
   */
  static @Nullable String check(Cluster cluster, Map<String, String> check) {
    String service = check.get("service");
    long created = cluster.programming(service).get(0).createdAt();
    long bound =
        check.containsKey("withinNanos")
            ? Long.parseLong(check.get("withinNanos"))
            : Scenario.MAX_PROGRAMMING_NANOS;
    List<ServiceProgramming> nodes = await(cluster, service, created + bound);
    for (ServiceProgramming p : nodes) {
      if (!p.isProgrammed() || p.latencyNanos() > bound) {
        return p.node()
            + " did not answer for "
            + service
            + " within "
            + millis(bound)
            + (p.isProgrammed() ? " (it took " + millis(p.latencyNanos()) + ")" : "");
      }
    }
    for (String key : List.of("slowerThan", "notSlowerThan")) {
      String other = check.get(key);
      if (other == null) {
        continue;
      }
      List<ServiceProgramming> others = cluster.programming(other);
      for (int i = 0; i < nodes.size(); i++) {
        ServiceProgramming p = nodes.get(i);
        ServiceProgramming o = others.get(i);
        if (!o.isProgrammed()) {
          return o.node() + " has not programmed " + other + " to compare with";
        }
        boolean slower = p.latencyNanos() > o.latencyNanos();
        if (slower != key.equals("slowerThan")) {
          return p.node()
              + " took "
              + millis(p.latencyNanos())
              + " for "
              + service
              + " and "
              + millis(o.latencyNanos())
              + " for "
              + other;
        }
      }
    }
    return null;
  }
}
