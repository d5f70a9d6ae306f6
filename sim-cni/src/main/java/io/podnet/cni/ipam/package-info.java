/**
 * IPAM plugins: {@code host-local}, which hands out addresses from ranges kept on the node's disk.
 */
@NullMarked
package io.podnet.cni.ipam;

import org.jspecify.annotations.NullMarked;
