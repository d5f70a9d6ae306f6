package io.podnet.examples.scenario;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a Deployment's or StatefulSet's manifest says of its pods, read alike for both.
 *
 * @param replicas {@code spec.replicas}, 1 when not given
 * @param matchLabels {@code spec.selector.matchLabels}, empty when not given
 * @param template {@code spec.template}, null when not given
 */
record WorkloadSpec(
    int replicas, Map<String, String> matchLabels, @Nullable PodTemplateSpec template) {

  /** Reads a Deployment or a StatefulSet. */
  static WorkloadSpec of(HasMetadata workload) {
    Integer replicas;
    io.fabric8.kubernetes.api.model.LabelSelector selector;
    PodTemplateSpec template;
    if (workload instanceof Deployment d) {
      replicas = d.getSpec() == null ? null : d.getSpec().getReplicas();
      selector = d.getSpec() == null ? null : d.getSpec().getSelector();
      template = d.getSpec() == null ? null : d.getSpec().getTemplate();
    } else {
      StatefulSet s = (StatefulSet) workload;
      replicas = s.getSpec() == null ? null : s.getSpec().getReplicas();
      selector = s.getSpec() == null ? null : s.getSpec().getSelector();
      template = s.getSpec() == null ? null : s.getSpec().getTemplate();
    }
    return new WorkloadSpec(
        replicas == null ? 1 : replicas,
        selector == null || selector.getMatchLabels() == null
            ? Map.of()
            : Map.copyOf(selector.getMatchLabels()),
        template);
  }

  /** The template's labels; empty when it has none. */
  Map<String, String> templateLabels() {
    return template == null
            || template.getMetadata() == null
            || template.getMetadata().getLabels() == null
        ? Map.of()
        : template.getMetadata().getLabels();
  }

  /** The template's pod spec; null when there is none. */
  io.fabric8.kubernetes.api.model.@Nullable PodSpec podSpec() {
    return template == null ? null : template.getSpec();
  }
}
