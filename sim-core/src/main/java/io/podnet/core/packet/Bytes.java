package io.podnet.core.packet;

/** Big-endian (network byte order) reads and writes of unsigned fields in a byte array. */
final class Bytes {

  private Bytes() {}

  static int u8(byte[] b, int off) {
    return b[off] & 0xFF;
  }

  static int u16(byte[] b, int off) {
    return (b[off] & 0xFF) << 8 | (b[off + 1] & 0xFF);
  }

  static int i32(byte[] b, int off) {
    return (b[off] & 0xFF) << 24
        | (b[off + 1] & 0xFF) << 16
        | (b[off + 2] & 0xFF) << 8
        | (b[off + 3] & 0xFF);
  }

  static void put16(byte[] b, int off, int value) {
    b[off] = (byte) (value >>> 8);
    b[off + 1] = (byte) value;
  }

  static void put32(byte[] b, int off, int value) {
    b[off] = (byte) (value >>> 24);
    b[off + 1] = (byte) (value >>> 16);
    b[off + 2] = (byte) (value >>> 8);
    b[off + 3] = (byte) value;
  }

  /** Throws unless {@code value} is in [0, max], naming the field. */
  static int check(String field, int value, int max) {
    if (value < 0 || value > max) {
      throw new IllegalArgumentException(field + " must be in [0, " + max + "]: " + value);
    }
    return value;
  }

  /** Throws unless {@code len} is at least {@code min}, naming the truncated header. */
  static void checkLength(String header, int len, int min) {
    if (len < min) {
      throw new IllegalArgumentException(
          "truncated " + header + ": " + len + " bytes (expected at least " + min + ")");
    }
  }
}
