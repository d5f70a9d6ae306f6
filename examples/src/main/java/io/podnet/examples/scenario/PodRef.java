package io.podnet.examples.scenario;

import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A pod as a scenario step names it: a pod ({@code web-0}, or {@code ns/web-0} in another
 * namespace), or, as {@code kubectl exec} takes it, a workload whose pods kubectl picks one of
 * ({@code deploy/web}, {@code statefulset/db}, {@code ns/sts/db}; see {@code Kubectl.firstPod}).
 *
 * @param namespace the namespace, {@code default} unless given
 * @param kind {@code Deployment} or {@code StatefulSet} for a workload, null for a pod
 * @param name the pod's or the workload's name
 */
record PodRef(String namespace, @Nullable String kind, String name) {

  /** kubectl's names for the workload kinds: short name, singular, plural, with the group. */
  private static final Map<String, String> KINDS =
      Map.ofEntries(
          Map.entry("deploy", "Deployment"),
          Map.entry("deployment", "Deployment"),
          Map.entry("deployments", "Deployment"),
          Map.entry("deployment.apps", "Deployment"),
          Map.entry("deployments.apps", "Deployment"),
          Map.entry("sts", "StatefulSet"),
          Map.entry("statefulset", "StatefulSet"),
          Map.entry("statefulsets", "StatefulSet"),
          Map.entry("statefulset.apps", "StatefulSet"),
          Map.entry("statefulsets.apps", "StatefulSet"));

  /**
   * Reads {@code [ns/]name} or {@code [ns/]TYPE/NAME}: two parts are a workload when the first is
   * one of kubectl's names for a Deployment or StatefulSet, else a namespace and a pod.
   */
  static PodRef parse(String text) {
    String[] parts = text.split("/", -1);
    if (parts.length == 3 && KINDS.containsKey(parts[1])) {
      return new PodRef(parts[0], KINDS.get(parts[1]), parts[2]);
    }
    if (parts.length == 2 && KINDS.containsKey(parts[0])) {
      return new PodRef("default", KINDS.get(parts[0]), parts[1]);
    }
    if (parts.length == 2) {
      return new PodRef(parts[0], null, parts[1]);
    }
    return new PodRef("default", null, text);
  }

  /** Whether it names a workload rather than a pod. */
  boolean isWorkload() {
    return kind != null;
  }

  /**
   * The key the scenario keeps the pod or workload under: {@code name} in {@code default}, else
   * {@code ns/name}.
   */
  String key() {
    return namespace.equals("default") ? name : namespace + "/" + name;
  }

  /**
   * Whether {@code pod} can be the name a ReplicaSet of the Deployment {@code deployment} gives a
   * pod: its {@code generateName}, the Deployment's name, '-', a template hash and '-', cut to 58
   * characters, then five characters of the name alphabet.
   */
  static boolean isReplicaName(String pod, String deployment) {
    int base = pod.length() - 5;
    if (base < 0 || !REPLICA_RANDOM.matcher(pod.substring(base)).matches()) {
      return false;
    }
    String head = pod.substring(0, base);
    if (head.length() == 58 && (deployment + "-").startsWith(head)) {
      return true;
    }
    if (!head.startsWith(deployment + "-")) {
      return false;
    }
    String hash = head.substring(deployment.length() + 1);
    return head.length() == 58 && HASH_PREFIX.matcher(hash).matches()
        || REPLICA_HASH.matcher(hash).matches();
  }

  private static final Pattern REPLICA_RANDOM = Pattern.compile("[bcdfghjklmnpqrstvwxz2456789]{5}");
  private static final Pattern REPLICA_HASH = Pattern.compile("[4-9bcdf]{1,10}-");
  private static final Pattern HASH_PREFIX = Pattern.compile("[4-9bcdf]{0,10}-?");
}
