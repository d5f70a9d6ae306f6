package io.podnet.cni.contract;

/**
 * One broken promise: which rule, about what (a pod, a pair of pods, a node), and what was found.
 *
 * @param rule the rule broken
 * @param subject what it is about, such as {@code default/web-1} or {@code default/web-1 ->
 *     default/web-2}
 * @param message what was found, readable on its own
 */
public record Violation(Rule rule, String subject, String message) {

  @Override
  public String toString() {
    return rule.id() + " (" + rule.text() + "): " + subject + ": " + message;
  }
}
