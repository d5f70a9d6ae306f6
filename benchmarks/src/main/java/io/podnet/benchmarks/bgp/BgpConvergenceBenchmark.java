package io.podnet.benchmarks.bgp;

import io.podnet.benchmarks.HeapWatch;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.net.LinkSpec;
import io.podnet.core.net.Network;
import io.podnet.dataplane.bgp.BgpSpeaker;
import io.podnet.dataplane.bgp.Convergence;
import io.podnet.dataplane.bgp.Fabric;
import java.util.ArrayList;
import java.util.List;
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
 * Wall time for a full iBGP mesh of N speakers (Calico's default topology, n(n-1)/2 sessions over
 * real TCP streams) to converge from cold on a routed fabric, each speaker originating its node's
 * /26, until every Loc-RIB holds all N prefixes. Building the fabric is outside the measurement.
 * Peak heap ({@link HeapWatch}) is printed after each iteration.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar BgpConvergenceBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class BgpConvergenceBenchmark {

  /** Number of speakers (nodes). */
  @Param({"100", "300", "1000"})
  public int speakers;

  private Simulation sim;
  private List<BgpSpeaker> mesh;
  private long simulatedNanos;
  private long peakHeap;

  /** Builds the fabric and configures (but does not start) the full mesh. */
  @Setup(Level.Iteration)
  public void build() {
    sim = Simulation.create(1);
    Network net = Network.create(sim);
    Fabric f = Fabric.star(net, speakers, LinkSpec.DEFAULT);
    mesh = new ArrayList<>(speakers);
    for (int i = 0; i < speakers; i++) {
      BgpSpeaker s = BgpSpeaker.builder(f.node(i).root(), 64512, f.nodeAddress(i)).build();
      s.originate(f.podCidr(i));
      for (int j = 0; j < speakers; j++) {
        if (j != i) {
          s.addPeer(f.nodeAddress(j));
        }
      }
      mesh.add(s);
    }
    System.gc();
  }

  /** Starts every speaker and runs until every Loc-RIB has every prefix. */
  @Benchmark
  public long converge() {
    HeapWatch watch = HeapWatch.start();
    for (BgpSpeaker s : mesh) {
      s.start();
    }
    simulatedNanos =
        Convergence.untilLocRibSize(
            sim, mesh, speakers, 10 * SimTime.MILLISECOND, 600 * SimTime.SECOND);
    peakHeap = watch.stop();
    return simulatedNanos;
  }

  /** Prints the simulated convergence time, events fired and peak heap of the iteration. */
  @TearDown(Level.Iteration)
  public void report() {
    long messages = 0;
    for (BgpSpeaker s : mesh) {
      messages += s.messagesSent();
    }
    System.out.printf(
        "%n  speakers=%d simulated=%s s events=%d bgp-messages=%d peak-heap=%d MiB%n",
        speakers, SimTime.format(simulatedNanos), sim.firedEvents(), messages, peakHeap >> 20);
  }
}
