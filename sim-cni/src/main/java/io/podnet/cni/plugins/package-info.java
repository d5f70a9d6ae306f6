/**
 * The reference plugins PodNet models ({@code loopback}, {@code bridge}, {@code ptp}, {@code
 * portmap}) and the standard registry that also holds {@code host-local}.
 */
@NullMarked
package io.podnet.cni.plugins;

import org.jspecify.annotations.NullMarked;
