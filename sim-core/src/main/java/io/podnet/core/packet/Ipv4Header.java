package io.podnet.core.packet;

import io.podnet.core.addr.Ipv4Address;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * An IPv4 header (RFC 791). Build one with {@link #of} and the {@code with...} methods, each of
 * which yields a new header with a correct checksum; the static methods read and rewrite a header
 * in a frame in place, keeping its checksum right incrementally (RFC 1624).
 *
 * <pre>{@code
 * Ipv4Header h = Ipv4Header.of(src, dst, IpProtocol.ICMP, 64).withTtl(63).withDontFragment(true);
 * }</pre>
 */
public final class Ipv4Header {

  /** Length in bytes of a header without options (IHL 5). */
  public static final int MIN_LENGTH = 20;

  private static final int DF = 0x4000;
  private static final int MF = 0x2000;
  private static final int OFFSET_MASK = 0x1FFF;
  private static final int CHECKSUM_OFFSET = 10;
  private static final byte[] NO_OPTIONS = new byte[0];

  private final int tos;
  private final int totalLength;
  private final int identification;
  private final boolean dontFragment;
  private final boolean moreFragments;
  private final int fragmentOffset;
  private final int ttl;
  private final int protocol;
  private final int checksum;
  private final Ipv4Address src;
  private final Ipv4Address dst;
  private final byte[] options;

  private Ipv4Header(
      int tos,
      int totalLength,
      int identification,
      boolean dontFragment,
      boolean moreFragments,
      int fragmentOffset,
      int ttl,
      int protocol,
      int checksum,
      Ipv4Address src,
      Ipv4Address dst,
      byte[] options) {
    this.tos = tos;
    this.totalLength = totalLength;
    this.identification = identification;
    this.dontFragment = dontFragment;
    this.moreFragments = moreFragments;
    this.fragmentOffset = fragmentOffset;
    this.ttl = ttl;
    this.protocol = protocol;
    this.checksum = checksum;
    this.src = src;
    this.dst = dst;
    this.options = options;
  }

  /**
   * Returns a header without options for a datagram carrying {@code payloadLength} bytes of {@code
   * protocol}, with TTL 64, identification 0, no fragmentation flags and TOS 0.
   */
  public static Ipv4Header of(Ipv4Address src, Ipv4Address dst, int protocol, int payloadLength) {
    Bytes.check("protocol", protocol, 0xFF);
    Bytes.check("payload length", payloadLength, 0xFFFF - MIN_LENGTH);
    return built(0, MIN_LENGTH + payloadLength, 0, false, false, 0, 64, protocol, src, dst);
  }

  private static Ipv4Header built(
      int tos,
      int totalLength,
      int identification,
      boolean dontFragment,
      boolean moreFragments,
      int fragmentOffset,
      int ttl,
      int protocol,
      Ipv4Address src,
      Ipv4Address dst) {
    Ipv4Header unchecked =
        new Ipv4Header(
            tos,
            totalLength,
            identification,
            dontFragment,
            moreFragments,
            fragmentOffset,
            ttl,
            protocol,
            0,
            src,
            dst,
            NO_OPTIONS);
    byte[] scratch = new byte[MIN_LENGTH];
    unchecked.encode(scratch, 0);
    int checksum = Checksum.internet(scratch, 0, MIN_LENGTH);
    return new Ipv4Header(
        tos,
        totalLength,
        identification,
        dontFragment,
        moreFragments,
        fragmentOffset,
        ttl,
        protocol,
        checksum,
        src,
        dst,
        NO_OPTIONS);
  }

  /** Returns a copy with the type-of-service (DSCP and ECN) octet set, in [0, 255]. */
  public Ipv4Header withTos(int tos) {
    return built(
        Bytes.check("tos", tos, 0xFF),
        totalLength,
        identification,
        dontFragment,
        moreFragments,
        fragmentOffset,
        ttl,
        protocol,
        src,
        dst);
  }

  /** Returns a copy with the identification field set, in [0, 65535]. */
  public Ipv4Header withIdentification(int identification) {
    return built(
        tos,
        totalLength,
        Bytes.check("identification", identification, 0xFFFF),
        dontFragment,
        moreFragments,
        fragmentOffset,
        ttl,
        protocol,
        src,
        dst);
  }

  /** Returns a copy with the Don't Fragment flag set or cleared. */
  public Ipv4Header withDontFragment(boolean dontFragment) {
    return built(
        tos,
        totalLength,
        identification,
        dontFragment,
        moreFragments,
        fragmentOffset,
        ttl,
        protocol,
        src,
        dst);
  }

  /**
   * Returns a copy describing a fragment: More Fragments flag and offset in 8-byte units, in [0,
   * 8191].
   */
  public Ipv4Header withFragment(boolean moreFragments, int fragmentOffset) {
    return built(
        tos,
        totalLength,
        identification,
        dontFragment,
        moreFragments,
        Bytes.check("fragment offset", fragmentOffset, OFFSET_MASK),
        ttl,
        protocol,
        src,
        dst);
  }

  /** Returns a copy with the time to live set, in [0, 255]. */
  public Ipv4Header withTtl(int ttl) {
    return built(
        tos,
        totalLength,
        identification,
        dontFragment,
        moreFragments,
        fragmentOffset,
        Bytes.check("ttl", ttl, 0xFF),
        protocol,
        src,
        dst);
  }

  /**
   * Decodes the header at {@code b[off, off + len)}, keeping any options; rejects a version other
   * than 4, an IHL below 5, a total length below the header length, and truncation.
   */
  public static Ipv4Header decode(byte[] b, int off, int len) {
    Bytes.checkLength("IPv4 header", len, MIN_LENGTH);
    int version = version(b, off);
    if (version != 4) {
      throw new IllegalArgumentException(
          "not an IPv4 header: version " + version + " (expected 4)");
    }
    int headerLength = headerLength(b, off);
    if (headerLength < MIN_LENGTH) {
      throw new IllegalArgumentException(
          "invalid IPv4 header length: IHL " + headerLength / 4 + " (expected at least 5)");
    }
    if (len < headerLength) {
      throw new IllegalArgumentException(
          "truncated IPv4 header: "
              + len
              + " bytes (expected at least "
              + headerLength
              + " for IHL "
              + headerLength / 4
              + ")");
    }
    int totalLength = totalLength(b, off);
    if (totalLength < headerLength) {
      throw new IllegalArgumentException(
          "invalid IPv4 total length: "
              + totalLength
              + " (expected at least the header length "
              + headerLength
              + ")");
    }
    return new Ipv4Header(
        Bytes.u8(b, off + 1),
        totalLength,
        identification(b, off),
        dontFragment(b, off),
        moreFragments(b, off),
        fragmentOffset(b, off),
        ttl(b, off),
        protocol(b, off),
        Bytes.u16(b, off + CHECKSUM_OFFSET),
        Ipv4Address.of(src(b, off)),
        Ipv4Address.of(dst(b, off)),
        Arrays.copyOfRange(b, off + MIN_LENGTH, off + headerLength));
  }

  /**
   * Writes the header, its options and its checksum to {@code b[off, off + headerLength())}; a
   * built header always carries a correct checksum, a decoded one re-encodes byte for byte.
   */
  public void encode(byte[] b, int off) {
    b[off] = (byte) (0x40 | headerLength() / 4);
    b[off + 1] = (byte) tos;
    Bytes.put16(b, off + 2, totalLength);
    Bytes.put16(b, off + 4, identification);
    Bytes.put16(b, off + 6, (dontFragment ? DF : 0) | (moreFragments ? MF : 0) | fragmentOffset);
    b[off + 8] = (byte) ttl;
    b[off + 9] = (byte) protocol;
    Bytes.put16(b, off + CHECKSUM_OFFSET, checksum);
    Bytes.put32(b, off + 12, src.toInt());
    Bytes.put32(b, off + 16, dst.toInt());
    System.arraycopy(options, 0, b, off + MIN_LENGTH, options.length);
  }

  /** Returns whether the checksum field matches the other fields and options. */
  public boolean checksumValid() {
    byte[] scratch = new byte[headerLength()];
    encode(scratch, 0);
    return Checksum.internet(scratch, 0, scratch.length) == 0;
  }

  /** Returns the header length in bytes: 20 plus the options. */
  public int headerLength() {
    return MIN_LENGTH + options.length;
  }

  /** Returns a copy of the option bytes (empty unless decoded from a header with IHL above 5). */
  public byte[] options() {
    return options.clone();
  }

  /** Returns the type-of-service octet. */
  public int tos() {
    return tos;
  }

  /** Returns the datagram length in bytes, header included. */
  public int totalLength() {
    return totalLength;
  }

  /** Returns the identification used to reassemble fragments. */
  public int identification() {
    return identification;
  }

  /** Returns whether the Don't Fragment flag is set. */
  public boolean dontFragment() {
    return dontFragment;
  }

  /** Returns whether the More Fragments flag is set. */
  public boolean moreFragments() {
    return moreFragments;
  }

  /** Returns the fragment offset in 8-byte units. */
  public int fragmentOffset() {
    return fragmentOffset;
  }

  /** Returns the time to live. */
  public int ttl() {
    return ttl;
  }

  /** Returns the protocol number, e.g. {@link IpProtocol#UDP}. */
  public int protocol() {
    return protocol;
  }

  /** Returns the header checksum field. */
  public int checksum() {
    return checksum;
  }

  /** Returns the source address. */
  public Ipv4Address src() {
    return src;
  }

  /** Returns the destination address. */
  public Ipv4Address dst() {
    return dst;
  }

  /** Returns the IP version of the header at {@code off} (4 for IPv4). */
  public static int version(byte[] b, int off) {
    return (b[off] & 0xFF) >>> 4;
  }

  /** Returns the header length in bytes (IHL times 4) of the header at {@code off}. */
  public static int headerLength(byte[] b, int off) {
    return (b[off] & 0x0F) * 4;
  }

  /** Returns the total length field of the header at {@code off}. */
  public static int totalLength(byte[] b, int off) {
    return Bytes.u16(b, off + 2);
  }

  /** Returns the identification field of the header at {@code off}. */
  public static int identification(byte[] b, int off) {
    return Bytes.u16(b, off + 4);
  }

  /** Returns whether the header at {@code off} has Don't Fragment set. */
  public static boolean dontFragment(byte[] b, int off) {
    return (Bytes.u16(b, off + 6) & DF) != 0;
  }

  /** Returns whether the header at {@code off} has More Fragments set. */
  public static boolean moreFragments(byte[] b, int off) {
    return (Bytes.u16(b, off + 6) & MF) != 0;
  }

  /** Returns the fragment offset in 8-byte units of the header at {@code off}. */
  public static int fragmentOffset(byte[] b, int off) {
    return Bytes.u16(b, off + 6) & OFFSET_MASK;
  }

  /** Returns the time to live of the header at {@code off}. */
  public static int ttl(byte[] b, int off) {
    return Bytes.u8(b, off + 8);
  }

  /** Returns the protocol number of the header at {@code off}. */
  public static int protocol(byte[] b, int off) {
    return Bytes.u8(b, off + 9);
  }

  /** Returns the source address bits of the header at {@code off}. */
  public static int src(byte[] b, int off) {
    return Bytes.i32(b, off + 12);
  }

  /** Returns the destination address bits of the header at {@code off}. */
  public static int dst(byte[] b, int off) {
    return Bytes.i32(b, off + 16);
  }

  /**
   * Rewrites the source address of the header at {@code off} and updates its checksum
   * incrementally; a UDP or TCP checksum covering the address is the caller's to adjust.
   */
  public static void setSrc(byte[] b, int off, int address) {
    replaceWord(b, off, 12, address >>> 16);
    replaceWord(b, off, 14, address & 0xFFFF);
  }

  /**
   * Rewrites the destination address of the header at {@code off} and updates its checksum
   * incrementally; a UDP or TCP checksum covering the address is the caller's to adjust.
   */
  public static void setDst(byte[] b, int off, int address) {
    replaceWord(b, off, 16, address >>> 16);
    replaceWord(b, off, 18, address & 0xFFFF);
  }

  /**
   * Decrements the TTL of the header at {@code off}, updates the checksum incrementally (RFC 1624)
   * and returns the new TTL; a TTL already 0 is an {@link IllegalArgumentException}.
   */
  public static int decrementTtl(byte[] b, int off) {
    int ttl = ttl(b, off);
    if (ttl == 0) {
      throw new IllegalArgumentException("cannot decrement TTL 0 (expected a TTL in [1, 255])");
    }
    int protocol = protocol(b, off);
    replaceWord(b, off, 8, (ttl - 1) << 8 | protocol);
    return ttl - 1;
  }

  /** Rewrites the total length of the header at {@code off}, updating the checksum. */
  public static void setTotalLength(byte[] b, int off, int totalLength) {
    replaceWord(b, off, 2, Bytes.check("total length", totalLength, 0xFFFF));
  }

  /**
   * Rewrites the More Fragments flag and fragment offset (8-byte units, in [0, 8191]) of the header
   * at {@code off}, keeping Don't Fragment and updating the checksum.
   */
  public static void setFragment(byte[] b, int off, boolean more, int offsetUnits) {
    Bytes.check("fragment offset", offsetUnits, OFFSET_MASK);
    int df = Bytes.u16(b, off + 6) & DF;
    replaceWord(b, off, 6, df | (more ? MF : 0) | offsetUnits);
  }

  /**
   * Clears Don't Fragment in the header at {@code off}, keeping More Fragments and the offset and
   * updating the checksum.
   */
  public static void clearDontFragment(byte[] b, int off) {
    replaceWord(b, off, 6, Bytes.u16(b, off + 6) & ~DF);
  }

  /** Recomputes the checksum of the header at {@code off} from scratch, options included. */
  public static void rewriteChecksum(byte[] b, int off) {
    Bytes.put16(b, off + CHECKSUM_OFFSET, 0);
    Bytes.put16(b, off + CHECKSUM_OFFSET, Checksum.internet(b, off, headerLength(b, off)));
  }

  /** Returns whether the checksum of the header at {@code off} is correct, options included. */
  public static boolean checksumValid(byte[] b, int off) {
    return Checksum.internet(b, off, headerLength(b, off)) == 0;
  }

  private static void replaceWord(byte[] b, int off, int wordOffset, int newWord) {
    int oldWord = Bytes.u16(b, off + wordOffset);
    Bytes.put16(b, off + wordOffset, newWord);
    int oldChecksum = Bytes.u16(b, off + CHECKSUM_OFFSET);
    Bytes.put16(b, off + CHECKSUM_OFFSET, Checksum.adjust(oldChecksum, oldWord, newWord));
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof Ipv4Header)) {
      return false;
    }
    Ipv4Header h = (Ipv4Header) o;
    return h.tos == tos
        && h.totalLength == totalLength
        && h.identification == identification
        && h.dontFragment == dontFragment
        && h.moreFragments == moreFragments
        && h.fragmentOffset == fragmentOffset
        && h.ttl == ttl
        && h.protocol == protocol
        && h.checksum == checksum
        && h.src.equals(src)
        && h.dst.equals(dst)
        && Arrays.equals(h.options, options);
  }

  @Override
  public int hashCode() {
    int h = Arrays.hashCode(options);
    h = 31 * h + tos;
    h = 31 * h + totalLength;
    h = 31 * h + identification;
    h = 31 * h + fragmentOffset;
    h = 31 * h + (dontFragment ? 2 : 0) + (moreFragments ? 1 : 0);
    h = 31 * h + ttl;
    h = 31 * h + protocol;
    h = 31 * h + checksum;
    h = 31 * h + src.hashCode();
    return 31 * h + dst.hashCode();
  }

  /**
   * Returns a one-line form in the spirit of {@code tcpdump -v}, e.g. {@code 10.244.1.2 >
   * 10.244.2.3: tos 0x0, ttl 64, id 7, offset 0, flags [DF], proto icmp (1), length 84, cksum
   * 0x1a2b}.
   */
  @Override
  public String toString() {
    String flags =
        dontFragment && moreFragments ? "DF+" : dontFragment ? "DF" : moreFragments ? "+" : "none";
    return src
        + " > "
        + dst
        + ": tos 0x"
        + Integer.toHexString(tos)
        + ", ttl "
        + ttl
        + ", id "
        + identification
        + ", offset "
        + fragmentOffset * 8
        + ", flags ["
        + flags
        + "], proto "
        + IpProtocol.name(protocol)
        + " ("
        + protocol
        + "), length "
        + totalLength
        + ", cksum 0x"
        + Integer.toHexString(checksum)
        + (options.length > 0 ? ", options " + options.length + " bytes" : "");
  }
}
