/**
 * The CNI side of PodNet: the spec, the runtime, IPAM, plugins, the cluster facade and the contract
 * checker.
 */
@NullMarked
package io.podnet.cni;

import org.jspecify.annotations.NullMarked;
