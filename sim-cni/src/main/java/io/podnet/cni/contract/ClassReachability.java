package io.podnet.cni.contract;

import io.podnet.cni.cluster.Pod;
import io.podnet.cni.contract.PodClasses.PodClass;
import io.podnet.core.net.HopAction;
import io.podnet.core.net.Host;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Network;
import io.podnet.core.net.Route;
import io.podnet.core.net.Walk;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Rule 2 by forwarding-equivalence classes: one probe per (source class, destination class) pair of
 * {@link PodClasses}, each class confined to one node, instead of one per pod pair. See {@link
 * ContractChecker#checkByClasses} for why that proves every pair.
 */
final class ClassReachability {

  private final Network network;
  private final Map<Pod, Integer> index = new IdentityHashMap<>();
  private final List<Found> found = new ArrayList<>();
  private Map<String, NetNamespace> byLabel = Map.of();

  /** A violation with the positions of its pair, so the report keeps the exhaustive order. */
  private record Found(long order, Violation violation) {}

  private ClassReachability(Network network) {
    this.network = network;
  }

  /**
   * Checks rule 2 for every ordered pair of {@code sources} and {@code destinations} (the sources
   * whose address is unique), adds the violations in pair order, and returns the pairs covered.
   * Pods in {@code alone} (their local checks failed) get a class of their own.
   */
  static int check(
      Network network,
      List<Pod> sources,
      List<Pod> destinations,
      Set<Pod> alone,
      List<Violation> out) {
    ClassReachability c = new ClassReachability(network);
    for (int i = 0; i < sources.size(); i++) {
      c.index.put(sources.get(i), i);
    }
    List<PodClass> from = PodClasses.of(sources, alone);
    List<PodClass> to = PodClasses.of(destinations, alone);
    long pairs = 0;
    for (PodClass s : from) {
      for (PodClass d : to) {
        pairs += c.cover(s, d);
      }
    }
    c.found.sort((a, b) -> Long.compare(a.order, b.order));
    c.found.forEach(f -> out.add(f.violation));
    return Math.toIntExact(pairs);
  }

  /** Proves every pair of (s, d); returns how many pairs that is. */
  private long cover(PodClass s, PodClass d) {
    Pod[] rep = representative(s, d);
    if (rep == null) {
      return 0;
    }
    long pairs = (long) s.members().size() * d.members().size();
    if (s.node() == d.node()) {
      pairs -= d.members().stream().filter(s.members()::contains).count();
    }
    ContractChecker.Probe probe = ContractChecker.probe(rep[0], rep[1]);
    if (probe.violation() != null) {
      exhaustive(s, d.members());
    } else if (!uniform(probe.walk(), d, rep[1])) {
      for (Pod q : d.members()) {
        Pod[] one = representative(s, PodClass.of(q));
        if (one != null && ContractChecker.probe(one[0], q).violation() != null) {
          exhaustive(s, List.of(q));
        }
      }
    }
    return pairs;
  }

  /** The first pair of distinct pods of the two classes, or null if there is none. */
  private static Pod @Nullable [] representative(PodClass s, PodClass d) {
    for (Pod p : s.members()) {
      for (Pod q : d.members()) {
        if (p != q) {
          return new Pod[] {p, q};
        }
      }
    }
    return null;
  }

  /** Probes every pair of the class, recording each violation in pair order. */
  private void exhaustive(PodClass s, List<Pod> destinations) {
    for (Pod p : s.members()) {
      for (Pod q : destinations) {
        if (p == q) {
          continue;
        }
        ContractChecker.Probe probe = ContractChecker.probe(p, q);
        if (probe.violation() != null) {
          long order = (long) index.get(p) * index.size() + index.get(q);
          found.add(new Found(order, probe.violation()));
        }
      }
    }
  }

  /**
   * Whether every namespace where the walk took a routing decision, except the destination node's
   * root and the destination pod (whose per-pod state the class shape and rule 3 cover), routes the
   * whole of the destination class's block by one route with a gateway, so that no address of the
   * class is told apart from the representative's: the same route means the same next hop, so the
   * same neighbour entry, MAC, bridge and tunnel forwarding entries downstream; and none of them
   * holds a class member's address as its own, which it would deliver locally before routing.
   * Namespaces that only saw a flooded ARP request take no decision for the datagram and are
   * skipped.
   */
  private boolean uniform(Walk walk, PodClass d, Pod reached) {
    if (d.members().size() == 1) {
      return true;
    }
    NetNamespace last = d.node().host().root();
    NetNamespace target = reached.requireNetns();
    String seen = "";
    for (Walk.Hop hop : walk.hops()) {
      String location = hop.hop().location();
      if (hop.hop().action() != HopAction.ROUTE || location.equals(seen)) {
        continue;
      }
      seen = location;
      NetNamespace ns = namespace(location);
      if (ns == null || ns == last || ns == target) {
        continue;
      }
      Route r = ns.routes().lookup(d.block().networkInt());
      if (!ns.routes().isUniformOver(d.block()) || (r != null && r.gateway() == null)) {
        return false;
      }
      for (Pod q : d.members()) {
        if (ns.isLocalAddress(q.requireIp().toInt())) {
          return false;
        }
      }
    }
    return true;
  }

  private @Nullable NetNamespace namespace(String label) {
    if (byLabel.isEmpty()) {
      Map<String, NetNamespace> m = new HashMap<>();
      for (Host h : network.hosts()) {
        for (NetNamespace ns : h.namespaces()) {
          m.put(ns.label(), ns);
        }
      }
      byLabel = m;
    }
    return byLabel.get(label);
  }
}
