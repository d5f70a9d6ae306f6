package io.podnet.cni.cluster;

/** What {@code kubectl get pods} shows in its STATUS column, as the kubelet moves a pod along. */
public enum PodStatus {
  /** Not yet scheduled, or scheduled on a node whose network is not ready. */
  PENDING("Pending"),
  /** Scheduled: the sandbox is being made and CNI ADD runs (and retries after a failure). */
  CONTAINER_CREATING("ContainerCreating"),
  /** The network is up and the container started. */
  RUNNING("Running"),
  /** Being deleted: the container stops and CNI DEL runs. */
  TERMINATING("Terminating");

  private final String text;

  PodStatus(String text) {
    this.text = text;
  }

  /** The word kubectl prints. */
  public String text() {
    return text;
  }
}
