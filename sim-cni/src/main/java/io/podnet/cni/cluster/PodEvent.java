package io.podnet.cni.cluster;

/**
 * One event about a pod, as {@code kubectl describe pod} lists it; repeats of the same event are
 * counted, as the API server aggregates them.
 *
 * @param type {@code Normal} or {@code Warning}
 * @param reason for example {@code Scheduled} or {@code FailedCreatePodSandBox}
 * @param from the reporting component ({@code default-scheduler}, {@code kubelet})
 * @param message the message
 * @param firstSeen simulated time of the first occurrence
 * @param lastSeen simulated time of the last occurrence
 * @param count how many times it occurred
 */
public record PodEvent(
    String type,
    String reason,
    String from,
    String message,
    long firstSeen,
    long lastSeen,
    int count) {

  PodEvent again(long now) {
    return new PodEvent(type, reason, from, message, firstSeen, now, count + 1);
  }
}
