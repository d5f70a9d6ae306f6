/** The simulation engine: one virtual clock in nanoseconds and a totally ordered event queue. */
@NullMarked
package io.podnet.core.engine;

import org.jspecify.annotations.NullMarked;
