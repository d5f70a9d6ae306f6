package io.podnet.cni.cluster;

import java.util.List;
import java.util.Map;

/**
 * A Deployment as far as pod networking sees it: a name, a replica count, its pod template (labels,
 * a pinned node, tolerations), and the ReplicaSet that owns its pods ({@code web-7c9f5b6d8b}),
 * whose pods are named after it with a five-character suffix ({@code web-7c9f5b6d8b-x2kqp}). The
 * ReplicaSet controller keeps that many pods that are not being deleted: an evicted or deleted pod
 * is replaced at once by a new pod with a new name, placed by the scheduler (see {@link
 * Cluster#createDeployment}).
 */
public final class Deployment {

  private final String namespace;
  private final String name;
  private final int replicas;
  private final PodSpec template;
  private final String replicaSetName;

  Deployment(String namespace, String name, int replicas, PodSpec template, String replicaSetName) {
    this.namespace = namespace;
    this.name = name;
    this.replicas = replicas;
    this.template = template;
    this.replicaSetName = replicaSetName;
  }

  /** The namespace ({@code default}). */
  public String namespace() {
    return namespace;
  }

  /** The Deployment's name. */
  public String name() {
    return name;
  }

  /** {@code spec.replicas}. */
  public int replicas() {
    return replicas;
  }

  /** The labels of the pod template (and of every pod), sorted by key. */
  public Map<String, String> labels() {
    return template.labels();
  }

  /** The tolerations of the pod template, as given (admission adds the defaults to each pod). */
  public List<Toleration> tolerations() {
    return template.tolerations();
  }

  /** The pod template its pods are made from. */
  PodSpec template() {
    return template;
  }

  /** The name of the ReplicaSet owning the pods: the Deployment's name and a template hash. */
  public String replicaSetName() {
    return replicaSetName;
  }

  @Override
  public String toString() {
    return namespace + "/" + name + " (" + replicas + " replicas)";
  }
}
