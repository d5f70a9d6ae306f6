package io.podnet.dataplane.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests for {@link Rib}: the primitive table behaves like a map of candidate lists. */
class RibTest {

  private static final int A = 4;
  private static final int B = 9;

  @Test
  void add_thenContains_holdsOneCandidateAndNoGateway() {
    Rib rib = new Rib();

    rib.add(A, 7);

    assertThat(rib.contains(A)).isTrue();
    assertThat(rib.contains(B)).isFalse();
    assertThat(rib.contains(-1)).isFalse();
    assertThat(rib.count(A)).isEqualTo(1);
    assertThat(rib.best(A)).isEqualTo(7);
    assertThat(rib.gateway(A)).isZero();
    assertThat(rib.size()).isEqualTo(1);
  }

  @Test
  void add_idZero_isAKeyLikeAnyOther() {
    Rib rib = new Rib();

    rib.add(0, 3);

    assertThat(rib.best(0)).isEqualTo(3);
    assertThat(rib.prefixes()).containsExactly(0);
  }

  @Test
  void append_fourCandidates_keptInOrderAndPromoted() {
    Rib rib = new Rib();
    int s = A;
    rib.add(s, 1);
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
    int s = A;
    rib.add(s, 1);

    assertThatThrownBy(() -> rib.removeAt(s, 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("an entry keeps at least one candidate");
  }

  @Test
  void add_pathIdOutOfRange_refused() {
    Rib rib = new Rib();

    assertThatThrownBy(() -> rib.add(A, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> rib.add(A, 1 << 30)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> rib.add(-1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(rib.size()).isZero();
  }

  @Test
  void add_idsFarApartAndGrowingTables_everyEntryKeptAndOthersAbsent() {
    Rib rib = new Rib();
    int[] ids = {5, 0, 16, 17, 1_000, 3};
    for (int i = 0; i < ids.length; i++) {
      rib.add(ids[i], i);
      rib.setGateway(ids[i], 100 + i);
    }

    rib.remove(16);

    assertThat(rib.prefixes()).containsExactly(0, 3, 5, 17, 1_000);
    assertThat(rib.contains(16)).isFalse();
    assertThat(rib.contains(999)).isFalse();
    assertThat(rib.contains(1_001)).isFalse();
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] != 16) {
        assertThat(rib.best(ids[i])).isEqualTo(i);
        assertThat(rib.gateway(ids[i])).isEqualTo(100 + i);
      }
    }
  }

  @Test
  void add_prefixThatHasAnEntry_refusedAndEntryUnchanged() {
    Rib rib = new Rib();
    rib.add(A, 1);

    assertThatThrownBy(() -> rib.add(A, 2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("prefix 4 already has an entry");
    assertThat(candidates(rib, A)).containsExactly(1);
    assertThat(rib.size()).isEqualTo(1);
  }

  @Test
  void remove_prefixWithoutEntry_refused() {
    Rib rib = new Rib();

    assertThatThrownBy(() -> rib.remove(A))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("no entry to remove");
  }

  @Test
  void set_candidateTheEntryLacks_refused() {
    Rib rib = new Rib();
    int s = A;
    rib.add(s, 1);

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
   * Random adds, removals and candidate changes over a few hundred prefix ids (growth, removals,
   * re-adds), compared after every step with a sorted map of lists.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void operations_randomSequence_agreeWithAMapOfLists(long seed) {
    Random random = new Random(seed);
    Rib rib = new Rib();
    Map<Integer, List<Integer>> model = new TreeMap<>();
    Map<Integer, Integer> gateways = new TreeMap<>();
    int keys = 40 + random.nextInt(200);
    for (int step = 0; step < 5_000; step++) {
      int prefix = random.nextInt(keys);
      List<Integer> want = model.get(prefix);
      int s = prefix;
      int op = random.nextInt(10);
      if (want == null) {
        assertThat(rib.contains(prefix)).isFalse();
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
      for (Map.Entry<Integer, List<Integer>> e : model.entrySet()) {
        int at = e.getKey();
        assertThat(candidates(rib, at)).as("step %d", step).isEqualTo(e.getValue());
        assertThat(rib.gateway(at)).isEqualTo(gateways.get(at));
      }
      assertThat(rib.prefixes())
          .containsExactly(model.keySet().stream().mapToInt(k -> k).toArray());
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
