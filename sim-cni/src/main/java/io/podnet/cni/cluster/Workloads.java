package io.podnet.cni.cluster;

import java.util.random.RandomGenerator;

/**
 * What the workload controllers share: names made as the API server and the controllers make them
 * (Kubernetes' alphabet of consonants and digits, {@code bcdfghjklmnpqrstvwxz2456789}), and the
 * checks of a new workload.
 */
final class Workloads {

  private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

  /** The longest {@code generateName} base the API server keeps: 63 less the 5 it adds. */
  static final int MAX_GENERATED_BASE = 58;

  private Workloads() {}

  /**
   * A template hash as the Deployment and StatefulSet controllers print one: a 32-bit hash (here
   * drawn from {@code stream}, where Kubernetes hashes the template, with FNV-1a for a Deployment's
   * and FNV-1 for a StatefulSet's revision) in decimal, each digit mapped onto the name alphabet as
   * {@code rand.SafeEncodeString} does, so only {@code 4-9bcdf} appear ({@code 7c9f5b6d8b}).
   */
  static String templateHash(RandomGenerator stream) {
    String decimal = Long.toString(stream.nextInt() & 0xFFFFFFFFL);
    StringBuilder sb = new StringBuilder(decimal.length());
    for (int i = 0; i < decimal.length(); i++) {
      sb.append(ALPHANUMS.charAt(decimal.charAt(i) % ALPHANUMS.length()));
    }
    return sb.toString();
  }

  /**
   * The key of a new pod of {@code namespace} whose {@code generateName} is {@code base} ({@code
   * web-7c9f5b6d8b-}): the base, cut to {@value #MAX_GENERATED_BASE} characters as the API server's
   * name generator cuts it, and five random characters of the name alphabet from {@code stream},
   * drawn again while {@code cluster} has a pod of that name.
   */
  static String generatedKey(
      Cluster cluster, String namespace, String base, RandomGenerator stream) {
    String prefix =
        namespace
            + "/"
            + (base.length() > MAX_GENERATED_BASE ? base.substring(0, MAX_GENERATED_BASE) : base);
    String key;
    do {
      key = prefix + random(stream, 5);
    } while (cluster.pod(key).isPresent());
    return key;
  }

  /** {@code length} characters of Kubernetes' name alphabet drawn from {@code stream}. */
  private static String random(RandomGenerator stream, int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(ALPHANUMS.charAt(stream.nextInt(ALPHANUMS.length())));
    }
    return sb.toString();
  }

  /**
   * {@link IllegalArgumentException} for a new {@code kind} ({@code deployment}) {@code
   * namespace/name} whose name is {@code taken}, with negative {@code replicas}, whose {@code
   * template} has no label to select its pods by, or is pinned to a node {@code cluster} does not
   * have; checked before anything is made, so a refused workload leaves nothing behind.
   */
  static void checkNew(
      Cluster cluster,
      String kind,
      String namespace,
      String name,
      boolean taken,
      int replicas,
      PodSpec template) {
    if (taken) {
      throw new IllegalArgumentException(
          kind + " \"" + namespace + "/" + name + "\" already exists");
    }
    if (replicas < 0) {
      throw new IllegalArgumentException("replicas must be >= 0: " + replicas);
    }
    if (template.labels().isEmpty()) {
      throw new IllegalArgumentException(
          kind + " \"" + namespace + "/" + name + "\" needs labels (expected at least one)");
    }
    template.nodeName().ifPresent(cluster::node);
  }
}
