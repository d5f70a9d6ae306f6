package io.podnet.core.net;

import io.podnet.core.addr.Ipv4Address;

/**
 * One end of a TCP connection carrying a byte stream, small on purpose: the SYN, SYN-ACK, ACK
 * handshake, data segments ({@code PSH|ACK}) with correct sequence and acknowledgment numbers, FIN
 * on close, RST for a closed port (RFC 9293). There is no retransmission, window or Nagle: links
 * are FIFO and lossless unless cut, and a cut shows up as silence, which is what application timers
 * (a BGP hold timer) detect. Data is not acknowledged by segments of its own; every segment carries
 * the current acknowledgment number.
 *
 * <p>A stream costs a few dozen bytes, so a namespace can hold many thousands:
 *
 * <pre>{@code
 * server.listenStream(179, listener);
 * TcpStream s = client.openStream(Ipv4Address.parse("192.168.1.12"), 179, listener);
 * // listener.connected(s) fires once the SYN-ACK is back; then s.send(bytes)
 * }</pre>
 */
public final class TcpStream {

  static final byte SYN_SENT = 1;
  static final byte SYN_RECEIVED = 2;
  static final byte ESTABLISHED = 3;
  static final byte FIN_WAIT = 4;
  static final byte LAST_ACK = 5;
  static final byte CLOSED = 6;

  final Sockets sockets;
  StreamListener listener;
  int localIp;
  final int remoteIp;
  final char localPort;
  final char remotePort;
  final short mss;
  byte state;
  int sndNxt;
  int rcvNxt;

  TcpStream(
      Sockets sockets,
      StreamListener listener,
      int localIp,
      int localPort,
      int remoteIp,
      int remotePort,
      int mss,
      byte state) {
    this.sockets = sockets;
    this.listener = listener;
    this.localIp = localIp;
    this.localPort = (char) localPort;
    this.remoteIp = remoteIp;
    this.remotePort = (char) remotePort;
    this.mss = (short) mss;
    this.state = state;
  }

  /**
   * Sends {@code data}, in segments of at most the MSS; {@link IllegalStateException} if not open.
   */
  public void send(byte[] data) {
    if (state != ESTABLISHED) {
      throw new IllegalStateException("stream " + this + " is not open (" + stateName() + ")");
    }
    sockets.streamSend(this, data);
  }

  /**
   * Closes the stream: a FIN when it is open, a reset while it is still being set up; nothing once
   * closing. The listener hears no {@code closed} for a close of its own.
   */
  public void close() {
    sockets.streamClose(this);
  }

  /** Whether the handshake completed and the stream has not been closed. */
  public boolean isOpen() {
    return state == ESTABLISHED;
  }

  /** Hands later callbacks of this stream to {@code newListener}. */
  public void setListener(StreamListener newListener) {
    this.listener = newListener;
  }

  /** The namespace this end lives in. */
  public NetNamespace namespace() {
    return sockets.namespace();
  }

  /** The local address (0.0.0.0 until the SYN has left). */
  public Ipv4Address localAddress() {
    return Ipv4Address.of(localIp);
  }

  /** The local port. */
  public int localPort() {
    return localPort;
  }

  /** The peer's address. */
  public Ipv4Address remoteAddress() {
    return Ipv4Address.of(remoteIp);
  }

  /** The peer's port. */
  public int remotePort() {
    return remotePort;
  }

  String stateName() {
    return switch (state) {
      case SYN_SENT -> "SYN-SENT";
      case SYN_RECEIVED -> "SYN-RECEIVED";
      case ESTABLISHED -> "ESTABLISHED";
      case FIN_WAIT -> "FIN-WAIT";
      case LAST_ACK -> "LAST-ACK";
      default -> "CLOSED";
    };
  }

  /** {@code 192.168.1.11:40001 -> 192.168.1.12:179}. */
  @Override
  public String toString() {
    return localAddress()
        + ":"
        + (int) localPort
        + " -> "
        + remoteAddress()
        + ":"
        + (int) remotePort;
  }
}
