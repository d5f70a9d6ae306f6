package io.podnet.cni.cluster;

import io.podnet.core.addr.Cidr;
import io.podnet.dataplane.netfilter.Netfilter;
import io.podnet.dataplane.service.KubeProxyIptables;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * kube-proxy in iptables mode on one node: it installs netfilter in the node's root namespace,
 * ensures the jumps from the built-in chains into its own ({@code -A PREROUTING -m comment
 * --comment "kubernetes service portals" -j KUBE-SERVICES} and the rest), and on every sync writes
 * the KUBE-* layout with {@code iptables-restore --noflush}, as kube-proxy does: all of it, or
 * since Kubernetes 1.28 (KEP-3453) only {@code KUBE-SERVICES} and the chains of the Services that
 * changed.
 */
final class KubeProxy {

  /**
   * What kube-proxy sets up around the synced rules once the kubelet's are there: its canaries,
   * then each of {@code iptablesJumpChains} ensured in order with {@code iptables -I}, so the last
   * one comes first in its chain and the kubelet's {@code KUBE-FIREWALL} jump ends up last.
   */
  static final String KUBE_PROXY_RULES =
      """
      *mangle
      :KUBE-PROXY-CANARY - [0:0]
      COMMIT
      *nat
      :KUBE-PROXY-CANARY - [0:0]
      COMMIT
      *filter
      :KUBE-PROXY-CANARY - [0:0]
      :KUBE-EXTERNAL-SERVICES - [0:0]
      :KUBE-NODEPORTS - [0:0]
      :KUBE-SERVICES - [0:0]
      :KUBE-FORWARD - [0:0]
      :KUBE-PROXY-FIREWALL - [0:0]
      -I INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
      -I FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
      -I INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
      -I FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
      -I OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
      -I FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
      -I INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
      -I OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
      -I FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
      COMMIT
      *nat
      :KUBE-SERVICES - [0:0]
      :KUBE-POSTROUTING - [0:0]
      -I OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
      -I PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
      -I POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
      COMMIT
      """;

  private final Netfilter netfilter;
  private final Node node;
  private int syncs;

  /**
   * Installs netfilter on {@code node} with the kubelet's rules, and kube-proxy's own when it runs
   * in iptables mode ({@code iptablesMode}; else the node's Services go through a service map).
   */
  KubeProxy(Node node, boolean iptablesMode) {
    this.node = node;
    this.netfilter = Netfilter.install(node.host().root());
    netfilter.restoreNoflush(
        iptablesMode ? KUBELET_THEN_KUBE_PROXY : Kubelet.IPTABLES_RULES, "kubelet, kube-proxy");
  }

  /**
   * The kubelet's rules, then kube-proxy's, merged into one section per table (each table's lines
   * in that order): what the two restores leave, restored and compiled once per table on each of
   * thousands of nodes.
   */
  static final String KUBELET_THEN_KUBE_PROXY = perTable(Kubelet.IPTABLES_RULES + KUBE_PROXY_RULES);

  /**
   * {@code restore} (sections of {@code *table} ... {@code COMMIT}) with each table's lines joined
   * into one section, in the order the tables first appear.
   */
  static String perTable(String restore) {
    Map<String, StringBuilder> tables = new LinkedHashMap<>();
    StringBuilder table = null;
    for (String line : restore.split("\n")) {
      if (line.startsWith("*")) {
        table = tables.computeIfAbsent(line, t -> new StringBuilder());
      } else if (!line.equals("COMMIT") && table != null) {
        table.append(line).append('\n');
      }
    }
    StringBuilder out = new StringBuilder();
    tables.forEach((name, lines) -> out.append(name).append('\n').append(lines).append("COMMIT\n"));
    return out.toString();
  }

  /** The node's netfilter, for inspection ({@code iptables-save}, counters, conntrack). */
  Netfilter netfilter() {
    return netfilter;
  }

  /**
   * The restore input of one sync from {@code from} (what the node holds) towards {@code target}:
   * in full, or (KEP-3453) with only the {@code changed} Services' own chains besides the fixed
   * ones and {@code KUBE-SERVICES}; either way followed by {@code -X} for the per-Service chains of
   * {@code from} that {@code target} no longer has, as kube-proxy deletes them. Only the Services
   * that changed are rendered again (see {@link ServiceSnapshot.Entry}); the plan is worked out
   * once for all nodes making the same sync (see {@link ServiceSnapshot#plan}).
   */
  ServiceSnapshot.Plan plan(
      ServiceSnapshot from, ServiceSnapshot target, ServiceSnapshot.Step step, boolean full) {
    return target.plan(
        from,
        full,
        node,
        () -> {
          Cidr cidr = target.clusterCidr();
          boolean comments = target.writesComments();
          Set<ServiceSnapshot.Entry> changed = Collections.newSetFromMap(new IdentityHashMap<>());
          changed.addAll(step.changed());
          List<KubeProxyIptables.ServiceRules> all = new ArrayList<>(target.entries().size());
          List<KubeProxyIptables.ServiceRules> written = new ArrayList<>();
          for (ServiceSnapshot.Entry e : target.entries().values()) {
            KubeProxyIptables.ServiceRules rules = e.rules(cidr, comments, node);
            all.add(rules);
            if (full || changed.contains(e)) {
              written.add(rules);
            }
          }
          TreeSet<String> gone = new TreeSet<>();
          for (ServiceSnapshot.Entry e : step.changed()) {
            ServiceSnapshot.Entry old = from.entries().get(e.service().namespacedName());
            if (old != null) {
              gone.addAll(old.chains(cidr, node));
              gone.removeAll(e.chains(cidr, node));
            }
          }
          for (String key : step.removed()) {
            gone.addAll(from.entries().get(key).chains(cidr, node));
          }
          String text = KubeProxyIptables.restore(all, written, true);
          if (!gone.isEmpty()) {
            StringBuilder stale = new StringBuilder("*nat\n");
            gone.forEach(c -> stale.append(':').append(c).append(" - [0:0]\n"));
            gone.forEach(c -> stale.append("-X ").append(c).append('\n'));
            text += stale.append("COMMIT\n");
          }
          long lines = 0;
          for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
            lines++;
          }
          return new ServiceSnapshot.Plan(text, lines);
        });
  }

  /** Applies a planned sync with {@code iptables-restore --noflush}. */
  void apply(ServiceSnapshot.Plan plan) {
    netfilter.restoreNoflush(plan.text(), "kube-proxy sync " + ++syncs);
  }
}
