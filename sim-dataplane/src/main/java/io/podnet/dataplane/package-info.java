/**
 * Dataplane mechanisms that plug into the kernel model: overlays, BGP, netfilter and service
 * load-balancing.
 */
@NullMarked
package io.podnet.dataplane;

import org.jspecify.annotations.NullMarked;
