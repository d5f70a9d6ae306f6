package io.podnet.cni.cilium;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Cilium's default {@code cluster-pool} IPAM as the agents hold it, shared by the cluster: each
 * node allocates from its own pod CIDR, every address but the network and broadcast ones, with the
 * allocator Cilium took from Kubernetes ({@code pkg/ipam/service/ipallocator}): a bitmap with the
 * random-scan strategy, which starts at a random offset and takes the first free address from
 * there, wrapping. So the router IP of {@code cilium_host} and the pods' addresses land anywhere in
 * the CIDR ({@code 10.0.1.139}, not {@code .1}). Each address has an owner: {@code router} or the
 * pod's CNI attachment.
 */
public final class ClusterPoolIpam {

  /** The agent's error when every pod CIDR of the node is full (Cilium's {@code cidrPool}). */
  static final String EXHAUSTED = "all CIDR ranges are exhausted";

  private static final class NodePool {
    final Cidr cidr;
    final int max;
    final TreeMap<Integer, String> owners = new TreeMap<>();

    NodePool(Cidr cidr) {
      this.cidr = cidr;
      this.max = (int) Math.max(0, cidr.size() - 2);
    }

    Ipv4Address address(int offset) {
      return cidr.address(offset + 1L);
    }
  }

  private final Map<String, NodePool> nodes = new LinkedHashMap<>();

  /** An empty pool. */
  public ClusterPoolIpam() {}

  /** Gives {@code node} its pod CIDR; {@link IllegalStateException} if it has one already. */
  public void addNode(String node, Cidr podCidr) {
    if (nodes.containsKey(node)) {
      throw new IllegalStateException("node " + node + " already has pod CIDR " + podCidr(node));
    }
    nodes.put(node, new NodePool(podCidr));
  }

  /** Whether {@code node} has a pod CIDR here. */
  public boolean hasNode(String node) {
    return nodes.containsKey(node);
  }

  /** The pod CIDR of {@code node}; {@link IllegalArgumentException} if it has none. */
  public Cidr podCidr(String node) {
    return pool(node).cidr;
  }

  /**
   * Allocates the next address of {@code node} for {@code owner}, by random scan; empty when the
   * CIDR is full ({@code all CIDR ranges are exhausted}).
   */
  public Optional<Ipv4Address> allocateNext(String node, String owner, RandomGenerator random) {
    NodePool p = pool(node);
    if (p.owners.size() >= p.max) {
      return Optional.empty();
    }
    int start = random.nextInt(p.max);
    for (int i = 0; i < p.max; i++) {
      int at = (start + i) % p.max;
      if (!p.owners.containsKey(at)) {
        p.owners.put(at, owner);
        return Optional.of(p.address(at));
      }
    }
    return Optional.empty();
  }

  /** Releases every address {@code owner} holds on {@code node}; returns how many. */
  public int release(String node, String owner) {
    NodePool p = nodes.get(node);
    if (p == null) {
      return 0;
    }
    int before = p.owners.size();
    p.owners.values().removeIf(owner::equals);
    return before - p.owners.size();
  }

  /** The addresses allocated on {@code node} with their owners, in address order. */
  public Map<Ipv4Address, String> allocations(String node) {
    NodePool p = pool(node);
    Map<Ipv4Address, String> out = new LinkedHashMap<>();
    p.owners.forEach((offset, owner) -> out.put(p.address(offset), owner));
    return Collections.unmodifiableMap(out);
  }

  /** How many addresses {@code node} can hand out in all (the CIDR less network and broadcast). */
  public int capacity(String node) {
    return pool(node).max;
  }

  private NodePool pool(String node) {
    NodePool p = nodes.get(node);
    if (p == null) {
      throw new IllegalArgumentException(
          "node \"" + node + "\" has no pod CIDR in the cluster pool (has " + nodes.keySet() + ")");
    }
    return p;
  }
}
