package io.podnet.cni.calico;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Calico's IPAM state as its Kubernetes datastore holds it (IPPool, IPAMBlock and BlockAffinity
 * resources), shared by every node: an IP pool split into blocks (a /26 by default), each block
 * affine to one node, and each address of a block allocated to a handle ({@code
 * k8s-pod-network.<containerID>}). A node allocates from its affine blocks first, lowest free
 * ordinal of the block's free list; when they are full it claims a new block, chosen from the
 * pool's free blocks starting at a random one, as Calico's block generator does. When no block is
 * free, and strict affinity is off (Calico's default), it borrows an address from another node's
 * block, walking the pool's blocks from a random one (libcalico-go {@code autoAssign}); only when
 * that fails too is the pool exhausted. Listeners hear about claimed blocks and about borrowed
 * addresses taken and given back (calico-node advertises them).
 */
public final class CalicoDatastore {

  /** An IP pool. */
  public record IpPool(Cidr cidr, int blockSize) {
    /** Validates the block size against the pool. */
    public IpPool {
      if (blockSize < cidr.prefixLength() || blockSize > 32) {
        throw new IllegalArgumentException(
            "blockSize must be in ["
                + cidr.prefixLength()
                + ", 32] for pool "
                + cidr
                + ": "
                + blockSize);
      }
    }
  }

  private static final class Block {
    final Cidr cidr;
    final String node;
    final @Nullable String[] handles;
    final ArrayDeque<Integer> free = new ArrayDeque<>();

    Block(Cidr cidr, String node) {
      this.cidr = cidr;
      this.node = node;
      this.handles = new String[(int) cidr.size()];
      for (int i = 0; i < handles.length; i++) {
        free.add(i);
      }
    }
  }

  private final List<IpPool> pools = new ArrayList<>();
  private final TreeMap<Cidr, Block> blocks = new TreeMap<>();

  /**
   * Each node's affine blocks, in block order (an address comes from the first with room): a node
   * finds its own without a walk of all. The map itself is only looked up, never iterated.
   */
  private final Map<String, NavigableMap<Cidr, Block>> blocksByNode = new HashMap<>();

  private final List<BiConsumer<String, Cidr>> claimListeners = new ArrayList<>();

  /** The node that borrowed each address from another node's block. */
  private final Map<Ipv4Address, String> borrowed = new TreeMap<>();

  private final List<BiConsumer<String, Ipv4Address>> borrowListeners = new ArrayList<>();
  private final List<BiConsumer<String, Ipv4Address>> returnListeners = new ArrayList<>();

  /** An empty datastore. */
  public CalicoDatastore() {}

  /** Adds an IP pool; {@link IllegalArgumentException} if it overlaps another. */
  public void addPool(IpPool pool) {
    for (IpPool p : pools) {
      if (p.cidr().overlaps(pool.cidr())) {
        throw new IllegalArgumentException(
            "IP pool " + pool.cidr() + " overlaps IP pool " + p.cidr());
      }
    }
    pools.add(pool);
  }

  /** The IP pools. */
  public List<IpPool> pools() {
    return List.copyOf(pools);
  }

  /** Calls {@code listener(node, block)} whenever a node claims a block. */
  public void onBlockClaimed(BiConsumer<String, Cidr> listener) {
    claimListeners.add(listener);
  }

  /** Calls {@code listener(node, address)} whenever a node borrows from another node's block. */
  public void onAddressBorrowed(BiConsumer<String, Ipv4Address> listener) {
    borrowListeners.add(listener);
  }

  /** Calls {@code listener(node, address)} whenever a borrowed address is released. */
  public void onBorrowedAddressReleased(BiConsumer<String, Ipv4Address> listener) {
    returnListeners.add(listener);
  }

  /** The blocks affine to each node, in block order. */
  public Map<Cidr, String> blockAffinities() {
    Map<Cidr, String> out = new TreeMap<>();
    blocks.forEach((cidr, b) -> out.put(cidr, b.node));
    return out;
  }

  /**
   * Allocates one address for {@code handle} on {@code node}: from its affine blocks, a newly
   * claimed block, or borrowed from another node's block; empty when every pool is full.
   */
  public Optional<Ipv4Address> assign(String node, String handle, RandomGenerator random) {
    for (Block b : blocksByNode.getOrDefault(node, Collections.emptyNavigableMap()).values()) {
      if (!b.free.isEmpty()) {
        return Optional.of(take(b, handle));
      }
    }
    for (IpPool pool : pools) {
      Optional<Cidr> free = freeBlock(pool, random);
      if (free.isPresent()) {
        Block b = new Block(free.get(), node);
        blocks.put(b.cidr, b);
        blocksByNode.computeIfAbsent(node, n -> new TreeMap<>()).put(b.cidr, b);
        claimListeners.forEach(l -> l.accept(node, b.cidr));
        return Optional.of(take(b, handle));
      }
    }
    for (IpPool pool : pools) {
      long count = blockCount(pool);
      long start = random.nextLong(count);
      for (long i = 0; i < count; i++) {
        Block b = blocks.get(pool.cidr().subnet(pool.blockSize(), (start + i) % count));
        if (b != null && !b.free.isEmpty()) {
          Ipv4Address ip = take(b, handle);
          borrowed.put(ip, node);
          borrowListeners.forEach(l -> l.accept(node, ip));
          return Optional.of(ip);
        }
      }
    }
    return Optional.empty();
  }

  /** Releases every address held by {@code handle}; returns how many. */
  public int release(String handle) {
    int released = 0;
    for (Block b : blocks.values()) {
      for (int i = 0; i < b.handles.length; i++) {
        if (handle.equals(b.handles[i])) {
          b.handles[i] = null;
          b.free.add(i);
          released++;
          Ipv4Address ip = b.cidr.address(i);
          String borrower = borrowed.remove(ip);
          if (borrower != null) {
            returnListeners.forEach(l -> l.accept(borrower, ip));
          }
        }
      }
    }
    return released;
  }

  /** The handles holding addresses, by address. */
  public Map<Ipv4Address, String> allocations() {
    Map<Ipv4Address, String> out = new TreeMap<>();
    for (Block b : blocks.values()) {
      for (int i = 0; i < b.handles.length; i++) {
        String h = b.handles[i];
        if (h != null) {
          out.put(b.cidr.address(i), h);
        }
      }
    }
    return out;
  }

  private static Ipv4Address take(Block b, String handle) {
    int ordinal = b.free.poll();
    b.handles[ordinal] = handle;
    return b.cidr.address(ordinal);
  }

  private static long blockCount(IpPool pool) {
    return 1L << (pool.blockSize() - pool.cidr().prefixLength());
  }

  private Optional<Cidr> freeBlock(IpPool pool, RandomGenerator random) {
    long count = blockCount(pool);
    long start = random.nextLong(count);
    for (long i = 0; i < count; i++) {
      Cidr candidate = pool.cidr().subnet(pool.blockSize(), (start + i) % count);
      if (!blocks.containsKey(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
