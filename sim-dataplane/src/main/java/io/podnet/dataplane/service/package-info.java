/**
 * Service load-balancing: the Kubernetes Service model ({@link
 * io.podnet.dataplane.service.Service}, {@link io.podnet.dataplane.service.ServicePort}, {@link
 * io.podnet.dataplane.service.Endpoint}), the rules kube-proxy writes in iptables mode ({@link
 * io.podnet.dataplane.service.KubeProxyIptables}, chain names from {@link
 * io.podnet.dataplane.service.KubeProxyChains}), and one {@link
 * io.podnet.dataplane.service.ServiceLookup} interface with two families behind it: the kube-proxy
 * layout walked rule by rule like the kernel ({@link
 * io.podnet.dataplane.service.IptablesServiceLookup}, linear in the number of Services) and an
 * eBPF-style hash map with Maglev backend selection ({@link
 * io.podnet.dataplane.service.HashMapServiceLookup}, constant). Both count the work each lookup
 * does, so the difference shows in traces and tests, not only in benchmarks; {@link
 * io.podnet.dataplane.service.RuleProgrammingCost} prices the control-plane side (programming the
 * rules).
 */
@NullMarked
package io.podnet.dataplane.service;

import org.jspecify.annotations.NullMarked;
