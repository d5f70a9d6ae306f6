package io.podnet.dataplane.bgp;

import java.util.Arrays;

/**
 * BGP-4 wire format (RFC 4271 section 4): the 19-byte header (16-byte all-ones marker, length,
 * type), OPEN with the 4-octet AS capability (RFC 6793), UPDATE with the path attributes of {@link
 * PathAttributes} (RFC 4271 section 5, RFC 4456 section 8), NOTIFICATION and KEEPALIVE. Decoding
 * checks what RFC 4271 section 6 requires and throws {@link BgpError} with the NOTIFICATION code
 * and subcode to answer with.
 */
final class BgpCodec {

  static final int HEADER_LENGTH = 19;
  static final int MAX_LENGTH = 4096;

  /** AS_TRANS (RFC 6793): the 2-octet My AS of a speaker whose AS does not fit in 16 bits. */
  static final int AS_TRANS = 23456;

  static final int ATTR_ORIGIN = 1;
  static final int ATTR_AS_PATH = 2;
  static final int ATTR_NEXT_HOP = 3;
  static final int ATTR_MED = 4;
  static final int ATTR_LOCAL_PREF = 5;
  static final int ATTR_ORIGINATOR_ID = 9;
  static final int ATTR_CLUSTER_LIST = 10;

  static final int FLAG_OPTIONAL = 0x80;
  static final int FLAG_TRANSITIVE = 0x40;
  static final int FLAG_EXTENDED = 0x10;

  static final int AS_SET = 1;
  static final int AS_SEQUENCE = 2;

  private static final int CAPABILITY_FOUR_OCTET_AS = 65;
  private static final byte[] KEEPALIVE_BYTES = header(HEADER_LENGTH, BgpMessage.KEEPALIVE);
  private static final BgpMessage.Keepalive KEEPALIVE = new BgpMessage.Keepalive();

  private BgpCodec() {}

  // ---------------------------------------------------------------- encode

  /** An OPEN with the 4-octet AS capability. */
  static byte[] open(long asn, int holdTime, int bgpId) {
    int length = HEADER_LENGTH + 10 + 8;
    byte[] b = header(length, BgpMessage.OPEN);
    int p = HEADER_LENGTH;
    b[p++] = 4;
    put16(b, p, asn > 0xFFFF ? AS_TRANS : (int) asn);
    put16(b, p + 2, holdTime);
    put32(b, p + 4, bgpId);
    p += 8;
    b[p++] = 8; // optional parameters length
    b[p++] = 2; // parameter type: capabilities (RFC 5492)
    b[p++] = 6;
    b[p++] = (byte) CAPABILITY_FOUR_OCTET_AS;
    b[p++] = 4;
    put32(b, p, (int) asn);
    return b;
  }

  /** The 19-byte KEEPALIVE (a shared array: callers must not modify it). */
  static byte[] keepalive() {
    return KEEPALIVE_BYTES;
  }

  static byte[] notification(int code, int subcode, byte[] data) {
    byte[] b = header(HEADER_LENGTH + 2 + data.length, BgpMessage.NOTIFICATION);
    b[HEADER_LENGTH] = (byte) code;
    b[HEADER_LENGTH + 1] = (byte) subcode;
    System.arraycopy(data, 0, b, HEADER_LENGTH + 2, data.length);
    return b;
  }

  /**
   * An UPDATE; AS numbers take 4 octets when {@code fourOctetAs} (both ends sent the capability),
   * else 2. {@code attributes} may be null only when {@code nlri} is empty.
   */
  static byte[] update(
      long[] withdrawn, PathAttributes attributes, long[] nlri, boolean fourOctetAs) {
    int withdrawnLength = prefixesLength(withdrawn);
    int attrLength = nlri.length == 0 ? 0 : attributesLength(attributes, fourOctetAs);
    int length = HEADER_LENGTH + 2 + withdrawnLength + 2 + attrLength + prefixesLength(nlri);
    if (length > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "UPDATE length must be <= " + MAX_LENGTH + " bytes: " + length);
    }
    byte[] b = header(length, BgpMessage.UPDATE);
    int p = HEADER_LENGTH;
    put16(b, p, withdrawnLength);
    p = putPrefixes(b, p + 2, withdrawn);
    put16(b, p, attrLength);
    p += 2;
    if (nlri.length > 0) {
      p = putAttributes(b, p, attributes, fourOctetAs);
    }
    putPrefixes(b, p, nlri);
    return b;
  }

  static byte[] withdrawal(long[] withdrawn) {
    return update(withdrawn, PathAttributes.local(0, -1), new long[0], true);
  }

  private static int prefixesLength(long[] prefixes) {
    int n = 0;
    for (long prefix : prefixes) {
      n += 1 + (Prefixes.length(prefix) + 7) / 8;
    }
    return n;
  }

  private static int putPrefixes(byte[] b, int p, long[] prefixes) {
    for (long prefix : prefixes) {
      int length = Prefixes.length(prefix);
      int network = Prefixes.network(prefix);
      b[p++] = (byte) length;
      for (int i = 0; i < (length + 7) / 8; i++) {
        b[p++] = (byte) (network >>> (24 - 8 * i));
      }
    }
    return p;
  }

  private static int attributesLength(PathAttributes a, boolean fourOctetAs) {
    int n = 3 + 1; // ORIGIN
    int asPath = a.asPath.length == 0 ? 0 : 2 + a.asPath.length * (fourOctetAs ? 4 : 2);
    n += (asPath > 255 ? 4 : 3) + asPath;
    n += 3 + 4; // NEXT_HOP
    if (a.med >= 0) {
      n += 3 + 4;
    }
    if (a.localPref >= 0) {
      n += 3 + 4;
    }
    if (a.originatorId != 0) {
      n += 3 + 4;
    }
    if (a.clusterList.length > 0) {
      int c = 4 * a.clusterList.length;
      n += (c > 255 ? 4 : 3) + c;
    }
    return n;
  }

  private static int putAttributes(byte[] b, int p, PathAttributes a, boolean fourOctetAs) {
    p = attrHeader(b, p, FLAG_TRANSITIVE, ATTR_ORIGIN, 1);
    b[p++] = (byte) a.origin;
    int asPath = a.asPath.length == 0 ? 0 : 2 + a.asPath.length * (fourOctetAs ? 4 : 2);
    p = attrHeader(b, p, FLAG_TRANSITIVE, ATTR_AS_PATH, asPath);
    if (a.asPath.length > 0) {
      if (a.asPath.length > 255) {
        throw new IllegalArgumentException(
            "AS_PATH must have at most 255 AS numbers: " + a.asPath.length);
      }
      b[p++] = AS_SEQUENCE;
      b[p++] = (byte) a.asPath.length;
      for (int as : a.asPath) {
        if (fourOctetAs) {
          put32(b, p, as);
          p += 4;
        } else {
          put16(b, p, Integer.compareUnsigned(as, 0xFFFF) > 0 ? AS_TRANS : as);
          p += 2;
        }
      }
    }
    p = attrHeader(b, p, FLAG_TRANSITIVE, ATTR_NEXT_HOP, 4);
    put32(b, p, a.nextHop);
    p += 4;
    if (a.med >= 0) {
      p = attrHeader(b, p, FLAG_OPTIONAL, ATTR_MED, 4);
      put32(b, p, (int) a.med);
      p += 4;
    }
    if (a.localPref >= 0) {
      p = attrHeader(b, p, FLAG_TRANSITIVE, ATTR_LOCAL_PREF, 4);
      put32(b, p, (int) a.localPref);
      p += 4;
    }
    if (a.originatorId != 0) {
      p = attrHeader(b, p, FLAG_OPTIONAL, ATTR_ORIGINATOR_ID, 4);
      put32(b, p, a.originatorId);
      p += 4;
    }
    if (a.clusterList.length > 0) {
      p = attrHeader(b, p, FLAG_OPTIONAL, ATTR_CLUSTER_LIST, 4 * a.clusterList.length);
      for (int c : a.clusterList) {
        put32(b, p, c);
        p += 4;
      }
    }
    return p;
  }

  private static int attrHeader(byte[] b, int p, int flags, int type, int length) {
    if (length > 255) {
      b[p] = (byte) (flags | FLAG_EXTENDED);
      b[p + 1] = (byte) type;
      put16(b, p + 2, length);
      return p + 4;
    }
    b[p] = (byte) flags;
    b[p + 1] = (byte) type;
    b[p + 2] = (byte) length;
    return p + 3;
  }

  private static byte[] header(int length, int type) {
    byte[] b = new byte[length];
    Arrays.fill(b, 0, 16, (byte) 0xFF);
    put16(b, 16, length);
    b[18] = (byte) type;
    return b;
  }

  // ---------------------------------------------------------------- decode

  /**
   * The length of the message starting at {@code b[off]} if its header is complete within {@code
   * available} bytes, else -1; {@link BgpError} for a bad marker or length (RFC 4271 section 6.1).
   */
  static int messageLength(byte[] b, int off, int available) {
    if (available < HEADER_LENGTH) {
      return -1;
    }
    for (int i = 0; i < 16; i++) {
      if (b[off + i] != (byte) 0xFF) {
        throw new BgpError(BgpError.HEADER, 1, "connection not synchronized: bad marker");
      }
    }
    int length = u16(b, off + 16);
    if (length < HEADER_LENGTH || length > MAX_LENGTH) {
      throw new BgpError(BgpError.HEADER, 2, "bad message length: " + length);
    }
    return length;
  }

  /** The type of the message at {@code b[off]}, whose header {@link #messageLength} checked. */
  static int type(byte[] b, int off) {
    return b[off + 18] & 0xFF;
  }

  /** Decodes one whole message at {@code b[off, off + len)}. */
  static BgpMessage decode(byte[] b, int off, int len, boolean fourOctetAs) {
    int length = messageLength(b, off, len);
    if (length != len) {
      throw new BgpError(BgpError.HEADER, 2, "bad message length: " + length + " != " + len);
    }
    int type = type(b, off);
    int p = off + HEADER_LENGTH;
    int end = off + len;
    switch (type) {
      case BgpMessage.OPEN -> {
        return decodeOpen(b, p, end);
      }
      case BgpMessage.UPDATE -> {
        return decodeUpdate(b, p, end, fourOctetAs);
      }
      case BgpMessage.NOTIFICATION -> {
        if (end - p < 2) {
          throw new BgpError(BgpError.HEADER, 2, "bad NOTIFICATION length: " + len);
        }
        return new BgpMessage.Notification(
            b[p] & 0xFF, b[p + 1] & 0xFF, Arrays.copyOfRange(b, p + 2, end));
      }
      case BgpMessage.KEEPALIVE -> {
        if (len != HEADER_LENGTH) {
          throw new BgpError(BgpError.HEADER, 2, "bad KEEPALIVE length: " + len);
        }
        return KEEPALIVE;
      }
      default -> throw new BgpError(BgpError.HEADER, 3, "bad message type: " + type);
    }
  }

  private static BgpMessage.Open decodeOpen(byte[] b, int p, int end) {
    if (end - p < 10) {
      throw new BgpError(BgpError.HEADER, 2, "bad OPEN length: " + (end - p + HEADER_LENGTH));
    }
    int version = b[p] & 0xFF;
    long asn = u16(b, p + 1);
    int hold = u16(b, p + 3);
    int id = i32(b, p + 5);
    int optLength = b[p + 9] & 0xFF;
    int q = p + 10;
    if (q + optLength != end) {
      throw new BgpError(BgpError.OPEN, 0, "optional parameters length " + optLength);
    }
    boolean fourOctet = false;
    while (q < end) {
      if (end - q < 2) {
        throw new BgpError(BgpError.OPEN, 0, "truncated optional parameter");
      }
      int paramType = b[q] & 0xFF;
      int paramLength = b[q + 1] & 0xFF;
      int pEnd = q + 2 + paramLength;
      if (pEnd > end) {
        throw new BgpError(BgpError.OPEN, 0, "truncated optional parameter");
      }
      if (paramType != 2) {
        throw new BgpError(BgpError.OPEN, 4, "unsupported optional parameter " + paramType);
      }
      int c = q + 2;
      while (c < pEnd) {
        if (pEnd - c < 2 || c + 2 + (b[c + 1] & 0xFF) > pEnd) {
          throw new BgpError(BgpError.OPEN, 0, "truncated capability");
        }
        int code = b[c] & 0xFF;
        int capLength = b[c + 1] & 0xFF;
        if (code == CAPABILITY_FOUR_OCTET_AS && capLength == 4) {
          fourOctet = true;
          asn = Integer.toUnsignedLong(i32(b, c + 2));
        }
        c += 2 + capLength;
      }
      q = pEnd;
    }
    return new BgpMessage.Open(version, asn, hold, id, fourOctet);
  }

  private static BgpMessage.Update decodeUpdate(byte[] b, int p, int end, boolean fourOctetAs) {
    UpdateView u = new UpdateView().wrap(b, p, end);
    boolean nlri = u.attrEnd < u.end;
    PathAttributes attributes =
        !nlri && u.attrStart == u.attrEnd
            ? null
            : decodeAttributes(b, u.attrStart, u.attrEnd, fourOctetAs, nlri);
    return new BgpMessage.Update(
        prefixes(b, u.withdrawnStart, u.withdrawnEnd), attributes, prefixes(b, u.attrEnd, end));
  }

  /**
   * Where the sections of an UPDATE lie in the buffer it arrived in, checked as {@link #decode}
   * checks them (lengths, every prefix) but not decoded: a speaker reads the prefixes there ({@link
   * #prefixAt}, {@link #nextPrefix}) and the path attributes through {@link Canonical#encodedAt},
   * so handling an UPDATE allocates nothing. One instance serves a session, rewrapped for each
   * UPDATE; it keeps offsets only, not the buffer.
   */
  static final class UpdateView {
    int withdrawnStart;
    int withdrawnEnd;
    int attrStart;

    /** The end of the path attributes and the start of the NLRI. */
    int attrEnd;

    int end;

    /**
     * Wraps the UPDATE whose body (after the header) is {@code b[p, end)}, throwing {@link
     * BgpError} where {@link #decode} would before it reads the attributes.
     */
    UpdateView wrap(byte[] b, int p, int end) {
      if (end - p < 4) {
        throw new BgpError(BgpError.UPDATE, 1, "UPDATE too short");
      }
      int withdrawnLength = u16(b, p);
      int wEnd = p + 2 + withdrawnLength;
      if (wEnd + 2 > end) {
        throw new BgpError(BgpError.UPDATE, 1, "withdrawn routes length " + withdrawnLength);
      }
      checkPrefixes(b, p + 2, wEnd);
      int attrLength = u16(b, wEnd);
      int aStart = wEnd + 2;
      int aEnd = aStart + attrLength;
      if (aEnd > end) {
        throw new BgpError(BgpError.UPDATE, 1, "total path attribute length " + attrLength);
      }
      checkPrefixes(b, aEnd, end);
      this.withdrawnStart = p + 2;
      this.withdrawnEnd = wEnd;
      this.attrStart = aStart;
      this.attrEnd = aEnd;
      this.end = end;
      return this;
    }

    /** Wraps the whole UPDATE message {@code b[off, off + len)}, header included. */
    UpdateView wrapMessage(byte[] b, int off, int len) {
      return wrap(b, off + HEADER_LENGTH, off + len);
    }
  }

  /** Throws {@link BgpError} unless {@code b[p, end)} is a sequence of whole, valid prefixes. */
  private static void checkPrefixes(byte[] b, int p, int end) {
    while (p < end) {
      int length = b[p] & 0xFF;
      if (length > 32 || p + 1 + (length + 7) / 8 > end) {
        throw new BgpError(BgpError.UPDATE, 10, "invalid prefix length " + length);
      }
      p += 1 + (length + 7) / 8;
    }
  }

  /** The offset of the prefix after the one at {@code at} (prefixes checked by a view). */
  static int nextPrefix(byte[] b, int at) {
    return at + 1 + ((b[at] & 0xFF) + 7) / 8;
  }

  /** The prefix at {@code at}, packed by {@link Prefixes} (prefixes checked by a view). */
  static long prefixAt(byte[] b, int at) {
    int length = b[at] & 0xFF;
    int bytes = (length + 7) / 8;
    int network = 0;
    for (int k = 0; k < bytes; k++) {
      network |= (b[at + 1 + k] & 0xFF) << (24 - 8 * k);
    }
    int mask = length == 0 ? 0 : -1 << (32 - length);
    return Prefixes.pack(network & mask, length);
  }

  /** The checked prefixes of {@code b[p, end)}, packed. */
  private static long[] prefixes(byte[] b, int p, int end) {
    int count = 0;
    for (int q = p; q < end; q = nextPrefix(b, q)) {
      count++;
    }
    long[] out = new long[count];
    for (int i = 0; p < end; p = nextPrefix(b, p)) {
      out[i++] = prefixAt(b, p);
    }
    return out;
  }

  /**
   * Decodes the path attributes {@code b[p, end)}; ORIGIN, AS_PATH and NEXT_HOP must be there when
   * {@code needMandatory} (the UPDATE has NLRI).
   */
  static PathAttributes decodeAttributes(
      byte[] b, int p, int end, boolean fourOctetAs, boolean needMandatory) {
    int origin = -1;
    int[] asPath = null;
    int nextHop = 0;
    boolean haveNextHop = false;
    long med = -1;
    long localPref = -1;
    int originatorId = 0;
    int[] clusters = PathAttributes.NO_INTS;
    while (p < end) {
      if (end - p < 3) {
        throw new BgpError(BgpError.UPDATE, 1, "truncated attribute");
      }
      int flags = b[p] & 0xFF;
      int type = b[p + 1] & 0xFF;
      int length;
      int v;
      if ((flags & FLAG_EXTENDED) != 0) {
        if (end - p < 4) {
          throw new BgpError(BgpError.UPDATE, 1, "truncated attribute");
        }
        length = u16(b, p + 2);
        v = p + 4;
      } else {
        length = b[p + 2] & 0xFF;
        v = p + 3;
      }
      if (v + length > end) {
        throw new BgpError(BgpError.UPDATE, 5, "attribute " + type + " length " + length);
      }
      switch (type) {
        case ATTR_ORIGIN -> {
          checkLength(type, length, 1);
          origin = b[v] & 0xFF;
          if (origin > 2) {
            throw new BgpError(BgpError.UPDATE, 6, "invalid ORIGIN " + origin);
          }
        }
        case ATTR_AS_PATH -> asPath = decodeAsPath(b, v, v + length, fourOctetAs);
        case ATTR_NEXT_HOP -> {
          checkLength(type, length, 4);
          nextHop = i32(b, v);
          haveNextHop = true;
        }
        case ATTR_MED -> {
          checkLength(type, length, 4);
          med = Integer.toUnsignedLong(i32(b, v));
        }
        case ATTR_LOCAL_PREF -> {
          checkLength(type, length, 4);
          localPref = Integer.toUnsignedLong(i32(b, v));
        }
        case ATTR_ORIGINATOR_ID -> {
          checkLength(type, length, 4);
          originatorId = i32(b, v);
        }
        case ATTR_CLUSTER_LIST -> {
          if (length % 4 != 0) {
            throw new BgpError(BgpError.UPDATE, 5, "CLUSTER_LIST length " + length);
          }
          clusters = new int[length / 4];
          for (int i = 0; i < clusters.length; i++) {
            clusters[i] = i32(b, v + 4 * i);
          }
        }
        default -> {
          if ((flags & FLAG_OPTIONAL) == 0) {
            throw new BgpError(BgpError.UPDATE, 2, "unrecognized well-known attribute " + type);
          }
          // optional attributes this model does not know are ignored
        }
      }
      p = v + length;
    }
    if (needMandatory) {
      if (origin < 0) {
        throw new BgpError(BgpError.UPDATE, 3, "missing ORIGIN");
      }
      if (asPath == null) {
        throw new BgpError(BgpError.UPDATE, 3, "missing AS_PATH");
      }
      if (!haveNextHop) {
        throw new BgpError(BgpError.UPDATE, 3, "missing NEXT_HOP");
      }
    }
    return new PathAttributes(
        Math.max(origin, 0),
        asPath == null ? PathAttributes.NO_INTS : asPath,
        nextHop,
        med,
        localPref,
        originatorId,
        clusters);
  }

  private static int[] decodeAsPath(byte[] b, int p, int end, boolean fourOctetAs) {
    int size = fourOctetAs ? 4 : 2;
    int total = 0;
    for (int q = p; q < end; ) {
      if (end - q < 2) {
        throw new BgpError(BgpError.UPDATE, 11, "truncated AS_PATH segment");
      }
      int segType = b[q] & 0xFF;
      int count = b[q + 1] & 0xFF;
      if (segType != AS_SEQUENCE) {
        throw new BgpError(BgpError.UPDATE, 11, "AS_PATH segment type " + segType);
      }
      q += 2 + count * size;
      if (q > end) {
        throw new BgpError(BgpError.UPDATE, 11, "truncated AS_PATH segment");
      }
      total += count;
    }
    int[] path = new int[total];
    int i = 0;
    for (int q = p; q < end; ) {
      int count = b[q + 1] & 0xFF;
      q += 2;
      for (int k = 0; k < count; k++, q += size) {
        path[i++] = fourOctetAs ? i32(b, q) : u16(b, q);
      }
    }
    return path;
  }

  private static void checkLength(int type, int length, int expected) {
    if (length != expected) {
      throw new BgpError(
          BgpError.UPDATE, 5, "attribute " + type + " length " + length + " != " + expected);
    }
  }

  private static int u16(byte[] b, int off) {
    return (b[off] & 0xFF) << 8 | (b[off + 1] & 0xFF);
  }

  private static int i32(byte[] b, int off) {
    return (b[off] & 0xFF) << 24
        | (b[off + 1] & 0xFF) << 16
        | (b[off + 2] & 0xFF) << 8
        | (b[off + 3] & 0xFF);
  }

  private static void put16(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 8);
    b[off + 1] = (byte) v;
  }

  private static void put32(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }
}
