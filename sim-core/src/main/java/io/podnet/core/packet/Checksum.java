package io.podnet.core.packet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): the 16-bit ones' complement of the ones' complement sum of
 * 16-bit words, with the pseudo-header variant for UDP and TCP and the incremental update of RFC
 * 1624 for rewriting single fields.
 */
public final class Checksum {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private Checksum() {}

  /**
   * Returns the checksum to write for {@code b[off, off + len)} (an odd trailing byte is padded
   * with zero); over a range that already holds a correct checksum it returns 0.
   */
  public static int internet(byte[] b, int off, int len) {
    return ~fold(sum(b, off, len, 0)) & 0xFFFF;
  }

  /**
   * Returns the folded (not complemented) ones' complement sum of the IPv4 pseudo-header of RFC 768
   * and RFC 9293: source, destination, zero, protocol and the transport length.
   */
  public static int pseudoHeaderSum(int srcIp, int dstIp, int protocol, int length) {
    long sum =
        (srcIp >>> 16) + (srcIp & 0xFFFF) + (dstIp >>> 16) + (dstIp & 0xFFFF) + protocol + length;
    return fold(sum);
  }

  /**
   * Returns the UDP or TCP checksum over the pseudo-header and {@code b[off, off + len)}, the whole
   * segment; the segment's checksum field must be zero when computing, or hold the received value
   * when verifying (then a correct segment gives 0).
   */
  public static int transport(int srcIp, int dstIp, int protocol, byte[] b, int off, int len) {
    return ~fold(sum(b, off, len, pseudoHeaderSum(srcIp, dstIp, protocol, len))) & 0xFFFF;
  }

  /**
   * Returns {@code oldChecksum} updated for one 16-bit word changing from {@code oldWord} to {@code
   * newWord}, by RFC 1624 equation 3: {@code HC' = ~(~HC + ~m + m')}.
   */
  public static int adjust(int oldChecksum, int oldWord, int newWord) {
    long sum = (~oldChecksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
    return ~fold(sum) & 0xFFFF;
  }

  /**
   * The sum of the 16-bit words, eight bytes at a time: as 2^16 is 1 modulo 2^16 - 1, adding the
   * two 32-bit halves of a big-endian long gives what its four words give once folded, and the sum
   * is positive exactly when theirs is, so the fold yields the same value.
   */
  private static long sum(byte[] b, int off, int len, long initial) {
    long sum = initial;
    int end = off + len;
    int i = off;
    for (; i + 7 < end; i += 8) {
      long v = (long) LONGS.get(b, i);
      sum += (v >>> 32) + (v & 0xFFFF_FFFFL);
    }
    for (; i + 1 < end; i += 2) {
      sum += (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }
    if (i < end) {
      sum += (b[i] & 0xFF) << 8;
    }
    return sum;
  }

  private static int fold(long sum) {
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xFFFF) + (sum >>> 16);
    }
    return (int) sum;
  }
}
