package io.podnet.core.random;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.hash.Hashing;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Independent random streams, one per name, all derived from a simulation's master seed.
 *
 * <p>A component asks for its own stream by a stable name ({@code "arp-jitter"}, {@code
 * "node-2/scheduler"}) instead of sharing one generator, so that adding, removing or reordering a
 * component never shifts the draws another component sees. Each stream is a {@link
 * SplittableRandom} seeded with SipHash-2-4 of the name's UTF-8 bytes, keyed by (master seed, a
 * fixed constant). SipHash is a specified algorithm (Guava's {@code Hashing.sipHash24}) and does
 * not depend on {@link String#hashCode()}, the JVM or the order in which streams are created, so a
 * stream's seed is stable across JVMs and versions; the values a stream then produces are those of
 * {@code SplittableRandom}, whose {@code nextLong()} sequence is pinned by a known-answer test.
 *
 * <pre>{@code
 * RandomStreams random = RandomStreams.of(42);
 * RandomGenerator neigh = random.stream("neigh");
 * long jitter = neigh.nextLong(1_000_000); // same value on every run with seed 42
 * }</pre>
 *
 * <p>Not thread-safe, like the single-threaded simulation that owns it.
 */
public final class RandomStreams {

  /** Second SipHash key half; changing it changes every stream of every seed. */
  private static final long KEY = 0x506f644e65745253L; // "PodNetRS"

  private final long seed;
  private final Map<String, SplittableRandom> streams = new TreeMap<>();

  private RandomStreams(long seed) {
    this.seed = seed;
  }

  /** Returns the streams derived from {@code seed}. */
  public static RandomStreams of(long seed) {
    return new RandomStreams(seed);
  }

  /**
   * Returns the stream named {@code name}: the same instance on every call with the same name.
   *
   * @throws IllegalArgumentException if {@code name} is empty
   */
  public RandomGenerator stream(String name) {
    Objects.requireNonNull(name, "name");
    SplittableRandom stream = streams.get(name);
    if (stream == null) {
      if (name.isEmpty()) {
        throw new IllegalArgumentException("stream name must not be empty: \"\"");
      }
      stream = new SplittableRandom(streamSeed(seed, name));
      streams.put(name, stream);
    }
    return stream;
  }

  /** Derives the seed of stream {@code name} from the master {@code seed}. */
  static long streamSeed(long seed, String name) {
    return Hashing.sipHash24(seed, KEY).hashString(name, UTF_8).asLong();
  }

  @Override
  public String toString() {
    return "RandomStreams{seed=" + seed + ", streams=" + streams.keySet() + "}";
  }
}
