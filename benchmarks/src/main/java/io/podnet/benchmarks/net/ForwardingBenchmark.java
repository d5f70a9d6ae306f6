package io.podnet.benchmarks.net;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Pod;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.PingOptions;
import io.podnet.core.net.ProbeResult;
import io.podnet.core.trace.Trace;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Simulated packet hops per second on the demo's cross-node path (a bridge-CNI cluster of two
 * nodes: pod, veth, bridge, node routing, NIC, underlay switch, NIC, node routing, bridge, veth,
 * pod, and back) with the digest-only trace. One operation is one warm ping, request and reply; the
 * {@code hops} counter reports trace hops per second, the figure the target (at least 1 million per
 * second) is about.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ForwardingBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ForwardingBenchmark {

  /** Counts trace records (hops) per iteration; JMH reports them as a rate. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Hops {
    /** Trace records written during the iteration. */
    public long hops;

    /** Resets the counter before each iteration. */
    @Setup(Level.Iteration)
    public void reset() {
      hops = 0;
    }
  }

  private NetNamespace from;
  private Ipv4Address to;
  private Trace trace;
  private PingOptions options;

  /** Builds the demo's two-node cluster, starts a pod on each node and warms ARP on the path. */
  @Setup
  public void setUp() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(42).build();
    Pod web1 = cluster.runPod("web-1");
    Pod web2 = cluster.runPod("web-2");
    from = web1.requireNetns();
    to = web2.requireIp();
    trace = cluster.network().trace();
    options = PingOptions.DEFAULT.withRecordWalk(false);
    if (!from.ping(to, options).success()) {
      throw new IllegalStateException("the demo path does not forward");
    }
  }

  /** One cross-node ping, request and reply. */
  @Benchmark
  public ProbeResult crossNodePing(Hops counter) {
    long before = trace.recordCount();
    ProbeResult result = from.ping(to, options);
    counter.hops += trace.recordCount() - before;
    return result;
  }
}
