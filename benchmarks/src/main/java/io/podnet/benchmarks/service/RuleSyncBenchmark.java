package io.podnet.benchmarks.service;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.dataplane.service.Endpoint;
import io.podnet.dataplane.service.HashMapServiceLookup;
import io.podnet.dataplane.service.IptablesServiceLookup;
import io.podnet.dataplane.service.KubeProxyIptables;
import io.podnet.dataplane.service.Service;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Programming one more Service into a node holding N: the iptables way (render the whole kube-proxy
 * restore text for N+1 Services and rebuild the rule arrays, as a full sync does) against a
 * hash-map update (insert the Service and build its Maglev table).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RuleSyncBenchmark -f 1 -wi 2 -i 3}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class RuleSyncBenchmark {

  /** Number of Services already on the node. */
  @Param({"1000", "10000", "30000"})
  public int services;

  private final Cidr clusterCidr = Cidr.parse("10.0.0.0/8");
  private List<Service> withExtra;
  private Map<Service, List<Endpoint>> endpoints;
  private Service extra;
  private List<Endpoint> extraEndpoints;
  private HashMapServiceLookup hashMap;

  /** Builds the node's Services and the map holding them. */
  @Setup
  public void setup() {
    ServiceFixture f = new ServiceFixture(services, 42);
    extra = ServiceFixture.service(services, Ipv4Address.parse("172.31.255.1").toInt());
    extraEndpoints =
        List.of(Endpoint.ready("10.127.0.1", 8080), Endpoint.ready("10.127.0.2", 8080));
    withExtra = new ArrayList<>(f.services);
    withExtra.add(extra);
    endpoints = new LinkedHashMap<>(f.endpoints);
    endpoints.put(extra, extraEndpoints);
    hashMap = HashMapServiceLookup.create();
    f.services.forEach(s -> hashMap.update(s, f.endpoints.get(s)));
  }

  /** Full sync: the restore text for all N+1 Services plus the rebuilt rule arrays. */
  @Benchmark
  public int fullRestore() {
    String text = KubeProxyIptables.render(withExtra, endpoints, clusterCidr);
    IptablesServiceLookup lb =
        IptablesServiceLookup.create(new SplittableRandom(1), withExtra, endpoints);
    return text.length() + lb.size();
  }

  /** Map update: install (or replace) the one Service. */
  @Benchmark
  public int mapUpdate() {
    hashMap.update(extra, extraEndpoints);
    return hashMap.size();
  }
}
