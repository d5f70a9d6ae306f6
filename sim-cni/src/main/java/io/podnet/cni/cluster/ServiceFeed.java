package io.podnet.cni.cluster;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The Services every node's proxy syncs towards: the latest snapshot, and which proxies wait for
 * the next one. A new snapshot wakes only the waiting proxies, in node order; a proxy busy with a
 * sync, or held back by its rate limit, takes the latest snapshot once it is done. So a change
 * costs a call per waiting proxy, not per node: while pods turn Running one by one on 5,000 nodes,
 * every node is busy after the first change and the others wake none.
 */
final class ServiceFeed {

  private ServiceSnapshot latest;
  private final List<ServiceProxy> proxies = new ArrayList<>();
  private final BitSet waiting = new BitSet();

  ServiceFeed(ServiceSnapshot initial) {
    this.latest = initial;
  }

  /** The snapshot the proxies sync towards. */
  ServiceSnapshot latest() {
    return latest;
  }

  /** The number the next proxy {@link #add}ed gets. */
  int next() {
    return proxies.size();
  }

  /** Adds the proxy numbered {@link #next}, waiting. */
  void add(ServiceProxy proxy) {
    waiting.set(proxies.size());
    proxies.add(proxy);
  }

  /** Proxy {@code index} waits for the next snapshot, or no longer does. */
  void waiting(int index, boolean waits) {
    waiting.set(index, waits);
  }

  /** The Services changed to {@code snapshot}: the waiting proxies sync towards it. */
  void publish(ServiceSnapshot snapshot) {
    latest = snapshot;
    for (int i = waiting.nextSetBit(0); i >= 0; i = waiting.nextSetBit(i + 1)) {
      proxies.get(i).changed();
    }
  }
}
