/**
 * JMH benchmarks of Service load-balancing: first-packet lookups in the kube-proxy iptables layout
 * against the hash map with Maglev (with bare-map and bare-scan baselines), programming one more
 * Service by full restore against a map update, and {@link
 * io.podnet.benchmarks.service.LookupChart}, which draws the lookup results.
 */
@NullMarked
package io.podnet.benchmarks.service;

import org.jspecify.annotations.NullMarked;
