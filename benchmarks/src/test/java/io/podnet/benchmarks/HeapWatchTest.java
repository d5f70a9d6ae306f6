package io.podnet.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Tests for {@link HeapWatch}: the peak counts what a collection freed before the watch ended. */
class HeapWatchTest {

  private static final int MIB = 1 << 20;

  @Test
  void stop_arrayStillHeld_peakCountsIt() {
    long before = HeapWatch.retained();
    HeapWatch watch = HeapWatch.start();
    byte[] held = new byte[64 * MIB];

    long peak = watch.stop();

    assertThat(held).hasSize(64 * MIB);
    assertThat(peak - before).isGreaterThanOrEqualTo(64L * MIB);
  }

  @Test
  void stop_arrayFreedByCollectionDuringWatch_peakStillCountsIt() {
    long before = HeapWatch.retained();
    HeapWatch watch = HeapWatch.start();
    fill();
    long afterCollection = HeapWatch.retained();

    long peak = watch.stop();

    assertThat(afterCollection - before).isLessThan(32L * MIB);
    assertThat(peak - before).isGreaterThanOrEqualTo(64L * MIB);
  }

  @Test
  void stop_arrayFreedByAnEarlierCollectionOfTwo_peakCountsItFromTheNotification()
      throws InterruptedException {
    long before = HeapWatch.retained();
    HeapWatch watch = HeapWatch.start();
    fill();
    System.gc();
    System.gc();
    // The second collection is the last one each collector reports; only the notification of the
    // first, delivered on another thread, saw the array.
    for (int i = 0; i < 500 && watch.peakSoFar() - before < 64L * MIB; i++) {
      Thread.sleep(10);
    }

    long peak = watch.stop();

    assertThat(peak - before).isGreaterThanOrEqualTo(64L * MIB);
  }

  @Test
  void start_afterCollections_peakIgnoresTheirGarbage() {
    fill();
    System.gc();
    HeapWatch watch = HeapWatch.start();

    long peak = watch.stop();

    assertThat(peak).isLessThan(HeapWatch.retained() + 32L * MIB);
  }

  private static void fill() {
    byte[][] chunks = new byte[8][];
    for (int i = 0; i < chunks.length; i++) {
      chunks[i] = new byte[8 * MIB];
    }
    assertThat(chunks[7]).hasSize(8 * MIB);
  }
}
