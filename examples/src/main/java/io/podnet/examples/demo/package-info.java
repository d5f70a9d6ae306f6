/** The {@code podnet demo} scenario: two nodes built by hand with the kernel model. */
@NullMarked
package io.podnet.examples.demo;

import org.jspecify.annotations.NullMarked;
