package io.podnet.cni.cluster;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A pod's toleration of node taints, as in {@code spec.tolerations}: a key (empty: every key), an
 * operator ({@code Exists} or {@code Equal}), a value, an effect (empty: every effect) and, for
 * {@code NoExecute}, how many seconds the pod stays on a node once the taint is there (none: for
 * ever). Validated as the API server validates it, with its messages for the operator, the effect
 * and the seconds (a bad key or value names what a label's must be):
 *
 * <pre>{@code
 * PodSpec.named("web-1").tolerate(Toleration.of("node.kubernetes.io/unreachable", "Exists", "",
 *     "NoExecute", 30L));
 * }</pre>
 */
public final class Toleration {

  /** The operator that tolerates any value of the key. */
  public static final String EXISTS = "Exists";

  /** The operator that tolerates one value of the key. */
  static final String EQUAL = "Equal";

  /** The effect that evicts running pods. */
  public static final String NO_EXECUTE = "NoExecute";

  /** The effect that keeps new pods off a node. */
  public static final String NO_SCHEDULE = "NoSchedule";

  private static final List<String> EFFECTS = List.of(NO_SCHEDULE, "PreferNoSchedule", NO_EXECUTE);

  private final String key;
  private final String operator;
  private final String value;
  private final String effect;
  private final @Nullable Long seconds;

  private Toleration(
      String key, String operator, String value, String effect, @Nullable Long seconds) {
    this.key = key;
    this.operator = operator;
    this.value = value;
    this.effect = effect;
    this.seconds = seconds;
  }

  /**
   * A toleration; an empty operator means {@code Equal} (and {@link #operator} says so). {@link
   * Invalid} starting with the field, as the API server words it after {@code spec.tolerations[i].}
   * (e.g. {@code effect: Invalid value: "NoSchedule": effect must be 'NoExecute' when
   * `tolerationSeconds` is set}) when the API server would refuse it.
   */
  public static Toleration of(
      String key, String operator, String value, String effect, @Nullable Long seconds) {
    String op = operator.isEmpty() ? EQUAL : operator;
    if (!key.isEmpty() && !PodSpec.isLabelKey(key)) {
      throw new Invalid(
          "key", "key: Invalid value: \"" + key + "\": expected " + PodSpec.LABEL_KEY_FORM);
    }
    if (key.isEmpty() && !op.equals(EXISTS)) {
      throw new Invalid(
          "operator",
          "operator: Invalid value: \""
              + operator
              + "\": operator must be Exists when `key` is empty, which means \"match all values"
              + " and all keys\"");
    }
    if (seconds != null && !effect.equals(NO_EXECUTE)) {
      throw new Invalid(
          "effect",
          "effect: Invalid value: \""
              + effect
              + "\": effect must be 'NoExecute' when `tolerationSeconds` is set");
    }
    if (op.equals(EQUAL) && !PodSpec.isLabelValue(value)) {
      throw new Invalid(
          "value",
          "operator: Invalid value: \"" + value + "\": expected " + PodSpec.LABEL_VALUE_FORM);
    }
    if (op.equals(EXISTS) && !value.isEmpty()) {
      throw new Invalid(
          "value",
          "operator: Invalid value: \""
              + value
              + "\": value must be empty when `operator` is 'Exists'");
    }
    if (!op.equals(EQUAL) && !op.equals(EXISTS)) {
      throw new Invalid(
          "operator",
          "operator: Unsupported value: \""
              + operator
              + "\": supported values: \"Equal\", \"Exists\"");
    }
    if (!effect.isEmpty() && !EFFECTS.contains(effect)) {
      throw new Invalid(
          "effect",
          "effect: Unsupported value: \""
              + effect
              + "\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"");
    }
    return new Toleration(key, op, value, effect, seconds);
  }

  /**
   * The toleration the DefaultTolerationSeconds admission plugin adds for {@code taintKey} to a pod
   * that has none for it: {@code Exists}, {@code NoExecute}, 300 s.
   */
  static Toleration defaultFor(String taintKey) {
    return new Toleration(taintKey, EXISTS, "", NO_EXECUTE, DEFAULT_SECONDS);
  }

  /**
   * The {@code tolerationSeconds} of the {@code not-ready} and {@code unreachable} tolerations the
   * DefaultTolerationSeconds admission plugin gives every pod.
   */
  static final long DEFAULT_SECONDS = 300;

  /** The taint key, empty for every key. */
  public String key() {
    return key;
  }

  /** {@code Exists} or {@code Equal}. */
  public String operator() {
    return operator;
  }

  /** The value an {@code Equal} toleration matches. */
  public String value() {
    return value;
  }

  /** The effect, empty for every effect. */
  public String effect() {
    return effect;
  }

  /** How long a {@code NoExecute} taint is tolerated; empty for ever. */
  public Optional<Long> tolerationSeconds() {
    return Optional.ofNullable(seconds);
  }

  /**
   * Whether this tolerates the taint {@code key:effect} (the lifecycle controller's have no value).
   */
  boolean tolerates(String taintKey, String taintEffect) {
    if (!effect.isEmpty() && !effect.equals(taintEffect)) {
      return false;
    }
    if (!key.isEmpty() && !key.equals(taintKey)) {
      return false;
    }
    return operator.equals(EXISTS) || value.isEmpty();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Toleration t
        && t.key.equals(key)
        && t.operator.equals(operator)
        && t.value.equals(value)
        && t.effect.equals(effect)
        && Objects.equals(t.seconds, seconds);
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, operator, value, effect, seconds);
  }

  /**
   * As {@code kubectl describe pod} lists it: {@code key[=value][:effect][ op=Exists][ for Ns]},
   * e.g. {@code node.kubernetes.io/not-ready:NoExecute op=Exists for 300s}.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(key);
    if (!value.isEmpty()) {
      sb.append('=').append(value);
    }
    if (!effect.isEmpty()) {
      sb.append(':').append(effect);
    }
    if (operator.equals(EXISTS) && value.isEmpty()) {
      sb.append(key.isEmpty() && effect.isEmpty() ? "op=Exists" : " op=Exists");
    }
    if (seconds != null) {
      sb.append(" for ").append(seconds).append('s');
    }
    return sb.toString();
  }

  /**
   * A toleration the API server would refuse: its message in the API server's words, and the field
   * that holds the bad input (the API server names {@code operator} for a bad {@code value}).
   */
  public static final class Invalid extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;

    Invalid(String field, String message) {
      super(message);
      this.field = field;
    }

    /** {@code key}, {@code operator}, {@code value} or {@code effect}. */
    public String field() {
      return field;
    }
  }
}
