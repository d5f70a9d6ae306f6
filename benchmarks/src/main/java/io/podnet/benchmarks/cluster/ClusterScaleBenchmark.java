package io.podnet.benchmarks.cluster;

import io.podnet.benchmarks.HeapWatch;
import io.podnet.cni.calico.CalicoNode;
import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.EndpointCounts;
import io.podnet.cni.cluster.Flanneld;
import io.podnet.cni.cluster.Node;
import io.podnet.cni.cluster.Pod;
import io.podnet.cni.cluster.PodSpec;
import io.podnet.cni.cluster.ServiceMode;
import io.podnet.cni.contract.ContractChecker;
import io.podnet.cni.contract.ContractReport;
import io.podnet.core.engine.SimTime;
import io.podnet.dataplane.bgp.Convergence;
import io.podnet.dataplane.service.ServicePort;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A cluster at the Kubernetes thresholds: N nodes in racks of 240 behind a router (one L2 segment
 * for {@code calico-rr}), 30 pods per node, each through CNI ADD to Running. {@code build} measures
 * building the cluster, running every pod and, with Calico, BGP until every session is up and no
 * node's routes have changed for a simulated second (it prints when every pod was Running, before
 * that wait); {@code contractCheck} measures {@link ContractChecker#checkByClasses} on a built
 * cluster and prints the datagrams it sent and its thread's CPU time (the wall time of a shared
 * machine says less; {@code build} prints its thread's CPU time too). After each build, outside the
 * timed call, the retained heap (after a full GC) and the peak heap ({@link HeapWatch}) are
 * printed.
 *
 * <p>The fork runs on transparent huge pages: the check walks tables spread over more than a
 * gigabyte, and with 4 KiB pages it spends about half its time in TLB misses (on a 2-core machine,
 * 51 to 54 s of CPU for the check at 5,000 nodes against 27 to 29 s with huge pages, measured side
 * by side when huge pages were introduced). Its 4 GB heap is committed and touched when the JVM
 * starts ({@code -Xms4g -XX:+AlwaysPreTouch}), as a server's is, so that the kernel zeroing the
 * pages of a growing heap is not measured: an async-profiler profile of {@code calico-rr-ipip}'s
 * build at 5,000 nodes showed about 4 s of it, half inside collection pauses, and the build took 45
 * s with a growing heap against 38 s with it touched at start, on a 2-core machine. A command
 * line's {@code -jvmArgsAppend} replaces these arguments, so repeat them there.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ClusterScaleBenchmark -p
 * nodes=500,1000}
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx4g", "-Xms4g", "-XX:+AlwaysPreTouch", "-XX:+UseTransparentHugePages"})
@Warmup(iterations = 0)
@Measurement(iterations = 1)
public class ClusterScaleBenchmark {

  /** Pods per node, as the 150,000 pods on 5,000 nodes. */
  static final int PODS_PER_NODE = 30;

  /**
   * The cluster CIDR (Calico's IP pool): room for 5,000 nodes' subnets or blocks, and apart from
   * the Service CIDR ({@code 10.96.0.0/12}). calico-ipam claims blocks anywhere in its pool,
   * starting at a random one, so a pool of {@code 10.0.0.0/8} put pods among the ClusterIPs, and
   * every class walk toward them stopped at a Service rule (the check fell back to pair probes).
   */
  static final String CLUSTER_CIDR = "10.128.0.0/9";

  /** Nodes per rack (one L2 segment behind the rack's router port). */
  static final int NODES_PER_RACK = 240;

  /** The cluster's size and strategy. */
  @State(Scope.Benchmark)
  public static class Size {
    /** Number of nodes. */
    @Param({"500", "1000", "5000"})
    public int nodes;

    /**
     * {@code flannel-vxlan}; {@code calico-rr}, Calico in BGP mode through two route reflectors
     * (the first two nodes) with every node on one L2 segment, so every node's ARP broadcast
     * reaches every other node; {@code calico-rr-ipip}, the same reflectors with the nodes in racks
     * of {@value #NODES_PER_RACK} and pod traffic in IP-in-IP through {@code tunl0}, so the racks'
     * routers carry only node addresses, as Calico is commonly deployed at this size; or {@code
     * calico-tor}, Calico in BGP mode peering with the top-of-rack router, a route reflector for
     * the cluster's one AS, with the nodes in racks like flannel's: a node reaches a block of its
     * own rack through the block's node and any other through its rack's router, which carries pod
     * traffic between racks without encapsulation.
     */
    @Param({"flannel-vxlan"})
    public String strategy;

    /**
     * Services with endpoint counts from {@link EndpointCounts#THRESHOLDS} (1 to 250, about 12 on
     * average), laid out by {@link EndpointCounts#layout} (below 150,000 pods Services share apps);
     * created before the pods run, so endpoints change throughout the build.
     */
    @Param({"0", "10000"})
    public int services;

    /** How nodes implement Services: {@code IPTABLES} or {@code HASH_MAP}. */
    @Param({"IPTABLES"})
    public ServiceMode mode;
  }

  /** A cluster built before the measurement. */
  @State(Scope.Benchmark)
  public static class Built {
    Cluster cluster;

    /** Builds the cluster and runs its pods. */
    @Setup(Level.Iteration)
    public void setUp(Size size) {
      HeapWatch watch = HeapWatch.start();
      cluster = populate(size);
      printHeap("after build", cluster, watch.stop());
    }
  }

  /**
   * The cluster the last {@code build} made, whose heap is measured after the timed call (the
   * measurement's full collection is not part of the build).
   */
  @State(Scope.Benchmark)
  public static class Made {
    Cluster cluster;
    long peak;

    /** Prints the heap the cluster retains, then lets it go. */
    @TearDown(Level.Iteration)
    public void measure() {
      printHeap("after build", cluster, peak);
      cluster = null;
    }
  }

  /** Builds the cluster and runs every pod to Running. */
  @Benchmark
  public Cluster build(Size size, Made made) {
    HeapWatch watch = HeapWatch.start();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long cpu = threads.getCurrentThreadCpuTime();
    Cluster cluster = populate(size);
    cpu = threads.getCurrentThreadCpuTime() - cpu;
    made.peak = watch.stop();
    System.out.printf("%nbuild: %.1f s of CPU%n", cpu / 1e9);
    made.cluster = cluster;
    return cluster;
  }

  /** The complete four-rule contract check by equivalence classes. */
  @Benchmark
  public ContractReport contractCheck(Built built) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long cpu = threads.getCurrentThreadCpuTime();
    ContractReport report = ContractChecker.checkByClasses(built.cluster);
    cpu = threads.getCurrentThreadCpuTime() - cpu;
    if (!report.holds()) {
      throw new IllegalStateException(report.render());
    }
    System.out.printf(
        "%ncontract check: %d pods, %d pairs, %d datagrams, %.1f s of CPU%n",
        report.podsChecked(), report.pairsChecked(), report.datagramsSent(), cpu / 1e9);
    return report;
  }

  static Cluster populate(Size size) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long cpu = threads.getCurrentThreadCpuTime();
    long wall = System.nanoTime();
    CalicoNode calico =
        switch (size.strategy) {
          case "flannel-vxlan" -> null;
          case "calico-rr" -> CalicoNode.withRouteReflectors(CalicoNode.Mode.BGP, 2);
          case "calico-tor" -> CalicoNode.withTorPeering(CalicoNode.Mode.BGP);
          case "calico-rr-ipip" -> CalicoNode.withRouteReflectors(CalicoNode.Mode.IPIP, 2);
          default -> throw new IllegalArgumentException("unknown strategy: " + size.strategy);
        };
    Cluster.Builder builder =
        calico == null ? Cluster.flannel(Flanneld.Backend.VXLAN) : Cluster.calico(calico);
    int racks =
        size.strategy.equals("calico-rr") ? 1 : (size.nodes + NODES_PER_RACK - 1) / NODES_PER_RACK;
    Cluster cluster =
        builder
            .nodes(size.nodes)
            .clusterCidr(CLUSTER_CIDR)
            .racks(racks)
            .services(size.mode)
            .seed(1)
            .build();
    EndpointCounts.Layout layout =
        EndpointCounts.THRESHOLDS.layout(
            size.services,
            size.nodes * PODS_PER_NODE,
            cluster.simulation().random().stream("bulk-services"));
    List<Pod> pods = new ArrayList<>(size.nodes * PODS_PER_NODE);
    for (Node node : cluster.nodes()) {
      for (int i = 1; i <= PODS_PER_NODE; i++) {
        PodSpec spec = PodSpec.named(node.name() + "-" + i).onNode(node.name());
        int app = layout.appOfPod(pods.size());
        pods.add(cluster.createPod(app < 0 ? spec : spec.label("app", appName(app))));
      }
    }
    for (int s = 0; s < size.services; s++) {
      cluster.createService(
          "svc-" + (s + 1),
          Map.of("app", appName(layout.appOfService(s))),
          List.of(ServicePort.of("http", "TCP", 80, 8080)));
    }
    for (int second = 0; second < 600; second++) {
      if (pods.stream().allMatch(Pod::isRunning) && cluster.servicesInSync()) {
        System.out.printf(
            "%nevery pod Running after %.1f s (%.1f s of CPU)%n",
            (System.nanoTime() - wall) / 1e9, (threads.getCurrentThreadCpuTime() - cpu) / 1e9);
        if (calico != null) {
          // Built means routed: every BGP session up (a session whose first connect was refused or
          // lost waits for its connect retry), then BIRD's routes spread until no Loc-RIB changes.
          Convergence.untilEstablished(
              cluster.simulation(), calico.speakers(), SimTime.SECOND, 600 * SimTime.SECOND);
          Convergence.untilQuiet(cluster.simulation(), calico.speakers(), SimTime.SECOND);
        }
        return cluster;
      }
      cluster.run(SimTime.SECOND);
    }
    Pod stuck = pods.stream().filter(p -> !p.isRunning()).findFirst().orElseThrow();
    throw new IllegalStateException(stuck.key() + " is not running: " + stuck.events());
  }

  private static String appName(int app) {
    return "app-" + (app + 1);
  }

  private static void printHeap(String when, Cluster cluster, long peak) {
    System.out.printf(
        "%n%s: %d pods, heap retained %d MB, peak %d MB%n",
        when, cluster.pods().size(), HeapWatch.retained() >> 20, peak >> 20);
  }
}
