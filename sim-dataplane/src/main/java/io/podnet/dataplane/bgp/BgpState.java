package io.podnet.dataplane.bgp;

/** The states of a BGP session's finite state machine (RFC 4271 section 8.2.2). */
public enum BgpState {
  /** Refuses connections; waits before starting again. */
  IDLE("Idle"),
  /** Waiting for its own TCP connection to complete. */
  CONNECT("Connect"),
  /** Listening for the peer's connection (and retrying its own after ConnectRetry). */
  ACTIVE("Active"),
  /** OPEN sent, waiting for the peer's OPEN. */
  OPEN_SENT("OpenSent"),
  /** OPENs exchanged, waiting for the first KEEPALIVE. */
  OPEN_CONFIRM("OpenConfirm"),
  /** Exchanging UPDATEs. */
  ESTABLISHED("Established");

  private final String text;

  BgpState(String text) {
    this.text = text;
  }

  /** The RFC's (and BIRD's) name, such as {@code OpenSent}. */
  @Override
  public String toString() {
    return text;
  }
}
