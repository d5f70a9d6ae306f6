package io.podnet.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests for {@link EventQueue}, including a randomized comparison with a reference queue. */
class EventQueueTest {

  /** An event that only carries an id, for comparing pop order. */
  private record Labeled(long id) implements Event {
    @Override
    public void fire() {}
  }

  /** What the reference queue stores: the key and the event's id. */
  private record Entry(long time, long seq, long id) implements Comparable<Entry> {
    @Override
    public int compareTo(Entry other) {
      int byTime = Long.compare(time, other.time);
      return byTime != 0 ? byTime : Long.compare(seq, other.seq);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {50, 1L << 40})
  void poll_randomOperationsWithCancels_matchesReferencePriorityQueue(long timeSpread) {
    SplittableRandom random = new SplittableRandom(20240601);
    EventQueue queue = new EventQueue(1, EventQueue.DEFAULT_MAX_GENERATION);
    PriorityQueue<Entry> reference = new PriorityQueue<>();
    TreeMap<Long, Entry> pendingByHandle = new TreeMap<>();
    List<Long> issued = new ArrayList<>();
    Set<Long> distinctHandles = new HashSet<>();
    long now = 0;
    long seq = 0;
    int cancels = 0;

    for (int op = 0; op < 100_000; op++) {
      int kind = random.nextInt(10);
      if (kind < 5 || reference.isEmpty()) {
        long time = now + random.nextLong(timeSpread); // narrow spread: many equal times
        long id = seq;
        Entry entry = new Entry(time, seq++, id);
        long handle = queue.push(time, new Labeled(id));
        assertThat(distinctHandles.add(handle)).as("handle %s reused", handle).isTrue();
        reference.add(entry);
        pendingByHandle.put(handle, entry);
        issued.add(handle);
      } else if (kind < 8) {
        Entry expected = reference.poll();
        assertThat(queue.peekTime()).isEqualTo(expected.time());
        Event actual = queue.poll();
        assertThat(((Labeled) actual).id()).isEqualTo(expected.id());
        now = expected.time();
        pendingByHandle.values().remove(expected);
      } else {
        long handle =
            random.nextInt(20) == 0
                ? random.nextLong()
                : issued.get(random.nextInt(Math.max(0, issued.size() - 200), issued.size()));
        Entry entry = pendingByHandle.remove(handle);
        boolean expected = entry != null && reference.remove(entry);
        assertThat(queue.cancel(handle)).isEqualTo(expected);
        if (expected) {
          cancels++;
        }
      }
      assertThat(queue.size()).isEqualTo(reference.size());
    }
    while (!reference.isEmpty()) {
      assertThat(((Labeled) queue.poll()).id()).isEqualTo(reference.poll().id());
    }
    assertThat(queue.size()).isZero();
    assertThat(cancels).isGreaterThan(1_000);
  }

  @Test
  void cancel_burstTriggeringCompaction_keepsOrderOfSurvivors() {
    EventQueue queue = new EventQueue();
    List<Long> handles = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      handles.add(queue.push(i % 100, new Labeled(i)));
    }
    for (int i = 0; i < 10_000; i++) {
      if (i % 7 != 0) {
        assertThat(queue.cancel(handles.get(i))).isTrue();
      }
    }

    List<Long> order = new ArrayList<>();
    while (queue.size() > 0) {
      order.add(((Labeled) queue.poll()).id());
    }

    List<Long> expected = new ArrayList<>();
    for (int time = 0; time < 100; time++) {
      for (int i = time; i < 10_000; i += 100) {
        if (i % 7 == 0) {
          expected.add((long) i);
        }
      }
    }
    assertThat(order).isEqualTo(expected);
  }

  @Test
  void push_slotAtGenerationLimit_retiresSlotAndNeverRepeatsHandle() {
    EventQueue queue = new EventQueue(1, 2);
    Set<Long> handles = new HashSet<>();

    for (int i = 0; i < 10; i++) {
      assertThat(handles.add(queue.push(i, new Labeled(i)))).isTrue();
      queue.poll();
    }

    assertThat(handles).hasSize(10);
    for (long handle : handles) {
      assertThat(queue.cancel(handle)).isFalse();
    }
  }

  @Test
  void push_maxUnsignedGeneration_handleStaysNonNegativeAndCancellable() {
    EventQueue queue = new EventQueue(1, EventQueue.DEFAULT_MAX_GENERATION);

    long handle = queue.push(1, new Labeled(1));

    assertThat(handle).isNotNegative();
    assertThat(queue.cancel(handle)).isTrue();
  }

  @Test
  void poll_emptyQueue_throwsNoSuchElement() {
    EventQueue queue = new EventQueue();
    queue.cancel(queue.push(1, new Labeled(1)));

    assertThatThrownBy(queue::poll).isInstanceOf(NoSuchElementException.class);
    assertThatThrownBy(queue::peekTime).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void push_negativeTime_throwsIllegalArgument() {
    EventQueue queue = new EventQueue();

    assertThatThrownBy(() -> queue.push(-1, new Labeled(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("time must be >= 0: -1");
    assertThat(queue.size()).isZero();
  }

  @Test
  void constructor_zeroCapacity_throwsIllegalArgument() {
    assertThatThrownBy(() -> new EventQueue(0, EventQueue.DEFAULT_MAX_GENERATION))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialCapacity must be >= 1: 0");
  }
}
