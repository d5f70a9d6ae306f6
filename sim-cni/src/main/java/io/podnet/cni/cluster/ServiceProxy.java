package io.podnet.cni.cluster;

import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.net.KernelEvent;
import io.podnet.core.net.SocketLoadBalancer;
import io.podnet.core.trace.Trace;
import io.podnet.dataplane.netfilter.Netfilter;
import io.podnet.dataplane.service.Endpoint;
import io.podnet.dataplane.service.HashMapServiceLookup;
import io.podnet.dataplane.service.LookupResult;
import io.podnet.dataplane.service.Protocol;
import io.podnet.dataplane.service.RuleProgrammingCost;
import io.podnet.dataplane.service.Service;
import io.podnet.dataplane.service.ServicePort;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.random.RandomGenerator;

/**
 * The Service dataplane of one node, in either {@link ServiceMode}: it owns the node's netfilter
 * (conntrack does the NAT in iptables mode, and in hash-map mode for what the node's socket load
 * balancer, {@link io.podnet.core.net.SocketLoadBalancer}, leaves to the packet path: traffic from
 * outside the cluster) and syncs it towards the cluster's Services one sync at a time, each taking
 * effect after its cost ({@link RuleProgrammingCost}): an {@code iptables-restore} of the lines
 * written, or one map update per changed Service.
 *
 * <p>Changes that arrive while a sync runs are batched into the next one. In iptables mode syncs
 * are rate-limited as kube-proxy's {@code BoundedFrequencyRunner} does: a bucket of {@value
 * #BURST_SYNCS} syncs refilled once per {@code --iptables-min-sync-period} ({@link
 * #MIN_SYNC_PERIOD_NANOS}, 1 s by default since kubernetes/kubernetes#92836), so a change to an
 * idle node is synced at once and a stream of changes at most once a second. The first sync, and
 * any sync an hour or more after the last full one, restores everything; the others (KEP-3453)
 * write {@code KUBE-SERVICES} and the changed Services' chains, unless the {@code
 * MinimizeIPTablesRestore} feature gate is off, which makes every sync full. In hash-map mode each
 * batch is written as soon as the previous one finished.
 *
 * <p>A node holds the snapshot it last synced and nothing per Service: what a sync writes, its
 * restore input and the service map are the snapshot's, shared by every node making the same sync
 * (see {@link ServiceSnapshot}), and netfilter shares the rules the same restore gives.
 */
final class ServiceProxy {

  /** kube-proxy's default {@code --iptables-min-sync-period}. */
  static final long MIN_SYNC_PERIOD_NANOS = SimTime.SECOND;

  /** kube-proxy's {@code burstSyncs}: syncs allowed back to back before the rate limit. */
  static final int BURST_SYNCS = 2;

  /** kube-proxy's {@code FullSyncPeriod}: a partial sync turns full this long after a full one. */
  static final long FULL_SYNC_PERIOD_NANOS = 3600 * SimTime.SECOND;

  private final String nodeName;
  private final Trace trace;
  private final ServiceMode mode;
  private final boolean minimizeIptablesRestore;
  private final Simulation simulation;
  private final Netfilter netfilter;
  private final KubeProxy kubeProxy;
  private final HashMapServiceLookup map;
  private final List<ServiceSync> syncs = new ArrayList<>();
  private final LongArrayList syncedGenerations = new LongArrayList();
  private final ServiceFeed feed;
  private final int index;
  private ServiceSnapshot synced;
  private boolean running;
  private boolean retryScheduled;
  private long tokens = BURST_SYNCS * MIN_SYNC_PERIOD_NANOS;
  private long tokensAt;
  private long lastFullSync = Long.MIN_VALUE;

  /**
   * The proxy of {@code node}, numbered {@link ServiceFeed#next} in {@code feed}; {@code
   * nodeAddress} tells the cluster's node addresses (a hash-map node's socket-LB translates a
   * NodePort on any of them).
   */
  ServiceProxy(
      Node node,
      ServiceMode mode,
      boolean minimizeIptablesRestore,
      Simulation simulation,
      ServiceFeed feed,
      IntPredicate nodeAddress) {
    this.minimizeIptablesRestore = minimizeIptablesRestore;
    ServiceSnapshot initial = feed.latest();
    this.nodeName = node.name();
    this.trace = node.host().network().trace();
    this.mode = mode;
    this.simulation = simulation;
    this.feed = feed;
    this.index = feed.next();
    this.synced = initial;
    this.tokensAt = simulation.now();
    node.host().root().setBridgeNfCallIptables(true);
    this.kubeProxy = new KubeProxy(node, mode == ServiceMode.IPTABLES);
    this.netfilter = kubeProxy.netfilter();
    this.map = HashMapServiceLookup.forNode(node.name(), initial.clusterCidr());
    if (mode == ServiceMode.HASH_MAP) {
      netfilter.setServiceMap(map);
      RandomGenerator slots = simulation.random().stream("socket-lb/" + node.name());
      node.host()
          .setSocketLoadBalancer(
              (source, dst, port, protocol) -> {
                boolean local = node.host().root().isLocalAddress(dst);
                long r =
                    map.lookupSocket(
                        source,
                        dst,
                        local,
                        local || nodeAddress.test(dst),
                        port,
                        protocol,
                        slots,
                        simulation.now());
                // a lookup's answer is packed as the socket load balancer's; a denied client is
                // left to the packet path
                return r == LookupResult.DENIED ? SocketLoadBalancer.NOT_A_SERVICE : r;
              });
    }
  }

  Netfilter netfilter() {
    return netfilter;
  }

  HashMapServiceLookup map() {
    return map;
  }

  /**
   * The sync that first programmed a Service that appeared in the snapshot of generation {@code
   * since}: the first finished sync to that snapshot or a later one.
   */
  Optional<ServiceSync> programmed(long since) {
    int lo = 0;
    int hi = syncs.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (syncedGenerations.getLong(mid) < since) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo < syncs.size() ? Optional.of(syncs.get(lo)) : Optional.empty();
  }

  /** Whether the node's dataplane holds {@code snapshot} and no sync is due or running. */
  boolean inSync(ServiceSnapshot snapshot) {
    return synced == snapshot && !running && !retryScheduled;
  }

  /** The cluster's Services changed ({@link ServiceFeed#latest}): sync as soon as allowed. */
  void changed() {
    tryRun();
  }

  private void tryRun() {
    if (running || retryScheduled) {
      return;
    }
    boolean pending = feed.latest() != synced;
    feed.waiting(index, !pending);
    if (!pending) {
      return;
    }
    if (mode == ServiceMode.IPTABLES) {
      long now = simulation.now();
      long capacity = BURST_SYNCS * MIN_SYNC_PERIOD_NANOS;
      tokens = Math.min(capacity, tokens + (now - tokensAt));
      tokensAt = now;
      if (tokens < MIN_SYNC_PERIOD_NANOS) {
        retryScheduled = true;
        simulation.schedule(
            MIN_SYNC_PERIOD_NANOS - tokens,
            () -> {
              retryScheduled = false;
              tryRun();
            });
        return;
      }
      tokens -= MIN_SYNC_PERIOD_NANOS;
    }
    start();
  }

  private void start() {
    running = true;
    ServiceSnapshot from = synced;
    ServiceSnapshot target = feed.latest();
    ServiceSnapshot.Step step = target.stepFrom(from);
    long started = simulation.now();
    int services = step.services();
    if (mode == ServiceMode.HASH_MAP) {
      long cost = RuleProgrammingCost.MEASURED.mapUpdateNanos() * Math.max(1, services);
      ServiceSync sync =
          new ServiceSync(
              nodeName, ServiceSync.Kind.MAP_UPDATE, started, started + cost, services, services);
      simulation.schedule(
          cost,
          () -> {
            if (target.perNode()) {
              write(map, from, step);
            } else {
              map.shareEntriesOf(
                  target.sharedMap(
                      () -> {
                        HashMapServiceLookup shared =
                            HashMapServiceLookup.forNode("", target.clusterCidr());
                        shared.shareEntriesOf(map);
                        write(shared, from, step);
                        return shared;
                      }));
            }
            finish(target, step, sync);
          });
      return;
    }
    boolean full =
        !minimizeIptablesRestore
            || lastFullSync == Long.MIN_VALUE
            || started - lastFullSync >= FULL_SYNC_PERIOD_NANOS;
    ServiceSnapshot.Plan plan = kubeProxy.plan(from, target, step, full);
    long lines = plan.lines();
    long cost = RuleProgrammingCost.MEASURED.restoreNanos(lines);
    ServiceSync sync =
        new ServiceSync(
            nodeName,
            full ? ServiceSync.Kind.FULL_RESTORE : ServiceSync.Kind.PARTIAL_RESTORE,
            started,
            started + cost,
            lines,
            services);
    if (full) {
      lastFullSync = started;
    }
    simulation.schedule(
        cost,
        () -> {
          kubeProxy.apply(plan);
          target.synced(from, full);
          finish(target, step, sync);
        });
  }

  /** Writes a step into a service map that holds {@code from}. */
  private static void write(
      HashMapServiceLookup map, ServiceSnapshot from, ServiceSnapshot.Step step) {
    for (String key : step.removed()) {
      Service old = from.entries().get(key).service();
      map.remove(old.namespace(), old.name());
    }
    step.changed().forEach(e -> map.update(e.service(), e.endpoints()));
  }

  private void finish(ServiceSnapshot target, ServiceSnapshot.Step step, ServiceSync sync) {
    ServiceSnapshot from = synced;
    synced = target;
    syncs.add(sync);
    syncedGenerations.add(target.generation());
    if (netfilter.conntrack().hasUdpFlows()) {
      for (String key : step.removed()) {
        deleteStaleUdpFlows(from.entries().get(key).service(), List.of());
      }
      for (ServiceSnapshot.Entry e : step.changed()) {
        deleteStaleUdpFlows(e.service(), e.endpoints());
      }
    }
    trace.record(
        new KernelEvent(
            sync.finished(),
            "service-sync",
            nodeName,
            sync.describe() + " started " + SimTime.format(sync.started())));
    running = false;
    tryRun();
  }

  /**
   * Once a sync took effect, deletes the UDP conntrack entries of the Service's ClusterIP ports
   * that are DNATed to an endpoint no longer serving them, as kube-proxy does: UDP has no
   * connection to end, so such an entry would keep sending a client's datagrams to a gone pod until
   * it timed out.
   */
  private void deleteStaleUdpFlows(Service service, List<Endpoint> endpoints) {
    for (ServicePort port : service.ports()) {
      if (port.protocol() != Protocol.UDP) {
        continue;
      }
      Set<Long> serving = new LinkedHashSet<>();
      for (Endpoint e : endpoints) {
        if (e.isReady() && e.port() == port.targetPort()) {
          serving.add((e.ip().toInt() & 0xFFFF_FFFFL) << 16 | e.port());
        }
      }
      netfilter.conntrack().deleteStaleUdpNat(service.clusterIp(), port.port(), serving::contains);
    }
  }
}
