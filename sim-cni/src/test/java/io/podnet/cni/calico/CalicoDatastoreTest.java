package io.podnet.cni.calico;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CalicoDatastoreTest {

  @Test
  void assign_noBlockLeftToClaim_borrowsFromAnotherNodesBlockAndTellsTheListeners() {
    CalicoDatastore store = store("10.244.0.0/30", 30);
    List<String> heard = new ArrayList<>();
    store.onAddressBorrowed((node, ip) -> heard.add("borrowed " + node + " " + ip));
    store.onBlockClaimed((node, block) -> heard.add("claimed " + node + " " + block));

    Ipv4Address own = store.assign("node-1", "h1", new SplittableRandom(1)).orElseThrow();
    Ipv4Address lent = store.assign("node-2", "h2", new SplittableRandom(1)).orElseThrow();

    assertThat(own).isEqualTo(Ipv4Address.parse("10.244.0.0"));
    assertThat(lent).isEqualTo(Ipv4Address.parse("10.244.0.1"));
    assertThat(store.blockAffinities()).containsExactly(entry("10.244.0.0/30", "node-1"));
    assertThat(heard).containsExactly("claimed node-1 10.244.0.0/30", "borrowed node-2 10.244.0.1");
  }

  @Test
  void release_borrowedAddress_tellsTheReturnListenerAndNotForOwnAddresses() {
    CalicoDatastore store = store("10.244.0.0/30", 30);
    List<String> heard = new ArrayList<>();
    store.onBorrowedAddressReleased((node, ip) -> heard.add(node + " " + ip));
    store.assign("node-1", "h1", new SplittableRandom(1));
    store.assign("node-2", "h2", new SplittableRandom(1));

    store.release("h1");
    store.release("h2");

    assertThat(heard).containsExactly("node-2 10.244.0.1");
  }

  @Test
  void assign_everyAddressOfEveryPoolTaken_emptyUntilOneIsReleased() {
    CalicoDatastore store = store("10.244.0.0/31", 31);
    store.assign("node-1", "h1", new SplittableRandom(1));
    store.assign("node-2", "h2", new SplittableRandom(1));

    assertThat(store.assign("node-2", "h3", new SplittableRandom(1))).isEmpty();
    store.release("h1");
    assertThat(store.assign("node-2", "h3", new SplittableRandom(1)))
        .contains(Ipv4Address.parse("10.244.0.0"));
  }

  @Test
  void assign_twoOwnBlocksWithFreeAddresses_takesFromTheLowerOwnBlock() {
    CalicoDatastore store = store("10.244.0.0/28", 30);
    for (int i = 1; i <= 5; i++) {
      store.assign("node-1", "h" + i, new SplittableRandom(i)).orElseThrow();
    }
    store.assign("node-2", "other", new SplittableRandom(9)).orElseThrow();
    store.release("h1");
    List<Cidr> own = new ArrayList<>();
    store
        .blockAffinities()
        .forEach(
            (block, node) -> {
              if (node.equals("node-1")) {
                own.add(block);
              }
            });

    Ipv4Address next = store.assign("node-1", "h6", new SplittableRandom(1)).orElseThrow();

    assertThat(own).hasSize(2);
    assertThat(own.get(0).contains(next)).as(next + " in " + own.get(0)).isTrue();
  }

  private static CalicoDatastore store(String pool, int blockSize) {
    CalicoDatastore store = new CalicoDatastore();
    store.addPool(new CalicoDatastore.IpPool(Cidr.parse(pool), blockSize));
    return store;
  }

  private static Map.Entry<Cidr, String> entry(String block, String node) {
    return Map.entry(Cidr.parse(block), node);
  }
}
