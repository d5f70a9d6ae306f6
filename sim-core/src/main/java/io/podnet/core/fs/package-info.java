/** A small in-memory file system per host, for state that real tools keep on disk. */
@NullMarked
package io.podnet.core.fs;

import org.jspecify.annotations.NullMarked;
