/** JMH benchmarks of the engine, the kernel model and the dataplane. */
@NullMarked
package io.podnet.benchmarks;

import org.jspecify.annotations.NullMarked;
