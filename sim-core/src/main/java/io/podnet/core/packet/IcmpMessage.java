package io.podnet.core.packet;

import java.util.Arrays;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * An ICMP message for IPv4 (RFC 792): type, code, checksum, the 32-bit rest of header and a
 * payload. Factories build echo messages and the errors a router or host sends (destination
 * unreachable, fragmentation needed with the next-hop MTU of RFC 1191, time exceeded), each with a
 * correct checksum.
 */
public final class IcmpMessage {

  /** Type of an echo reply. */
  public static final int ECHO_REPLY = 0;

  /** Type of a destination unreachable error. */
  public static final int DEST_UNREACHABLE = 3;

  /** Type of an echo request. */
  public static final int ECHO_REQUEST = 8;

  /** Type of a time exceeded error. */
  public static final int TIME_EXCEEDED = 11;

  /** Destination unreachable code: no route to the network. */
  public static final int NET_UNREACHABLE = 0;

  /** Destination unreachable code: the host did not answer ARP. */
  public static final int HOST_UNREACHABLE = 1;

  /** Destination unreachable code: no handler for the IP protocol. */
  public static final int PROTOCOL_UNREACHABLE = 2;

  /** Destination unreachable code: nothing listens on the port. */
  public static final int PORT_UNREACHABLE = 3;

  /** Destination unreachable code: the datagram is too big and has Don't Fragment set. */
  public static final int FRAGMENTATION_NEEDED = 4;

  /** Length of the type, code, checksum and rest-of-header fields. */
  public static final int HEADER_LENGTH = 8;

  private static final int ORIGINAL_DATA_BYTES = 8;

  private final int type;
  private final int code;
  private final int checksum;
  private final int rest;
  private final byte[] payload;

  private IcmpMessage(int type, int code, int checksum, int rest, byte[] payload) {
    this.type = type;
    this.code = code;
    this.checksum = checksum;
    this.rest = rest;
    this.payload = payload;
  }

  private static IcmpMessage built(int type, int code, int rest, byte[] payload) {
    Bytes.check("ICMP message length", HEADER_LENGTH + payload.length, 0xFFFF);
    byte[] copy = payload.clone();
    IcmpMessage unchecked = new IcmpMessage(type, code, 0, rest, copy);
    byte[] scratch = new byte[unchecked.length()];
    unchecked.encode(scratch, 0);
    return new IcmpMessage(type, code, Checksum.internet(scratch, 0, scratch.length), rest, copy);
  }

  /** Returns an echo request with identifier and sequence number in [0, 65535]. */
  public static IcmpMessage echoRequest(int id, int seq, byte[] payload) {
    return built(ECHO_REQUEST, 0, echoRest(id, seq), payload);
  }

  /** Returns an echo reply with identifier and sequence number in [0, 65535]. */
  public static IcmpMessage echoReply(int id, int seq, byte[] payload) {
    return built(ECHO_REPLY, 0, echoRest(id, seq), payload);
  }

  private static int echoRest(int id, int seq) {
    return Bytes.check("echo id", id, 0xFFFF) << 16 | Bytes.check("echo seq", seq, 0xFFFF);
  }

  /**
   * Returns a destination unreachable error with {@code code} in [0, 15] quoting {@code original},
   * the offending datagram's IP header and first 8 data bytes (see {@link #quote}).
   */
  public static IcmpMessage destinationUnreachable(int code, byte[] original) {
    return built(DEST_UNREACHABLE, Bytes.check("unreachable code", code, 15), 0, original);
  }

  /**
   * Returns a "fragmentation needed and DF set" error carrying the next-hop MTU in [0, 65535] in
   * the low 16 bits of the rest of header (RFC 1191).
   */
  public static IcmpMessage fragmentationNeeded(int nextHopMtu, byte[] original) {
    return built(
        DEST_UNREACHABLE,
        FRAGMENTATION_NEEDED,
        Bytes.check("next-hop MTU", nextHopMtu, 0xFFFF),
        original);
  }

  /** Returns a "time to live exceeded in transit" error (code 0) quoting {@code original}. */
  public static IcmpMessage timeExceeded(byte[] original) {
    return built(TIME_EXCEEDED, 0, 0, original);
  }

  /**
   * Returns what an ICMP error quotes of the IPv4 datagram at {@code b[ipOff, ipOff + ipLen)}: its
   * header and the first 8 data bytes (RFC 792), fewer if the datagram is shorter.
   */
  public static byte[] quote(byte[] b, int ipOff, int ipLen) {
    int headerLength = Ipv4Header.headerLength(b, ipOff);
    int length = Math.min(ipLen, headerLength + ORIGINAL_DATA_BYTES);
    return Arrays.copyOfRange(b, ipOff, ipOff + length);
  }

  /**
   * Decodes the message filling {@code b[off, off + len)}; everything after the 8-byte header is
   * the payload. Fewer than 8 bytes is rejected.
   */
  public static IcmpMessage decode(byte[] b, int off, int len) {
    Bytes.checkLength("ICMP message", len, HEADER_LENGTH);
    return new IcmpMessage(
        type(b, off),
        code(b, off),
        Bytes.u16(b, off + 2),
        Bytes.i32(b, off + 4),
        Arrays.copyOfRange(b, off + HEADER_LENGTH, off + len));
  }

  /** Writes the message with its checksum field to {@code b[off, off + length())}. */
  public void encode(byte[] b, int off) {
    b[off] = (byte) type;
    b[off + 1] = (byte) code;
    Bytes.put16(b, off + 2, checksum);
    Bytes.put32(b, off + 4, rest);
    System.arraycopy(payload, 0, b, off + HEADER_LENGTH, payload.length);
  }

  /** Returns whether the checksum field matches the rest of the message. */
  public boolean checksumValid() {
    byte[] scratch = new byte[length()];
    encode(scratch, 0);
    return Checksum.internet(scratch, 0, scratch.length) == 0;
  }

  /** Returns the encoded length: 8 plus the payload. */
  public int length() {
    return HEADER_LENGTH + payload.length;
  }

  /** Returns the type, e.g. {@link #ECHO_REQUEST}. */
  public int type() {
    return type;
  }

  /** Returns the code, e.g. {@link #PORT_UNREACHABLE}. */
  public int code() {
    return code;
  }

  /** Returns the checksum field. */
  public int checksum() {
    return checksum;
  }

  /**
   * Returns the 32-bit rest of header: {@code id << 16 | seq} for echo, the next-hop MTU in the low
   * 16 bits for fragmentation needed, otherwise unused (0).
   */
  public int rest() {
    return rest;
  }

  /** Returns a copy of the payload (echo data, or the quoted original datagram of an error). */
  public byte[] payload() {
    return payload.clone();
  }

  /** Returns the type of the message at {@code off}. */
  public static int type(byte[] b, int off) {
    return Bytes.u8(b, off);
  }

  /** Returns the code of the message at {@code off}. */
  public static int code(byte[] b, int off) {
    return Bytes.u8(b, off + 1);
  }

  /** Returns the echo identifier of the echo message at {@code off}. */
  public static int echoId(byte[] b, int off) {
    return Bytes.u16(b, off + 4);
  }

  /** Returns the echo sequence number of the echo message at {@code off}. */
  public static int echoSeq(byte[] b, int off) {
    return Bytes.u16(b, off + 6);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof IcmpMessage)) {
      return false;
    }
    IcmpMessage m = (IcmpMessage) o;
    return m.type == type
        && m.code == code
        && m.checksum == checksum
        && m.rest == rest
        && Arrays.equals(m.payload, payload);
  }

  @Override
  public int hashCode() {
    return (((type * 31 + code) * 31 + checksum) * 31 + rest) * 31 + Arrays.hashCode(payload);
  }

  /** Returns e.g. {@code ICMP type 8 code 0, rest 0x00010001, length 64}. */
  @Override
  public String toString() {
    return "ICMP type "
        + type
        + " code "
        + code
        + ", rest 0x"
        + String.format(Locale.ROOT, "%08x", rest)
        + ", length "
        + length();
  }
}
