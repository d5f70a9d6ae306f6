package io.podnet.core.net;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.packet.Frames;
import io.podnet.core.packet.IcmpMessage;
import io.podnet.core.packet.IpProtocol;
import io.podnet.core.packet.Ipv4Header;
import io.podnet.core.packet.TcpHeader;
import io.podnet.core.packet.UdpHeader;
import it.unimi.dsi.fastutil.ints.Int2IntLinkedOpenHashMap;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The socket layer of a namespace, small on purpose: ping (ICMP echo), UDP datagrams, TCP
 * connection set-up and close as {@code nc -z} makes them, and TCP byte streams ({@link TcpStream})
 * for protocols such as BGP. Listening UDP sockets count datagrams; listening TCP sockets answer
 * SYN with SYN-ACK, count the connections they accept and close each as soon as its peer does (a
 * server that reads end-of-file and closes); closed ports answer ICMP port unreachable (UDP) or a
 * reset (TCP), as the kernel does. Streams are found by (local port, remote address, remote port)
 * in a primitive-keyed map and never iterated.
 */
final class Sockets {

  /** The first and last port of Linux's default {@code ip_local_port_range}. */
  static final int EPHEMERAL_LOW = 32768;

  static final int EPHEMERAL_HIGH = 60999;

  private static final int TCP_WINDOW = 64240;

  /** How long a half-closed stream waits for the last FIN or ACK ({@code tcp_fin_timeout}). */
  static final long FIN_TIMEOUT = 60 * SimTime.SECOND;

  private static final byte[] NO_DATA = new byte[0];

  /** A closed connection whose FIN awaits the peer's FIN. */
  private static final int CLOSE_FIN_WAIT = 1;

  /** A closed connection in TIME_WAIT. */
  private static final int CLOSE_TIME_WAIT = 2;

  /** An accepted connection that is open. */
  private static final int ACCEPTED_ESTABLISHED = 1;

  /** An accepted connection whose FIN the listener sent, awaiting its ACK. */
  private static final int ACCEPTED_LAST_ACK = 2;

  /** What a socket gets when no local port is free ({@code EADDRNOTAVAIL}). */
  private static final String NO_PORT = "Cannot assign requested address";

  /** The error of a call a socket load balancer refused: a frontend without backends. */
  static final String NO_ROUTE_TO_HOST = Objects.requireNonNull(Route.Type.UNREACHABLE.error());

  /** How long a closed connection stays in TIME_WAIT ({@code TCP_TIMEWAIT_LEN}). */
  static final long TIME_WAIT = 60 * SimTime.SECOND;

  /** What a UDP probe's message starts with when its namespace refused to send it. */
  static final String SEND_ERROR = "send: ";

  /** A probe in flight. */
  final class Probe {
    final ProbeResult.Outcome success;
    final Walk walk = new Walk();
    final boolean recordWalk;
    final long start;
    final Consumer<ProbeResult> done;
    final String target;
    final int sequence;
    long timeout = -1;
    private int key;
    @Nullable ProbeResult result;

    /** Whether its tool closed it before it ended: nothing may end it afterwards. */
    private boolean abandoned;

    /** The table of probes of its kind that holds it by {@link #key}. */
    private @Nullable Int2ObjectOpenHashMap<Probe> table;

    private @Nullable IcmpMessage icmpError;
    private @Nullable Ipv4Address seenSource;
    private @Nullable NetNamespace seenBy;
    private @Nullable String localError;

    /**
     * The frontend the tool named, packed as {@link SocketLoadBalancer#backend}, when a socket load
     * balancer gave the socket a backend in its place; else -1.
     */
    private long named = -1;

    Probe(ProbeResult.Outcome success, String target, int sequence, Consumer<ProbeResult> done) {
      this(success, target, sequence, done, true);
    }

    Probe(
        ProbeResult.Outcome success,
        String target,
        int sequence,
        Consumer<ProbeResult> done,
        boolean recordWalk) {
      this.recordWalk = recordWalk;
      this.success = success;
      this.target = target;
      this.sequence = sequence;
      this.start = sim.now();
      this.done = done;
      walk.owner = this;
    }

    boolean isDone() {
      return result != null;
    }

    /**
     * Closes the probe's socket before it ended, as a tool that exits does: its timer is cancelled
     * and an answer that still comes finds no socket.
     */
    void abandon() {
      if (result == null) {
        abandoned = true;
        close();
      }
    }

    private void close() {
      if (timeout >= 0) {
        sim.cancel(timeout);
      }
      if (table != null) {
        table.remove(key, this);
      }
    }

    /** The peer address the tool sees for an answer from {@code ip}: the one it named. */
    Ipv4Address peer(int ip) {
      return Ipv4Address.of(named >= 0 ? SocketLoadBalancer.ip(named) : ip);
    }

    /** The peer port the tool sees for an answer from {@code port}. */
    int peerPort(int port) {
      return named >= 0 ? SocketLoadBalancer.port(named) : port;
    }

    /** Enters the probe in {@code probes} under {@code probeKey}. */
    void register(Int2ObjectOpenHashMap<Probe> probes, int probeKey) {
      key = probeKey;
      table = probes;
      probes.put(probeKey, this);
    }

    void finish(ProbeResult.Outcome outcome, String message, @Nullable Ipv4Address from, int ttl) {
      finish(outcome, message, from, ttl, seenSource, seenBy);
    }

    /**
     * Ends the probe as its namespace refused to send it: the socket's {@code error} ({@link
     * ProbeResult#localError}) in the tool's {@code line}.
     */
    void failLocally(String error, String line) {
      localError = error;
      finish(ProbeResult.Outcome.LOCAL_ERROR, line, null, -1);
    }

    /** Records the listening socket a TCP SYN of this probe reached and the source it saw. */
    void reached(Ipv4Address source, NetNamespace listener) {
      seenSource = source;
      seenBy = listener;
    }

    void finish(
        ProbeResult.Outcome outcome,
        String message,
        @Nullable Ipv4Address from,
        int ttl,
        @Nullable Ipv4Address observedSource,
        @Nullable NetNamespace receiver) {
      if (result != null || abandoned) {
        return;
      }
      close();
      result =
          new ProbeResult(
              outcome,
              sim.now() - start,
              walk,
              message,
              from,
              ttl,
              icmpError,
              observedSource,
              receiver,
              localError);
      done.accept(result);
    }
  }

  private final NetNamespace ns;
  private final Simulation sim;

  /** The network's send-queue buffers, which this namespace's streams take and give back. */
  final SendBuffers buffers;

  private final RandomGenerator random;
  private final Int2ObjectOpenHashMap<Probe> pings =
      new Int2ObjectOpenHashMap<>(NetNamespace.SMALL_MAP);
  private final Int2ObjectOpenHashMap<Probe> udpProbes =
      new Int2ObjectOpenHashMap<>(NetNamespace.SMALL_MAP);
  private final Int2ObjectOpenHashMap<Probe> tcpProbes =
      new Int2ObjectOpenHashMap<>(NetNamespace.SMALL_MAP);
  private final Int2IntLinkedOpenHashMap udpListeners =
      new Int2IntLinkedOpenHashMap(NetNamespace.SMALL_MAP);

  /**
   * The connections {@code nc -z} made and closed, by {@link #streamKey} (local port, peer address
   * and port), until TIME_WAIT ends (or, without the peer's FIN, {@link #FIN_TIMEOUT} after the
   * close): a generation and {@link #CLOSE_FIN_WAIT} or {@link #CLOSE_TIME_WAIT}, packed by {@link
   * #remember}. As in Linux, the four-tuple is what is taken: the port may serve another peer.
   */
  private final Long2LongOpenHashMap closing = new Long2LongOpenHashMap(NetNamespace.SMALL_MAP);

  /**
   * The connections the listening TCP sockets accepted, by {@link #streamKey}: a generation and
   * {@link #ACCEPTED_ESTABLISHED} until the peer's FIN, then {@link #ACCEPTED_LAST_ACK} until the
   * ACK of the listener's own FIN. Nothing here retransmits, so an entry is forgotten {@link
   * #FIN_TIMEOUT} after it began or closed if it has not ended by then: a bound on what lost
   * segments leave behind, not a TCP timer (a segment of a forgotten connection that is still open
   * counts as a new accept).
   */
  private final Long2LongOpenHashMap accepted = new Long2LongOpenHashMap(NetNamespace.SMALL_MAP);

  /** Tells apart the entries of {@link #closing} and {@link #accepted} that reuse a key. */
  private long generation;

  private final Int2IntLinkedOpenHashMap tcpListeners =
      new Int2IntLinkedOpenHashMap(NetNamespace.SMALL_MAP);
  private final Int2ObjectOpenHashMap<StreamListener> streamListeners =
      new Int2ObjectOpenHashMap<>(NetNamespace.SMALL_MAP);
  private final Long2ObjectOpenHashMap<TcpStream> streams =
      new Long2ObjectOpenHashMap<>(NetNamespace.SMALL_MAP);
  private int nextEchoId = 1;

  Sockets(NetNamespace ns) {
    this.ns = ns;
    this.sim = ns.host().network().simulation();
    this.buffers = SendBuffers.of(ns.host().network());
    this.random = ns.host().network().random("sockets/" + ns.label());
  }

  // ---------------------------------------------------------------- API

  void listenUdp(int port) {
    checkPort(port);
    udpListeners.putIfAbsent(port, 0);
  }

  void closeUdp(int port) {
    udpListeners.remove(port);
  }

  void listenTcp(int port) {
    checkPort(port);
    tcpListeners.putIfAbsent(port, 0);
  }

  int udpReceived(int port) {
    return udpListeners.get(port);
  }

  int tcpAccepted(int port) {
    return tcpListeners.get(port);
  }

  /** Connections {@code nc -z} closed whose local port is still taken (FIN_WAIT, TIME_WAIT). */
  int tcpPortsClosing() {
    return closing.size();
  }

  /** Connections the listening TCP sockets accepted that have not ended. */
  int tcpConnectionsOpen() {
    return accepted.size();
  }

  Probe ping(Ipv4Address dst, PingOptions o, Consumer<ProbeResult> done) {
    return ping(dst, o, nextEchoId(), done);
  }

  /** The identifier of a new ping process's echo requests (each ping socket has its own). */
  int nextEchoId() {
    int id = nextEchoId;
    nextEchoId = nextEchoId % 0xFFFF + 1;
    return id;
  }

  /** Sends echo request {@code o.sequence()} of the ping whose requests carry {@code id}. */
  Probe ping(Ipv4Address dst, PingOptions o, int id, Consumer<ProbeResult> done) {
    Probe p =
        new Probe(ProbeResult.Outcome.REPLY, dst.toString(), o.sequence(), done, o.recordWalk());
    p.register(pings, id << 16 | o.sequence());
    arm(p, o.timeoutNanos(), "1 packets transmitted, 0 received, 100% packet loss");
    String error =
        ns.stack()
            .localOutput(
                0,
                dst.toInt(),
                src ->
                    Frames.icmpEcho(
                        true,
                        MacAddress.ZERO,
                        MacAddress.ZERO,
                        Ipv4Address.of(src),
                        dst,
                        o.ttl(),
                        o.pmtuDiscovery() != PingOptions.PmtuDiscovery.DONT,
                        ns.stack().nextIpId(),
                        id,
                        o.sequence(),
                        o.payloadSize()),
                p.recordWalk ? p.walk : null,
                o.pmtuDiscovery() == PingOptions.PmtuDiscovery.WANT);
    if (error != null) {
      String line =
          error.startsWith(NetNamespace.MESSAGE_TOO_LONG)
              ? "ping: local error: m" + error.substring(1)
              : Ping.CONNECT_ERROR + error;
      p.failLocally(error, line);
    }
    return p;
  }

  /** Whether a UDP probe sends from {@code port}. */
  boolean hasUdpProbe(int port) {
    return udpProbes.containsKey(port);
  }

  Probe sendUdp(
      Ipv4Address dst, int port, byte[] payload, long timeout, Consumer<ProbeResult> done) {
    // a UDP socket's defaults: TTL 64 and path-MTU discovery mode "want"
    return sendUdp(dst, port, payload, IpStack.DEFAULT_TTL, true, timeout, done);
  }

  /**
   * Sends one UDP datagram from a new ephemeral port with {@code ttl}, DF set while it fits the
   * path MTU ({@code dontFragmentWhileItFits}, mode "want") or never (mode "dont").
   */
  Probe sendUdp(
      Ipv4Address dst,
      int port,
      byte[] payload,
      int ttl,
      boolean dontFragmentWhileItFits,
      long timeout,
      Consumer<ProbeResult> done) {
    checkPort(port);
    int srcPort = ephemeral(udpProbes::containsKey);
    Probe p = new Probe(ProbeResult.Outcome.DELIVERED, dst + ":" + port, 0, done);
    long choice = balance(dst.toInt(), port, IpProtocol.UDP);
    if (choice == SocketLoadBalancer.NO_BACKEND) {
      p.failLocally(NO_ROUTE_TO_HOST, SEND_ERROR + NO_ROUTE_TO_HOST);
      return p;
    }
    Ipv4Address to = choice < 0 ? dst : Ipv4Address.of(SocketLoadBalancer.ip(choice));
    int toPort = choice < 0 ? port : SocketLoadBalancer.port(choice);
    if (srcPort < 0) {
      // inet_autobind finds no free port: EAGAIN
      p.failLocally(
          "Resource temporarily unavailable", SEND_ERROR + "Resource temporarily unavailable");
      return p;
    }
    p.register(udpProbes, srcPort);
    arm(p, timeout, "no answer from " + dst + ":" + port + " (udp)");
    String error =
        ns.stack()
            .localOutput(
                0,
                to.toInt(),
                src ->
                    Frames.udp(
                        MacAddress.ZERO,
                        MacAddress.ZERO,
                        Ipv4Address.of(src),
                        to,
                        ttl,
                        dontFragmentWhileItFits,
                        ns.stack().nextIpId(),
                        srcPort,
                        toPort,
                        payload),
                p.walk,
                dontFragmentWhileItFits,
                balanced(dst.toInt(), port, choice));
    if (error != null) {
      p.failLocally(error, SEND_ERROR + error);
    }
    return p;
  }

  /**
   * Asks the host's socket load balancer which backend a socket here uses for {@code dst:port} over
   * {@code protocol}: a backend, {@link SocketLoadBalancer#NOT_A_SERVICE} (none, or not a frontend)
   * or {@link SocketLoadBalancer#NO_BACKEND}.
   */
  private long balance(int dst, int port, int protocol) {
    SocketLoadBalancer lb = ns.host().socketLoadBalancer();
    if (lb == null) {
      return SocketLoadBalancer.NOT_A_SERVICE;
    }
    Route route = ns.routes().lookup(dst);
    int source = route == null ? 0 : ns.selectSource(route, dst);
    return lb.select(source, dst, port, protocol);
  }

  /** The send hop's note for a socket load balancer's {@code choice} for {@code dst:port}. */
  private static String balanced(int dst, int port, long choice) {
    return choice < 0
        ? ""
        : "socket-lb "
            + Ipv4Address.of(dst)
            + ":"
            + port
            + " -> "
            + Ipv4Address.of(SocketLoadBalancer.ip(choice))
            + ":"
            + SocketLoadBalancer.port(choice);
  }

  Probe connectTcp(Ipv4Address dst, int port, long timeout, Consumer<ProbeResult> done) {
    checkPort(port);
    Probe p = new Probe(ProbeResult.Outcome.CONNECTED, dst + ":" + port, 0, done);
    long choice = balance(dst.toInt(), port, IpProtocol.TCP);
    if (choice == SocketLoadBalancer.NO_BACKEND) {
      p.failLocally(
          NO_ROUTE_TO_HOST,
          "nc: connect to " + dst + " port " + port + " (tcp) failed: " + NO_ROUTE_TO_HOST);
      return p;
    }
    Ipv4Address to = choice < 0 ? dst : Ipv4Address.of(SocketLoadBalancer.ip(choice));
    int toPort = choice < 0 ? port : SocketLoadBalancer.port(choice);
    if (choice >= 0) {
      p.named = SocketLoadBalancer.backend(dst.toInt(), port);
    }
    int srcPort = tcpProbePort(to.toInt(), toPort);
    if (srcPort < 0) {
      p.failLocally(
          NO_PORT, "nc: connect to " + dst + " port " + port + " (tcp) failed: " + NO_PORT);
      return p;
    }
    p.register(tcpProbes, srcPort);
    arm(p, timeout, "nc: connect to " + dst + " port " + port + " (tcp) timed out");
    long isn = random.nextLong(1L << 32);
    String error =
        ns.stack()
            .localOutput(
                0,
                to.toInt(),
                src ->
                    Frames.tcp(
                        MacAddress.ZERO,
                        MacAddress.ZERO,
                        Ipv4Address.of(src),
                        to,
                        IpStack.DEFAULT_TTL,
                        ns.stack().nextIpId(),
                        srcPort,
                        toPort,
                        isn,
                        0,
                        TcpHeader.SYN,
                        TCP_WINDOW),
                p.walk,
                false,
                balanced(dst.toInt(), port, choice));
    if (error != null) {
      p.failLocally(error, "nc: connect to " + dst + " port " + port + " (tcp) failed: " + error);
    }
    return p;
  }

  // ---------------------------------------------------------------- streams

  NetNamespace namespace() {
    return ns;
  }

  void listenStream(int port, StreamListener listener) {
    checkPort(port);
    if (streamListeners.containsKey(port) || tcpListeners.containsKey(port)) {
      throw new IllegalStateException(
          "TCP port " + port + " is already listening in " + ns.label() + " (Address in use)");
    }
    streamListeners.put(port, listener);
  }

  void closeStreamListener(int port) {
    streamListeners.remove(port);
  }

  int streamCount() {
    return streams.size();
  }

  TcpStream openStream(Ipv4Address dst, int port, StreamListener listener) {
    checkPort(port);
    long choice = balance(dst.toInt(), port, IpProtocol.TCP);
    if (choice == SocketLoadBalancer.NO_BACKEND) {
      TcpStream refused =
          new TcpStream(
              this, listener, 0, 0, dst.toInt(), port, mssTowards(dst.toInt()), TcpStream.CLOSED);
      sim.schedule(0, () -> refused.listener.closed(refused, NO_ROUTE_TO_HOST));
      return refused;
    }
    int remote = choice < 0 ? dst.toInt() : SocketLoadBalancer.ip(choice);
    int remotePort = choice < 0 ? port : SocketLoadBalancer.port(choice);
    int localPort = streamPort(remote, remotePort);
    TcpStream s =
        new TcpStream(
            this,
            listener,
            0,
            localPort,
            remote,
            remotePort,
            mssTowards(remote),
            TcpStream.SYN_SENT);
    int isn = random.nextInt();
    s.sndNxt = isn + 1;
    long key = streamKey(localPort, remote, remotePort);
    streams.put(key, s);
    String error =
        ns.stack()
            .localOutput(
                0,
                remote,
                src -> {
                  s.localIp = src;
                  return segment(s, isn, 0, TcpHeader.SYN, NO_DATA, 0, 0);
                },
                null,
                false,
                balanced(dst.toInt(), port, choice));
    if (error != null) {
      streams.remove(key);
      s.state = TcpStream.CLOSED;
      sim.schedule(0, () -> s.listener.closed(s, error));
    }
    return s;
  }

  /**
   * Queues {@code data} and sends what Linux would send now: everything at once when no earlier
   * data segment of the stream is still waiting to leave its NIC, else only a full large segment;
   * the rest waits, taking in later writes, until the last such segment has left ({@code
   * tcp_autocorking}), and then leaves as one large segment ({@link #sizeGoal}).
   */
  void streamSend(TcpStream s, byte[] data) {
    if (s.unsentLength == 0 && data.length <= sizeGoal(s) && sim.now() >= s.txDoneAt) {
      push(s, data, 0, data.length);
      return;
    }
    s.queue(data);
    drain(s, false);
  }

  /**
   * Sends the queued data: in large segments of the {@link #sizeGoal} while that much is queued,
   * and the rest when no data segment of the stream waits to leave its NIC (or {@code all}); else
   * the rest is corked until the last one has left.
   */
  private void drain(TcpStream s, boolean all) {
    int goal = sizeGoal(s);
    while (s.unsentLength >= goal || (s.unsentLength > 0 && (all || sim.now() >= s.txDoneAt))) {
      int n = Math.min(goal, s.unsentLength);
      push(s, Objects.requireNonNull(s.unsent), s.unsentStart, n);
      s.consume(n);
    }
    if (s.unsentLength > 0 && !s.uncorkPending) {
      s.uncorkPending = true;
      sim.scheduleAt(s.txDoneAt, () -> uncork(s));
    }
  }

  /**
   * The most payload one segment takes, as Linux's {@code size_goal} with segmentation offload: as
   * many times the MSS as fit an IPv4 packet.
   */
  private static int sizeGoal(TcpStream s) {
    int mss = s.mss;
    return Math.max(1, (0xFFFF - TcpStream.HEADERS) / mss) * mss;
  }

  private void uncork(TcpStream s) {
    s.uncorkPending = false;
    if (s.state == TcpStream.ESTABLISHED) {
      drain(s, false);
    }
  }

  /**
   * Sends one data segment of {@code data[off, off + len)}, {@code len} at most the {@link
   * #sizeGoal}: more than the MSS makes a large segment, which the wire carries cut into segments
   * of the MSS.
   */
  private void push(TcpStream s, byte[] data, int off, int len) {
    int seq = s.sndNxt;
    s.sndNxt = seq + len;
    long before = s.txDoneAt;
    output(s, segmentBuilder(s, seq, s.rcvNxt, TcpHeader.PSH | TcpHeader.ACK, data, off, len), s);
    if (s.txDoneAt != before) {
      s.inFlight(s.txDoneAt, len);
    }
  }

  boolean writable(TcpStream s) {
    if (s.state != TcpStream.ESTABLISHED) {
      return false;
    }
    // Segments only leave the count, so a count below the buffer before they are looked at is
    // below it after: most checks need not read the stream's ring of segments in flight.
    if (s.queuedBytesAtMost() < TcpStream.SEND_BUFFER
        || s.queuedBytes(sim.now()) < TcpStream.SEND_BUFFER) {
      return true;
    }
    s.writableWanted = true;
    awaitRoom(s);
    return false;
  }

  /** Checks again when the next segment is on the wire (only segments in flight fill a buffer). */
  private void awaitRoom(TcpStream s) {
    if (!s.roomCheckPending) {
      s.roomCheckPending = true;
      sim.scheduleAt(s.nextOnTheWire(sim.now()), () -> checkRoom(s));
    }
  }

  private void checkRoom(TcpStream s) {
    s.roomCheckPending = false;
    if (s.state != TcpStream.ESTABLISHED || !s.writableWanted) {
      return;
    }
    long now = sim.now();
    if (s.queuedBytes(now) > TcpStream.SEND_BUFFER / 2 && s.nextOnTheWire(now) > now) {
      awaitRoom(s);
      return;
    }
    s.writableWanted = false;
    s.listener.writable(s);
  }

  void streamClose(TcpStream s) {
    switch (s.state) {
      case TcpStream.ESTABLISHED -> {
        // Queued data leaves before the FIN (tcp_send_fin pushes what is pending).
        drain(s, true);
        int seq = s.sndNxt;
        s.sndNxt = seq + 1;
        s.state = TcpStream.FIN_WAIT;
        output(s, segmentBuilder(s, seq, s.rcvNxt, TcpHeader.FIN | TcpHeader.ACK, NO_DATA, 0, 0));
        reapLater(s);
      }
      case TcpStream.SYN_SENT, TcpStream.SYN_RECEIVED -> {
        int flags = s.state == TcpStream.SYN_SENT ? TcpHeader.RST : TcpHeader.RST | TcpHeader.ACK;
        output(s, segmentBuilder(s, s.sndNxt, s.rcvNxt, flags, NO_DATA, 0, 0));
        forget(s);
      }
      default -> {
        // already closing or closed
      }
    }
  }

  private void reapLater(TcpStream s) {
    sim.schedule(
        FIN_TIMEOUT,
        () -> {
          if (s.state != TcpStream.CLOSED) {
            forget(s);
          }
        });
  }

  private void forget(TcpStream s) {
    streams.remove(streamKey(s.localPort, s.remoteIp, s.remotePort), s);
    s.state = TcpStream.CLOSED;
    s.discardUnsent();
  }

  private void output(TcpStream s, IpStack.PacketBuilder builder) {
    output(s, builder, null);
  }

  /**
   * Sends a segment; a data segment names its stream as {@code sender}, so that the link that puts
   * it on the wire tells the stream when it has left.
   */
  private void output(TcpStream s, IpStack.PacketBuilder builder, @Nullable TcpStream sender) {
    // A segment that cannot leave (no route) is lost, as on a cut link; the peer's silence is
    // what the application's timers see.
    ns.stack().localOutput(s.localIp, s.remoteIp, builder, null, sender);
  }

  private IpStack.PacketBuilder segmentBuilder(
      TcpStream s, int seq, int ack, int flags, byte[] data, int off, int len) {
    return src -> segment(s, seq, ack, flags, data, off, len);
  }

  private byte[] segment(TcpStream s, int seq, int ack, int flags, byte[] data, int off, int len) {
    return Frames.tcp(
        MacAddress.ZERO,
        MacAddress.ZERO,
        Ipv4Address.of(s.localIp),
        Ipv4Address.of(s.remoteIp),
        IpStack.DEFAULT_TTL,
        ns.stack().nextIpIds(Frame.segmentCount(len, s.mss)),
        s.localPort,
        s.remotePort,
        Integer.toUnsignedLong(seq),
        Integer.toUnsignedLong(ack),
        flags,
        TCP_WINDOW,
        data,
        off,
        len);
  }

  /** The MSS for a peer: the output device's MTU less 40 bytes of IPv4 and TCP headers. */
  private int mssTowards(int remote) {
    Route route = ns.routes().lookup(remote);
    Device dev = route == null ? null : route.device();
    int mtu = dev == null || ns.isLocalAddress(remote) ? 1500 : dev.mtu();
    return Math.max(mtu - TcpStream.HEADERS, 1);
  }

  private int streamPort(int remote, int remotePort) {
    int port = tcpProbePort(remote, remotePort);
    if (port >= 0) {
      return port;
    }
    throw new IllegalStateException(
        "no free local port towards "
            + Ipv4Address.of(remote)
            + ":"
            + remotePort
            + " in "
            + ns.label()
            + " (Cannot assign requested address)");
  }

  private static long streamKey(int localPort, int remoteIp, int remotePort) {
    return (remoteIp & 0xFFFF_FFFFL) << 32 | (long) remotePort << 16 | localPort;
  }

  private void arm(Probe p, long timeout, String message) {
    p.timeout =
        sim.schedule(
            timeout,
            () -> {
              p.timeout = -1;
              p.finish(ProbeResult.Outcome.TIMEOUT, message, null, -1);
            });
  }

  /**
   * A random ephemeral port that {@code taken} does not hold, tried in turn from a random start as
   * the kernel does, or -1 when every port of the range is taken.
   */
  private int ephemeral(IntPredicate taken) {
    int span = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
    int port = EPHEMERAL_LOW + random.nextInt(span);
    for (int tries = 0; tries < span; tries++) {
      if (!taken.test(port)) {
        return port;
      }
      port = port == EPHEMERAL_HIGH ? EPHEMERAL_LOW : port + 1;
    }
    return -1;
  }

  /**
   * A free local port for a TCP probe towards {@code remote:remotePort}: held by no probe, and by
   * no connection still closing or stream towards that peer (the four-tuple must be unique); -1 if
   * none.
   */
  private int tcpProbePort(int remote, int remotePort) {
    return ephemeral(
        port ->
            tcpProbes.containsKey(port)
                || closing.containsKey(streamKey(port, remote, remotePort))
                || streams.containsKey(streamKey(port, remote, remotePort)));
  }

  private static void checkPort(int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be in [1, 65535]: " + port);
    }
  }

  // ---------------------------------------------------------------- input

  void transportInput(Device dev, Frame frame, int protocol) {
    byte[] b = frame.buffer();
    int ip = frame.l3Offset();
    int l4 = ip + Ipv4Header.headerLength(b, ip);
    int dstPort = protocol == IpProtocol.UDP ? UdpHeader.dstPort(b, l4) : TcpHeader.dstPort(b, l4);
    if (protocol == IpProtocol.UDP) {
      if (!udpListeners.containsKey(dstPort)) {
        ns.stack()
            .icmpError(dev, frame, IcmpMessage.DEST_UNREACHABLE, IcmpMessage.PORT_UNREACHABLE, 0);
        ns.stack().drop(dev, frame, Drop.of(DropReason.PORT_UNREACHABLE, "udp " + dstPort));
        return;
      }
      udpListeners.addTo(dstPort, 1);
      ns.stack().hop(dev, HopAction.DELIVER, frame, "udp port " + dstPort);
      Walk walk = frame.walk();
      Probe p = walk == null ? null : walk.owner;
      if (p != null && p.success == ProbeResult.Outcome.DELIVERED) {
        Ipv4Address to = Ipv4Address.of(Ipv4Header.dst(b, ip));
        p.finish(
            ProbeResult.Outcome.DELIVERED,
            "delivered to " + to + ":" + dstPort + " (udp)",
            to,
            Ipv4Header.ttl(b, ip),
            Ipv4Address.of(Ipv4Header.src(b, ip)),
            ns);
      }
      return;
    }
    tcpInput(dev, frame, l4, dstPort);
  }

  private void tcpInput(Device dev, Frame frame, int l4, int dstPort) {
    byte[] b = frame.buffer();
    int ip = frame.l3Offset();
    int flags = TcpHeader.flags(b, l4);
    int src = Ipv4Header.src(b, ip);
    int dst = Ipv4Header.dst(b, ip);
    int srcPort = TcpHeader.srcPort(b, l4);
    long seq = TcpHeader.seq(b, l4);
    boolean syn = (flags & TcpHeader.SYN) != 0;
    boolean ack = (flags & TcpHeader.ACK) != 0;
    boolean rst = (flags & TcpHeader.RST) != 0;
    TcpStream stream = streams.get(streamKey(dstPort, src, srcPort));
    if (stream != null) {
      streamInput(dev, frame, stream, l4);
      return;
    }
    if (syn && !ack && !rst && streamListeners.containsKey(dstPort)) {
      accept(dev, frame, dst, dstPort, src, srcPort, seq);
      return;
    }
    if (syn && !ack) {
      boolean listening = tcpListeners.containsKey(dstPort);
      accepted.remove(streamKey(dstPort, src, srcPort)); // a new connection on that tuple
      ns.stack()
          .hop(
              dev,
              HopAction.DELIVER,
              frame,
              "tcp port " + dstPort + (listening ? " syn" : " closed"));
      Walk walk = frame.walk();
      if (listening && walk != null && walk.owner != null) {
        walk.owner.reached(Ipv4Address.of(src), ns);
      }
      long isn = random.nextLong(1L << 32);
      int replyFlags = listening ? TcpHeader.SYN | TcpHeader.ACK : TcpHeader.RST | TcpHeader.ACK;
      long replySeq = listening ? isn : 0;
      reply(
          dst, src, dstPort, srcPort, replySeq, (seq + 1) & 0xFFFF_FFFFL, replyFlags, frame.walk());
      return;
    }
    long closedKey = streamKey(dstPort, src, srcPort);
    long c = closing.getOrDefault(closedKey, -1L);
    if (c != -1) {
      closedInput(dev, frame, dst, dstPort, src, srcPort, c, seq, TcpHeader.ack(b, l4), flags);
      return;
    }
    Probe p = tcpProbes.get(dstPort);
    if (p != null && rst) {
      ns.stack().hop(dev, HopAction.DELIVER, frame, "tcp reset");
      p.finish(
          ProbeResult.Outcome.REFUSED,
          "nc: connect to "
              + p.peer(src)
              + " port "
              + p.peerPort(srcPort)
              + " (tcp) failed: Connection refused",
          p.peer(src),
          Ipv4Header.ttl(b, ip));
      return;
    }
    if (p != null && syn) {
      ns.stack().hop(dev, HopAction.DELIVER, frame, "tcp syn-ack");
      long ourSeq = TcpHeader.ack(b, l4);
      long theirs = (seq + 1) & 0xFFFF_FFFFL;
      reply(dst, src, dstPort, srcPort, ourSeq, theirs, TcpHeader.ACK, frame.walk());
      // nc -z closes at once: its FIN follows the ACK, and the port is kept until TIME_WAIT ends
      reply(dst, src, dstPort, srcPort, ourSeq, theirs, TcpHeader.FIN | TcpHeader.ACK, null);
      long key = streamKey(dstPort, src, srcPort);
      remember(closing, key, CLOSE_FIN_WAIT, FIN_TIMEOUT);
      p.finish(
          ProbeResult.Outcome.CONNECTED,
          "Connection to "
              + p.peer(src)
              + " "
              + p.peerPort(srcPort)
              + " port [tcp/"
              + ServiceNames.tcp(p.peerPort(srcPort))
              + "] succeeded!",
          p.peer(src),
          Ipv4Header.ttl(b, ip));
      return;
    }
    if ((ack || rst)
        && tcpListeners.containsKey(dstPort)
        && acceptedInput(
            dev, frame, dst, dstPort, src, srcPort, seq, TcpHeader.ack(b, l4), flags)) {
      return;
    }
    ns.stack().drop(dev, frame, Drop.of(DropReason.PORT_UNREACHABLE, "tcp " + dstPort));
    if (!rst) {
      // RFC 9293 3.10.7.1: a segment for no connection is answered with a reset.
      long ackNo = TcpHeader.ack(b, l4);
      int len = Ipv4Header.totalLength(b, ip) - (l4 - ip) - TcpHeader.headerLength(b, l4);
      if (ack) {
        reply(dst, src, dstPort, srcPort, ackNo, 0, TcpHeader.RST, frame.walk());
      } else {
        long end = (seq + len + (syn ? 1 : 0) + ((flags & TcpHeader.FIN) != 0 ? 1 : 0));
        reply(
            dst,
            src,
            dstPort,
            srcPort,
            0,
            end & 0xFFFF_FFFFL,
            TcpHeader.RST | TcpHeader.ACK,
            frame.walk());
      }
    }
  }

  private void accept(
      Device dev, Frame frame, int local, int port, int remote, int remotePort, long seq) {
    ns.stack().hop(dev, HopAction.DELIVER, frame, "tcp port " + port + " syn");
    TcpStream s =
        new TcpStream(
            this,
            streamListeners.get(port),
            local,
            port,
            remote,
            remotePort,
            mssTowards(remote),
            TcpStream.SYN_RECEIVED);
    int isn = random.nextInt();
    s.sndNxt = isn + 1;
    s.rcvNxt = (int) seq + 1;
    streams.put(streamKey(port, remote, remotePort), s);
    output(s, segmentBuilder(s, isn, s.rcvNxt, TcpHeader.SYN | TcpHeader.ACK, NO_DATA, 0, 0));
  }

  private void streamInput(Device dev, Frame frame, TcpStream s, int l4) {
    byte[] b = frame.buffer();
    int ip = frame.l3Offset();
    int segmentLength = Ipv4Header.totalLength(b, ip) - (l4 - ip);
    if (!frame.checksumUnnecessary()
        && !TcpHeader.checksumValid(b, l4, segmentLength, s.remoteIp, Ipv4Header.dst(b, ip))) {
      ns.stack().drop(dev, frame, Drop.of(DropReason.MALFORMED, "bad TCP checksum"));
      return;
    }
    int flags = TcpHeader.flags(b, l4);
    int seq = (int) TcpHeader.seq(b, l4);
    int ackNo = (int) TcpHeader.ack(b, l4);
    boolean ack = (flags & TcpHeader.ACK) != 0;
    boolean syn = (flags & TcpHeader.SYN) != 0;
    boolean fin = (flags & TcpHeader.FIN) != 0;
    if ((flags & TcpHeader.RST) != 0) {
      ns.stack().hop(dev, HopAction.DELIVER, frame, "tcp reset");
      byte was = s.state;
      forget(s);
      if (was == TcpStream.SYN_SENT) {
        s.listener.closed(s, "Connection refused");
      } else if (was == TcpStream.ESTABLISHED) {
        s.listener.closed(s, "Connection reset by peer");
      }
      return;
    }
    switch (s.state) {
      case TcpStream.SYN_SENT -> {
        if (!syn || !ack || ackNo != s.sndNxt) {
          ns.stack().drop(dev, frame, Drop.of(DropReason.MALFORMED, "tcp unexpected in SYN-SENT"));
          return;
        }
        ns.stack().hop(dev, HopAction.DELIVER, frame, "tcp syn-ack");
        s.rcvNxt = seq + 1;
        s.state = TcpStream.ESTABLISHED;
        output(s, segmentBuilder(s, s.sndNxt, s.rcvNxt, TcpHeader.ACK, NO_DATA, 0, 0));
        s.listener.connected(s);
        return;
      }
      case TcpStream.SYN_RECEIVED -> {
        if (syn || !ack || ackNo != s.sndNxt) {
          ns.stack()
              .drop(dev, frame, Drop.of(DropReason.MALFORMED, "tcp unexpected in SYN-RECEIVED"));
          return;
        }
        s.state = TcpStream.ESTABLISHED;
        s.listener.connected(s);
      }
      case TcpStream.LAST_ACK -> {
        ns.stack().hop(dev, HopAction.DELIVER, frame, "tcp closed");
        forget(s);
        return;
      }
      default -> {
        // ESTABLISHED or FIN-WAIT: data and FIN below
      }
    }
    int dataOff = l4 + TcpHeader.headerLength(b, l4);
    int dataLen = segmentLength - (dataOff - l4);
    if (dataLen > 0 && s.state == TcpStream.FIN_WAIT) {
      // Closed by its application, the socket cannot take data: Linux answers it with a reset
      // (TCPAbortOnData), so a peer that missed the FIN learns that the connection is gone.
      ns.stack().hop(dev, HopAction.DELIVER, frame, "tcp data after close");
      output(s, segmentBuilder(s, s.sndNxt, 0, TcpHeader.RST, NO_DATA, 0, 0));
      forget(s);
      return;
    }
    if ((dataLen > 0 || fin) && seq != s.rcvNxt) {
      ns.stack().drop(dev, frame, Drop.of(DropReason.MALFORMED, "tcp out of order"));
      return;
    }
    if (dataLen > 0) {
      s.rcvNxt = seq + dataLen;
      ns.stack().hop(dev, HopAction.DELIVER, frame, "tcp data");
      if (s.state == TcpStream.ESTABLISHED) {
        s.listener.received(s, b, dataOff, dataLen);
      }
    }
    if (fin) {
      s.rcvNxt = s.rcvNxt + 1;
      ns.stack().hop(dev, HopAction.DELIVER, frame, "tcp fin");
      if (s.state == TcpStream.ESTABLISHED) {
        int finSeq = s.sndNxt;
        s.sndNxt = finSeq + 1;
        s.state = TcpStream.LAST_ACK;
        output(
            s, segmentBuilder(s, finSeq, s.rcvNxt, TcpHeader.FIN | TcpHeader.ACK, NO_DATA, 0, 0));
        reapLater(s);
        s.listener.closed(s, "Connection closed by peer");
      } else if (s.state == TcpStream.FIN_WAIT) {
        output(s, segmentBuilder(s, s.sndNxt, s.rcvNxt, TcpHeader.ACK, NO_DATA, 0, 0));
        forget(s);
      }
      return;
    }
    if (dataLen == 0) {
      ns.stack().hop(dev, HopAction.DELIVER, frame, "tcp ack");
    }
  }

  private void reply(
      int src,
      int dst,
      int srcPort,
      int dstPort,
      long seq,
      long ackNo,
      int flags,
      @Nullable Walk walk) {
    ns.stack()
        .localOutput(
            src,
            dst,
            s ->
                Frames.tcp(
                    MacAddress.ZERO,
                    MacAddress.ZERO,
                    Ipv4Address.of(s),
                    Ipv4Address.of(dst),
                    IpStack.DEFAULT_TTL,
                    ns.stack().nextIpId(),
                    srcPort,
                    dstPort,
                    seq,
                    ackNo,
                    flags,
                    TCP_WINDOW),
            walk);
  }

  /**
   * Puts {@code key} in {@code state} in {@code map} with a new generation, and forgets it {@code
   * delay} later unless it has moved on by then (the generation tells a newer entry apart).
   */
  private void remember(Long2LongOpenHashMap map, long key, int state, long delay) {
    long entry = ++generation << 2 | state;
    map.put(key, entry);
    sim.schedule(delay, () -> map.remove(key, entry));
  }

  /**
   * A segment for a connection a listening TCP socket may have accepted ({@link #accepted}): the
   * handshake's ACK accepts it (counted once), the peer's FIN is answered with the listener's own
   * (the server reads end-of-file and closes), the last ACK ends it, a reset ends it. False for a
   * reset of no connection, which the caller drops.
   */
  private boolean acceptedInput(
      Device dev,
      Frame frame,
      int local,
      int port,
      int remote,
      int remotePort,
      long seq,
      long ackNo,
      int flags) {
    long key = streamKey(port, remote, remotePort);
    int state = (int) (accepted.get(key) & 3);
    if ((flags & TcpHeader.RST) != 0) {
      if (state == 0) {
        return false;
      }
      accepted.remove(key);
      ns.stack().hop(dev, HopAction.DELIVER, frame, "tcp port " + port + " reset");
      return true;
    }
    if (state == ACCEPTED_LAST_ACK) {
      accepted.remove(key);
      ns.stack().hop(dev, HopAction.DELIVER, frame, "tcp port " + port + " closed");
      return true;
    }
    boolean fin = (flags & TcpHeader.FIN) != 0;
    if (state == 0) {
      tcpListeners.addTo(port, 1);
      remember(accepted, key, ACCEPTED_ESTABLISHED, FIN_TIMEOUT);
    }
    if (!fin) {
      ns.stack()
          .hop(
              dev,
              HopAction.DELIVER,
              frame,
              "tcp port " + port + (state == 0 ? " established" : " ack"));
      return true;
    }
    ns.stack().hop(dev, HopAction.DELIVER, frame, "tcp port " + port + " fin");
    remember(accepted, key, ACCEPTED_LAST_ACK, FIN_TIMEOUT);
    reply(
        local,
        remote,
        port,
        remotePort,
        ackNo,
        (seq + 1) & 0xFFFF_FFFFL,
        TcpHeader.FIN | TcpHeader.ACK,
        null);
    return true;
  }

  /**
   * A segment for a connection {@code nc -z} closed (entry {@code c}): the peer's FIN is answered
   * with the last ACK and the connection waits {@link #TIME_WAIT} from then; the ACK of its own FIN
   * is taken; data is answered with a reset, as Linux answers data for a closed socket; a reset
   * ends it.
   */
  private void closedInput(
      Device dev,
      Frame frame,
      int local,
      int port,
      int remote,
      int remotePort,
      long c,
      long seq,
      long ackNo,
      int flags) {
    long key = streamKey(port, remote, remotePort);
    byte[] b = frame.buffer();
    int ip = frame.l3Offset();
    int l4 = ip + Ipv4Header.headerLength(b, ip);
    int dataLength = Ipv4Header.totalLength(b, ip) - (l4 - ip) - TcpHeader.headerLength(b, l4);
    if ((flags & TcpHeader.RST) != 0) {
      ns.stack().hop(dev, HopAction.DELIVER, frame, "tcp reset");
      closing.remove(key);
      return;
    }
    if (dataLength > 0) {
      ns.stack().hop(dev, HopAction.DELIVER, frame, "tcp data for a closed socket");
      closing.remove(key);
      reply(local, remote, port, remotePort, ackNo, 0, TcpHeader.RST, null);
      return;
    }
    if ((flags & TcpHeader.FIN) != 0) {
      ns.stack().hop(dev, HopAction.DELIVER, frame, "tcp fin");
      if ((c & 3) == CLOSE_FIN_WAIT) {
        remember(closing, key, CLOSE_TIME_WAIT, TIME_WAIT);
      }
      reply(local, remote, port, remotePort, ackNo, (seq + 1) & 0xFFFF_FFFFL, TcpHeader.ACK, null);
      return;
    }
    ns.stack().hop(dev, HopAction.DELIVER, frame, "tcp ack");
  }

  void icmpInput(Device dev, Frame frame, IcmpMessage message) {
    byte[] b = frame.buffer();
    int ip = frame.l3Offset();
    Ipv4Address from = Ipv4Address.of(Ipv4Header.src(b, ip));
    int ttl = Ipv4Header.ttl(b, ip);
    if (message.type() == IcmpMessage.ECHO_REPLY) {
      Probe p = pings.get(message.rest());
      if (p == null) {
        ns.stack().drop(dev, frame, Drop.of(DropReason.PORT_UNREACHABLE, "no ping socket"));
        return;
      }
      ns.stack().hop(dev, HopAction.DELIVER, frame, "icmp echo reply");
      long micros = (sim.now() - p.start) / SimTime.MICROSECOND;
      p.finish(
          ProbeResult.Outcome.REPLY,
          (IcmpMessage.HEADER_LENGTH + message.payload().length)
              + " bytes from "
              + from
              + ": icmp_seq="
              + p.sequence
              + " ttl="
              + ttl
              + " time="
              + pingTime(micros)
              + " ms",
          from,
          ttl);
      return;
    }
    if (message.type() != IcmpMessage.DEST_UNREACHABLE
        && message.type() != IcmpMessage.TIME_EXCEEDED) {
      ns.stack()
          .drop(dev, frame, Drop.of(DropReason.PORT_UNREACHABLE, "icmp type " + message.type()));
      return;
    }
    byte[] q = message.payload();
    if (!IpStack.quotesHeaderAnd8(q)) {
      ns.stack().drop(dev, frame, Drop.of(DropReason.MALFORMED, "short ICMP quote"));
      return;
    }
    int qhl = Ipv4Header.headerLength(q, 0);
    int proto = Ipv4Header.protocol(q, 0);
    Probe p =
        switch (proto) {
          case IpProtocol.ICMP ->
              pings.get(
                  (q[qhl + 4] & 0xFF) << 24
                      | (q[qhl + 5] & 0xFF) << 16
                      | (q[qhl + 6] & 0xFF) << 8
                      | (q[qhl + 7] & 0xFF));
          case IpProtocol.UDP -> udpProbes.get(UdpHeader.srcPort(q, qhl));
          case IpProtocol.TCP -> tcpProbes.get(TcpHeader.srcPort(q, qhl));
          default -> null;
        };
    if (p == null) {
      ns.stack().drop(dev, frame, Drop.of(DropReason.PORT_UNREACHABLE, "no socket for ICMP error"));
      return;
    }
    String what = icmpDescription(message);
    ns.stack().hop(dev, HopAction.DELIVER, frame, "icmp error: " + what);
    p.icmpError = message;
    String line =
        proto == IpProtocol.ICMP
            ? "From " + from + " icmp_seq=" + p.sequence + " " + what
            : "From " + from + ": " + what + " (" + p.target + ")";
    p.finish(ProbeResult.Outcome.ICMP_ERROR, line, from, ttl);
  }

  /** iputils' words for an ICMP error. */
  static String icmpDescription(IcmpMessage m) {
    if (m.type() == IcmpMessage.TIME_EXCEEDED) {
      return m.code() == 0 ? "Time to live exceeded" : "Frag reassembly time exceeded";
    }
    return switch (m.code()) {
      case IcmpMessage.NET_UNREACHABLE -> "Destination Net Unreachable";
      case IcmpMessage.HOST_UNREACHABLE -> "Destination Host Unreachable";
      case IcmpMessage.PROTOCOL_UNREACHABLE -> "Destination Protocol Unreachable";
      case IcmpMessage.PORT_UNREACHABLE -> "Destination Port Unreachable";
      case IcmpMessage.FRAGMENTATION_NEEDED ->
          "Frag needed and DF set (mtu = " + (m.rest() & 0xFFFF) + ")";
      default -> "Dest Unreachable, Bad Code: " + m.code();
    };
  }

  /** {@code whole.fraction} with the fraction zero-padded to {@code digits} (as {@code %0Nd}). */
  private static String fixed(long whole, long fraction, int digits) {
    String f = Long.toString(fraction);
    return whole + "." + "0".repeat(digits - f.length()) + f;
  }

  /** iputils' rounding of a round-trip time given in microseconds. */
  static String pingTime(long micros) {
    if (micros >= 100_000 - 50) {
      return Long.toString((micros + 500) / 1000);
    }
    if (micros >= 10_000 - 5) {
      return fixed((micros + 50) / 1000, ((micros + 50) % 1000) / 100, 1);
    }
    if (micros >= 1000) {
      return fixed((micros + 5) / 1000, ((micros + 5) % 1000) / 10, 2);
    }
    return fixed(micros / 1000, micros % 1000, 3);
  }
}
