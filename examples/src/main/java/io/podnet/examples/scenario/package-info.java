/**
 * Scenario files: a cluster's life as YAML steps on the simulated clock, validated before the run
 * and replayed as a transcript of what the real tools would print.
 */
@NullMarked
package io.podnet.examples.scenario;

import org.jspecify.annotations.NullMarked;
