/** Structured trace records, their canonical text, run digests and packet captures. */
@NullMarked
package io.podnet.core.trace;

import org.jspecify.annotations.NullMarked;
