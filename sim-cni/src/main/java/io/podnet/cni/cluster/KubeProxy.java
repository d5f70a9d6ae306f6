package io.podnet.cni.cluster;

import io.podnet.dataplane.netfilter.Netfilter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * kube-proxy in iptables mode on one node: it installs netfilter in the node's root namespace,
 * ensures the jumps from the built-in chains into its own ({@code -A PREROUTING -m comment
 * --comment "kubernetes service portals" -j KUBE-SERVICES} and the rest), and on every sync writes
 * the KUBE-* layout with {@code iptables-restore --noflush}, as kube-proxy does: all of it, or
 * since Kubernetes 1.28 (KEP-3453) only {@code KUBE-SERVICES} and the chains of the Services that
 * changed.
 */
final class KubeProxy {

  private static final String BASE_RULES =
      """
      *filter
      :KUBE-SERVICES - [0:0]
      :KUBE-FORWARD - [0:0]
      :KUBE-FIREWALL - [0:0]
      :KUBE-EXTERNAL-SERVICES - [0:0]
      :KUBE-NODEPORTS - [0:0]
      :KUBE-PROXY-FIREWALL - [0:0]
      -A INPUT -m comment --comment "kubernetes externally-visible service portals" -m conntrack --ctstate NEW -j KUBE-EXTERNAL-SERVICES
      -A INPUT -j KUBE-FIREWALL
      -A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
      -A FORWARD -m comment --comment "kubernetes service portals" -m conntrack --ctstate NEW -j KUBE-SERVICES
      -A OUTPUT -m comment --comment "kubernetes service portals" -m conntrack --ctstate NEW -j KUBE-SERVICES
      -A OUTPUT -j KUBE-FIREWALL
      COMMIT
      *nat
      :KUBE-SERVICES - [0:0]
      :KUBE-POSTROUTING - [0:0]
      -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
      -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
      -A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
      COMMIT
      """;

  /** Prefixes of the chains kube-proxy writes per Service port or endpoint. */
  private static final List<String> PER_SERVICE =
      List.of("KUBE-SVC-", "KUBE-SVL-", "KUBE-EXT-", "KUBE-FW-", "KUBE-SEP-");

  private final Netfilter netfilter;
  private final Node node;
  private int syncs;

  KubeProxy(Node node, boolean baseRules) {
    this.node = node;
    this.netfilter = Netfilter.install(node.host().root());
    if (baseRules) {
      netfilter.restoreNoflush(BASE_RULES, "kube-proxy");
    }
  }

  /** The node's netfilter, for inspection ({@code iptables-save}, counters, conntrack). */
  Netfilter netfilter() {
    return netfilter;
  }

  /**
   * The restore input of one sync from {@code from} (what the node holds) towards {@code target}:
   * in full, or (KEP-3453) with only the {@code changed} Services' own chains besides the fixed
   * ones and {@code KUBE-SERVICES}; either way followed by {@code -X} for the per-Service chains of
   * {@code from} that {@code target} no longer has, as kube-proxy deletes them. Worked out once for
   * all nodes making the same sync (see {@link ServiceSnapshot#plan}).
   */
  ServiceSnapshot.Plan plan(
      ServiceSnapshot from,
      ServiceSnapshot target,
      List<ServiceSnapshot.Entry> changed,
      boolean full) {
    return target.plan(
        from,
        full,
        node,
        () -> {
          String text = target.restoreText(node);
          if (!full) {
            Set<String> keep = new HashSet<>();
            target.chainsOf(changed, node).values().forEach(keep::addAll);
            text = withoutChainsBut(text, keep);
          }
          Map<String, List<String>> declared = target.chains(node);
          StringBuilder stale = new StringBuilder();
          from.chains(node)
              .forEach(
                  (table, chains) -> {
                    Set<String> now = new HashSet<>(declared.getOrDefault(table, List.of()));
                    List<String> gone =
                        chains.stream()
                            .filter(c -> !now.contains(c))
                            .filter(KubeProxy::perService)
                            .toList();
                    if (!gone.isEmpty()) {
                      stale.append('*').append(table).append('\n');
                      gone.forEach(c -> stale.append(':').append(c).append(" - [0:0]\n"));
                      gone.forEach(c -> stale.append("-X ").append(c).append('\n'));
                      stale.append("COMMIT\n");
                    }
                  });
          String all = text + stale;
          return new ServiceSnapshot.Plan(all, all.lines().count());
        });
  }

  /** Applies a planned sync with {@code iptables-restore --noflush}. */
  void apply(ServiceSnapshot.Plan plan) {
    netfilter.restoreNoflush(plan.text(), "kube-proxy sync " + ++syncs);
  }

  private static boolean perService(String chain) {
    for (String prefix : PER_SERVICE) {
      if (chain.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** {@code text} without the declarations and rules of per-Service chains not in {@code keep}. */
  private static String withoutChainsBut(String text, Set<String> keep) {
    StringBuilder out = new StringBuilder(text.length() / 4);
    int from = 0;
    while (from < text.length()) {
      int end = text.indexOf('\n', from);
      end = end < 0 ? text.length() : end + 1;
      String chain = chainOf(text, from, end);
      if (chain == null || !perService(chain) || keep.contains(chain)) {
        out.append(text, from, end);
      }
      from = end;
    }
    return out.toString();
  }

  /** The chain a {@code :CHAIN} or {@code -A CHAIN} line at [from, end) names, else null. */
  private static @Nullable String chainOf(String text, int from, int end) {
    int start;
    if (text.startsWith(":", from)) {
      start = from + 1;
    } else if (text.startsWith("-A ", from)) {
      start = from + 3;
    } else {
      return null;
    }
    int space = text.indexOf(' ', start);
    return text.substring(start, space < 0 || space > end ? end : space).strip();
  }

  /** The chains a restore text declares ({@code :NAME - [0:0]}), by table. */
  static Map<String, List<String>> declaredChains(String text) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    String table = "";
    for (String line : text.split("\n")) {
      if (line.startsWith("*")) {
        table = line.substring(1).strip();
      } else if (line.startsWith(":")) {
        String chain = line.substring(1, line.indexOf(' '));
        out.computeIfAbsent(table, t -> new ArrayList<>()).add(chain);
      }
    }
    return out;
  }
}
