/**
 * The Kubernetes side: the {@link io.podnet.cni.cluster.Cluster} facade, nodes with podCIDRs, a
 * deterministic scheduler, the kubelet's pod lifecycle and events, and kubectl renderings.
 */
@NullMarked
package io.podnet.cni.cluster;

import org.jspecify.annotations.NullMarked;
