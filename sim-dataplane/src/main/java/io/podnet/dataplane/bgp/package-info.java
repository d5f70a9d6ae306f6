/**
 * BGP-4 (RFC 4271) for the simulated nodes, as Calico runs it with BIRD: one {@link
 * io.podnet.dataplane.bgp.BgpSpeaker} per node over real TCP port 179 streams, a full iBGP mesh or
 * route reflectors (RFC 4456), best routes installed into the node's routing table as {@code proto
 * bird}, everything on the simulated clock.
 */
@NullMarked
package io.podnet.dataplane.bgp;

import org.jspecify.annotations.NullMarked;
