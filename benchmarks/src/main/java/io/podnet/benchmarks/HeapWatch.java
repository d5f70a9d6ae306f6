package io.podnet.benchmarks;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The peak heap occupancy of a measured call: the largest heap in use at any moment, taken as the
 * occupancy just before each collection that ended after {@link #start} and at {@link #stop}. It is
 * a lower bound: G1's remark pause also frees regions and reports no collection, and a notification
 * still on its way when the watch stops is lost (the last collection of each collector is read at
 * the stop). The sum of each pool's own peak, which {@link MemoryPoolMXBean#getPeakUsage} offers,
 * overstates it: the young pools peak just before a collection empties them into the old one.
 *
 * <pre>{@code
 * HeapWatch watch = HeapWatch.start();
 * build();
 * long peakBytes = watch.stop();
 * long retainedBytes = HeapWatch.retained();
 * }</pre>
 */
public final class HeapWatch {

  private final Set<String> heapPools;
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final Map<String, Long> countsAtStart;
  private final AtomicLong peak = new AtomicLong();
  private final NotificationListener listener = this::collected;

  private HeapWatch() {
    Map<String, Long> counts = new HashMap<>();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      counts.put(gc.getName(), gc.getCollectionCount());
    }
    countsAtStart = Map.copyOf(counts);
    heapPools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP)
            .map(MemoryPoolMXBean::getName)
            .collect(Collectors.toUnmodifiableSet());
  }

  /** Starts watching the collections of this JVM, from the heap in use now. */
  public static HeapWatch start() {
    HeapWatch watch = new HeapWatch();
    watch.peak.set(used());
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(watch.listener, null, null);
        watch.emitters.add(emitter);
      }
    }
    return watch;
  }

  /**
   * Stops watching and returns the peak heap occupancy in bytes since {@link #start}. Notifications
   * arrive on another thread, so each collector's last collection is read here too.
   */
  public long stop() {
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(listener);
      } catch (ListenerNotFoundException e) {
        throw new IllegalStateException("the listener was added in start()", e);
      }
    }
    emitters.clear();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof com.sun.management.GarbageCollectorMXBean withInfo) {
        GcInfo last = withInfo.getLastGcInfo();
        if (last != null && endedSinceStart(gc.getName(), last)) {
          peak.accumulateAndGet(heapBefore(last), Math::max);
        }
      }
    }
    return peak.accumulateAndGet(used(), Math::max);
  }

  /** The heap still in use after a full collection, in bytes. */
  public static long retained() {
    System.gc();
    return used();
  }

  private static long used() {
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        used += pool.getUsage().getUsed();
      }
    }
    return used;
  }

  private void collected(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    if (endedSinceStart(info.getGcName(), info.getGcInfo())) {
      peak.accumulateAndGet(heapBefore(info.getGcInfo()), Math::max);
    }
  }

  /** The peak so far; notifications may still be on their way. */
  long peakSoFar() {
    return peak.get();
  }

  /**
   * Whether {@code gc} ended after {@link #start}: a collection's id is the collector's count when
   * it ended, so ids above the count at the start (when the collector has one) are later.
   */
  private boolean endedSinceStart(String collector, GcInfo gc) {
    Long count = countsAtStart.get(collector);
    return count != null && count >= 0 && gc.getId() > count;
  }

  private long heapBefore(GcInfo gc) {
    long before = 0;
    for (Map.Entry<String, MemoryUsage> pool : gc.getMemoryUsageBeforeGc().entrySet()) {
      if (heapPools.contains(pool.getKey())) {
        before += pool.getValue().getUsed();
      }
    }
    return before;
  }
}
