package io.podnet.core.net;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.packet.Ipv4Header;
import io.podnet.core.packet.TcpHeader;
import org.jspecify.annotations.Nullable;

/**
 * One end of a TCP connection carrying a byte stream, small on purpose: the SYN, SYN-ACK, ACK
 * handshake, data segments ({@code PSH|ACK}) with correct sequence and acknowledgment numbers, FIN
 * on close, RST for a closed port (RFC 9293). There is no retransmission, window or Nagle: links
 * are FIFO and lossless unless cut, and a cut shows up as silence, which is what application timers
 * (a BGP hold timer) detect. Data is not acknowledged by segments of its own; every segment carries
 * the current acknowledgment number.
 *
 * <p>Writes are coalesced as Linux's {@code tcp_autocorking} (on by default) does: a write goes out
 * at once when no earlier data segment of the stream is still queued on its NIC; otherwise it joins
 * the unsent tail, which leaves when the last queued segment has been put on the wire. Like Linux
 * with segmentation offload, what leaves together is one segment of up to 64 KiB however many times
 * the MSS it holds ({@link Frame#gsoSize}): the stack, bridges and NICs handle it whole, and the
 * wire carries it, and captures show it, cut into segments of the MSS (the last with PSH), each
 * taking its own serialisation time; a tunnel encapsulates them one by one. The receiver gets a
 * large segment whole when its last segment has arrived, as Linux's GRO hands it up. So an
 * application that writes many small messages back to back (BIRD writes each BGP message with its
 * own {@code write}) sends one small segment, then large ones carrying many messages each, a
 * message possibly split across two.
 *
 * <p>Written data counts against the {@linkplain #SEND_BUFFER send buffer} until its segment has
 * been put on the wire (without acknowledgments, leaving the NIC stands for being acknowledged). A
 * writer that checks {@link #writable()} before each write, as a non-blocking socket's user does,
 * so never has more than the buffer queued, and hears {@link StreamListener#writable} once half of
 * it has drained. {@link #send} itself never refuses data.
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

  /** The send buffer: Linux's default {@code net.ipv4.tcp_wmem} (the middle value), 16 KiB. */
  public static final int SEND_BUFFER = 16384;

  /**
   * The IPv4 and TCP headers of each of a stream's segments (neither carries options): an MTU less
   * these is the MSS.
   */
  static final int HEADERS = Ipv4Header.MIN_LENGTH + TcpHeader.MIN_LENGTH;

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

  /** When the last data segment handed to a link leaves it (serialisation done); 0 before. */
  long txDoneAt;

  /** Written data not yet sent: {@code unsent[unsentStart, unsentStart + unsentLength)}. */
  byte @Nullable [] unsent;

  int unsentStart;
  int unsentLength;

  /** Whether an event to send the corked tail is scheduled. */
  boolean uncorkPending;

  /**
   * Data segments on their way through a NIC: when each is on the wire, and its length; a ring
   * whose capacity is a power of two.
   */
  private long[] flightDone = NO_TIMES;

  private int[] flightLength = NO_LENGTHS;
  private int flightHead;
  private int flightCount;
  private int flightBytes;

  /** Whether the writer found the buffer full and waits for {@link StreamListener#writable}. */
  boolean writableWanted;

  /** Whether an event to check for room in the buffer is scheduled. */
  boolean roomCheckPending;

  private static final long[] NO_TIMES = new long[0];
  private static final int[] NO_LENGTHS = new int[0];

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

  /**
   * Whether the stream is open and its send buffer has room: fewer than {@link #SEND_BUFFER} bytes
   * written and not yet on the wire. When it has none, the listener hears {@link
   * StreamListener#writable} once half has drained.
   */
  public boolean writable() {
    return sockets.writable(this);
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

  /** Called by the link that put a data segment of this stream on the wire, done at {@code at}. */
  void transmitted(long at) {
    txDoneAt = Math.max(txDoneAt, at);
  }

  /** Records a data segment of {@code length} bytes handed to a link, on the wire at {@code at}. */
  void inFlight(long at, int length) {
    if (flightCount == flightDone.length) {
      int capacity = Math.max(8, 2 * flightCount);
      long[] done = new long[capacity];
      int[] lengths = new int[capacity];
      for (int i = 0; i < flightCount; i++) {
        done[i] = flightDone[(flightHead + i) & (flightDone.length - 1)];
        lengths[i] = flightLength[(flightHead + i) & (flightDone.length - 1)];
      }
      flightDone = done;
      flightLength = lengths;
      flightHead = 0;
    }
    int tail = (flightHead + flightCount) & (flightDone.length - 1);
    flightDone[tail] = at;
    flightLength[tail] = length;
    flightCount++;
    flightBytes += length;
  }

  /**
   * Bytes written and not yet known to be on the wire, without looking at when the segments in
   * flight leave: at least {@link #queuedBytes} at any time.
   */
  int queuedBytesAtMost() {
    return unsentLength + flightBytes;
  }

  /** Bytes written and not yet on the wire at time {@code now}. */
  int queuedBytes(long now) {
    while (flightCount > 0 && flightDone[flightHead] <= now) {
      flightBytes -= flightLength[flightHead];
      flightHead = (flightHead + 1) & (flightDone.length - 1);
      flightCount--;
    }
    if (flightCount == 0 && flightDone.length > 16) {
      flightDone = NO_TIMES;
      flightLength = NO_LENGTHS;
      flightHead = 0;
    }
    return unsentLength + flightBytes;
  }

  /** When the next segment in flight is on the wire, or {@code now} when none is in flight. */
  long nextOnTheWire(long now) {
    return flightCount == 0 ? now : flightDone[flightHead];
  }

  /**
   * Appends {@code data} to the unsent bytes: in the buffer's free tail, else after moving the
   * unsent bytes to its front when that makes room, else in a new buffer: one of the network's
   * {@link SendBuffers} when they fit in it, else one twice as large as needed.
   */
  void queue(byte[] data) {
    byte[] buf = unsent;
    int end = unsentStart + unsentLength;
    if (buf == null || end + data.length > buf.length) {
      int need = unsentLength + data.length;
      if (buf != null && need <= buf.length) {
        System.arraycopy(buf, unsentStart, buf, 0, unsentLength);
      } else {
        byte[] bigger =
            need <= SendBuffers.SIZE
                ? sockets.buffers.take()
                : new byte[Math.max(2 * need, 2 * mss)];
        if (buf != null) {
          System.arraycopy(buf, unsentStart, bigger, 0, unsentLength);
          sockets.buffers.give(buf);
        }
        buf = bigger;
        unsent = buf;
      }
      unsentStart = 0;
      end = unsentLength;
    }
    System.arraycopy(data, 0, buf, end, data.length);
    unsentLength += data.length;
  }

  /** Drops the first {@code n} unsent bytes, which have been sent; an empty queue lets go. */
  void consume(int n) {
    unsentLength -= n;
    unsentStart += n;
    if (unsentLength == 0) {
      discardUnsent();
    }
  }

  /** Forgets unsent data (all sent, or the stream is gone) and gives the buffer back. */
  void discardUnsent() {
    byte[] buf = unsent;
    if (buf != null) {
      sockets.buffers.give(buf);
    }
    unsent = null;
    unsentStart = 0;
    unsentLength = 0;
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
