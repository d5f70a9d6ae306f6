/**
 * The Linux kernel model: hosts, network namespaces, devices, routing, neighbours, bridging and
 * forwarding.
 */
@NullMarked
package io.podnet.core.net;

import org.jspecify.annotations.NullMarked;
