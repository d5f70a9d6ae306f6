package io.podnet.core.net;

/**
 * Callbacks of a {@link TcpStream}, called on the simulation thread from inside the event that
 * delivered the segment. A listening socket's listener hears about every stream it accepts; a
 * listener may hand a stream to another with {@link TcpStream#setListener}.
 */
public interface StreamListener {

  /** The three-way handshake completed; {@code stream} may now send. */
  void connected(TcpStream stream);

  /**
   * Bytes arrived, in order: {@code buffer[offset, offset + length)}, the payload of the segment in
   * the received frame. The buffer is the stack's and valid only during the call; a listener that
   * keeps bytes copies them.
   */
  void received(TcpStream stream, byte[] buffer, int offset, int length);

  /**
   * The stream ended other than by its own {@link TcpStream#close()}: {@code Connection refused} (a
   * reset answered the SYN), {@code Connection reset by peer}, or {@code Connection closed by peer}
   * (a FIN arrived).
   */
  void closed(TcpStream stream, String reason);

  /**
   * The send buffer has room again after {@link TcpStream#writable()} answered false: at most half
   * of {@link TcpStream#SEND_BUFFER} is queued now ({@code EPOLLOUT}). Ignored unless overridden.
   */
  default void writable(TcpStream stream) {}
}
