/**
 * Overlay devices that plug into the kernel model: {@link io.podnet.dataplane.overlay.VxlanDevice}
 * (RFC 7348), {@link io.podnet.dataplane.overlay.GeneveDevice} (RFC 8926) and {@link
 * io.podnet.dataplane.overlay.IpipTunnel} (RFC 2003). Each wraps the frames routed to it in real
 * outer headers, sends them through its namespace's routing like the kernel's tunnel drivers, and
 * takes the outer headers off what arrives on its UDP port or IP protocol.
 */
@NullMarked
package io.podnet.dataplane.overlay;

import org.jspecify.annotations.NullMarked;
