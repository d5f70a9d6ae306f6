package io.podnet.examples.scenario;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Map;

/**
 * One validated step of a scenario: when it runs, its action, the action's arguments (pod, node,
 * command, from, to, ...), the manifests of an {@code apply} and the checks of an {@code expect}.
 */
record Step(
    long at,
    String action,
    Map<String, String> args,
    List<HasMetadata> manifests,
    List<Map<String, String>> expects) {}
