/**
 * What libcni and the container runtime do on a node: find the network configuration, find each
 * plugin in the plugin path, run ADD, DEL, CHECK, STATUS, VERSION and GC with the spec's chaining
 * rules, cache results, and wrap errors with the real texts.
 */
@NullMarked
package io.podnet.cni.runtime;

import org.jspecify.annotations.NullMarked;
