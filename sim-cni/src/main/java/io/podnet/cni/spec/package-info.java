/** The CNI specification (1.1.0): conflists, plugin configs, results, errors and versions. */
@NullMarked
package io.podnet.cni.spec;

import org.jspecify.annotations.NullMarked;
