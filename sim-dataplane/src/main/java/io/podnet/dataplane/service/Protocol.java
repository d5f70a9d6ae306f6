package io.podnet.dataplane.service;

import java.util.Locale;

/**
 * The transport protocol of a Service port, as the Kubernetes API spells it ({@code TCP}, {@code
 * UDP}, {@code SCTP}), with its IP protocol number (RFC 790 assigned numbers) and the lower-case
 * name kube-proxy hashes into chain names and writes after {@code -m}/{@code -p}.
 */
public enum Protocol {
  /** TCP, IP protocol 6. */
  TCP(6),
  /** UDP, IP protocol 17. */
  UDP(17),
  /** SCTP, IP protocol 132. */
  SCTP(132);

  private final int number;
  private final String lowerName;

  Protocol(int number) {
    this.number = number;
    this.lowerName = name().toLowerCase(Locale.ROOT);
  }

  /** Returns the IP protocol number (6, 17 or 132). */
  public int number() {
    return number;
  }

  /** Returns the lower-case name kube-proxy uses in rules and hashes: {@code tcp}. */
  public String lowerName() {
    return lowerName;
  }

  /**
   * Parses the API spelling ({@code TCP}, {@code UDP}, {@code SCTP}; case-sensitive like the API).
   *
   * @throws IllegalArgumentException naming the value if it is none of them
   */
  public static Protocol parse(String text) {
    switch (text) {
      case "TCP":
        return TCP;
      case "UDP":
        return UDP;
      case "SCTP":
        return SCTP;
      default:
        throw new IllegalArgumentException(
            "unknown protocol: \"" + text + "\" (expected TCP, UDP or SCTP)");
    }
  }

  /**
   * Returns the protocol with IP protocol number {@code number}.
   *
   * @throws IllegalArgumentException if it is not 6, 17 or 132
   */
  public static Protocol ofNumber(int number) {
    switch (number) {
      case 6:
        return TCP;
      case 17:
        return UDP;
      case 132:
        return SCTP;
      default:
        throw new IllegalArgumentException(
            "unknown IP protocol number: " + number + " (expected 6, 17 or 132)");
    }
  }
}
