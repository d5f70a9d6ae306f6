package io.podnet.cni.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A label selector as {@code kubectl get -l} takes it: requirements separated by commas, all of
 * which a pod's labels must meet, each {@code key=value} (or {@code key==value}), {@code
 * key!=value} (also met when the key is missing), {@code key} (the key is present) or {@code !key}
 * (it is not). Set-based requirements ({@code in}, {@code notin}) are not supported. Immutable.
 */
public final class LabelSelector {

  /** The empty selector, which every pod meets. */
  public static final LabelSelector EVERYTHING = new LabelSelector("", List.of());

  private static final String FORM =
      "expected key=value, key==value, key!=value, key or !key, separated by commas";

  /** How a requirement tests its key. */
  private enum Op {
    EQUALS,
    NOT_EQUALS,
    EXISTS,
    ABSENT
  }

  /** One requirement: the key, how it is tested, and the value for the two comparisons. */
  private record Requirement(String key, Op op, String value) {
    boolean matches(Map<String, String> labels) {
      String v = labels.get(key);
      return switch (op) {
        case EQUALS -> value.equals(v);
        case NOT_EQUALS -> !value.equals(v);
        case EXISTS -> v != null;
        case ABSENT -> v == null;
      };
    }
  }

  private final String text;
  private final List<Requirement> requirements;

  private LabelSelector(String text, List<Requirement> requirements) {
    this.text = text;
    this.requirements = requirements;
  }

  /**
   * Parses {@code text} ({@link #EVERYTHING} for a blank one, as {@code -l ""} selects every pod);
   * {@link IllegalArgumentException} naming the requirement that is not one of the supported forms,
   * or whose key or value is not a valid label key or value.
   */
  public static LabelSelector parse(String text) {
    Objects.requireNonNull(text, "text");
    if (text.isBlank()) {
      return EVERYTHING;
    }
    List<Requirement> requirements = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      requirements.add(requirement(text, part.trim()));
    }
    return new LabelSelector(text, List.copyOf(requirements));
  }

  private static Requirement requirement(String text, String part) {
    String key;
    Op op;
    String value = "";
    int eq = part.indexOf('=');
    if (part.startsWith("!")) {
      key = part.substring(1).trim();
      op = Op.ABSENT;
    } else if (eq < 0) {
      key = part;
      op = Op.EXISTS;
    } else if (eq > 0 && part.charAt(eq - 1) == '!') {
      key = part.substring(0, eq - 1).trim();
      op = Op.NOT_EQUALS;
      value = part.substring(eq + 1).trim();
    } else {
      key = part.substring(0, eq).trim();
      op = Op.EQUALS;
      value = part.substring(part.startsWith("=", eq + 1) ? eq + 2 : eq + 1).trim();
    }
    if (!PodSpec.isLabelKey(key) || !PodSpec.isLabelValue(value)) {
      throw new IllegalArgumentException(
          "invalid label selector \"" + text + "\" at \"" + part + "\" (" + FORM + ")");
    }
    return new Requirement(key, op, value);
  }

  /** Whether {@code labels} meet every requirement. */
  public boolean matches(Map<String, String> labels) {
    for (Requirement r : requirements) {
      if (!r.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /** The selector as it was written. */
  @Override
  public String toString() {
    return text;
  }
}
