package io.podnet.dataplane.netfilter;

import io.podnet.core.net.HookPoint;
import java.util.List;

/**
 * The four IPv4 tables of {@code ip_tables}, each with its built-in chains (named after the hook
 * points they run at) and its priority at those hooks. The declaration order is the order {@code
 * iptables-save} prints tables in (iptables-nft's table list: mangle, raw, filter, nat).
 */
public enum Table {
  /** Packet alteration: every hook, priority -150 ({@code NF_IP_PRI_MANGLE}). */
  MANGLE(
      "mangle",
      -150,
      HookPoint.PREROUTING,
      HookPoint.INPUT,
      HookPoint.FORWARD,
      HookPoint.OUTPUT,
      HookPoint.POSTROUTING),
  /** Before connection tracking: PREROUTING and OUTPUT, priority -300 ({@code NF_IP_PRI_RAW}). */
  RAW("raw", -300, HookPoint.PREROUTING, HookPoint.OUTPUT),
  /** Filtering: INPUT, FORWARD, OUTPUT, priority 0 ({@code NF_IP_PRI_FILTER}). */
  FILTER("filter", 0, HookPoint.INPUT, HookPoint.FORWARD, HookPoint.OUTPUT),
  /**
   * Address translation of the first packet of a flow: destination NAT at PREROUTING and OUTPUT
   * (priority -100), source NAT at INPUT and POSTROUTING (priority 100).
   */
  NAT("nat", -100, HookPoint.PREROUTING, HookPoint.INPUT, HookPoint.OUTPUT, HookPoint.POSTROUTING);

  private final String text;
  private final int priority;
  private final List<HookPoint> hooks;

  Table(String text, int priority, HookPoint... hooks) {
    this.text = text;
    this.priority = priority;
    this.hooks = List.of(hooks);
  }

  /** The table's name as iptables spells it ({@code nat}). */
  public String text() {
    return text;
  }

  /** The built-in chains, in hook order. */
  public List<HookPoint> hooks() {
    return hooks;
  }

  /** Whether {@code chain} names a built-in chain of this table. */
  public boolean isBuiltin(String chain) {
    for (HookPoint h : hooks) {
      if (h.name().equals(chain)) {
        return true;
      }
    }
    return false;
  }

  /** The priority the table's hook runs at for {@code point}. */
  int priority(HookPoint point) {
    if (this == NAT && (point == HookPoint.INPUT || point == HookPoint.POSTROUTING)) {
      return 100;
    }
    return priority;
  }

  /** The table named {@code name}, or {@link IllegalArgumentException}. */
  public static Table of(String name) {
    for (Table t : values()) {
      if (t.text.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown table: " + name + " (expected filter, nat, mangle or raw)");
  }

  @Override
  public String toString() {
    return text;
  }
}
