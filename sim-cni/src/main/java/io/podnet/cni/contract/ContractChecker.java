package io.podnet.cni.contract;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Node;
import io.podnet.cni.cluster.Pod;
import io.podnet.cni.cluster.Teardown;
import io.podnet.cni.runtime.Attachment;
import io.podnet.cni.runtime.CniRuntime;
import io.podnet.cni.runtime.CniRuntimeException;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.fs.SimFileSystem;
import io.podnet.core.net.Bridge;
import io.podnet.core.net.Device;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.PingOptions;
import io.podnet.core.net.ProbeResult;
import io.podnet.core.net.Route;
import io.podnet.core.net.Veth;
import io.podnet.core.net.Walk;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Checks the four rules of the CNI contract over a whole cluster and reports every violation as
 * data. Nothing is sampled: the checks are exhaustive, which suits small clusters.
 *
 * <ol>
 *   <li>Unique IPs: no two running pods share an address.
 *   <li>No NAT: every running pod sends a UDP datagram to every other one (port {@value
 *       #PROBE_PORT}); it must reach that pod's own namespace, and the receiving socket must see
 *       the sender's own pod IP as the source. Pairs whose destination IP is not unique are left to
 *       rule 1, since "reaching" an ambiguous address means nothing.
 *   <li>Routes: each pod has a route out (a default route through one of its own devices) and
 *       reaches its node's InternalIP; the node has a route back to the pod and reaches it.
 *   <li>Cleanup: for every deleted pod, no IPAM reservation in the node's store, no host-side veth,
 *       no bridge FDB entry for its MAC, no host route to its IP and no cached CNI result is left.
 * </ol>
 *
 * <p>Rule 2 sends n(n-1) datagrams; {@link #checkByClasses} proves the same with a few per node,
 * for clusters where that is too many.
 *
 * <pre>{@code
 * ContractReport report = ContractChecker.check(cluster);
 * report.holds();          // true when every rule holds
 * report.render();         // one line per violation
 * }</pre>
 */
public final class ContractChecker {

  /** The UDP port rule 2 probes on. */
  public static final int PROBE_PORT = 5201;

  /** An address beyond the cluster, for the "route out" check. */
  static final Ipv4Address OUTSIDE = Ipv4Address.parse("203.0.113.1");

  private static final long PROBE_TIMEOUT = 2 * SimTime.SECOND;

  private static final byte[] PAYLOAD = "podnet-contract".getBytes(StandardCharsets.US_ASCII);

  /** The bytes of a probe's IPv4 packet: the IPv4 and UDP headers and the payload. */
  static final int PROBE_PACKET_BYTES = 20 + 8 + PAYLOAD.length;

  private ContractChecker() {}

  /**
   * Checks rules 1 to 4 over the running pods of Ready nodes that have not crashed (a crashed
   * node's pods are out of reach by definition, even while the API still shows it Ready); runs the
   * simulation while it probes.
   */
  public static ContractReport check(Cluster cluster) {
    return check(cluster, false);
  }

  /**
   * Checks rules 1 to 4 like {@link #check}, as completely, but proves rule 2 by
   * forwarding-equivalence classes instead of one datagram per pod pair, so it scales to clusters
   * with 150,000 pods. Its report names the same violations (rule and subject) in the same order
   * and counts the same pods and pairs as {@link #check}'s; a message may differ where the kernel's
   * answer depends on neighbour-cache history (an unanswered ARP reported as "Destination Host
   * Unreachable" or as silence), and the trace differs, because other probes are sent.
   *
   * <p>The argument. What happens to a datagram in the kernel model is a function of its fields and
   * of the state the model reads on its way: routes, neighbour entries, bridge and tunnel
   * forwarding entries, device and link flags, hooks. Two datagrams that read that state alike meet
   * the same fate, so each pair of pods is shown to read it like a pair a real probe has shown to
   * arrive:
   *
   * <ol>
   *   <li>Rule 3 runs first, for every pod: a default route, the pod reaches its node, the node has
   *       a route back and reaches the pod. The pods of a node whose attachment is the same up to
   *       their own address, MAC and host-side device name form a class ({@code PodClasses}); a pod
   *       that broke rule 3 is a class of its own, and every pair with it is probed. A member's
   *       datagram to another node leaves by the route and next hop of its rule-3 probe to its node
   *       and enters the node's stack by a device the node's hooks treat like the other members';
   *       its node reaches it by a route of one shape for the class, which rule 3 probed.
   *   <li>For each source class S and destination class D, a walk through the tables ({@code
   *       Forwarding}) follows a datagram from S's node to the smallest prefix holding D's
   *       addresses, reading what {@code IpStack}, {@code Neighbours}, {@code Bridge}, {@code Link}
   *       and the tunnel devices read, and checks outright, for every address of the prefix at
   *       once, all that differs from pair to pair: each route is the one for the whole prefix
   *       ({@link io.podnet.core.net.RoutingTable#isUniformOver}, else the prefix is halved); each
   *       neighbour entry holds the MAC of the device that must take the frame, or is missing, and
   *       then the one namespace on the segment that holds the address answers the ARP request;
   *       each switch has no entry for that MAC (it floods) or the right port; each link is up,
   *       loss-free and fast; each tunnel entry (VXLAN forwarding entry, IPIP gateway, Cilium's
   *       tunnel map) names an address of the destination node, whose unwrapping device takes the
   *       VNI, remote and inner MAC sent; no namespace on the way holds a destination address; and
   *       every namespace passes the whole class unchanged: it has no hooks, or only its node's
   *       netfilter, whose dry run passes one datagram and none of whose rules that datagram met
   *       can tell the class's addresses and devices apart ({@code Hooks}). Any other hook or tc
   *       program (but Cilium's tunnel redirect, which the walk reads), or anything else it does
   *       not read, ends the walk. Two pods of one node whose route to each other is direct (on one
   *       bridge) are walked pair by pair, from the source pod's own neighbour entry through the
   *       bridge.
   *   <li>What the walk does not check, that the devices it passes do for every datagram what they
   *       did for one, it names in three signatures: the choices made on S's node (the devices,
   *       routes with or without gateway, neighbours known or resolved), the kinds of steps across
   *       the underlay (a switch forwarding or flooding, routers and how they reach their next hop)
   *       and where the datagram arrives and is unwrapped on D's node. The pairs of S x D are
   *       proven when real probes have shown the source signature from S, the path signature
   *       anywhere and the destination signature into D; else one real probe from S into D is sent,
   *       and its walk must be the predicted one (routed by the same namespaces, unwrapped by the
   *       same device). A probe that resolved a neighbour also shows the walk that finds it known:
   *       resolving ends in the very send that a known entry makes.
   * </ol>
   *
   * <p>When that probe fails, or the walk ends, every pair of S x D is probed, so every violation
   * is reported as the pair check reports it. The argument assumes that nothing but the check's own
   * probes changes the cluster while it runs (they change neighbour and switch entries, so what
   * walks keep of the underlay is read again after each) and that each probe starts a new flow for
   * conntrack. Every pair is proven against the tables as they are when it is walked.
   *
   * <p>The cost is a few real probes per node (each source class's choices and each destination
   * class's arrival, shown once), the per-pod rule 3 probes, and per pair of classes a walk of a
   * few table lookups; the pair check sends pods squared datagrams.
   */
  public static ContractReport checkByClasses(Cluster cluster) {
    return check(cluster, true);
  }

  /** Rule 3 runs before rule 2 by classes (which needs its results), after it pair by pair. */
  private static ContractReport check(Cluster cluster, boolean byClasses) {
    Map<Node, Boolean> up = new IdentityHashMap<>();
    List<Pod> running =
        cluster.pods().stream()
            .filter(Pod::isRunning)
            .filter(p -> !p.hostNetwork())
            .filter(
                p ->
                    p.node()
                        .map(n -> up.computeIfAbsent(n, m -> m.isReady() && !m.isCrashed()))
                        .orElse(false))
            .toList();
    List<Violation> violations = new ArrayList<>();
    Map<Ipv4Address, List<Pod>> byIp = uniqueIps(running, violations);
    List<Violation> routes = new ArrayList<>();
    Set<Pod> alone = byClasses ? routes(running, routes) : Set.of();
    List<Pod> probed = running.stream().filter(p -> p.ip().isPresent()).toList();
    List<Pod> destinations =
        probed.stream().filter(p -> byIp.get(p.requireIp()).size() == 1).toList();
    for (Pod pod : probed) {
      pod.requireNetns().listenUdp(PROBE_PORT);
    }
    ClassReachability.Counts rule2 =
        byClasses
            ? ClassReachability.check(cluster, probed, destinations, alone, violations)
            : reachability(probed, destinations, violations);
    for (Pod pod : probed) {
      pod.requireNetns().closeUdp(PROBE_PORT);
    }
    if (!byClasses) {
      routes(running, routes);
    }
    violations.addAll(routes);
    cleanup(cluster, byIp, violations);
    return new ContractReport(violations, running.size(), rule2.pairs(), rule2.datagrams());
  }

  /**
   * Checks the spec's promises on one running pod, destructively: CHECK succeeds after ADD; then
   * the pod is deleted, and DEL of its attachment succeeds twice more. Returns the violations.
   * {@link IllegalArgumentException} for a pod on the host network, which CNI does not set up.
   */
  public static List<Violation> checkSpecPromises(Cluster cluster, String podKey) {
    Pod pod =
        cluster
            .pod(podKey)
            .orElseThrow(
                () -> new IllegalArgumentException("pod \"" + podKey + "\" does not exist"));
    if (pod.hostNetwork()) {
      throw new IllegalArgumentException(
          "pod " + pod.key() + " is on the host network; the CNI contract does not cover it");
    }
    if (!pod.isRunning()) {
      throw new IllegalStateException("pod " + pod.key() + " is not running");
    }
    List<Violation> violations = new ArrayList<>();
    Node node = pod.node().orElseThrow();
    CniRuntime runtime = node.runtime();
    String id = pod.sandboxId().orElseThrow();
    String netns = "/var/run/netns/" + pod.requireNetns().name();
    Map<String, String> args = pod.cniArgs(id);
    Attachment attachment = new Attachment(id, "eth0");
    try {
      runtime.check(attachment, netns, args);
    } catch (CniRuntimeException e) {
      violations.add(
          new Violation(Rule.SPEC, pod.key(), "CHECK after ADD failed: " + e.getMessage()));
    }
    cluster.deletePod(pod.key());
    if (!pod.isDeleted()) {
      violations.add(
          new Violation(Rule.SPEC, pod.key(), "the first DEL did not complete: " + pod.events()));
      return violations;
    }
    for (int i = 2; i <= 3; i++) {
      try {
        runtime.del(attachment, netns, args);
      } catch (CniRuntimeException e) {
        violations.add(
            new Violation(Rule.SPEC, pod.key(), "DEL number " + i + " failed: " + e.getMessage()));
      }
    }
    return violations;
  }

  // ---------------------------------------------------------------- rule 1

  private static Map<Ipv4Address, List<Pod>> uniqueIps(List<Pod> running, List<Violation> out) {
    Map<Ipv4Address, List<Pod>> byIp = new LinkedHashMap<>();
    for (Pod pod : running) {
      pod.ip().ifPresent(ip -> byIp.computeIfAbsent(ip, k -> new ArrayList<>()).add(pod));
    }
    for (Pod pod : running) {
      if (pod.ip().isEmpty()) {
        out.add(new Violation(Rule.UNIQUE_IP, pod.key(), "running pod has no IP"));
      }
    }
    byIp.forEach(
        (ip, pods) -> {
          if (pods.size() > 1) {
            out.add(
                new Violation(
                    Rule.UNIQUE_IP,
                    ip.toString(),
                    "held by " + pods.size() + " pods: " + pods.stream().map(Pod::key).toList()));
          }
        });
    return byIp;
  }

  // ---------------------------------------------------------------- rule 2

  private static ClassReachability.Counts reachability(
      List<Pod> probed, List<Pod> destinations, List<Violation> out) {
    long pairs = 0;
    for (Pod from : probed) {
      for (Pod to : destinations) {
        if (from == to) {
          continue;
        }
        pairs++;
        Violation v = probe(from, to).violation();
        if (v != null) {
          out.add(v);
        }
      }
    }
    return new ClassReachability.Counts(pairs, pairs);
  }

  /**
   * What one probe of rule 2 found.
   *
   * @param walk the hops of the datagram
   * @param violation the broken promise, or null when the datagram reached the pod unchanged
   */
  record Probe(Walk walk, @Nullable Violation violation) {}

  /** Sends one datagram from one pod to another and judges it by rule 2. */
  static Probe probe(Pod from, Pod to) {
    Ipv4Address dst = to.requireIp();
    String subject = from.key() + " -> " + to.key();
    ProbeResult r = from.requireNetns().sendUdp(dst, PROBE_PORT, PAYLOAD.clone(), PROBE_TIMEOUT);
    Violation v = null;
    if (!r.success()) {
      v = new Violation(Rule.NO_NAT, subject, "not reachable at " + dst + ": " + r.message());
    } else if (r.receiver() != to.requireNetns()) {
      v =
          new Violation(
              Rule.NO_NAT,
              subject,
              "the datagram for " + dst + " was received in " + r.receiver() + ", not in the pod");
    } else if (!from.requireIp().equals(r.observedSource())) {
      v =
          new Violation(
              Rule.NO_NAT,
              subject,
              "the receiver saw source "
                  + r.observedSource()
                  + ", not the sender's pod IP "
                  + from.requireIp()
                  + " (the traffic was NATed)");
    }
    return new Probe(r.walk(), v);
  }

  // ---------------------------------------------------------------- rule 3

  /** Checks rule 3 for every pod; returns the pods with a violation. */
  private static Set<Pod> routes(List<Pod> running, List<Violation> out) {
    Set<Pod> failed = Collections.newSetFromMap(new IdentityHashMap<>());
    PingOptions ping = PingOptions.DEFAULT.withTimeout(PROBE_TIMEOUT).withRecordWalk(false);
    for (Pod pod : running) {
      if (pod.ip().isEmpty()) {
        continue;
      }
      int before = out.size();
      routes(pod, ping, out);
      if (out.size() > before) {
        failed.add(pod);
      }
    }
    return failed;
  }

  private static void routes(Pod pod, PingOptions ping, List<Violation> out) {
    NetNamespace ns = pod.requireNetns();
    Node node = pod.node().orElseThrow();
    Route out1 = ns.routes().lookup(OUTSIDE.toInt());
    if (out1 == null || out1.destination().prefixLength() != 0) {
      out.add(
          new Violation(
              Rule.ROUTES,
              pod.key(),
              "no default route: traffic to " + OUTSIDE + " cannot leave the pod"));
    }
    ProbeResult toNode = ns.ping(node.internalIp(), ping);
    if (!toNode.success()) {
      out.add(
          new Violation(
              Rule.ROUTES,
              pod.key(),
              "cannot reach its node "
                  + node.name()
                  + " at "
                  + node.internalIp()
                  + ": "
                  + toNode.message()));
    }
    NetNamespace hostNs = node.host().root();
    if (hostNs.routes().lookup(pod.requireIp().toInt()) == null) {
      out.add(
          new Violation(
              Rule.ROUTES,
              pod.key(),
              "node " + node.name() + " has no route back to " + pod.requireIp()));
      return;
    }
    ProbeResult back = hostNs.ping(pod.requireIp(), ping);
    if (!back.success()) {
      out.add(
          new Violation(
              Rule.ROUTES,
              pod.key(),
              "node "
                  + node.name()
                  + " cannot reach the pod at "
                  + pod.requireIp()
                  + ": "
                  + back.message()));
    }
  }

  // ---------------------------------------------------------------- rule 4

  private static void cleanup(
      Cluster cluster, Map<Ipv4Address, List<Pod>> byIp, List<Violation> out) {
    for (Teardown t : cluster.teardowns()) {
      NetNamespace hostNs = t.node().host().root();
      SimFileSystem files = t.node().host().files();
      String store = "/var/lib/cni/networks/" + t.network();
      for (String name : files.list(store)) {
        String content = files.read(store + "/" + name).orElse("");
        if (content.startsWith(t.containerId())) {
          out.add(
              new Violation(
                  Rule.CLEANUP,
                  t.pod(),
                  "IPAM reservation " + store + "/" + name + " is still held by its sandbox"));
        }
      }
      for (String iface : t.hostInterfaces()) {
        Optional<Device> dev = hostNs.findDevice(iface);
        if (dev.isPresent() && dev.get() instanceof Veth) {
          out.add(
              new Violation(
                  Rule.CLEANUP,
                  t.pod(),
                  "host veth " + iface + " still exists on " + t.node().name()));
        }
      }
      if (t.containerMac() != null) {
        for (Device d : hostNs.devices()) {
          if (d instanceof Bridge b
              && b.fdb().stream().anyMatch(e -> e.mac().equals(t.containerMac()))) {
            out.add(
                new Violation(
                    Rule.CLEANUP,
                    t.pod(),
                    "bridge " + b.name() + " still has an FDB entry for " + t.containerMac()));
          }
        }
      }
      Ipv4Address ip = t.ip();
      if (ip != null && !byIp.containsKey(ip)) {
        Cidr host = Cidr.of(ip, 32);
        for (Route r : hostNs.routes().routes()) {
          if (r.destination().equals(host)) {
            out.add(
                new Violation(
                    Rule.CLEANUP,
                    t.pod(),
                    "host route \"" + r + "\" is still on " + t.node().name()));
          }
        }
      }
      String cache = CniRuntime.CACHE_DIR + "/" + t.network() + "-" + t.containerId() + "-eth0";
      if (files.exists(cache)) {
        out.add(
            new Violation(Rule.CLEANUP, t.pod(), "cached CNI result " + cache + " is still there"));
      }
    }
  }
}
