package io.podnet.core.net;

import java.util.Arrays;

/**
 * The send-queue buffers of a network's TCP streams, of one size and reused: a stream corks its
 * writes in a buffer while its last segment waits to leave the NIC and gives the buffer back when
 * the queue empties ({@link TcpStream#queue}). A route reflector corks thousands of streams at once
 * after each burst of UPDATEs; without reuse each would take a new buffer every time. At most
 * {@link #MAX_FREE} free buffers are kept; a queue that outgrows {@link #SIZE} takes a buffer of
 * its own, which is not kept.
 */
final class SendBuffers {

  /** The size of the buffers kept: room for many BGP UPDATEs corked behind one segment. */
  static final int SIZE = 4096;

  /** At most this many free buffers are kept (16 MiB). */
  static final int MAX_FREE = 4096;

  private byte[][] free = new byte[64][];
  private int count;

  /** The shared buffers of {@code network}. */
  static SendBuffers of(Network network) {
    return network.shared(SendBuffers.class, SendBuffers::new);
  }

  /** A buffer of {@link #SIZE} bytes, whose contents are left over from its last use. */
  byte[] take() {
    if (count == 0) {
      return new byte[SIZE];
    }
    byte[] b = free[--count];
    free[count] = null;
    return b;
  }

  /** Gives {@code buffer} back; kept when it is of {@link #SIZE} bytes and fewer are free. */
  void give(byte[] buffer) {
    if (buffer.length != SIZE || count == MAX_FREE) {
      return;
    }
    if (count == free.length) {
      free = Arrays.copyOf(free, 2 * count);
    }
    free[count++] = buffer;
  }

  /** Number of free buffers kept. */
  int free() {
    return count;
  }
}
