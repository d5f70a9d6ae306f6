/** JMH benchmarks of the simulation engine: the event queue under the classic hold model. */
@NullMarked
package io.podnet.benchmarks.engine;

import org.jspecify.annotations.NullMarked;
