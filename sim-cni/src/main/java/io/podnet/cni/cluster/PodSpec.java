package io.podnet.cni.cluster;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a pod is asked to be: its {@code [namespace/]name}, its labels (which Services select on)
 * and, optionally, the node it must run on ({@code spec.nodeName}). Immutable; build one with
 * {@link #named(String)}:
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

  private final String key;
  private final TreeMap<String, String> labels;
  private final @Nullable String nodeName;

  private PodSpec(String key, TreeMap<String, String> labels, @Nullable String nodeName) {
    this.key = key;
    this.labels = labels;
    this.nodeName = nodeName;
  }

  /** A pod named {@code [namespace/]name}, no labels, placed by the scheduler. */
  public static PodSpec named(String key) {
    return new PodSpec(key, new TreeMap<>(), null);
  }

  /** This spec with one more label; {@link IllegalArgumentException} for a bad key or value. */
  public PodSpec label(String name, String value) {
    if (!LABEL_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "invalid label key \""
              + name
              + "\" (expected [prefix/]name, name up to 63 of [A-Za-z0-9-_.])");
    }
    if (!LABEL_VALUE.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "invalid label value \""
              + value
              + "\" for "
              + name
              + " (expected up to 63 of [A-Za-z0-9-_.])");
    }
    TreeMap<String, String> copy = new TreeMap<>(labels);
    copy.put(name, value);
    return new PodSpec(key, copy, nodeName);
  }

  /** This spec pinned to a node, bypassing the scheduler. */
  public PodSpec onNode(String node) {
    return new PodSpec(key, labels, node);
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
}
