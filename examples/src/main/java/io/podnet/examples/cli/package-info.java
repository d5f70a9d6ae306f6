/** The {@code podnet} command-line program. */
@NullMarked
package io.podnet.examples.cli;

import org.jspecify.annotations.NullMarked;
