/**
 * The cilium-like strategy: the cilium agent (cluster-pool IPAM, {@code cilium_host}/{@code
 * cilium_net}, a VXLAN or Geneve tunnel or native routes) and the {@code cilium-cni} plugin ({@code
 * lxc} host veths, /32 pod addresses routed through the node's router IP).
 */
@NullMarked
package io.podnet.cni.cilium;

import org.jspecify.annotations.NullMarked;
