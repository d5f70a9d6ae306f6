/**
 * The calico-like strategy: calico-ipam with per-node /26 blocks from an IP pool, the {@code
 * calico} CNI plugin (/32 pod addresses, {@code cali} host veths answering 169.254.1.1 by proxy
 * ARP, a host route per pod), and calico-node, which joins the nodes' blocks.
 */
@NullMarked
package io.podnet.cni.calico;

import org.jspecify.annotations.NullMarked;
