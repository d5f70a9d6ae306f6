package io.podnet.cni.cluster;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A DaemonSet of node agents on the host network, as its manifest declares it: its namespace and
 * name, its pod template's labels and tolerations. The DaemonSet controller runs one pod of it on
 * every node, named after it with a five-character suffix ({@code kube-proxy-7nlls}), and adds the
 * {@code pod-template-generation} label and the tolerations it gives every daemon pod (see {@link
 * Cluster#pods}). Immutable.
 */
public final class DaemonSet {

  /** kubeadm's kube-proxy: {@code k8s-app=kube-proxy}, tolerating everything. */
  static final DaemonSet KUBE_PROXY =
      new DaemonSet(
          "kube-system",
          "kube-proxy",
          Map.of("k8s-app", "kube-proxy"),
          List.of(Toleration.of("", Toleration.EXISTS, "", "", null)));

  private final String namespace;
  private final String name;
  private final SortedMap<String, String> labels;
  private final List<Toleration> tolerations;

  private DaemonSet(
      String namespace, String name, Map<String, String> labels, List<Toleration> tolerations) {
    this.namespace = namespace;
    this.name = name;
    this.labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    this.tolerations = List.copyOf(tolerations);
  }

  /**
   * A DaemonSet {@code namespace/name} whose pod template has {@code labels} and {@code
   * tolerations}; {@link IllegalArgumentException} for a namespace that is not a DNS label, a name
   * that with its pods' six-character suffix is not a DNS subdomain, or a bad label (the first by
   * key, whatever the order of {@code labels}).
   */
  public static DaemonSet of(
      String namespace, String name, Map<String, String> labels, List<Toleration> tolerations) {
    Cluster.qualify(namespace + "/" + name + "-xxxxx");
    DaemonSet made = new DaemonSet(namespace, name, labels, tolerations);
    made.labels.forEach(PodSpec::checkLabel);
    return made;
  }

  /** The namespace ({@code kube-system}). */
  public String namespace() {
    return namespace;
  }

  /** The name, which its pods' names begin with. */
  public String name() {
    return name;
  }

  /** The pod template's labels, sorted by key. */
  public Map<String, String> labels() {
    return labels;
  }

  /** The pod template's tolerations, in the manifest's order. */
  public List<Toleration> tolerations() {
    return tolerations;
  }

  /** {@code namespace/name}. */
  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
