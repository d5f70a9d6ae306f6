/** JMH benchmarks of BGP convergence at scale. */
@NullMarked
package io.podnet.benchmarks.bgp;

import org.jspecify.annotations.NullMarked;
