package io.podnet.cni.spec;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The CNI specification versions PodNet speaks, and the semantic-version order libcni uses to pick
 * one (CNI spec, section "Version considerations"; libcni {@code pkg/version}).
 */
public final class CniVersions {

  /** The versions a PodNet plugin accepts, in ascending order. */
  public static final List<String> SUPPORTED = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");

  /** The newest version, the one results are produced in unless a config asks otherwise. */
  public static final String LATEST = "1.1.0";

  /** {@link #SUPPORTED}, parsed once: a runtime compares them on every operation. */
  private static final List<int[]> SUPPORTED_PARTS =
      SUPPORTED.stream().map(CniVersions::parseParts).toList();

  private CniVersions() {}

  /** Returns whether {@code version} is one of {@link #SUPPORTED}. */
  public static boolean isSupported(String version) {
    return SUPPORTED.contains(version);
  }

  /**
   * Compares two versions numerically part by part ({@code 0.10.0 > 0.9.0}); a missing part counts
   * as 0 and the empty string means {@code 0.1.0}, as in libcni.
   *
   * @throws IllegalArgumentException if a version is not {@code major[.minor[.patch]]}
   */
  public static int compare(String a, String b) {
    int[] x = parse(a);
    int[] y = parse(b);
    for (int i = 0; i < 3; i++) {
      if (x[i] != y[i]) {
        return Integer.compare(x[i], y[i]);
      }
    }
    return 0;
  }

  /**
   * Returns the highest of {@code candidates} that is supported, the way a runtime resolves a
   * conflist's {@code cniVersions}.
   *
   * @throws IllegalArgumentException if none is supported, naming the candidates
   */
  public static String highestSupported(List<String> candidates) {
    @Nullable String best = null;
    for (String candidate : candidates) {
      if (isSupported(candidate) && (best == null || compare(candidate, best) > 0)) {
        best = candidate;
      }
    }
    if (best == null) {
      throw new IllegalArgumentException(
          "none of the CNI versions "
              + goList(candidates)
              + " is supported (supported: "
              + goList(SUPPORTED)
              + ")");
    }
    return best;
  }

  /** Returns {@code true} when {@code version} parses as {@code major[.minor[.patch]]}. */
  static boolean isWellFormed(String version) {
    try {
      parse(version);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Formats like Go's {@code %q} of a {@code []string}: {@code ["0.3.0" "0.3.1"]}. */
  static String goQuotedList(List<String> values) {
    List<String> quoted = new ArrayList<>();
    for (String v : values) {
      quoted.add('"' + v + '"');
    }
    return "[" + String.join(" ", quoted) + "]";
  }

  /** Formats like Go's {@code %v} of a {@code []string}: {@code [0.3.0 0.3.1]}. */
  static String goList(List<String> values) {
    return "[" + String.join(" ", values) + "]";
  }

  /** The version's three parts; a supported version's array is shared and must not be changed. */
  private static int[] parse(String version) {
    int known = SUPPORTED.indexOf(version);
    return known >= 0 ? SUPPORTED_PARTS.get(known) : parseParts(version);
  }

  private static int[] parseParts(String version) {
    if (version.isEmpty()) {
      return new int[] {0, 1, 0};
    }
    String[] parts = version.split("\\.", -1);
    if (parts.length > 3) {
      throw new IllegalArgumentException(
          "invalid CNI version \"" + version + "\": too many parts (expected major.minor.patch)");
    }
    int[] result = new int[3];
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (part.isEmpty() || part.length() > 9 || !part.chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException(
            "invalid CNI version \""
                + version
                + "\": part \""
                + part
                + "\" is not a number (expected major.minor.patch)");
      }
      result[i] = Integer.parseInt(part);
    }
    return result;
  }
}
