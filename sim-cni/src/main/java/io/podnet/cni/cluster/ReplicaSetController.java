package io.podnet.cni.cluster;

import io.podnet.core.engine.Simulation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * kube-controller-manager's ReplicaSet controller for the cluster's {@link Deployment}s: whenever
 * one of their pods starts terminating or is gone, it creates new pods until each has its replica
 * count of pods that are not being deleted. Names are drawn from the seeded stream {@code
 * replicasets} in Kubernetes' alphabet of consonants and digits ({@code
 * bcdfghjklmnpqrstvwxz2456789}).
 */
final class ReplicaSetController {

  private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

  private final Cluster cluster;
  private final Simulation sim;
  private final RandomGenerator names;
  private final List<Deployment> deployments = new ArrayList<>();
  private boolean syncPending;

  ReplicaSetController(Cluster cluster) {
    this.cluster = cluster;
    this.sim = cluster.simulation();
    this.names = sim.random().stream("replicasets");
  }

  /** Adds a Deployment and creates its pods now. */
  Deployment create(
      String namespace,
      String name,
      int replicas,
      Map<String, String> labels,
      List<Toleration> tolerations) {
    if (deployments.stream()
        .anyMatch(d -> d.namespace().equals(namespace) && d.name().equals(name))) {
      throw new IllegalArgumentException(
          "deployment \"" + namespace + "/" + name + "\" already exists");
    }
    if (replicas < 0) {
      throw new IllegalArgumentException("replicas must be >= 0: " + replicas);
    }
    if (labels.isEmpty()) {
      throw new IllegalArgumentException(
          "deployment \"" + namespace + "/" + name + "\" needs labels (expected at least one)");
    }
    Deployment d =
        new Deployment(
            namespace, name, replicas, labels, tolerations, name + "-" + random(names, 10));
    template(d, d.replicaSetName());
    deployments.add(d);
    sync();
    return d;
  }

  /**
   * A pod changed: if a Deployment owns it, reconcile once the current instant's changes are in.
   */
  void podChanged(Pod pod) {
    if (!pod.controlledBy().map(o -> o.startsWith("ReplicaSet/")).orElse(false) || syncPending) {
      return;
    }
    syncPending = true;
    sim.schedule(
        0,
        () -> {
          syncPending = false;
          sync();
        });
  }

  /** The pods a Deployment's ReplicaSet owns, in creation order (terminating ones included). */
  List<Pod> pods(Deployment d) {
    String owner = "ReplicaSet/" + d.replicaSetName();
    return cluster.pods().stream()
        .filter(p -> p.namespace().equals(d.namespace()))
        .filter(p -> p.controlledBy().map(owner::equals).orElse(false))
        .toList();
  }

  private void sync() {
    for (Deployment d : deployments) {
      long active = pods(d).stream().filter(p -> p.status() != PodStatus.TERMINATING).count();
      for (long i = active; i < d.replicas(); i++) {
        String key = freshKey(cluster, d.namespace() + "/" + d.replicaSetName() + "-", names);
        cluster.createPod(template(d, key), "ReplicaSet/" + d.replicaSetName());
      }
    }
  }

  /**
   * The spec of a pod of {@code d}, with its labels, then the {@code pod-template-hash} label the
   * Deployment controller adds (its ReplicaSet's suffix, which wins over a template label of that
   * key) and its tolerations; validates the name and labels.
   */
  private static PodSpec template(Deployment d, String key) {
    return PodSpec.fromTemplate(
        key,
        d.labels(),
        "pod-template-hash",
        d.replicaSetName().substring(d.name().length() + 1),
        d.tolerations());
  }

  /**
   * {@code prefix} and five random characters of Kubernetes' name alphabet from {@code stream}: a
   * pod key no pod of {@code cluster} has, as a controller names the pods it makes.
   */
  static String freshKey(Cluster cluster, String prefix, RandomGenerator stream) {
    String key;
    do {
      key = prefix + random(stream, 5);
    } while (cluster.pod(key).isPresent());
    return key;
  }

  /** {@code length} characters of Kubernetes' name alphabet drawn from {@code stream}. */
  static String random(RandomGenerator stream, int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(ALPHANUMS.charAt(stream.nextInt(ALPHANUMS.length())));
    }
    return sb.toString();
  }
}
