package io.podnet.dataplane.bgp;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A decoded BGP-4 message (RFC 4271 section 4): OPEN, UPDATE, NOTIFICATION or KEEPALIVE. {@link
 * BgpCodec} turns them into wire bytes and back.
 */
sealed interface BgpMessage
    permits BgpMessage.Open, BgpMessage.Update, BgpMessage.Notification, BgpMessage.Keepalive {

  /** Message type codes (RFC 4271 section 4.1). */
  int OPEN = 1;

  int UPDATE = 2;
  int NOTIFICATION = 3;
  int KEEPALIVE = 4;

  /**
   * An OPEN (RFC 4271 section 4.2). {@code asn} is the 4-octet AS from the capability of RFC 6793
   * when {@code fourOctetAs}, else the 2-octet My AS field.
   *
   * @param version the BGP version, 4
   * @param asn the sender's AS number (unsigned)
   * @param holdTime proposed hold time in seconds (0 or >= 3)
   * @param bgpId the BGP identifier (router id)
   * @param fourOctetAs whether the 4-octet AS capability (code 65) was present
   */
  record Open(int version, long asn, int holdTime, int bgpId, boolean fourOctetAs)
      implements BgpMessage {}

  /**
   * An UPDATE (RFC 4271 section 4.3): withdrawn prefixes, path attributes and the prefixes they
   * apply to, prefixes packed by {@link Prefixes}.
   *
   * @param withdrawn withdrawn routes
   * @param attributes the path attributes; null when the UPDATE carries no NLRI
   * @param nlri the reachable prefixes
   */
  record Update(long[] withdrawn, @Nullable PathAttributes attributes, long[] nlri)
      implements BgpMessage {
    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Update u
          && Arrays.equals(u.withdrawn, withdrawn)
          && java.util.Objects.equals(u.attributes, attributes)
          && Arrays.equals(u.nlri, nlri);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(withdrawn) * 31 + Arrays.hashCode(nlri);
    }

    @Override
    public String toString() {
      return "Update[withdrawn="
          + Arrays.toString(withdrawn)
          + ", attributes="
          + attributes
          + ", nlri="
          + Arrays.toString(nlri)
          + "]";
    }
  }

  /**
   * A NOTIFICATION (RFC 4271 section 4.5); the sender closes the connection after it.
   *
   * @param code error code (1 header, 2 OPEN, 3 UPDATE, 4 hold timer expired, 5 FSM, 6 cease)
   * @param subcode error subcode
   * @param data diagnostic data
   */
  record Notification(int code, int subcode, byte[] data) implements BgpMessage {
    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Notification n
          && n.code == code
          && n.subcode == subcode
          && Arrays.equals(n.data, data);
    }

    @Override
    public int hashCode() {
      return code * 31 + subcode;
    }

    @Override
    public String toString() {
      return "Notification[" + code + "/" + subcode + "]";
    }
  }

  /** A KEEPALIVE (RFC 4271 section 4.4): the 19-byte header alone. */
  record Keepalive() implements BgpMessage {}
}
