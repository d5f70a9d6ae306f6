package io.podnet.cni.contract;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Pod;
import io.podnet.cni.contract.Forwarding.Destination;
import io.podnet.cni.contract.Forwarding.Source;
import io.podnet.cni.contract.PodClasses.PodClass;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Device;
import io.podnet.core.net.HopAction;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Route;
import io.podnet.core.net.Walk;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Rule 2 by forwarding-equivalence classes: every pair of a source class and a destination class
 * ({@link PodClasses}) is proven by a walk through the tables ({@link Forwarding}) whose signatures
 * real probes have shown to work, or by one more real probe that shows it, or else pair by pair.
 * See {@link ContractChecker#checkByClasses} for why that proves every pair.
 */
final class ClassReachability {

  /** What rule 2 covered. */
  record Counts(int pairs, int datagrams) {}

  /** A violation with the positions of its pair, so the report keeps the exhaustive order. */
  private record Found(long order, Violation violation) {}

  /** A part of a destination class a walk covered, whose signatures no real probe proved yet. */
  private record Open(
      List<Pod> members,
      long source,
      long path,
      long destination,
      List<NetNamespace> routed,
      @Nullable Device decap) {}

  private final Forwarding forwarding;
  private final Map<Pod, Integer> index = new IdentityHashMap<>();
  private final List<Found> found = new ArrayList<>();
  private final Forwarding.Signatures paths = new Forwarding.Signatures();
  private int datagrams;

  private ClassReachability(Forwarding forwarding) {
    this.forwarding = forwarding;
  }

  /**
   * Checks rule 2 for every ordered pair of {@code sources} and {@code destinations} (the sources
   * whose address is unique), adds the violations in pair order, and returns the pairs covered and
   * the datagrams sent. Pods in {@code alone} (their local checks failed) get a class of their own
   * and every pair with them is probed.
   */
  static Counts check(
      Cluster cluster,
      List<Pod> sources,
      List<Pod> destinations,
      Set<Pod> alone,
      List<Violation> out) {
    Forwarding forwarding = new Forwarding(new Hooks(cluster));
    ClassReachability c = new ClassReachability(forwarding);
    for (int i = 0; i < sources.size(); i++) {
      c.index.put(sources.get(i), i);
    }
    List<Source> from = new ArrayList<>();
    for (PodClass s : PodClasses.of(sources, alone)) {
      from.add(forwarding.source(s, alone.contains(s.members().get(0))));
    }
    List<Destination> to = new ArrayList<>();
    List<PodClass> toClasses =
        destinations.size() == sources.size()
            ? from.stream().map(s -> s.cls).toList()
            : PodClasses.of(destinations, alone);
    for (PodClass d : toClasses) {
      to.add(forwarding.destination(d, alone.contains(d.members().get(0))));
    }
    long pairs = 0;
    for (Source s : from) {
      for (Destination d : to) {
        pairs += c.cover(s, d);
      }
    }
    c.found.sort(Comparator.comparingLong(Found::order));
    c.found.forEach(f -> out.add(f.violation));
    return new Counts(Math.toIntExact(pairs), c.datagrams);
  }

  /** Proves every pair of (s, d); returns how many pairs that is. */
  private long cover(Source s, Destination d) {
    PodClass sc = s.cls;
    PodClass dc = d.cls;
    long pairs = (long) sc.members().size() * dc.members().size();
    if (sc.node() == dc.node()) {
      pairs -=
          sc == dc
              ? sc.members().size()
              : dc.members().stream().filter(sc.members()::contains).count();
    }
    Pod[] rep = sc.node() == dc.node() ? representative(sc.members(), dc.members()) : null;
    if (pairs == 0) {
      return 0;
    }
    if (!s.usable || !d.usable) {
      exhaustive(sc.members(), dc.members());
    } else if (rep != null && direct(rep[0], rep[1])) {
      bridged(s, d);
    } else {
      routed(s, d);
    }
    return pairs;
  }

  /** Whether {@code p} reaches {@code q} by a route without gateway (on one bridge, say). */
  private static boolean direct(Pod p, Pod q) {
    Route r = p.requireNetns().routes().lookup(q.requireIp().toInt());
    return r != null && r.gateway() == null;
  }

  /** Pods of one node on one bridge: each pair has its own neighbour entry, so each is walked. */
  private void bridged(Source s, Destination d) {
    for (Pod p : s.cls.members()) {
      for (Pod q : d.cls.members()) {
        if (p == q) {
          continue;
        }
        int st = forwarding.bridged(s, p, q);
        if (st == Forwarding.PROVEN && proven(s, d, forwarding.pathSignature)) {
          continue;
        }
        Open open = null;
        if (st == Forwarding.PROVEN) {
          forwarding.noting(true);
          forwarding.bridged(s, p, q);
          forwarding.noting(false);
          open = open(List.of(q));
        }
        ContractChecker.Probe probe = send(p, q);
        if (probe.violation() != null) {
          record(p, q, probe.violation());
        } else if (open != null && walked(probe.walk(), p, open)) {
          prove(s, d, open);
        }
      }
    }
  }

  /**
   * Pods reached through the source node's stack: the destination class is walked as one block,
   * halved where a table tells its addresses apart, and each part whose signatures no probe proved
   * yet gets one real probe.
   */
  private void routed(Source s, Destination d) {
    Addresses all = d.addresses;
    if (forwarding.walk(s, d, d.cls.block(), all.lo(), all.hi()) == Forwarding.PROVEN
        && proven(s, d, forwarding.pathSignature)) {
      return; // the common case, without splitting
    }
    List<Open> opens = new ArrayList<>();
    Deque<List<Pod>> parts = new ArrayDeque<>();
    parts.push(d.byAddress);
    while (!parts.isEmpty()) {
      List<Pod> part = parts.pop();
      int lo = part.get(0).requireIp().toInt();
      int hi = part.get(part.size() - 1).requireIp().toInt();
      Cidr block = cover(lo, hi);
      int st = forwarding.walk(s, d, block, lo, hi);
      if (st == Forwarding.SPLIT && part.size() > 1) {
        int half = block.networkInt() | 1 << (31 - block.prefixLength());
        List<Pod> low = new ArrayList<>();
        List<Pod> high = new ArrayList<>();
        for (Pod q : part) {
          (Integer.compareUnsigned(q.requireIp().toInt(), half) < 0 ? low : high).add(q);
        }
        parts.push(high);
        parts.push(low);
      } else if (st != Forwarding.PROVEN) {
        exhaustive(s.cls.members(), d.cls.members());
        return;
      } else if (!proven(s, d, forwarding.pathSignature)) {
        forwarding.noting(true);
        forwarding.walk(s, d, block, lo, hi);
        forwarding.noting(false);
        opens.add(open(part));
      }
    }
    for (Open open : opens) {
      if (proven(s, d, open)) {
        continue;
      }
      Pod[] pair = representative(s.cls.members(), open.members());
      if (pair == null) {
        continue;
      }
      ContractChecker.Probe probe = send(pair[0], pair[1]);
      if (probe.violation() != null || !walked(probe.walk(), pair[0], open)) {
        exhaustive(s.cls.members(), d.cls.members());
        return;
      }
      prove(s, d, open);
    }
  }

  /** The last walk's outcome, kept until a real probe proves it. */
  private Open open(List<Pod> members) {
    return new Open(
        members,
        forwarding.sourceSignature,
        forwarding.pathSignature,
        forwarding.destinationSignature,
        List.copyOf(forwarding.routed),
        forwarding.decap);
  }

  /** Whether real probes proved the last walk's signatures (with {@code path} for its path). */
  private boolean proven(Source s, Destination d, long path) {
    return s.proven.contains(forwarding.sourceSignature)
        && d.proven.contains(forwarding.destinationSignature)
        && paths.contains(path);
  }

  private boolean proven(Source s, Destination d, Open open) {
    return s.proven.contains(open.source())
        && d.proven.contains(open.destination())
        && paths.contains(open.path());
  }

  private void prove(Source s, Destination d, Open open) {
    Forwarding.sourcesProven(open.source()).forEach(s.proven::add);
    d.proven.add(open.destination());
    Forwarding.pathsProven(open.path()).forEach(paths::add);
  }

  /**
   * Whether a real probe's walk went where the table walk said: routed in the same namespaces in
   * the same order (the first being the source pod's), and unwrapped by the same device if at all.
   */
  private static boolean walked(Walk walk, Pod from, Open open) {
    List<String> expected = new ArrayList<>();
    expected.add(from.requireNetns().label());
    for (int i = 1; i < open.routed().size(); i++) {
      expected.add(open.routed().get(i).label());
    }
    List<String> seen = new ArrayList<>();
    boolean unwrapped = false;
    Device decap = open.decap();
    for (Walk.Hop hop : walk.hops()) {
      HopAction action = hop.hop().action();
      String location = hop.hop().location();
      if (action == HopAction.ROUTE
          && (seen.isEmpty() || !seen.get(seen.size() - 1).equals(location))) {
        seen.add(location);
      } else if (action == HopAction.DECAP) {
        if (decap == null
            || !location.equals(decap.namespace().label())
            || !hop.hop().device().equals(decap.name())) {
          return false;
        }
        unwrapped = true;
      }
    }
    return seen.equals(expected) && unwrapped == (decap != null);
  }

  /** The smallest prefix holding the unsigned range [lo, hi]. */
  private static Cidr cover(int lo, int hi) {
    int length = Integer.numberOfLeadingZeros(lo ^ hi);
    return Cidr.containing(Ipv4Address.of(lo), length);
  }

  /** The first pair of distinct pods of the two lists, or null if there is none. */
  private static Pod @Nullable [] representative(List<Pod> sources, List<Pod> destinations) {
    for (Pod p : sources) {
      for (Pod q : destinations) {
        if (p != q) {
          return new Pod[] {p, q};
        }
      }
    }
    return null;
  }

  /** Probes every pair, recording each violation in pair order. */
  private void exhaustive(List<Pod> sources, List<Pod> destinations) {
    for (Pod p : sources) {
      for (Pod q : destinations) {
        if (p != q) {
          ContractChecker.Probe probe = send(p, q);
          if (probe.violation() != null) {
            record(p, q, probe.violation());
          }
        }
      }
    }
  }

  private ContractChecker.Probe send(Pod from, Pod to) {
    datagrams++;
    forwarding.probed();
    return ContractChecker.probe(from, to);
  }

  private void record(Pod p, Pod q, Violation v) {
    long order = (long) index.get(p) * index.size() + index.get(q);
    found.add(new Found(order, v));
  }
}
