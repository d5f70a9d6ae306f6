package io.podnet.dataplane.service;

import io.podnet.core.addr.Ipv4Address;

/**
 * The lookup key of a Service port, (VIP, port, protocol), packed into one {@code long} so maps and
 * rule arrays stay primitive: bits 63-32 hold the VIP, bits 23-8 the port and bits 7-0 the IP
 * protocol number. A valid key is never 0 (the port is at least 1), so 0 can mark an empty slot.
 */
public final class ServiceKey {

  private ServiceKey() {}

  /** Packs (vip, port, protocol); {@code port} and {@code protocol} are masked to 16 and 8 bits. */
  public static long pack(int vip, int port, int protocol) {
    return (long) vip << 32 | (port & 0xFFFFL) << 8 | (protocol & 0xFFL);
  }

  /** Returns the VIP bits of a packed key. */
  public static int vip(long key) {
    return (int) (key >>> 32);
  }

  /** Returns the port of a packed key. */
  public static int port(long key) {
    return (int) (key >>> 8) & 0xFFFF;
  }

  /** Returns the IP protocol number of a packed key. */
  public static int protocol(long key) {
    return (int) key & 0xFF;
  }

  /** Returns {@code VIP:port/protocol}, e.g. {@code 172.30.0.41:80/6}. */
  public static String format(long key) {
    return Ipv4Address.format(vip(key)) + ":" + port(key) + "/" + protocol(key);
  }
}
