/** JMH benchmarks of whole clusters at the Kubernetes thresholds. */
@NullMarked
package io.podnet.benchmarks.cluster;

import org.jspecify.annotations.NullMarked;
