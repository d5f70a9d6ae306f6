package io.podnet.cni.cluster;

import io.podnet.core.engine.Simulation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * kube-controller-manager's StatefulSet controller for the cluster's {@link StatefulSet}s: it makes
 * each set's pods by ordinal, {@code web-0} first, and makes a pod again under the same name once
 * the old one is gone. With {@link StatefulSet.PodManagementPolicy#ORDERED_READY} it stops at the
 * first pod that is not Running and Ready or is terminating, as the controller's monotonic scaling
 * does. Revision hashes are drawn from the seeded stream {@code statefulsets}.
 */
final class StatefulSetController {

  /**
   * The longest name whose pods can be made: with '-' and a hash of up to 10 characters it is the
   * {@code controller-revision-hash} label value, at most 63 (a longer one is accepted by the API
   * server, and its pods then fail to be made: kubernetes#64023).
   */
  static final int MAX_NAME = 52;

  private final Cluster cluster;
  private final RandomGenerator hashes;

  /**
   * The StatefulSets by {@code namespace/name}, in creation order (the order {@link #sync} works).
   */
  private final Map<String, StatefulSet> sets = new LinkedHashMap<>();

  private final Reconciler reconciler;

  StatefulSetController(Cluster cluster) {
    this.cluster = cluster;
    Simulation sim = cluster.simulation();
    this.reconciler = new Reconciler(sim, this::sync);
    this.hashes = sim.random().stream("statefulsets");
  }

  /** Adds a StatefulSet and makes its first pods now. */
  StatefulSet create(
      String namespace,
      String name,
      int replicas,
      PodSpec template,
      StatefulSet.PodManagementPolicy policy) {
    Workloads.checkNew(
        cluster,
        "statefulset",
        namespace,
        name,
        sets.containsKey(namespace + "/" + name),
        replicas,
        template);
    Cluster.qualify(namespace + "/" + name + "-0");
    if (name.length() > MAX_NAME) {
      throw new IllegalArgumentException(
          "statefulset name \""
              + name
              + "\" is longer than "
              + MAX_NAME
              + " characters (expected at most "
              + MAX_NAME
              + ", leaving room for '-' and the 10-character hash in its pods'"
              + " controller-revision-hash label)");
    }
    StatefulSet set =
        new StatefulSet(
            namespace,
            name,
            replicas,
            template,
            policy,
            name + "-" + Workloads.templateHash(hashes));
    sets.put(namespace + "/" + name, set);
    sync();
    return set;
  }

  /**
   * A pod changed: if a StatefulSet owns it, reconcile once the current instant's changes are in.
   */
  void podChanged(Pod pod) {
    if (pod.controlledBy().map(o -> o.startsWith("StatefulSet/")).orElse(false)) {
      reconciler.request();
    }
  }

  /**
   * Pods may have turned Ready or not Ready: reconcile once the current instant's changes are in.
   */
  void reconcile() {
    if (!sets.isEmpty()) {
      reconciler.request();
    }
  }

  /** Forgets the StatefulSet {@code namespace/name}; returns it, or null if there is none. */
  @Nullable StatefulSet delete(String namespace, String name) {
    return sets.remove(namespace + "/" + name);
  }

  /** The pods of {@code set} that exist, by ordinal (terminating ones included). */
  List<Pod> pods(StatefulSet set) {
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < set.replicas(); i++) {
      cluster.pod(set.podKey(i)).filter(p -> owns(set, p)).ifPresent(pods::add);
    }
    return pods;
  }

  private void sync() {
    for (StatefulSet set : sets.values()) {
      boolean ordered = set.podManagementPolicy() == StatefulSet.PodManagementPolicy.ORDERED_READY;
      for (int i = 0; i < set.replicas(); i++) {
        Optional<Pod> pod = cluster.pod(set.podKey(i));
        if (pod.isEmpty()) {
          cluster.createPod(spec(set, i), owner(set));
          if (ordered) {
            break;
          }
        } else if (ordered && !(owns(set, pod.get()) && Cluster.servesEndpoints(pod.get()))) {
          break;
        }
      }
    }
  }

  private static boolean owns(StatefulSet set, Pod pod) {
    return pod.controlledBy().map(owner(set)::equals).orElse(false);
  }

  private static String owner(StatefulSet set) {
    return "StatefulSet/" + set.name();
  }

  /**
   * The spec of the pod of ordinal {@code ordinal}: the template with the labels the controller
   * adds, which win over template labels of the same keys; validates them.
   */
  private static PodSpec spec(StatefulSet set, int ordinal) {
    String key = set.podKey(ordinal);
    return PodSpec.fromTemplate(
        key,
        set.template(),
        Map.of(
            "apps.kubernetes.io/pod-index",
            Integer.toString(ordinal),
            "controller-revision-hash",
            set.revision(),
            "statefulset.kubernetes.io/pod-name",
            key.substring(set.namespace().length() + 1)));
  }
}
