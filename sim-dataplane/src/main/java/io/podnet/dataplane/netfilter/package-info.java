/**
 * Netfilter for the kernel model: tables ({@link io.podnet.dataplane.netfilter.Table}), chains and
 * rules with the matches and targets kube-proxy, CNI plugins and Docker use, evaluated in order
 * like the kernel's {@code ip_tables} at the hook points of a namespace, connection tracking with
 * NAT ({@link io.podnet.dataplane.netfilter.Conntrack}), and the {@code iptables-save} text format
 * both ways ({@link io.podnet.dataplane.netfilter.IptablesSave}).
 *
 * <pre>{@code
 * Netfilter nf = Netfilter.install(node);
 * nf.restore(text, "rules.v4");          // iptables-restore: all or nothing
 * node.ping(...);                       // packets traverse raw, mangle, nat, filter
 * nf.save();                            // iptables-save
 * nf.conntrack().list();                // conntrack -L
 * }</pre>
 */
@NullMarked
package io.podnet.dataplane.netfilter;

import org.jspecify.annotations.NullMarked;
