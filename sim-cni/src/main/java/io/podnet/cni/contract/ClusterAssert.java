package io.podnet.cni.contract;

import io.podnet.cni.cluster.Cluster;
import java.util.Set;
import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions on a {@link Cluster}:
 *
 * <pre>{@code
 * import static io.podnet.cni.contract.ClusterAssert.assertThat;
 *
 * assertThat(cluster).satisfiesCniContract();
 * }</pre>
 *
 * A failure lists every violation, one per line, with its rule.
 */
public final class ClusterAssert extends AbstractAssert<ClusterAssert, Cluster> {

  private ClusterAssert(Cluster actual) {
    super(actual, ClusterAssert.class);
  }

  /** Starts an assertion on a cluster. */
  public static ClusterAssert assertThat(Cluster actual) {
    return new ClusterAssert(actual);
  }

  /** Verifies that every rule of the CNI contract holds. */
  public ClusterAssert satisfiesCniContract() {
    isNotNull();
    ContractReport report = ContractChecker.check(actual);
    if (!report.holds()) {
      failWithMessage(
          "Expected the cluster to satisfy the CNI contract, but:%n%s", report.render());
    }
    return this;
  }

  /** Verifies that the contract is broken, and only on {@code rule}. */
  public ClusterAssert violatesOnly(Rule rule) {
    isNotNull();
    ContractReport report = ContractChecker.check(actual);
    if (!report.brokenRules().equals(Set.of(rule))) {
      failWithMessage(
          "Expected the cluster to break exactly %s (%s), but it broke %s:%n%s",
          rule.id(), rule.text(), report.brokenRules(), report.render());
    }
    return this;
  }
}
