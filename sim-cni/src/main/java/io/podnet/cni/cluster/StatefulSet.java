package io.podnet.cni.cluster;

/**
 * A StatefulSet as far as pod networking sees it: a name, a replica count, its pod template and how
 * its pods are started. Its pods have stable names, the set's name and an ordinal ({@code web-0},
 * {@code web-1}); the StatefulSet controller adds the labels {@code controller-revision-hash},
 * {@code statefulset.kubernetes.io/pod-name} and {@code apps.kubernetes.io/pod-index}, and makes a
 * pod again under the same name once a deleted one is gone (a pod left Terminating on a crashed
 * node is not replaced). See {@link Cluster#createStatefulSet}.
 */
public final class StatefulSet {

  /** {@code spec.podManagementPolicy}. */
  public enum PodManagementPolicy {
    /**
     * The default: pod N is made only once pods 0 to N-1 are Running and Ready, and none is
     * terminating.
     */
    ORDERED_READY,
    /** Every missing pod is made at once. */
    PARALLEL
  }

  private final String namespace;
  private final String name;
  private final int replicas;
  private final PodSpec template;
  private final PodManagementPolicy policy;
  private final String revision;

  StatefulSet(
      String namespace,
      String name,
      int replicas,
      PodSpec template,
      PodManagementPolicy policy,
      String revision) {
    this.namespace = namespace;
    this.name = name;
    this.replicas = replicas;
    this.template = template;
    this.policy = policy;
    this.revision = revision;
  }

  /** The namespace ({@code default}). */
  public String namespace() {
    return namespace;
  }

  /** The StatefulSet's name, which its pods' names begin with. */
  public String name() {
    return name;
  }

  /** {@code spec.replicas}. */
  public int replicas() {
    return replicas;
  }

  /** {@code spec.podManagementPolicy}. */
  public PodManagementPolicy podManagementPolicy() {
    return policy;
  }

  /** The pod template its pods are made from. */
  PodSpec template() {
    return template;
  }

  /**
   * The name of the ControllerRevision its pods are made from, the {@code controller-revision-hash}
   * label's value: the set's name and a hash ({@code web-6b9d7b5f74}).
   */
  public String revision() {
    return revision;
  }

  /** The key of its pod of ordinal {@code ordinal}: {@code namespace/name-ordinal}. */
  String podKey(int ordinal) {
    return namespace + "/" + name + "-" + ordinal;
  }

  @Override
  public String toString() {
    return namespace + "/" + name + " (" + replicas + " replicas)";
  }
}
