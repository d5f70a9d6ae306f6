package io.podnet.core.net;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.packet.IcmpMessage;
import org.jspecify.annotations.Nullable;

/**
 * What one probe (a ping, a UDP datagram, a TCP connect) came to: the outcome, the time it took in
 * simulated nanoseconds, the hop-by-hop walk of its packets, and the line the real tool would print
 * ({@code 64 bytes from 10.244.2.3: icmp_seq=1 ttl=62 time=0.262 ms}).
 */
public final class ProbeResult {

  /** How a probe ended. */
  public enum Outcome {
    /** An echo reply came back. */
    REPLY,
    /** The datagram reached a listening socket. */
    DELIVERED,
    /** The TCP handshake completed. */
    CONNECTED,
    /** An ICMP error came back. */
    ICMP_ERROR,
    /** The peer answered a TCP SYN with a reset. */
    REFUSED,
    /** Nothing came back in time. */
    TIMEOUT,
    /** The sending namespace refused to send (no route, message too long). */
    LOCAL_ERROR
  }

  private final Outcome outcome;
  private final long elapsedNanos;
  private final Walk walk;
  private final String message;
  private final @Nullable Ipv4Address from;
  private final int ttl;
  private final @Nullable IcmpMessage icmpError;
  private final @Nullable Ipv4Address observedSource;
  private final @Nullable NetNamespace receiver;
  private final @Nullable String localError;

  ProbeResult(
      Outcome outcome,
      long elapsedNanos,
      Walk walk,
      String message,
      @Nullable Ipv4Address from,
      int ttl,
      @Nullable IcmpMessage icmpError,
      @Nullable Ipv4Address observedSource,
      @Nullable NetNamespace receiver,
      @Nullable String localError) {
    this.localError = localError;
    this.icmpError = icmpError;
    this.observedSource = observedSource;
    this.receiver = receiver;
    this.outcome = outcome;
    this.elapsedNanos = elapsedNanos;
    this.walk = walk;
    this.message = message;
    this.from = from;
    this.ttl = ttl;
  }

  /** How the probe ended. */
  public Outcome outcome() {
    return outcome;
  }

  /** Whether the probe reached its peer (a reply, a delivery or a connection). */
  public boolean success() {
    return outcome == Outcome.REPLY || outcome == Outcome.DELIVERED || outcome == Outcome.CONNECTED;
  }

  /**
   * Simulated time from sending to the outcome: the round trip for a ping or a connect, the one-way
   * time for a delivered datagram.
   */
  public long elapsedNanos() {
    return elapsedNanos;
  }

  /** The hops of every packet of the probe. */
  public Walk walk() {
    return walk;
  }

  /** The line the real tool prints for this outcome. */
  public String message() {
    return message;
  }

  /** Who answered (the peer, or the router that sent the ICMP error), if anyone. */
  public @Nullable Ipv4Address from() {
    return from;
  }

  /** The TTL of the answer as received, or -1 without an answer. */
  public int ttl() {
    return ttl;
  }

  /**
   * The ICMP error that ended the probe (its type, code, and the MTU a "fragmentation needed"
   * reports), or null when none did.
   */
  public @Nullable IcmpMessage icmpError() {
    return icmpError;
  }

  /**
   * For a delivered datagram or a TCP connection that reached a listening socket, the source
   * address the receiver saw: the sender's own address unless something translated it on the way.
   */
  public @Nullable Ipv4Address observedSource() {
    return observedSource;
  }

  /**
   * For a delivered datagram or a TCP connection that reached a listening socket, the namespace
   * whose socket received it.
   */
  public @Nullable NetNamespace receiver() {
    return receiver;
  }

  /**
   * For a probe its own namespace refused to send ({@link Outcome#LOCAL_ERROR}), the error its
   * socket got, as {@code strerror} words it ({@code Network is unreachable}, {@code Message too
   * long, mtu=1450}); null otherwise. {@link #message} is the tool's line around it.
   */
  public @Nullable String localError() {
    return localError;
  }

  /** Whether the socket's error was {@code EMSGSIZE}: the packet exceeds the path MTU. */
  public boolean messageTooLong() {
    return localError != null && localError.startsWith(NetNamespace.MESSAGE_TOO_LONG);
  }

  @Override
  public String toString() {
    return outcome + ": " + message;
  }
}
