package io.podnet.core.engine;

import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * A primitive-backed priority queue of events ordered by (time, sequence number), the hottest loop
 * of every run.
 *
 * <p>The heap is 4-ary and stored in two parallel arrays, {@code long[] times} and {@code int[]
 * slots}, so that sifting moves only primitives: no boxing, no object headers, no reference stores.
 * Each entry's <em>slot</em> holds its {@link Event}, its sequence number (read only to break ties
 * between equal times) and a generation counter. The handle returned by {@link #push} packs
 * (generation, slot), which makes {@link #cancel} an O(1) check that also tells "pending" from
 * "already fired, cancelled or unknown". Cancellation is lazy: the slot's event is cleared at once
 * (so it can be collected and never fires) and the heap entry is discarded when it reaches the top,
 * or in a bulk compaction once cancelled entries outnumber live ones. Slots are recycled through a
 * free list, so a push or poll allocates nothing once the arrays have grown to the working size. A
 * slot whose generation counter is exhausted is retired rather than reused, so a handle is never
 * issued twice. Removing the root uses Floyd's bottom-up sift with a branch-free choice among four
 * children, which relies on times never being negative.
 */
final class EventQueue {

  static final int SLOT_BITS = 31;
  static final long SLOT_MASK = (1L << SLOT_BITS) - 1;
  static final int DEFAULT_MAX_GENERATION = -1; // 2^32 - 1 as an unsigned int
  private static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;
  private static final int COMPACTION_THRESHOLD = 64;

  private final int maxGeneration;

  // The heap, in parallel arrays; entry i has children 4i+1 .. 4i+4.
  private long[] times;
  private int[] slots;
  private int heapSize;
  private int cancelledInHeap;
  private long nextSeq;

  // Slots: the event (null once fired or cancelled), its sequence number for breaking ties, and
  // the generation of the current handle.
  private Event[] slotEvents;
  private long[] slotSeqs;
  private int[] slotGenerations;
  private int slotCount;
  private int[] freeSlots;
  private int freeCount;

  EventQueue() {
    this(64, DEFAULT_MAX_GENERATION);
  }

  /**
   * Creates a queue with room for {@code initialCapacity} entries before growing; {@code
   * maxGeneration} (an unsigned int) bounds slot reuse and is lowered only by tests.
   */
  EventQueue(int initialCapacity, int maxGeneration) {
    if (initialCapacity < 1) {
      throw new IllegalArgumentException("initialCapacity must be >= 1: " + initialCapacity);
    }
    this.maxGeneration = maxGeneration;
    times = new long[initialCapacity];
    slots = new int[initialCapacity];
    slotEvents = new Event[initialCapacity];
    slotSeqs = new long[initialCapacity];
    slotGenerations = new int[initialCapacity];
    freeSlots = new int[initialCapacity];
  }

  /** Returns the number of pending (not yet fired, not cancelled) events. */
  int size() {
    return heapSize - cancelledInHeap;
  }

  /** Adds an event at {@code time} (never negative), after every entry queued at that time. */
  long push(long time, Event event) {
    if (time < 0) {
      throw new IllegalArgumentException("time must be >= 0: " + time);
    }
    int slot = allocateSlot();
    long seq = nextSeq++;
    slotEvents[slot] = event;
    slotSeqs[slot] = seq;
    int i = heapSize;
    if (i == times.length) {
      growHeap();
    }
    heapSize = i + 1;
    siftUp(i, time, seq, slot);
    return (Integer.toUnsignedLong(slotGenerations[slot]) << SLOT_BITS) | slot;
  }

  /** Cancels a pending event; returns false if it already fired, was cancelled, or is unknown. */
  boolean cancel(long handle) {
    if (handle < 0) {
      return false;
    }
    long slotIndex = handle & SLOT_MASK;
    if (slotIndex >= slotCount) {
      return false;
    }
    int slot = (int) slotIndex;
    if (slotGenerations[slot] != (int) (handle >>> SLOT_BITS) || slotEvents[slot] == null) {
      return false;
    }
    slotEvents[slot] = null;
    cancelledInHeap++;
    if (cancelledInHeap > COMPACTION_THRESHOLD && cancelledInHeap > heapSize >>> 1) {
      compact();
    }
    return true;
  }

  /** Returns the time of the earliest pending event; the queue must not be empty. */
  long peekTime() {
    if (cancelledInHeap != 0) {
      dropCancelledTop();
    }
    if (heapSize == 0) {
      throw new NoSuchElementException("event queue is empty");
    }
    return times[0];
  }

  /** Removes and returns the earliest pending event; the queue must not be empty. */
  Event poll() {
    if (cancelledInHeap != 0) {
      dropCancelledTop();
    }
    if (heapSize == 0) {
      throw new NoSuchElementException("event queue is empty");
    }
    int slot = slots[0];
    Event event = slotEvents[slot];
    removeTop();
    releaseSlot(slot);
    return event;
  }

  private void dropCancelledTop() {
    while (heapSize != 0 && slotEvents[slots[0]] == null) {
      int slot = slots[0];
      removeTop();
      releaseSlot(slot);
      cancelledInHeap--;
    }
  }

  /**
   * Removes the root: moves the hole down to a leaf along the smaller children, then sifts the last
   * entry up from there (Floyd's bottom-up variant, fewer comparisons than a top-down sift because
   * the last entry usually belongs near the bottom).
   */
  private void removeTop() {
    int n = --heapSize;
    if (n == 0) {
      return;
    }
    long[] times = this.times;
    int[] slots = this.slots;
    int hole = 0;
    while (true) {
      int c = (hole << 2) + 1;
      int min;
      if (c + 3 < n) {
        // Branch-free tournament (times are never negative, so differences cannot overflow);
        // the rare equal times fall back to the comparison that breaks ties by sequence number.
        long t0 = times[c];
        long d01 = times[c + 1] - t0;
        long m01 = d01 >> 63;
        int a = c - (int) m01;
        long ta = t0 + (d01 & m01);
        long t2 = times[c + 2];
        long d23 = times[c + 3] - t2;
        long m23 = d23 >> 63;
        int b = c + 2 - (int) m23;
        long dab = t2 + (d23 & m23) - ta;
        min = a + ((b - a) & (int) (dab >> 63));
        if ((d01 == 0) | (d23 == 0) | (dab == 0)) {
          min = minOfChildren(c, c + 4);
        }
      } else if (c < n) {
        min = minOfChildren(c, n);
      } else {
        break;
      }
      times[hole] = times[min];
      slots[hole] = slots[min];
      hole = min;
    }
    int last = slots[n];
    siftUp(hole, times[n], slotSeqs[last], last);
  }

  /** Returns the position of the least of the entries {@code from} (inclusive) to {@code to}. */
  private int minOfChildren(int from, int to) {
    int min = from;
    for (int c = from + 1; c < to; c++) {
      if (less(c, min)) {
        min = c;
      }
    }
    return min;
  }

  private boolean less(int i, int j) {
    long ti = times[i];
    long tj = times[j];
    return ti < tj || (ti == tj && slotSeqs[slots[i]] < slotSeqs[slots[j]]);
  }

  /** Places (time, seq, slot) at or above hole {@code i}, moving larger parents down. */
  private void siftUp(int i, long time, long seq, int slot) {
    long[] times = this.times;
    int[] slots = this.slots;
    while (i > 0) {
      int parent = (i - 1) >>> 2;
      long parentTime = times[parent];
      if (parentTime < time || (parentTime == time && slotSeqs[slots[parent]] < seq)) {
        break;
      }
      times[i] = parentTime;
      slots[i] = slots[parent];
      i = parent;
    }
    times[i] = time;
    slots[i] = slot;
  }

  /** Places the entry at {@code i} at or below it in a heap of {@code n} entries (top-down). */
  private void siftDown(int i, int n) {
    long time = times[i];
    int slot = slots[i];
    while (true) {
      int child = (i << 2) + 1;
      if (child >= n) {
        break;
      }
      int min = minOfChildren(child, Math.min(child + 4, n));
      long minTime = times[min];
      if (time < minTime || (time == minTime && slotSeqs[slot] < slotSeqs[slots[min]])) {
        break;
      }
      times[i] = minTime;
      slots[i] = slots[min];
      i = min;
    }
    times[i] = time;
    slots[i] = slot;
  }

  /** Drops every cancelled entry and rebuilds the heap in O(n); pop order is unaffected. */
  private void compact() {
    int kept = 0;
    for (int r = 0; r < heapSize; r++) {
      int slot = slots[r];
      if (slotEvents[slot] == null) {
        releaseSlot(slot);
      } else {
        times[kept] = times[r];
        slots[kept] = slot;
        kept++;
      }
    }
    heapSize = kept;
    cancelledInHeap = 0;
    for (int i = (kept - 2) >> 2; i >= 0; i--) {
      siftDown(i, kept);
    }
  }

  private int allocateSlot() {
    if (freeCount != 0) {
      return freeSlots[--freeCount];
    }
    if (slotCount == slotEvents.length) {
      int capacity = grownCapacity(slotCount);
      slotEvents = Arrays.copyOf(slotEvents, capacity);
      slotSeqs = Arrays.copyOf(slotSeqs, capacity);
      slotGenerations = Arrays.copyOf(slotGenerations, capacity);
      freeSlots = Arrays.copyOf(freeSlots, capacity);
    }
    return slotCount++;
  }

  private void releaseSlot(int slot) {
    slotEvents[slot] = null;
    int generation = slotGenerations[slot];
    if (generation == maxGeneration) {
      return; // retired: reusing it would issue a handle a second time
    }
    slotGenerations[slot] = generation + 1;
    freeSlots[freeCount++] = slot;
  }

  private void growHeap() {
    int capacity = grownCapacity(times.length);
    times = Arrays.copyOf(times, capacity);
    slots = Arrays.copyOf(slots, capacity);
  }

  private static int grownCapacity(int current) {
    if (current >= MAX_CAPACITY) {
      throw new IllegalStateException(
          "event queue is full: " + current + " entries (at most " + MAX_CAPACITY + ")");
    }
    return (int) Math.min(MAX_CAPACITY, current * 2L);
  }
}
