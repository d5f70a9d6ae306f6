/** JMH benchmarks of the kernel model's packet path. */
@NullMarked
package io.podnet.benchmarks.net;

import org.jspecify.annotations.NullMarked;
