package io.podnet.dataplane.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.Cidr;
import it.unimi.dsi.fastutil.HashCommon;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests for {@link Rib}: the primitive table behaves like a map of candidate lists. */
class RibTest {

  private static final long A = Prefixes.pack(Cidr.parse("10.244.1.0/26"));
  private static final long B = Prefixes.pack(Cidr.parse("10.244.2.0/26"));

  @Test
  void add_thenFind_holdsOneCandidateAndNoGateway() {
    Rib rib = new Rib();

    int s = rib.add(A, 7);

    assertThat(rib.find(A)).isEqualTo(s);
    assertThat(rib.find(B)).isEqualTo(-1);
    assertThat(rib.count(s)).isEqualTo(1);
    assertThat(rib.best(s)).isEqualTo(7);
    assertThat(rib.gateway(s)).isZero();
    assertThat(rib.size()).isEqualTo(1);
  }

  @Test
  void find_defaultRoute_isAKeyLikeAnyOther() {
    Rib rib = new Rib();
    long any = Prefixes.pack(Cidr.parse("0.0.0.0/0"));

    rib.add(any, 3);

    assertThat(rib.best(rib.find(any))).isEqualTo(3);
    assertThat(rib.prefixes()).containsExactly(any);
  }

  @Test
  void append_fourCandidates_keptInOrderAndPromoted() {
    Rib rib = new Rib();
    int s = rib.add(A, 1);
    rib.append(s, 2);
    rib.append(s, 3);
    rib.append(s, 4);

    rib.promote(s, 3);

    assertThat(candidates(rib, s)).containsExactly(4, 2, 3, 1);
    rib.removeAt(s, 1);
    assertThat(candidates(rib, s)).containsExactly(4, 3, 1);
    rib.removeAt(s, 2);
    assertThat(candidates(rib, s)).containsExactly(4, 3);
    rib.removeAt(s, 0);
    assertThat(candidates(rib, s)).containsExactly(3);
  }

  @Test
  void removeAt_lastCandidate_refused() {
    Rib rib = new Rib();
    int s = rib.add(A, 1);

    assertThatThrownBy(() -> rib.removeAt(s, 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("an entry keeps at least one candidate");
  }

  @Test
  void add_pathIdOutOfRange_refused() {
    Rib rib = new Rib();

    assertThatThrownBy(() -> rib.add(A, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> rib.add(A, 1 << 30)).isInstanceOf(IllegalArgumentException.class);
    assertThat(rib.size()).isZero();
  }

  /** Six prefixes of the first table (8 slots): five share the last slot, one the first. */
  private static long[] crowded() {
    long[] out = new long[6];
    int last = 0;
    int first = 0;
    for (int network = 0; last < 5 || first < 1; network += 64) {
      long prefix = Prefixes.pack(network, 26);
      int home = (int) HashCommon.mix(prefix) & 7;
      if (home == 7 && last < 5) {
        out[last++] = prefix;
      } else if (home == 0 && first < 1) {
        out[5] = prefix;
        first++;
      }
    }
    return out;
  }

  @Test
  void remove_fromARunThatWrapsPastTheTableEnd_everyOtherEntryStillFound() {
    long[] keys = crowded();
    for (int gone = 0; gone < keys.length; gone++) {
      Rib rib = new Rib();
      for (int i = 0; i < keys.length; i++) {
        rib.setGateway(rib.add(keys[i], i), 100 + i);
      }
      // The run under test: five from the last slot wrap to 0-3, the sixth is pushed to 4.
      assertThat(
              new int[] {
                rib.find(keys[0]), rib.find(keys[1]), rib.find(keys[4]), rib.find(keys[5])
              })
          .containsExactly(7, 0, 3, 4);

      rib.remove(keys[gone]);

      assertThat(rib.find(keys[gone])).isEqualTo(-1);
      for (int i = 0; i < keys.length; i++) {
        if (i != gone) {
          int s = rib.find(keys[i]);
          assertThat(rib.best(s)).as("removed %d, key %d", gone, i).isEqualTo(i);
          assertThat(rib.gateway(s)).isEqualTo(100 + i);
        }
      }
    }
  }

  @Test
  void set_candidateTheEntryLacks_refused() {
    Rib rib = new Rib();
    int s = rib.add(A, 1);

    assertThatThrownBy(() -> rib.set(s, 1, 2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the entry has no candidate 1");
    rib.append(s, 2);
    assertThatThrownBy(() -> rib.set(s, 2, 3))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the entry has no candidate 2");
    assertThat(rib.count(s)).isEqualTo(2);
  }

  /**
   * Random adds, removals and candidate changes over few prefixes (long probe runs, removals in the
   * middle of them, growth), compared after every step with a sorted map of lists.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void operations_randomSequence_agreeWithAMapOfLists(long seed) {
    Random random = new Random(seed);
    Rib rib = new Rib();
    Map<Long, List<Integer>> model = new TreeMap<>();
    Map<Long, Integer> gateways = new TreeMap<>();
    int keys = 40 + random.nextInt(200);
    for (int step = 0; step < 5_000; step++) {
      long prefix = Prefixes.pack(random.nextInt(keys) << 6, 26);
      List<Integer> want = model.get(prefix);
      int s = rib.find(prefix);
      int op = random.nextInt(10);
      if (want == null) {
        assertThat(s).isEqualTo(-1);
        int path = random.nextInt(1000);
        rib.add(prefix, path);
        model.put(prefix, new ArrayList<>(List.of(path)));
        gateways.put(prefix, 0);
      } else if (op == 0) {
        rib.remove(prefix);
        model.remove(prefix);
        gateways.remove(prefix);
      } else if (op <= 3) {
        int path = random.nextInt(1000);
        rib.append(s, path);
        want.add(path);
      } else if (op <= 5 && want.size() > 1) {
        int i = random.nextInt(want.size());
        rib.removeAt(s, i);
        want.remove(i);
      } else if (op == 6) {
        int i = random.nextInt(want.size());
        rib.promote(s, i);
        want.set(i, want.set(0, want.get(i)));
      } else if (op == 7) {
        int i = random.nextInt(want.size());
        int path = random.nextInt(1000);
        rib.set(s, i, path);
        want.set(i, path);
      } else {
        int gateway = random.nextInt();
        rib.setGateway(s, gateway);
        gateways.put(prefix, gateway);
      }
      assertThat(rib.size()).isEqualTo(model.size());
      for (Map.Entry<Long, List<Integer>> e : model.entrySet()) {
        int at = rib.find(e.getKey());
        assertThat(candidates(rib, at)).as("step %d", step).isEqualTo(e.getValue());
        assertThat(rib.gateway(at)).isEqualTo(gateways.get(e.getKey()));
      }
      long[] prefixes = rib.prefixes();
      Arrays.sort(prefixes);
      assertThat(prefixes).containsExactly(model.keySet().stream().mapToLong(k -> k).toArray());
    }
  }

  private static List<Integer> candidates(Rib rib, int s) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < rib.count(s); i++) {
      out.add(rib.get(s, i));
    }
    assertThat(rib.best(s)).isEqualTo(out.get(0));
    return out;
  }
}
