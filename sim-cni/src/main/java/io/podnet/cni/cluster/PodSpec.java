package io.podnet.cni.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a pod is asked to be: its {@code [namespace/]name}, its labels (which Services select on),
 * optionally the node it must run on ({@code spec.nodeName}) and its tolerations. Immutable; build
 * one with {@link #named(String)}:
 *
 * <pre>{@code
 * cluster.runPod(PodSpec.named("web-1").label("app", "web").onNode("node-1"));
 * }</pre>
 */
public final class PodSpec {

  private static final Pattern LABEL_NAME =
      Pattern.compile(
          "^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$");
  private static final Pattern LABEL_VALUE =
      Pattern.compile("^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$");

  /** What a label key must look like, as the error for a bad one says. */
  static final String LABEL_KEY_FORM = "[prefix/]name, name up to 63 of [A-Za-z0-9-_.]";

  /** What a label value must look like, as the error for a bad one says. */
  static final String LABEL_VALUE_FORM = "up to 63 of [A-Za-z0-9-_.]";

  private final String key;
  private final TreeMap<String, String> labels;
  private final @Nullable String nodeName;
  private final List<Toleration> tolerations;
  private final boolean hostNetwork;

  private PodSpec(
      String key,
      TreeMap<String, String> labels,
      @Nullable String nodeName,
      List<Toleration> tolerations,
      boolean hostNetwork) {
    this.key = key;
    this.labels = labels;
    this.nodeName = nodeName;
    this.tolerations = tolerations;
    this.hostNetwork = hostNetwork;
  }

  /** A pod named {@code [namespace/]name}, no labels, placed by the scheduler. */
  public static PodSpec named(String key) {
    return new PodSpec(key, new TreeMap<>(), null, List.of(), false);
  }

  static boolean isLabelKey(String name) {
    return LABEL_NAME.matcher(name).matches();
  }

  static boolean isLabelValue(String value) {
    return LABEL_VALUE.matcher(value).matches();
  }

  /** This spec with one more label; {@link IllegalArgumentException} for a bad key or value. */
  public PodSpec label(String name, String value) {
    checkLabel(name, value);
    TreeMap<String, String> copy = new TreeMap<>(labels);
    copy.put(name, value);
    return new PodSpec(key, copy, nodeName, tolerations, hostNetwork);
  }

  /** {@link IllegalArgumentException} naming the label unless its key and value are valid. */
  static void checkLabel(String name, String value) {
    if (!isLabelKey(name)) {
      throw new IllegalArgumentException(
          "invalid label key \"" + name + "\" (expected " + LABEL_KEY_FORM + ")");
    }
    if (!isLabelValue(value)) {
      throw new IllegalArgumentException(
          "invalid label value \""
              + value
              + "\" for "
              + name
              + " (expected "
              + LABEL_VALUE_FORM
              + ")");
    }
  }

  /** This spec pinned to a node, bypassing the scheduler. */
  public PodSpec onNode(String node) {
    return new PodSpec(key, labels, node, tolerations, hostNetwork);
  }

  /**
   * This spec with one more toleration. At creation the DefaultTolerationSeconds admission plugin
   * adds {@code node.kubernetes.io/not-ready} and {@code node.kubernetes.io/unreachable} ({@code
   * Exists}, {@code NoExecute}, 300 s) unless a toleration already covers that taint's {@code
   * NoExecute} effect.
   */
  public PodSpec tolerate(Toleration toleration) {
    List<Toleration> more = new ArrayList<>(tolerations);
    more.add(toleration);
    return new PodSpec(key, labels, nodeName, List.copyOf(more), hostNetwork);
  }

  /**
   * A pod template for a controller ({@link Cluster#createDeployment(String, int, PodSpec)}, {@link
   * Cluster#createStatefulSet}): labels, a pinned node and tolerations as for a pod, and no name,
   * since the controller names each pod it makes.
   */
  public static PodSpec template() {
    return named("");
  }

  /**
   * The spec of a pod {@code key} that a controller makes from {@code template}: the template's
   * labels, then the controller's own {@code labels} (which win over template labels of the same
   * keys), its pinned node and tolerations; {@link IllegalArgumentException} for a bad label.
   */
  static PodSpec fromTemplate(String key, PodSpec template, Map<String, String> labels) {
    TreeMap<String, String> all = new TreeMap<>(template.labels);
    for (Map.Entry<String, String> label : labels.entrySet()) {
      checkLabel(label.getKey(), label.getValue());
      all.put(label.getKey(), label.getValue());
    }
    return new PodSpec(key, all, template.nodeName, template.tolerations, template.hostNetwork);
  }

  /**
   * This spec on its node's network namespace ({@code hostNetwork: true}); see {@link
   * Pod#hostNetwork}.
   */
  PodSpec onHostNetwork() {
    return new PodSpec(key, labels, nodeName, tolerations, true);
  }

  /** Whether the pod runs on its node's network namespace. */
  boolean hostNetwork() {
    return hostNetwork;
  }

  /** {@code [namespace/]name} as given. */
  public String key() {
    return key;
  }

  /** The labels, sorted by key. */
  public Map<String, String> labels() {
    return Collections.unmodifiableMap(labels);
  }

  /** The node the pod must run on, if pinned. */
  public Optional<String> nodeName() {
    return Optional.ofNullable(nodeName);
  }

  /** The tolerations given, in order (without the ones admission adds). */
  public List<Toleration> tolerations() {
    return tolerations;
  }
}
