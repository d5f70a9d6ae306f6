package io.podnet.dataplane.service;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.hash.HashCode;
import com.google.common.hash.Hashing;
import java.util.Arrays;

/**
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016, section 3.4), as Cilium uses it for
 * Service backends: each backend gets a permutation of the M table slots from two hashes of its
 * name ({@code offset = h1 mod M}, {@code skip = h2 mod (M-1) + 1}, slot j = {@code (offset + j *
 * skip) mod M}), and backends take turns claiming their next free preferred slot until the table is
 * full. M must be prime. Here h1/h2 are the two halves of MurmurHash3 x64 128 (seed 0) over the
 * backend's {@code IP:port}.
 */
final class Maglev {

  /** The table sizes Cilium accepts for {@code --bpf-lb-maglev-table-size}; all prime. */
  static final int[] SIZES = {251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071};

  /** Cilium's default M. */
  static final int DEFAULT_SIZE = 16381;

  private Maglev() {}

  /**
   * Returns the smallest accepted size of at least 100 slots per backend (the Maglev paper's rule
   * of thumb for a small imbalance), capped at {@code max}.
   */
  static int tableSize(int backends, int max) {
    for (int m : SIZES) {
      if (m >= max || m >= 100L * backends) {
        return Math.min(m, max);
      }
    }
    return max;
  }

  /** Returns whether {@code m} is one of {@link #SIZES}. */
  static boolean isAcceptedSize(int m) {
    return Arrays.binarySearch(SIZES, m) >= 0;
  }

  /** Fills a table of {@code m} slots with indexes into {@code names}. */
  static char[] build(String[] names, int m) {
    int n = names.length;
    if (n > Character.MAX_VALUE) {
      throw new IllegalArgumentException(
          "too many backends for one Maglev table: " + n + " (expected at most 65535)");
    }
    long[] offset = new long[n];
    long[] skip = new long[n];
    for (int i = 0; i < n; i++) {
      HashCode h = Hashing.murmur3_128().hashString(names[i], UTF_8);
      byte[] b = h.asBytes();
      long h1 = h.asLong();
      long h2 = 0;
      for (int k = 15; k >= 8; k--) {
        h2 = h2 << 8 | (b[k] & 0xFF);
      }
      offset[i] = Long.remainderUnsigned(h1, m);
      skip[i] = Long.remainderUnsigned(h2, m - 1) + 1;
    }
    char[] table = new char[m];
    boolean[] taken = new boolean[m];
    long[] next = new long[n];
    int filled = 0;
    while (true) {
      for (int i = 0; i < n; i++) {
        int slot = (int) ((offset[i] + next[i] * skip[i]) % m);
        while (taken[slot]) {
          next[i]++;
          slot = (int) ((offset[i] + next[i] * skip[i]) % m);
        }
        taken[slot] = true;
        table[slot] = (char) i;
        next[i]++;
        if (++filled == m) {
          return table;
        }
      }
    }
  }
}
