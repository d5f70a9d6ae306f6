package io.podnet.cni.cluster;

import io.podnet.core.addr.Cidr;
import io.podnet.dataplane.netfilter.Netfilter;
import io.podnet.dataplane.service.Endpoint;
import io.podnet.dataplane.service.KubeProxyIptables;
import io.podnet.dataplane.service.Service;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * kube-proxy in iptables mode on one node: it installs netfilter in the node's root namespace,
 * ensures the jumps from the built-in chains into its own ({@code -A PREROUTING -m comment
 * --comment "kubernetes service portals" -j KUBE-SERVICES} and the rest), and on every sync writes
 * the whole KUBE-* layout with {@code iptables-restore --noflush}, as kube-proxy does.
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

  private final Netfilter netfilter;
  private final Node node;
  private int syncs;
  private Map<String, List<String>> previous = Map.of();

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

  /** The restore input for these Services and endpoints. */
  String render(List<Service> services, Map<Service, List<Endpoint>> endpoints, Cidr clusterCidr) {
    return KubeProxyIptables.render(
        services, endpoints, clusterCidr, false, node.name(), node.internalIp());
  }

  /**
   * Applies a rendered sync with {@code iptables-restore --noflush}, then deletes the per-Service
   * chains (SVC, SVL, EXT, FW, SEP) of the previous sync that this one no longer declares, as
   * kube-proxy does with {@code -X}.
   */
  void apply(String text) {
    Map<String, List<String>> declared = declaredChains(text);
    StringBuilder stale = new StringBuilder();
    previous.forEach(
        (table, chains) -> {
          List<String> now = declared.getOrDefault(table, List.of());
          List<String> gone =
              chains.stream()
                  .filter(c -> !now.contains(c))
                  .filter(
                      c ->
                          c.startsWith("KUBE-SVC-")
                              || c.startsWith("KUBE-SVL-")
                              || c.startsWith("KUBE-SEP-")
                              || c.startsWith("KUBE-EXT-")
                              || c.startsWith("KUBE-FW-"))
                  .toList();
          if (!gone.isEmpty()) {
            stale.append('*').append(table).append('\n');
            gone.forEach(c -> stale.append(':').append(c).append(" - [0:0]\n"));
            gone.forEach(c -> stale.append("-X ").append(c).append('\n'));
            stale.append("COMMIT\n");
          }
        });
    netfilter.restoreNoflush(text + stale, "kube-proxy sync " + ++syncs);
    previous = declared;
  }

  /** The chains a restore text declares ({@code :NAME - [0:0]}), by table. */
  private static Map<String, List<String>> declaredChains(String text) {
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
