package io.podnet.dataplane.service;

import java.util.List;

/**
 * Finds the backend for the first packet of a flow to a Service (VIP, port, protocol), the way a
 * node's dataplane does it, and counts the work that took.
 *
 * <p>Two families implement it: {@link IptablesServiceLookup} walks kube-proxy's rules like the
 * kernel, so its work (rules evaluated) grows with the number of Services; {@link
 * HashMapServiceLookup} looks the Service up in a hash map and picks the backend from a Maglev
 * table, so its work (probes) stays flat. Results are packed {@code long}s (see {@link
 * LookupResult}): a backend, {@link LookupResult#NO_SERVICE} or {@link LookupResult#NO_ENDPOINTS},
 * never an exception, and the hot path allocates nothing.
 *
 * <pre>{@code
 * ServiceLookup lb = HashMapServiceLookup.create();
 * lb.update(svc, List.of(Endpoint.ready("10.180.0.1", 80)));
 * long r = lb.lookup(svc.clusterIp().toInt(), 80, Protocol.TCP.number(), flowHash);
 * LookupResult.format(r); // "10.180.0.1:80"
 * lb.lastWork();          // 2: one probe into the service map, one Maglev table read
 * }</pre>
 *
 * <p>Not thread-safe; one simulated node owns one instance.
 */
public interface ServiceLookup {

  /**
   * Returns the backend for a new flow to {@code vip:port} over IP protocol {@code protocol}
   * ({@link Protocol#number()}); {@code flowHash} is the flow's hash (used by hash-based selection,
   * ignored by random selection).
   */
  long lookup(int vip, int port, int protocol, long flowHash);

  /** Returns the work the last {@link #lookup} did: rules evaluated or table probes. */
  int lastWork();

  /** Returns the work of all lookups so far. */
  long totalWork();

  /**
   * Installs {@code service} with {@code endpoints} (only ready ones receive traffic), replacing a
   * Service of the same namespace/name.
   *
   * @throws IllegalArgumentException if a port clashes with another Service's (VIP, port, protocol)
   *     or an endpoint's port is no targetPort of the Service
   */
  void update(Service service, List<Endpoint> endpoints);

  /** Removes the Service {@code namespace/name}; returns whether it was installed. */
  boolean remove(String namespace, String name);

  /** Returns the number of installed Service ports. */
  int size();
}
