package io.podnet.examples.scenario;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.EndpointCounts;
import io.podnet.cni.cluster.Node;
import io.podnet.cni.cluster.PodSpec;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code bulkPods} step: the same number of pods on every node, pinned there, without listing
 * them, optionally grouped into apps whose sizes follow a power law for {@code bulkServices} with
 * {@code selector: apps} to select (see {@link EndpointCounts#layout}).
 */
final class BulkPods {

  private BulkPods() {}

  /** The label key of the apps. */
  static final String APP_LABEL = "app";

  /**
   * Creates the pods of a {@code bulkPods} step, prints what it made, and returns the apps it laid
   * out ({@code apps} unchanged if it made none).
   */
  static EndpointCounts.@Nullable Layout create(
      Cluster cluster,
      Map<String, String> a,
      EndpointCounts.@Nullable Layout apps,
      StringBuilder out) {
    int per = Integer.parseInt(a.get("perNode"));
    int from = Integer.parseInt(a.get("from"));
    String name = a.get("name");
    Map<String, String> labels = ServicePropagation.labels(a.get("labels"));
    List<Node> nodes = cluster.nodes();
    int total = per * nodes.size();
    out.append("$ kubectl apply -f -    # ")
        .append(total)
        .append(" pods, ")
        .append(per)
        .append(" on each of ")
        .append(nodes.size())
        .append(nodes.size() == 1 ? " node" : " nodes")
        .append(" (")
        .append(podName(name, nodes.get(0), from))
        .append(
            total > 1 ? " to " + podName(name, nodes.get(nodes.size() - 1), from + per - 1) : "")
        .append(')')
        .append(labels.isEmpty() ? "" : ", labels " + a.get("labels"))
        .append('\n');
    EndpointCounts.Layout layout = apps;
    if (a.containsKey("apps")) {
      EndpointCounts law =
          EndpointCounts.powerLaw(
              Integer.parseInt(a.get("min")),
              Integer.parseInt(a.get("max")),
              Double.parseDouble(a.get("exponent")));
      layout =
          law.layout(
              Integer.parseInt(a.get("apps")),
              total,
              cluster.simulation().random().stream("bulk-pods"));
      int[] sizes = new int[layout.apps()];
      int inApps = 0;
      for (int j = 0; j < total; j++) {
        int app = layout.appOfPod(j);
        if (app >= 0) {
          sizes[app]++;
          inApps++;
        }
      }
      int largest = 0;
      for (int size : sizes) {
        largest = Math.max(largest, size);
      }
      out.append(
          String.format(
              Locale.ROOT,
              "# %d apps (label %s=app-00001...), sizes from a %s: %d pods in apps, the largest %d%n",
              layout.apps(),
              APP_LABEL,
              law,
              inApps,
              largest));
    }
    int j = 0;
    for (Node node : nodes) {
      for (int i = from; i < from + per; i++) {
        PodSpec spec = PodSpec.named(podName(name, node, i)).onNode(node.name());
        for (Map.Entry<String, String> label : labels.entrySet()) {
          spec = spec.label(label.getKey(), label.getValue());
        }
        int app = a.containsKey("apps") && layout != null ? layout.appOfPod(j) : -1;
        if (app >= 0) {
          spec = spec.label(APP_LABEL, appName(app));
        }
        cluster.createPod(spec);
        j++;
      }
    }
    return layout;
  }

  /** The label value of app {@code app} (from 0): {@code app-00001}. */
  static String appName(int app) {
    return String.format(Locale.ROOT, "app-%05d", app + 1);
  }

  private static String podName(String prefix, Node node, int i) {
    return prefix + "-" + node.name() + "-" + i;
  }
}
