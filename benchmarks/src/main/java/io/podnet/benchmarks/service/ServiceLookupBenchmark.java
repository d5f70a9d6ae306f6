package io.podnet.benchmarks.service;

import io.podnet.dataplane.service.HashMapServiceLookup;
import io.podnet.dataplane.service.IptablesServiceLookup;
import io.podnet.dataplane.service.Service;
import io.podnet.dataplane.service.ServiceKey;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * First-packet Service lookup (no conntrack) on a node holding N Services, for random existing
 * Services: the kube-proxy rule walk ({@code iptables}), the hash map with Maglev ({@code
 * hashMap}), and two baselines on the same keys: a bare fastutil {@code Long2IntOpenHashMap.get}
 * ({@code bareMap}), the same get followed by one read at a flow-hash position in a 16-int block of
 * the Service's own ({@code bareMapThenRead}: the least a Maglev lookup reads, a Service entry and
 * then its table), and a bare linear scan of an {@code int[]} of N VIPs ({@code bareScan}). The
 * mean number of rules the iptables walk evaluates per lookup is printed at setup; divide the score
 * by it for nanoseconds per rule ({@link LookupChart} does).
 *
 * <p>The fork asks for transparent huge pages: the kernel keeps its BPF maps in memory it maps with
 * huge pages, and with 4 KB pages the larger sizes would mostly measure TLB misses, for all four
 * variants alike.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ServiceLookupBenchmark -f 1 -wi 2 -i 3}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "-XX:+UseTransparentHugePages"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ServiceLookupBenchmark {

  /** Ints in a Service's block of {@link #bareMapThenRead}: one 64-byte cache line. */
  private static final int BLOCK = 16;

  /** Number of Services on the node. */
  @Param({"10", "100", "1000", "10000", "100000"})
  public int services;

  private int[] vips;
  private long[] hashes;
  private IptablesServiceLookup iptables;
  private HashMapServiceLookup hashMap;
  private Long2IntOpenHashMap bareMap;
  private int[] bareBlocks;
  private int[] bareVips;
  private int next;

  /** Builds the Services, both lookups and the baselines. */
  @Setup
  public void setup() {
    ServiceFixture f = new ServiceFixture(services, 42);
    vips = f.vips;
    hashes = f.flowHashes;
    iptables = IptablesServiceLookup.create(new SplittableRandom(7), f.services, f.endpoints);
    hashMap = HashMapServiceLookup.create();
    bareMap = new Long2IntOpenHashMap(services);
    bareVips = new int[services];
    bareBlocks = new int[BLOCK * services];
    for (int i = 0; i < services; i++) {
      Service s = f.services.get(i);
      hashMap.update(s, f.endpoints.get(s));
      bareMap.put(s.key(s.ports().get(0)), i);
      bareVips[i] = s.clusterIp().toInt();
      for (int j = 0; j < BLOCK; j++) {
        bareBlocks[BLOCK * i + j] = i ^ j;
      }
    }
    System.out.printf(
        "%n[services=%d] mean iptables rules per lookup: %.1f%n", services, f.meanIptablesRules());
  }

  private int nextIndex() {
    return next = (next + 1) & (ServiceFixture.LOOKUPS - 1);
  }

  /** kube-proxy layout: KUBE-SERVICES scan, SVC statistic rules, SEP rules. */
  @Benchmark
  public long iptables() {
    int i = nextIndex();
    return iptables.lookup(vips[i], 80, 6, hashes[i]);
  }

  /** Hash map from (VIP, port, protocol) and a Maglev table per Service. */
  @Benchmark
  public long hashMap() {
    int i = nextIndex();
    return hashMap.lookup(vips[i], 80, 6, hashes[i]);
  }

  /** Baseline: one fastutil {@code Long2IntOpenHashMap.get} of the packed key. */
  @Benchmark
  public int bareMap() {
    int i = nextIndex();
    return bareMap.get(ServiceKey.pack(vips[i], 80, 6));
  }

  /**
   * Baseline: the bare map get, then one dependent read in the Service's block at a position the
   * flow hash picks, as a Maglev table read follows the Service entry.
   */
  @Benchmark
  public int bareMapThenRead() {
    int i = nextIndex();
    int block = bareMap.get(ServiceKey.pack(vips[i], 80, 6));
    return bareBlocks[BLOCK * block + (int) (((hashes[i] >>> 32) * BLOCK) >>> 32)];
  }

  /** Baseline: a linear scan of an {@code int[]} of the N VIPs until the match. */
  @Benchmark
  public int bareScan() {
    int i = nextIndex();
    int vip = vips[i];
    int[] a = bareVips;
    int j = 0;
    while (j < a.length && a[j] != vip) {
      j++;
    }
    return j;
  }
}
