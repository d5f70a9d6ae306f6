package io.podnet.dataplane.service;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * Renders the {@code iptables-restore} input kube-proxy (iptables mode, Kubernetes 1.28 and later)
 * writes on one node for a set of Services: a {@code *filter} and a {@code *nat} table, each ending
 * in {@code COMMIT}. It covers ClusterIPs, NodePorts, external IPs, LoadBalancer IPs with source
 * ranges ({@code KUBE-FW-}), {@code externalTrafficPolicy: Local} ({@code KUBE-EXT-} to {@code
 * KUBE-SVL-}, the node's own endpoints, and the {@code "has no local endpoints"} DROPs) and
 * ClientIP session affinity ({@code -m recent}); with the Services of kube-proxy's {@code
 * TestOverallIPTablesRules} it writes that test's expected dump byte for byte.
 *
 * <p>kube-proxy itself emits the per-Service rules in Go map order, which differs run to run; its
 * unit tests (pkg/proxy/iptables/proxier_test.go, {@code sortIPTablesRules}) compare dumps after a
 * canonical sort, and this class writes that canonical order directly: tables by name; in each
 * table {@code KUBE-NODEPORTS}, then {@code KUBE-SERVICES}, then the other chains alphabetically;
 * rules grouped by chain; rules in {@code KUBE-SERVICES}/{@code KUBE-NODEPORTS} by Service name
 * with the "must be the last rule" jump to {@code KUBE-NODEPORTS} last. The node settings are those
 * of that test fixture (and of a default kube-proxy on a current IPv4 node): ClusterCIDR-based
 * local detection, localhost NodePorts enabled, nfacct counters available; {@code --random-fully}
 * is a parameter because the fixture's fake iptables lacks it, while a node's iptables (1.6.2 and
 * later) has it and the cluster always asks for it.
 *
 * <p>What it writes for {@code ns1/svc1:p80} on 172.30.0.41:80/TCP with endpoint 10.180.0.1:80 and
 * cluster CIDR 10.0.0.0/8 (besides the fixed chains):
 *
 * <pre>
 * -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
 * -A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ
 * -A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80
 * -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
 * -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -&gt; 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ
 * </pre>
 *
 * <p>Endpoint i (0-based) of n gets {@code -m statistic --mode random --probability} 1/(n-i) with
 * 10 decimals, the last none. A Service port without ready endpoints gets no nat rules, only a
 * filter {@code REJECT} commented {@code "<name> has no endpoints"}. Above 1,000 endpoints in total
 * kube-proxy's large-cluster mode drops the comments of the SVC-to-SEP and SEP rules, and so does
 * this. The {@code PREROUTING}/{@code OUTPUT}/{@code POSTROUTING} jumps into these chains are not
 * part of the restore input (kube-proxy ensures them with separate {@code iptables} calls).
 */
public final class KubeProxyIptables {

  /** kube-proxy's {@code largeClusterEndpointsThreshold}. */
  static final int LARGE_CLUSTER_ENDPOINTS = 1000;

  private static final String MASQ_MARK = "0x4000";
  private static final String EXTERNAL_SERVICES = "KUBE-EXTERNAL-SERVICES";
  private static final String PROXY_FIREWALL = "KUBE-PROXY-FIREWALL";

  /** The chains each table begins with, in this order; the others follow by name. */
  private static final List<String> FIXED =
      List.of(KubeProxyChains.NODEPORTS, KubeProxyChains.SERVICES);

  private KubeProxyIptables() {}

  /**
   * Renders without {@code --random-fully}, as kube-proxy's unit-test fixture writes it, for a node
   * that holds none of the endpoints.
   */
  public static String render(
      List<Service> services, Map<Service, List<Endpoint>> endpoints, Cidr clusterCidr) {
    return render(services, endpoints, clusterCidr, false, "", Ipv4Address.of(0));
  }

  /**
   * Renders the restore input for {@code services} on the node {@code nodeName} with address {@code
   * nodeIp}. Endpoints are looked up in {@code endpoints} (a Service missing from the map has
   * none); those whose {@link Endpoint#nodeName()} is {@code nodeName} are local for {@code
   * externalTrafficPolicy: Local}; {@code clusterCidr} tells pod traffic from the rest; a
   * LoadBalancer source range holding {@code nodeIp} also admits the node's own traffic to the
   * LoadBalancer IP; {@code randomFully} appends {@code --random-fully} to the MASQUERADE rule.
   *
   * @throws IllegalArgumentException for duplicate Services or (VIP, port, protocol) pairs, or an
   *     endpoint whose port is no targetPort of its Service
   */
  public static String render(
      List<Service> services,
      Map<Service, List<Endpoint>> endpoints,
      Cidr clusterCidr,
      boolean randomFully,
      String nodeName,
      Ipv4Address nodeIp) {
    Node node =
        new Node(
            Objects.requireNonNull(nodeName, "nodeName"),
            Objects.requireNonNull(nodeIp, "nodeIp"),
            Objects.requireNonNull(clusterCidr, "clusterCidr"));
    List<ServicePortEntry> entries = ServicePortEntry.flatten(services, endpoints);
    int totalEndpoints = 0;
    for (ServicePortEntry e : entries) {
      totalEndpoints += e.ready.size();
    }
    boolean comments = writesComments(totalEndpoints);
    List<ServiceRules> all = new ArrayList<>();
    int from = 0;
    for (int i = 1; i <= entries.size(); i++) {
      if (i == entries.size() || entries.get(i).service != entries.get(from).service) {
        all.add(new ServiceRules(entries.subList(from, i), node, comments));
        from = i;
      }
    }
    return restore(all, all, randomFully);
  }

  /**
   * Whether kube-proxy comments the SVC-to-SEP and SEP rules of a node holding {@code
   * totalEndpoints} ready endpoints in all: up to its large-cluster threshold.
   */
  public static boolean writesComments(int totalEndpoints) {
    return totalEndpoints <= LARGE_CLUSTER_ENDPOINTS;
  }

  /**
   * How many ready endpoints {@code service} has in kube-proxy's count towards {@link
   * #writesComments}: per port, its distinct ready endpoints on the port's targetPort.
   *
   * @throws IllegalArgumentException for an endpoint whose port is no targetPort of the Service
   */
  public static int readyEndpoints(Service service, List<Endpoint> endpoints) {
    int n = 0;
    for (ServicePortEntry e : ServicePortEntry.of(service, endpoints)) {
      n += e.ready.size();
    }
    return n;
  }

  /**
   * The restore input for {@code all} (each at most once, in any order) that writes the chains of
   * its own ({@code KUBE-SVC-}, {@code KUBE-SEP-} and the rest) only for the Services in {@code
   * written} (compared by identity) and the fixed chains in full: with {@code written} the same as
   * {@code all}, what {@link #render} writes; with fewer, kube-proxy's partial restore (KEP-3453),
   * which leaves the other Services' chains as the node holds them. The work grows with the size of
   * {@code written} and the number of Services, not with the endpoints of those left alone.
   */
  public static String restore(
      Collection<ServiceRules> all, Collection<ServiceRules> written, boolean randomFully) {
    Set<ServiceRules> writes = Collections.newSetFromMap(new IdentityHashMap<>());
    writes.addAll(written);
    List<ServiceRules> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparing(r -> r.name));
    Table filter = new Table("filter");
    filter.chain(EXTERNAL_SERVICES);
    filter.chain("KUBE-FIREWALL");
    filter.chain("KUBE-FORWARD");
    filter.chain(PROXY_FIREWALL);
    Table nat = new Table("nat");
    nat.chain(KubeProxyChains.MARK_MASQ);
    nat.chain(KubeProxyChains.POSTROUTING);
    for (ServiceRules r : sorted) {
      r.filter.forEach(filter::rules);
      r.nat.forEach(nat::rules);
      if (writes.contains(r)) {
        r.own.forEach(nat::own);
      }
    }

    nat.rule(
        KubeProxyChains.SERVICES,
        "-m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in"
            + " this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS");
    nat.rule(KubeProxyChains.MARK_MASQ, "-j MARK --or-mark " + MASQ_MARK);
    nat.rule(
        KubeProxyChains.POSTROUTING,
        "-m mark ! --mark " + MASQ_MARK + "/" + MASQ_MARK + " -j RETURN");
    nat.rule(KubeProxyChains.POSTROUTING, "-j MARK --xor-mark " + MASQ_MARK);
    nat.rule(
        KubeProxyChains.POSTROUTING,
        "-m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE"
            + (randomFully ? " --random-fully" : ""));
    filter.rule(
        "KUBE-FIREWALL",
        "-m comment --comment \"block incoming localnet connections\" -d 127.0.0.0/8 ! -s"
            + " 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP");
    filter.rule(
        "KUBE-FORWARD",
        "-m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j"
            + " DROP");
    filter.rule(
        "KUBE-FORWARD",
        "-m comment --comment \"kubernetes forwarding rules\" -m mark --mark "
            + MASQ_MARK
            + "/"
            + MASQ_MARK
            + " -j ACCEPT");
    filter.rule(
        "KUBE-FORWARD",
        "-m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate"
            + " RELATED,ESTABLISHED -j ACCEPT");

    StringBuilder out = new StringBuilder(256 + writes.size() * 600 + sorted.size() * 200);
    filter.appendTo(out);
    nat.appendTo(out);
    return out.toString();
  }

  /**
   * What one Service writes into a node's restore input: its rules in the fixed chains ({@code
   * KUBE-SERVICES}, {@code KUBE-NODEPORTS}, the filter chains) and its own chains with their rules.
   * Rendered once and immutable, so a restore that holds the Service unchanged reuses it.
   */
  public static final class ServiceRules {
    private final String name;
    private final Map<String, List<String>> filter = new LinkedHashMap<>();
    private final Map<String, List<String>> nat = new LinkedHashMap<>();
    private final TreeMap<String, List<String>> own = new TreeMap<>();

    private ServiceRules(List<ServicePortEntry> ports, Node node, boolean comments) {
      this.name = ports.get(0).service.namespacedName();
      Table f = new Table(filter, Map.of());
      Table t = new Table(nat, own);
      for (ServicePortEntry e : ports) {
        writeServicePort(e, node, comments, f, t);
      }
    }

    /**
     * Renders {@code service} with {@code endpoints} on the node {@code nodeName} at {@code nodeIp}
     * (see {@link KubeProxyIptables#render(List, Map, Cidr, boolean, String, Ipv4Address)}), with
     * or without the endpoint rules' comments.
     *
     * @throws IllegalArgumentException for an endpoint whose port is no targetPort of the Service
     */
    public static ServiceRules of(
        Service service,
        List<Endpoint> endpoints,
        Cidr clusterCidr,
        boolean comments,
        String nodeName,
        Ipv4Address nodeIp) {
      return new ServiceRules(
          ServicePortEntry.of(service, endpoints),
          new Node(
              Objects.requireNonNull(nodeName, "nodeName"),
              Objects.requireNonNull(nodeIp, "nodeIp"),
              Objects.requireNonNull(clusterCidr, "clusterCidr")),
          comments);
    }

    /** The Service's own chains (all in the nat table), by name. */
    public SortedSet<String> chains() {
      return Collections.unmodifiableSortedSet(own.navigableKeySet());
    }
  }

  private static void writeServicePort(
      ServicePortEntry e, Node node, boolean comments, Table filter, Table nat) {
    String name = e.portName;
    Protocol protocol = e.port.protocol();
    ServiceOptions opt = e.service.options();
    String proto = "-m " + protocol.lowerName() + " -p " + protocol.lowerName();
    String dport = " --dport " + e.port.port();
    List<Endpoint> local = new ArrayList<>();
    for (Endpoint ep : e.ready) {
      if (!node.name().isEmpty() && ep.nodeName().equals(node.name())) {
        local.add(ep);
      }
    }
    boolean hasEndpoints = !e.ready.isEmpty();
    boolean hasExternalEndpoints =
        hasEndpoints && (!opt.externalTrafficPolicyLocal() || !local.isEmpty());
    boolean externallyAccessible =
        e.port.hasNodePort()
            || !opt.externalIps().isEmpty()
            || !opt.loadBalancerIngress().isEmpty();
    boolean usesFw =
        hasEndpoints
            && !opt.loadBalancerIngress().isEmpty()
            && !opt.loadBalancerSourceRanges().isEmpty();
    // each name is a SHA-256: only those the Service port uses are worked out
    String svcChain = hasEndpoints ? KubeProxyChains.serviceChain(name, protocol) : "";
    String svlChain =
        opt.externalTrafficPolicyLocal() ? KubeProxyChains.localChain(name, protocol) : "";
    String extChain = externallyAccessible ? KubeProxyChains.externalChain(name, protocol) : "";
    String fwChain = usesFw ? KubeProxyChains.firewallChain(name, protocol) : "";
    String externalPolicyChain = opt.externalTrafficPolicyLocal() ? svlChain : svcChain;
    String lbChain = usesFw ? fwChain : extChain;
    String filterComment =
        "-m comment --comment \""
            + name
            + (hasEndpoints ? " has no local endpoints\" " : " has no endpoints\" ");
    String filterTarget = hasEndpoints ? "DROP" : "REJECT";
    String clusterIpComment = "-m comment --comment \"" + name + " cluster IP\" ";
    String clusterIpMatch = proto + " -d " + e.service.clusterIp() + dport;

    if (hasEndpoints) {
      nat.rule(KubeProxyChains.SERVICES, clusterIpComment + clusterIpMatch + " -j " + svcChain);
    } else {
      filter.rule(KubeProxyChains.SERVICES, filterComment + clusterIpMatch + " -j " + filterTarget);
    }
    for (Ipv4Address ip : opt.externalIps()) {
      String match = proto + " -d " + ip + dport;
      if (hasEndpoints) {
        nat.rule(
            KubeProxyChains.SERVICES,
            "-m comment --comment \"" + name + " external IP\" " + match + " -j " + extChain);
      }
      if (!hasExternalEndpoints) {
        filter.rule(EXTERNAL_SERVICES, filterComment + match + " -j " + filterTarget);
      }
    }
    for (Ipv4Address ip : opt.loadBalancerIngress()) {
      String match = proto + " -d " + ip + dport;
      if (hasEndpoints) {
        nat.rule(
            KubeProxyChains.SERVICES,
            "-m comment --comment \"" + name + " loadbalancer IP\" " + match + " -j " + lbChain);
      }
      if (usesFw) {
        filter.rule(
            PROXY_FIREWALL,
            "-m comment --comment \""
                + name
                + " traffic not accepted by "
                + fwChain
                + "\" "
                + match
                + " -j DROP");
      }
    }
    if (!hasExternalEndpoints) {
      for (Ipv4Address ip : opt.loadBalancerIngress()) {
        filter.rule(
            EXTERNAL_SERVICES, filterComment + proto + " -d " + ip + dport + " -j " + filterTarget);
      }
    }
    if (e.port.hasNodePort()) {
      String nodePort = " --dport " + e.port.nodePort();
      if (hasEndpoints) {
        String np = "-m comment --comment " + name + " " + proto;
        nat.rule(
            KubeProxyChains.NODEPORTS,
            np
                + " -d 127.0.0.0/8"
                + nodePort
                + " -m nfacct --nfacct-name localhost_nps_accepted_pkts -j "
                + extChain);
        nat.rule(KubeProxyChains.NODEPORTS, np + nodePort + " -j " + extChain);
      }
      if (!hasExternalEndpoints) {
        filter.rule(
            EXTERNAL_SERVICES,
            filterComment
                + "-m addrtype --dst-type LOCAL "
                + proto
                + nodePort
                + " -j "
                + filterTarget);
      }
    }
    if (opt.healthCheckNodePort() != 0) {
      filter.rule(
          KubeProxyChains.NODEPORTS,
          "-m comment --comment \""
              + name
              + " health check node port\" -m tcp -p tcp --dport "
              + opt.healthCheckNodePort()
              + " -j ACCEPT");
    }
    if (!hasEndpoints) {
      return;
    }

    nat.chain(svcChain);
    nat.rule(
        svcChain,
        clusterIpComment + clusterIpMatch + " ! -s " + node.clusterCidr() + " -j KUBE-MARK-MASQ");
    if (externallyAccessible) {
      nat.chain(extChain);
      if (!opt.externalTrafficPolicyLocal()) {
        nat.rule(
            extChain,
            "-m comment --comment \"masquerade traffic for "
                + name
                + " external destinations\" -j KUBE-MARK-MASQ");
      } else {
        nat.rule(
            extChain,
            "-m comment --comment \"pod traffic for "
                + name
                + " external destinations\" -s "
                + node.clusterCidr()
                + " -j "
                + svcChain);
        nat.rule(
            extChain,
            "-m comment --comment \"masquerade LOCAL traffic for "
                + name
                + " external destinations\" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ");
        nat.rule(
            extChain,
            "-m comment --comment \"route LOCAL traffic for "
                + name
                + " external destinations\" -m addrtype --src-type LOCAL -j "
                + svcChain);
      }
      if (hasExternalEndpoints) {
        nat.rule(extChain, "-j " + externalPolicyChain);
      }
    }
    if (usesFw) {
      nat.chain(fwChain);
      String fw = "-m comment --comment \"" + name + " loadbalancer IP\" -s ";
      boolean allowFromNode = false;
      for (Cidr range : opt.loadBalancerSourceRanges()) {
        nat.rule(fwChain, fw + range + " -j " + extChain);
        allowFromNode |= range.contains(node.ip());
      }
      if (allowFromNode) {
        for (Ipv4Address ip : opt.loadBalancerIngress()) {
          nat.rule(fwChain, fw + ip + " -j " + extChain);
        }
      }
      nat.rule(
          fwChain,
          "-m comment --comment \"other traffic to "
              + name
              + " will be dropped by KUBE-PROXY-FIREWALL\"");
    }
    Map<Endpoint, String> sepChains = new HashMap<>();
    for (Endpoint ep : e.ready) {
      sepChains.put(ep, KubeProxyChains.endpointChain(name, protocol, ep.toString()));
    }
    writeEndpointJumps(e, svcChain, e.ready, sepChains, comments, nat);
    if (opt.externalTrafficPolicyLocal() && !local.isEmpty()) {
      nat.chain(svlChain);
      writeEndpointJumps(e, svlChain, local, sepChains, comments, nat);
    }
    String sepComment = comments ? "-m comment --comment " + name + " " : "";
    for (Endpoint ep : e.ready) {
      String sepChain = sepChains.get(ep);
      nat.chain(sepChain);
      nat.rule(sepChain, sepComment + "-s " + ep.ip() + " -j KUBE-MARK-MASQ");
      String affinity = opt.affinitySeconds() > 0 ? "-m recent --name " + sepChain + " --set " : "";
      nat.rule(sepChain, sepComment + affinity + proto + " -j DNAT --to-destination " + ep);
    }
  }

  /**
   * Writes a policy chain's jumps to {@code endpoints}: with ClientIP affinity first one {@code
   * recent --rcheck} rule per endpoint, then the {@code statistic} rules, 1/(n-i) for endpoint i.
   */
  private static void writeEndpointJumps(
      ServicePortEntry e,
      String chain,
      List<Endpoint> endpoints,
      Map<Endpoint, String> sepChains,
      boolean comments,
      Table nat) {
    int seconds = e.service.options().affinitySeconds();
    if (seconds > 0) {
      for (Endpoint ep : endpoints) {
        String sepChain = sepChains.get(ep);
        nat.rule(
            chain,
            endpointComment(e, ep, comments)
                + "-m recent --name "
                + sepChain
                + " --rcheck --seconds "
                + seconds
                + " --reap -j "
                + sepChain);
      }
    }
    int n = endpoints.size();
    for (int i = 0; i < n; i++) {
      Endpoint ep = endpoints.get(i);
      StringBuilder jump = new StringBuilder(endpointComment(e, ep, comments));
      if (i < n - 1) {
        jump.append("-m statistic --mode random --probability ").append(probability(n - i));
        jump.append(' ');
      }
      jump.append("-j ").append(sepChains.get(ep));
      nat.rule(chain, jump.toString());
    }
  }

  private static String endpointComment(ServicePortEntry e, Endpoint ep, boolean comments) {
    return comments ? "-m comment --comment \"" + e.portName + " -> " + ep + "\" " : "";
  }

  /**
   * Returns 1/n with exactly 10 decimals, rounding the exact binary value of the double half-even
   * like Go's {@code fmt.Sprintf("%0.10f", 1.0/float64(n))}: {@code 0.3333333333} for 3.
   */
  static String probability(int n) {
    return new BigDecimal(1.0 / n).setScale(10, RoundingMode.HALF_EVEN).toPlainString();
  }

  /** The node kube-proxy renders for: its name, its address and the cluster's pod CIDR. */
  private record Node(String name, Ipv4Address ip, Cidr clusterCidr) {}

  /**
   * One table's chains (in canonical order) and their rules; or, for one Service, the rules it
   * writes into the table's other chains and its own chains, by chain in the order written.
   */
  private static final class Table {
    private final String name;
    private final Map<String, List<String>> fixed;
    private final Map<String, List<String>> others;

    /** The table {@code name} with its fixed chains. */
    Table(String name) {
      this.name = name;
      this.fixed = new LinkedHashMap<>();
      this.others = new TreeMap<>();
      FIXED.forEach(c -> fixed.put(c, new ArrayList<>()));
    }

    /** One Service's rules: into other chains in {@code rules}, into its own in {@code own}. */
    Table(Map<String, List<String>> rules, Map<String, List<String>> own) {
      this.name = "";
      this.fixed = rules;
      this.others = own;
    }

    void chain(String chain) {
      if (!fixed.containsKey(chain)) {
        others.computeIfAbsent(chain, c -> new ArrayList<>());
      }
    }

    void rule(String chain, String spec) {
      rules(chain).add(spec);
    }

    /** Appends a Service's rules to a chain the table declares. */
    void rules(String chain, List<String> specs) {
      rules(chain).addAll(specs);
    }

    /** Adds a Service's own chain and its rules (shared, not copied). */
    void own(String chain, List<String> specs) {
      others.put(chain, specs);
    }

    private List<String> rules(String chain) {
      List<String> rules = fixed.get(chain);
      if (rules == null) {
        rules = others.get(chain);
      }
      if (rules == null && name.isEmpty()) {
        rules = new ArrayList<>();
        fixed.put(chain, rules);
      }
      if (rules == null) {
        throw new IllegalStateException("rule for undeclared chain " + chain);
      }
      return rules;
    }

    void appendTo(StringBuilder out) {
      out.append('*').append(name).append('\n');
      fixed.keySet().forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
      others.keySet().forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
      fixed.forEach((c, rules) -> rules.forEach(r -> rule(out, c, r)));
      others.forEach((c, rules) -> rules.forEach(r -> rule(out, c, r)));
      out.append("COMMIT\n");
    }

    private static void rule(StringBuilder out, String chain, String spec) {
      out.append("-A ").append(chain).append(' ').append(spec).append('\n');
    }
  }
}
