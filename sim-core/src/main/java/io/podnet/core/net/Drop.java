package io.podnet.core.net;

/**
 * A drop verdict: the reason, and a detail naming what caused it (a route, a rule, a device), or an
 * empty detail.
 *
 * @param reason why the packet was dropped
 * @param detail what caused it, or empty
 */
public record Drop(DropReason reason, String detail) {

  /** A drop with no detail. */
  public static Drop of(DropReason reason) {
    return new Drop(reason, "");
  }

  /** A drop with a detail. */
  public static Drop of(DropReason reason, String detail) {
    return new Drop(reason, detail);
  }

  @Override
  public String toString() {
    return detail.isEmpty() ? reason.text() : reason.text() + ": " + detail;
  }
}
