package io.podnet.dataplane.bgp;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.net.StreamListener;
import io.podnet.core.net.TcpStream;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * One configured neighbour of a {@link BgpSpeaker} and its session: the finite state machine of RFC
 * 4271 section 8 over one TCP stream, with the ConnectRetry, hold and keepalive timers on the
 * simulated clock. The hold and keepalive timers are lazy: a message received or sent only moves a
 * timestamp, and the pending timer event re-arms itself when it fires early, so the per-message
 * path schedules nothing.
 */
final class BgpPeer implements StreamListener {

  /** The hold time before OPEN is received (RFC 4271 section 8: "a large value", 4 minutes). */
  static final int LARGE_HOLD_SECONDS = 240;

  final BgpSpeaker speaker;
  final int address;
  final long remoteAs;
  final boolean ebgp;
  final boolean rrClient;

  /** Whether this end opens the connection, as the speaker's {@link BgpSpeaker.ActiveEnd} says. */
  final boolean initiates;

  BgpState state = BgpState.IDLE;
  @Nullable TcpStream stream;
  int localAddress;
  int peerRouterId;
  boolean fourOctetAs;
  long holdNanos;
  long keepaliveNanos;
  long lastHeard;
  long lastSent;
  long connectRetryTimer = -1;
  long holdTimer = -1;
  long keepaliveTimer = -1;
  long restartTimer = -1;

  /** The index of the next change of the speaker's export journal this peer is to hear of. */
  long exported;

  /**
   * The path attributes of the last UPDATE received from the peer, whose successor for another
   * receiver is the first guess for the next ({@link Canonical#encodedAt}).
   */
  Canonical.@Nullable Encoded lastReceived;

  /** The table being sent since the session came up, from {@link #dumpAt}; null when done. */
  long @Nullable [] dump;

  int dumpAt;

  /** The view every UPDATE of the session is read through. */
  private final BgpCodec.UpdateView update = new BgpCodec.UpdateView();

  /** The start of a message whose rest has not arrived yet, exactly that long; null if none. */
  private byte @Nullable [] pending;

  BgpPeer(BgpSpeaker speaker, int address, long remoteAs, boolean rrClient) {
    this.speaker = speaker;
    this.address = address;
    this.remoteAs = remoteAs;
    this.ebgp = remoteAs != speaker.asn;
    this.rrClient = rrClient;
    this.initiates =
        switch (speaker.activeEnd) {
          case LOWER_ADDRESS -> Integer.compareUnsigned(speaker.routerId, address) < 0;
          case GREATER_ADDRESS_TEXT ->
              Prefixes.address(speaker.routerId).compareTo(Prefixes.address(address)) > 0;
        };
  }

  Ipv4Address addressValue() {
    return Ipv4Address.of(address);
  }

  private Simulation sim() {
    return speaker.sim;
  }

  // ---------------------------------------------------------------- FSM

  /** ManualStart / AutomaticStart: connect, or wait for the peer's connection. */
  void start() {
    restartTimer = -1;
    if (initiates) {
      connect();
    } else {
      setState(BgpState.ACTIVE);
    }
  }

  private void connect() {
    setState(BgpState.CONNECT);
    stream = speaker.ns.openStream(addressValue(), BgpSpeaker.PORT, this);
    armConnectRetry();
  }

  private void armConnectRetry() {
    cancel(connectRetryTimer);
    connectRetryTimer = sim().schedule(speaker.connectRetryNanos, this::connectRetryExpired);
  }

  private void connectRetryExpired() {
    connectRetryTimer = -1;
    if (state == BgpState.CONNECT || state == BgpState.ACTIVE) {
      TcpStream s = stream;
      if (s != null) {
        stream = null;
        s.close();
      }
      if (initiates) {
        connect();
      } else {
        armConnectRetry();
      }
    }
  }

  /** The speaker's listener accepted a connection from this peer's address. */
  void accept(TcpStream incoming) {
    if (state == BgpState.OPEN_SENT
        || state == BgpState.OPEN_CONFIRM
        || state == BgpState.ESTABLISHED) {
      // A session is already underway; the newer connection loses (deterministic, and with one
      // end connecting only a restarted peer can get here).
      incoming.close();
      return;
    }
    TcpStream own = stream;
    if (own != null && own != incoming) {
      own.close();
    }
    cancel(restartTimer);
    restartTimer = -1;
    incoming.setListener(this);
    stream = incoming;
    connectionUp(incoming);
  }

  @Override
  public void connected(TcpStream s) {
    if (s != stream || state != BgpState.CONNECT) {
      s.close();
      return;
    }
    connectionUp(s);
  }

  private void connectionUp(TcpStream s) {
    cancel(connectRetryTimer);
    connectRetryTimer = -1;
    localAddress = s.localAddress().toInt();
    pending = null;
    send(BgpCodec.open(speaker.asn, speaker.holdSeconds, speaker.routerId));
    setState(BgpState.OPEN_SENT);
    holdNanos = LARGE_HOLD_SECONDS * SimTime.SECOND;
    lastHeard = sim().now();
    armHold();
  }

  @Override
  public void closed(TcpStream s, String reason) {
    if (s != stream) {
      return;
    }
    stream = null;
    if (state == BgpState.CONNECT) {
      // Connection refused or unreachable: listen and retry when ConnectRetry expires.
      setState(BgpState.ACTIVE);
      return;
    }
    if (state == BgpState.ACTIVE) {
      return;
    }
    down("connection closed: " + reason, null);
  }

  @Override
  public void received(TcpStream s, byte[] buffer, int offset, int length) {
    if (s != stream) {
      return;
    }
    // A segment may carry many messages and end inside one (the sender's TCP coalesces writes);
    // only a message that began in an earlier segment is copied, to be whole.
    try {
      int at = offset;
      int end = offset + length;
      byte[] p = pending;
      if (p != null) {
        int took = completePending(p, buffer, offset, length);
        if (took < 0 || stream != s) {
          return;
        }
        at += took;
      }
      while (true) {
        int m = BgpCodec.messageLength(buffer, at, end - at);
        if (m < 0 || at + m > end) {
          break;
        }
        handle(buffer, at, m);
        at += m;
        if (stream != s) {
          return;
        }
      }
      pending = at < end ? Arrays.copyOfRange(buffer, at, end) : null;
    } catch (BgpError e) {
      down(e.getMessage(), e);
    }
  }

  /**
   * Completes the message whose first bytes {@code p} came earlier with the start of {@code
   * data[offset, offset + length)} and handles it; returns how many bytes of {@code data} it took,
   * or -1 when they do not complete it (it then waits, longer, for the next segment).
   */
  private int completePending(byte[] p, byte[] data, int offset, int length) {
    int have = p.length;
    byte[] head = p;
    if (have < BgpCodec.HEADER_LENGTH) {
      head = join(p, data, offset, Math.min(length, BgpCodec.HEADER_LENGTH - have));
    }
    int m = BgpCodec.messageLength(head, 0, head.length);
    if (m < 0 || have + length < m) {
      pending = join(p, data, offset, length);
      return -1;
    }
    pending = null;
    handle(join(p, data, offset, m - have), 0, m);
    return m - have;
  }

  /** {@code p} followed by {@code data[offset, offset + n)}. */
  private static byte[] join(byte[] p, byte[] data, int offset, int n) {
    byte[] out = Arrays.copyOf(p, p.length + n);
    System.arraycopy(data, offset, out, p.length, n);
    return out;
  }

  /** The stream has room again: the speaker goes on telling this peer what it has not heard. */
  @Override
  public void writable(TcpStream s) {
    if (s == stream) {
      speaker.export(this);
    }
  }

  /**
   * Handles the whole message {@code b[off, off + len)}: an UPDATE on an established session where
   * it lies ({@link BgpCodec.UpdateView}), anything else decoded.
   */
  private void handle(byte[] b, int off, int len) {
    if (state == BgpState.ESTABLISHED && BgpCodec.type(b, off) == BgpMessage.UPDATE) {
      // A malformed UPDATE throws before it changes anything, so it is not counted as received.
      speaker.receiveUpdate(this, b, update.wrapMessage(b, off, len));
      lastHeard = sim().now();
      speaker.messagesReceived++;
      return;
    }
    handle(BgpCodec.decode(b, off, len, fourOctetAs));
  }

  private void handle(BgpMessage m) {
    lastHeard = sim().now();
    speaker.messagesReceived++;
    switch (state) {
      case OPEN_SENT -> {
        if (!(m instanceof BgpMessage.Open open)) {
          throw fsmError(m);
        }
        receiveOpen(open);
      }
      case OPEN_CONFIRM -> {
        if (m instanceof BgpMessage.Keepalive) {
          setState(BgpState.ESTABLISHED);
          armKeepalive();
          speaker.established(this);
        } else {
          throw fsmError(m);
        }
      }
      case ESTABLISHED -> {
        if (!(m instanceof BgpMessage.Keepalive)) {
          throw fsmError(m);
        }
      }
      default -> throw fsmError(m);
    }
  }

  private BgpError fsmError(BgpMessage m) {
    if (m instanceof BgpMessage.Notification n) {
      return new BgpError(n.code(), n.subcode(), "NOTIFICATION received");
    }
    return new BgpError(BgpError.FSM, 0, "unexpected " + m + " in " + state);
  }

  private void receiveOpen(BgpMessage.Open open) {
    if (open.version() != 4) {
      throw new BgpError(BgpError.OPEN, 1, "unsupported version " + open.version());
    }
    if (open.asn() != remoteAs) {
      throw new BgpError(
          BgpError.OPEN, 2, "bad peer AS " + open.asn() + " (expected " + remoteAs + ")");
    }
    if (open.bgpId() == 0 || open.bgpId() == speaker.routerId) {
      throw new BgpError(BgpError.OPEN, 3, "bad BGP identifier " + Prefixes.address(open.bgpId()));
    }
    if (open.holdTime() == 1 || open.holdTime() == 2) {
      throw new BgpError(BgpError.OPEN, 6, "unacceptable hold time " + open.holdTime());
    }
    peerRouterId = open.bgpId();
    fourOctetAs = open.fourOctetAs();
    int hold = Math.min(open.holdTime(), speaker.holdSeconds);
    holdNanos = hold * SimTime.SECOND;
    keepaliveNanos = Math.min(speaker.keepaliveSeconds * SimTime.SECOND, holdNanos / 3);
    send(BgpCodec.keepalive());
    setState(BgpState.OPEN_CONFIRM);
  }

  // ---------------------------------------------------------------- timers

  private void armHold() {
    if (holdTimer < 0 && holdNanos > 0) {
      holdTimer = sim().scheduleAt(lastHeard + holdNanos, this::holdFired);
    }
  }

  private void holdFired() {
    holdTimer = -1;
    if (holdNanos == 0 || stream == null) {
      return;
    }
    long due = lastHeard + holdNanos;
    if (sim().now() < due) {
      holdTimer = sim().scheduleAt(due, this::holdFired);
      return;
    }
    down("hold timer expired", new BgpError(BgpError.HOLD_TIMER_EXPIRED, 0, "hold timer expired"));
  }

  private void armKeepalive() {
    if (keepaliveTimer < 0 && keepaliveNanos > 0) {
      keepaliveTimer = sim().scheduleAt(lastSent + keepaliveNanos, this::keepaliveFired);
    }
  }

  private void keepaliveFired() {
    keepaliveTimer = -1;
    if (state != BgpState.ESTABLISHED) {
      return;
    }
    if (sim().now() >= lastSent + keepaliveNanos) {
      send(BgpCodec.keepalive());
    }
    armKeepalive();
  }

  private void cancel(long handle) {
    if (handle >= 0) {
      sim().cancel(handle);
    }
  }

  // ---------------------------------------------------------------- sending

  void send(byte[] message) {
    TcpStream s = stream;
    if (s != null && s.isOpen()) {
      s.send(message);
      lastSent = sim().now();
      speaker.messagesSent++;
    }
  }

  // ---------------------------------------------------------------- teardown

  /**
   * Ends the session: sends a NOTIFICATION when {@code error} says so, closes the stream, withdraws
   * what the peer announced, goes Idle and starts again after the ConnectRetry time.
   */
  void down(String why, @Nullable BgpError error) {
    stop(why, error);
    if (speaker.running) {
      restartTimer = sim().schedule(speaker.connectRetryNanos, this::start);
    }
  }

  /** Like {@link #down} without the automatic restart. */
  void stop(String why, @Nullable BgpError error) {
    TcpStream s = stream;
    stream = null;
    if (s != null) {
      if (error != null && s.isOpen()) {
        s.send(BgpCodec.notification(error.code, error.subcode, new byte[0]));
      }
      s.close();
    }
    cancel(connectRetryTimer);
    cancel(holdTimer);
    cancel(keepaliveTimer);
    cancel(restartTimer);
    connectRetryTimer = -1;
    holdTimer = -1;
    keepaliveTimer = -1;
    restartTimer = -1;
    pending = null;
    dump = null;
    boolean wasEstablished = state == BgpState.ESTABLISHED;
    if (state != BgpState.IDLE) {
      speaker.trace("session", Prefixes.address(address) + " " + state + " -> Idle (" + why + ")");
      state = BgpState.IDLE;
    }
    if (wasEstablished) {
      speaker.peerDown(this);
    }
  }

  private void setState(BgpState next) {
    if (next == state) {
      return;
    }
    speaker.trace("session", Prefixes.address(address) + " " + state + " -> " + next);
    state = next;
  }
}
