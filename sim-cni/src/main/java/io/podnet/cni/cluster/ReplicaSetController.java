package io.podnet.cni.cluster;

import io.podnet.core.engine.Simulation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * kube-controller-manager's ReplicaSet controller for the cluster's {@link Deployment}s: whenever
 * one of their pods starts terminating or is gone, it creates new pods until each has its replica
 * count of pods that are not being deleted. Template hashes and pod name suffixes are drawn from
 * the seeded stream {@code replicasets} (see {@link Workloads}).
 */
final class ReplicaSetController {

  private final Cluster cluster;
  private final RandomGenerator names;

  /**
   * The Deployments by {@code namespace/name}, in creation order (the order {@link #sync} works).
   */
  private final Map<String, Deployment> deployments = new LinkedHashMap<>();

  private final Reconciler reconciler;

  ReplicaSetController(Cluster cluster) {
    this.cluster = cluster;
    Simulation sim = cluster.simulation();
    this.reconciler = new Reconciler(sim, this::sync);
    this.names = sim.random().stream("replicasets");
  }

  /** Adds a Deployment and creates its pods now. */
  Deployment create(String namespace, String name, int replicas, PodSpec template) {
    Workloads.checkNew(
        cluster,
        "deployment",
        namespace,
        name,
        deployments.containsKey(namespace + "/" + name),
        replicas,
        template);
    Deployment d =
        new Deployment(
            namespace, name, replicas, template, name + "-" + Workloads.templateHash(names));
    deployments.put(namespace + "/" + name, d);
    sync();
    return d;
  }

  /**
   * A pod changed: if a Deployment owns it, reconcile once the current instant's changes are in.
   */
  void podChanged(Pod pod) {
    if (pod.controlledBy().map(o -> o.startsWith("ReplicaSet/")).orElse(false)) {
      reconciler.request();
    }
  }

  /** Forgets the Deployment {@code namespace/name}; returns it, or null if there is none. */
  @Nullable Deployment delete(String namespace, String name) {
    return deployments.remove(namespace + "/" + name);
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
    for (Deployment d : deployments.values()) {
      long active = pods(d).stream().filter(p -> p.status() != PodStatus.TERMINATING).count();
      for (long i = active; i < d.replicas(); i++) {
        String key =
            Workloads.generatedKey(cluster, d.namespace(), d.replicaSetName() + "-", names);
        cluster.createPod(template(d, key), "ReplicaSet/" + d.replicaSetName());
      }
    }
  }

  /**
   * The spec of a pod of {@code d}: its template with the {@code pod-template-hash} label the
   * Deployment controller adds (its ReplicaSet's suffix, which wins over a template label of that
   * key); validates the label.
   */
  private static PodSpec template(Deployment d, String key) {
    return PodSpec.fromTemplate(
        key,
        d.template(),
        Map.of("pod-template-hash", d.replicaSetName().substring(d.name().length() + 1)));
  }
}
