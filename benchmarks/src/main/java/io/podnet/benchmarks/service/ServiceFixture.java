package io.podnet.benchmarks.service;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.dataplane.service.Endpoint;
import io.podnet.dataplane.service.IptablesServiceLookup;
import io.podnet.dataplane.service.Service;
import io.podnet.dataplane.service.ServicePort;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A deterministic node's worth of Services for the benchmarks: {@code n} TCP ClusterIP Services on
 * consecutive VIPs from 172.16.0.0 (port 80, targetPort 8080), each with 1 to 3 ready endpoints,
 * and a fixed sequence of lookups of random existing Services with random flow hashes.
 */
final class ServiceFixture {

  /** Number of precomputed lookups; a power of two so the index wraps with a mask. */
  static final int LOOKUPS = 4096;

  final List<Service> services = new ArrayList<>();
  final Map<Service, List<Endpoint>> endpoints = new LinkedHashMap<>();
  final int[] vips = new int[LOOKUPS];
  final long[] flowHashes = new long[LOOKUPS];

  ServiceFixture(int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int base = Ipv4Address.parse("172.16.0.0").toInt();
    int podBase = Ipv4Address.parse("10.64.0.0").toInt();
    for (int i = 0; i < n; i++) {
      Service s = service(i, base + i);
      int count = 1 + rnd.nextInt(3);
      List<Endpoint> eps = new ArrayList<>(count);
      for (int e = 0; e < count; e++) {
        eps.add(Endpoint.of(Ipv4Address.of(podBase + 4 * i + e), 8080, true));
      }
      services.add(s);
      endpoints.put(s, eps);
    }
    for (int i = 0; i < LOOKUPS; i++) {
      vips[i] = base + rnd.nextInt(n);
      flowHashes[i] = rnd.nextLong();
    }
  }

  static Service service(int index, int vip) {
    return Service.of(
        "bench",
        String.format(Locale.ROOT, "svc-%06d", index),
        Ipv4Address.of(vip),
        ServicePort.of("http", "TCP", 80, 8080));
  }

  /** Mean rules a kube-proxy rule walk evaluates over this fixture's lookups (deterministic). */
  double meanIptablesRules() {
    IptablesServiceLookup lb =
        IptablesServiceLookup.create(new SplittableRandom(1), services, endpoints);
    for (int i = 0; i < LOOKUPS; i++) {
      lb.lookup(vips[i], 80, 6, flowHashes[i]);
    }
    return lb.totalWork() / (double) LOOKUPS;
  }
}
