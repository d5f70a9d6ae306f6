package io.podnet.cni.contract;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The outcome of a contract check: every violation found, in rule order, and what was checked.
 *
 * @param violations every violation, rule 1 first
 * @param podsChecked how many running pods were checked
 * @param pairsChecked how many ordered pod pairs rule 2 covered
 * @param datagramsSent how many datagrams rule 2 sent to cover them: one per pair pair by pair, far
 *     fewer by classes
 */
public record ContractReport(
    List<Violation> violations, int podsChecked, int pairsChecked, int datagramsSent) {

  /** Copies the list. */
  public ContractReport {
    violations = List.copyOf(violations);
  }

  /** Whether no rule is broken. */
  public boolean holds() {
    return violations.isEmpty();
  }

  /** The rules broken, in order. */
  public Set<Rule> brokenRules() {
    Set<Rule> rules = EnumSet.noneOf(Rule.class);
    violations.forEach(v -> rules.add(v.rule()));
    return rules;
  }

  /** The violations of one rule. */
  public List<Violation> of(Rule rule) {
    return violations.stream().filter(v -> v.rule() == rule).toList();
  }

  /** One line per violation, or a line saying the contract holds. */
  public String render() {
    if (holds()) {
      return "CNI contract holds (" + podsChecked + " pods, " + pairsChecked + " pod pairs)\n";
    }
    StringBuilder sb = new StringBuilder();
    sb.append("CNI contract violated: ").append(violations.size()).append(" violation(s)\n");
    for (Violation v : violations) {
      sb.append("  ").append(v).append('\n');
    }
    return sb.toString();
  }
}
