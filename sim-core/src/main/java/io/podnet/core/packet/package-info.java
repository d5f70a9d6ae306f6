/**
 * Protocol headers that encode to and decode from real wire bytes: Ethernet, ARP, IPv4, ICMP, UDP
 * and TCP.
 */
@NullMarked
package io.podnet.core.packet;

import org.jspecify.annotations.NullMarked;
