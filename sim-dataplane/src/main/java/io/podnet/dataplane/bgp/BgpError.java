package io.podnet.dataplane.bgp;

/**
 * A protocol error found while decoding or handling a message, carrying the NOTIFICATION error code
 * and subcode of RFC 4271 section 6 that the speaker sends before closing the session.
 */
final class BgpError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  static final int HEADER = 1;
  static final int OPEN = 2;
  static final int UPDATE = 3;
  static final int HOLD_TIMER_EXPIRED = 4;
  static final int FSM = 5;
  static final int CEASE = 6;

  final int code;
  final int subcode;

  BgpError(int code, int subcode, String message) {
    super(message + " (NOTIFICATION " + code + "/" + subcode + ")");
    this.code = code;
    this.subcode = subcode;
  }
}
