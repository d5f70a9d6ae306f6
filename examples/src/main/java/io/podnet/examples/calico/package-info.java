/** Runnable examples of the calico-like strategy. */
@NullMarked
package io.podnet.examples.calico;

import org.jspecify.annotations.NullMarked;
