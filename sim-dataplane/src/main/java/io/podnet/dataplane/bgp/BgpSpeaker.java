package io.podnet.dataplane.bgp;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.net.Device;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Route;
import io.podnet.core.net.StreamListener;
import io.podnet.core.net.TcpStream;
import io.podnet.core.trace.Trace;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongRBTreeSet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntUnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A BGP-4 speaker (RFC 4271) in a node's root namespace, as Calico runs BIRD: it listens on TCP
 * port 179, keeps one session per configured peer, learns routes into an Adj-RIB-In per peer,
 * selects the best route per prefix into its Loc-RIB ({@link Path#compare}), advertises to its
 * peers with iBGP split horizon or as a route reflector (RFC 4456), and installs best routes into
 * the namespace's routing table as {@code proto bird}, resolving a next hop that is not on a
 * connected subnet through the table as BIRD's {@code gateway recursive} does:
 *
 * <pre>{@code
 * BgpSpeaker s = BgpSpeaker.builder(node.root(), 64512, Ipv4Address.parse("192.168.1.11")).build();
 * s.addPeer(Ipv4Address.parse("192.168.1.12"));
 * s.originate(Cidr.parse("10.244.1.0/26"));
 * s.start();
 * // later, on node-1: 10.244.2.0/26 via 192.168.1.12 dev eth0 proto bird
 * }</pre>
 *
 * <p>Choices: to avoid connection collisions (RFC 4271 section 6.8) deterministically, only one end
 * connects, by default the one with the lower address ({@link ActiveEnd}); the other listens. A
 * failed connection attempt waits in Active for the ConnectRetry time; a session that ends goes
 * Idle and starts again after the ConnectRetry time. MRAI is not modelled (updates leave at once).
 * A locally originated route always wins over a learned one, as BIRD's static protocol preference
 * does. Everything runs on the simulated clock; the RIB is indexed by prefix id ({@link Rib}),
 * walked in prefix order wherever the order shows (the table sent when a session comes up, the
 * withdrawals when one goes down); peers are kept in the order added.
 *
 * <p>At scale: each client of a route reflector learns every other node's prefix, so a cluster of n
 * nodes holds n² RIB entries. An entry is a few primitives in the RIB's arrays (the candidate paths
 * are ids of {@link Canonical} values, one instance for all clients), the UPDATE a reflector sends
 * every client is encoded once, its path attributes are decoded once for all the clients that
 * receive them ({@link Canonical#encodedAt}), each UPDATE is read where it lies in the received
 * segment, and BIRD's back-to-back writes leave in few, full TCP segments ({@link TcpStream}).
 */
public final class BgpSpeaker {

  /** The BGP port. */
  public static final int PORT = 179;

  /** The LOCAL_PREF given to routes that have none (BIRD's default). */
  public static final long DEFAULT_LOCAL_PREF = 100;

  /** BIRD's default hold time, in seconds. */
  public static final int DEFAULT_HOLD_SECONDS = 240;

  /** BIRD's default keepalive time (a third of the hold time), in seconds. */
  public static final int DEFAULT_KEEPALIVE_SECONDS = 80;

  /** Calico's ConnectRetry time. */
  public static final long DEFAULT_CONNECT_RETRY_NANOS = 5 * SimTime.SECOND;

  /**
   * Which end of a session opens its TCP connection while the other waits for it (BIRD's {@code
   * passive on}), so that the two never collide.
   */
  public enum ActiveEnd {
    /**
     * The end with the lower address (the default). Where BIRD is not told {@code passive on}, both
     * ends connect and one connection survives the collision (RFC 4271 section 6.8); PodNet does
     * not model collisions and lets one end connect instead.
     */
    LOWER_ADDRESS,

    /**
     * The end whose address is greater as text: Calico's node-to-node mesh sets {@code passive on}
     * toward every node whose address is greater as a string, so {@code 192.168.1.9} connects to
     * {@code 192.168.1.10}.
     */
    GREATER_ADDRESS_TEXT
  }

  final NetNamespace ns;
  final Simulation sim;
  private final Trace trace;
  final long asn;
  final int routerId;
  final int holdSeconds;
  final int keepaliveSeconds;
  final long connectRetryNanos;
  final ActiveEnd activeEnd;
  private final int clusterId;
  private final @Nullable Device exportTunnel;
  private final List<BgpPeer> peers = new ArrayList<>();
  private final List<BgpPeer> externalPeers = new ArrayList<>();
  private final Int2ObjectOpenHashMap<BgpPeer> peersByAddress = new Int2ObjectOpenHashMap<>();

  /**
   * The RIB by {@link Canonical#prefixId prefix id}; its prefixes are walked only through {@link
   * #sortedPrefixes}. Below, an {@code int prefix} is such an id, a {@code long} one is packed by
   * {@link Prefixes}.
   */
  private final Rib rib = new Rib();

  private final Canonical canonical;

  /**
   * The export journal: the changes of best routes not yet told to every established peer, oldest
   * first; the first has index {@link #journalStart}, and each peer keeps the index of the next it
   * is to hear of. A reflector that thousands of clients learn from thus holds each change once,
   * not an UPDATE per client waiting in a socket, and sends as fast as the sockets drain, as BIRD
   * does.
   */
  private final List<Change> journal = new ArrayList<>();

  private long journalStart;

  /** {@link #igpCost} as best-path selection asks it. */
  private final IntUnaryOperator igpCosts = this::igpCost;

  private int trimAt = MIN_TRIM;
  private static final int MIN_TRIM = 64;

  /** Prefixes whose best route is local or from eBGP: what a non-reflector tells iBGP peers. */
  private final LongRBTreeSet exportedToInternal = new LongRBTreeSet();

  boolean running;
  long messagesSent;
  long messagesReceived;
  private long routeChanges;

  /** {@link #lineHead} of a best route's and of a withdrawal's line. */
  private final byte[] bestLineHead;

  private final byte[] withdrawLineHead;
  private long lastRouteChange = -1;

  private BgpSpeaker(Builder b) {
    this.ns = b.ns;
    this.sim = b.ns.host().network().simulation();
    this.trace = b.ns.host().network().trace();
    this.asn = b.asn;
    this.routerId = b.routerId.toInt();
    this.holdSeconds = b.holdSeconds;
    this.keepaliveSeconds = b.keepaliveSeconds;
    this.connectRetryNanos = b.connectRetryNanos;
    this.activeEnd = b.activeEnd;
    this.clusterId = b.clusterId;
    this.exportTunnel = b.exportTunnel;
    this.canonical = Canonical.of(b.ns.host().network());
    this.bestLineHead = lineHead("best ");
    this.withdrawLineHead = lineHead("withdraw ");
  }

  /**
   * Starts a speaker for {@code ns} in AS {@code asn} (in [1, 4294967295]) with router id {@code
   * routerId} (the node IP, as Calico sets it).
   */
  public static Builder builder(NetNamespace ns, long asn, Ipv4Address routerId) {
    return new Builder(ns, asn, routerId);
  }

  // ---------------------------------------------------------------- configuration

  /** Adds an iBGP peer (same AS); {@link IllegalArgumentException} if already a peer or itself. */
  public void addPeer(Ipv4Address address) {
    addPeer(address, asn, false);
  }

  /** Adds a peer in AS {@code remoteAs}: iBGP when it is this speaker's AS, else eBGP. */
  public void addPeer(Ipv4Address address, long remoteAs) {
    addPeer(address, remoteAs, false);
  }

  /**
   * Adds an iBGP peer that is a client of this route reflector (RFC 4456); {@link
   * IllegalStateException} unless the speaker was built with a cluster id.
   */
  public void addRouteReflectorClient(Ipv4Address address) {
    if (clusterId == 0) {
      throw new IllegalStateException(
          "speaker " + ns.label() + " is not a route reflector (no cluster id)");
    }
    addPeer(address, asn, true);
  }

  private void addPeer(Ipv4Address address, long remoteAs, boolean client) {
    checkAs("remoteAs", remoteAs);
    int a = address.toInt();
    if (a == routerId) {
      throw new IllegalArgumentException("peer address must not be the router id: " + address);
    }
    if (peersByAddress.containsKey(a)) {
      throw new IllegalArgumentException("peer " + address + " is already configured");
    }
    BgpPeer p = new BgpPeer(this, a, remoteAs, client);
    peers.add(p);
    if (p.ebgp) {
      externalPeers.add(p);
    }
    peersByAddress.put(a, p);
    if (running) {
      p.start();
    }
  }

  /** Starts every session and listens on port 179; {@link IllegalStateException} if running. */
  public void start() {
    if (running) {
      throw new IllegalStateException("speaker " + ns.label() + " is already running");
    }
    running = true;
    ns.listenStream(PORT, acceptor);
    for (BgpPeer p : peers) {
      p.start();
    }
  }

  /**
   * Stops the speaker: every session ends with a NOTIFICATION (Cease), learned routes leave the
   * Loc-RIB and the routing table, the port closes. Originated prefixes stay configured.
   */
  public void stop() {
    if (!running) {
      return;
    }
    running = false;
    ns.closeStreamListener(PORT);
    for (BgpPeer p : peers) {
      p.stop("stopped", new BgpError(BgpError.CEASE, 2, "administrative shutdown"));
    }
  }

  private final StreamListener acceptor =
      new StreamListener() {
        @Override
        public void connected(TcpStream stream) {
          BgpPeer p = peersByAddress.get(stream.remoteAddress().toInt());
          if (p == null || !running) {
            stream.close();
            return;
          }
          p.accept(stream);
        }

        @Override
        public void received(TcpStream stream, byte[] buffer, int offset, int length) {
          // accepted streams report to their peer
        }

        @Override
        public void closed(TcpStream stream, String reason) {
          // accepted streams report to their peer
        }
      };

  // ---------------------------------------------------------------- origination

  /** Originates {@code prefix} (like Calico exporting a node's IPAM block). */
  public void originate(Cidr prefix) {
    int id = canonical.prefixId(Prefixes.pack(prefix));
    PathAttributes a = canonical.attributes(PathAttributes.local(0, DEFAULT_LOCAL_PREF));
    setPath(id, null, canonical.pathId(Path.local(a, routerId)));
  }

  /** Stops originating {@code prefix}; nothing happens if it was not originated. */
  public void withdraw(Cidr prefix) {
    removePath(canonical.knownPrefixId(Prefixes.pack(prefix)), null);
  }

  // ---------------------------------------------------------------- inspection

  /** The speaker's namespace. */
  public NetNamespace namespace() {
    return ns;
  }

  /** The router id. */
  public Ipv4Address routerId() {
    return Ipv4Address.of(routerId);
  }

  /** The session state with {@code peer}; {@link IllegalArgumentException} if not a peer. */
  public BgpState state(Ipv4Address peer) {
    BgpPeer p = peersByAddress.get(peer.toInt());
    if (p == null) {
      throw new IllegalArgumentException("not a peer of " + ns.label() + ": " + peer);
    }
    return p.state;
  }

  /** Number of configured peers, one session each. */
  int sessions() {
    return peers.size();
  }

  /** Number of sessions in Established. */
  public int establishedSessions() {
    int n = 0;
    for (BgpPeer p : peers) {
      if (p.state == BgpState.ESTABLISHED) {
        n++;
      }
    }
    return n;
  }

  /** The prefixes of the Loc-RIB (originated and learned), sorted. */
  public List<Cidr> locRib() {
    long[] keys = sortedPrefixes();
    List<Cidr> out = new ArrayList<>(keys.length);
    for (long key : keys) {
      out.add(Prefixes.cidr(key));
    }
    return out;
  }

  /** The RIB's prefixes, packed, in the order of {@link Prefixes}: network, then length. */
  private long[] sortedPrefixes() {
    return sortedPacked(rib.prefixes());
  }

  /** The prefixes {@code ids}, packed, in the order of {@link Prefixes}. */
  private long[] sortedPacked(int[] ids) {
    long[] keys = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      keys[i] = canonical.packed(ids[i]);
    }
    Arrays.sort(keys);
    return keys;
  }

  /** Number of prefixes in the Loc-RIB. */
  public int locRibSize() {
    return rib.size();
  }

  /**
   * The best route's next hop for {@code prefix} (0.0.0.0 for a local route); empty when the prefix
   * is not in the Loc-RIB.
   */
  public Optional<Ipv4Address> nextHop(Cidr prefix) {
    Path best = best(prefix);
    return best == null ? Optional.empty() : Optional.of(Ipv4Address.of(best.attrs.nextHop));
  }

  /** The best route for {@code prefix} as text (attributes and source), if any. */
  public Optional<String> bestRoute(Cidr prefix) {
    Path best = best(prefix);
    if (best == null) {
      return Optional.empty();
    }
    return Optional.of(prefix + " " + best.attrs + " from " + source(best));
  }

  /** The best path for {@code prefix}, or null when it is not in the Loc-RIB. */
  @Nullable Path best(Cidr prefix) {
    return best(canonical.knownPrefixId(Prefixes.pack(prefix)));
  }

  private @Nullable Path best(int prefix) {
    return rib.contains(prefix) ? canonical.path(rib.best(prefix)) : null;
  }

  /** Number of Loc-RIB changes so far. */
  public long routeChanges() {
    return routeChanges;
  }

  /** Simulated time of the last Loc-RIB change, or -1 if none. */
  public long lastRouteChange() {
    return lastRouteChange;
  }

  /** BGP messages sent so far. */
  public long messagesSent() {
    return messagesSent;
  }

  /** BGP messages received so far. */
  public long messagesReceived() {
    return messagesReceived;
  }

  // ---------------------------------------------------------------- sessions

  void established(BgpPeer peer) {
    // Send the routes this peer may see: everything for eBGP peers and reflector clients, else
    // only local and eBGP-learned routes (iBGP split horizon); then what changes from now on.
    boolean everything = peer.ebgp || clusterId != 0;
    long[] keys = everything ? sortedPrefixes() : exportedToInternal.toLongArray();
    peer.dump = keys.length == 0 ? null : keys;
    peer.dumpAt = 0;
    peer.exported = journalStart + journal.size();
    export(peer);
  }

  /**
   * Tells {@code q} what it has not heard yet, while its stream has room: the rest of the table
   * dumped when the session came up, then the journal from its cursor on. Each prefix goes out as
   * it stands now (a prefix that changed twice meanwhile is announced as it is, twice at most).
   */
  void export(BgpPeer q) {
    TcpStream s = q.stream;
    while (s != null && q.state == BgpState.ESTABLISHED && s.writable()) {
      long[] dump = q.dump;
      if (dump != null) {
        int prefix = canonical.knownPrefixId(dump[q.dumpAt++]);
        if (q.dumpAt == dump.length) {
          q.dump = null;
        }
        Path best = best(prefix);
        if (best != null && exportable(best, fromClient(best), q)) {
          q.send(updateFor(q, prefix, best, new Announcement()));
        }
        continue;
      }
      if (q.exported == journalStart + journal.size()) {
        return;
      }
      Change c = journal.get((int) (q.exported++ - journalStart));
      if (!c.internal && !q.ebgp) {
        continue;
      }
      Path best = best(c.prefix);
      if (best != null && exportable(best, fromClient(best, c.announcement), q)) {
        q.send(updateFor(q, c.prefix, best, c.announcement));
      } else if (c.old != null && exportable(c.old, fromClient(c.old), q)) {
        q.send(c.withdrawal(canonical.packed(c.prefix)));
      }
    }
  }

  void peerDown(BgpPeer peer) {
    IntArrayList affected = new IntArrayList();
    for (int prefix : rib.prefixes()) {
      if (indexOf(prefix, peer) >= 0) {
        affected.add(prefix);
      }
    }
    for (long key : sortedPacked(affected.toIntArray())) {
      removePath(canonical.knownPrefixId(key), peer);
    }
  }

  /**
   * Handles an UPDATE from {@code peer} lying in {@code b} where {@code u} says: checks its
   * attributes (a {@link BgpError} leaves the RIB as it was), then the withdrawn routes, then the
   * announced ones.
   */
  void receiveUpdate(BgpPeer peer, byte[] b, BgpCodec.UpdateView u) {
    boolean announces = u.attrEnd < u.end;
    Canonical.Encoded received = null;
    if (announces || u.attrStart < u.attrEnd) {
      received =
          canonical.encodedAt(
              b, u.attrStart, u.attrEnd, peer.fourOctetAs, announces, peer.lastReceived);
      peer.lastReceived = received;
    }
    for (int at = u.withdrawnStart; at < u.withdrawnEnd; at = BgpCodec.nextPrefix(b, at)) {
      removePath(canonical.knownPrefixId(BgpCodec.prefixAt(b, at)), peer);
    }
    if (received == null || !announces) {
      return;
    }
    PathAttributes a = received.attributes;
    // RFC 4456 section 8: an iBGP route carrying our router id or our cluster id has looped.
    boolean loop =
        peer.ebgp
            ? a.asPathContains((int) asn)
            : a.originatorId == routerId || (clusterId != 0 && a.clusterListContains(clusterId));
    int path = -1;
    if (!loop) {
      path = received.learnedPath(peer.ebgp, peer.peerRouterId, peer.address);
      if (path < 0) {
        path = learnedPath(a, peer);
        received.rememberLearned(peer.ebgp, peer.peerRouterId, peer.address, path);
      }
    }
    for (int at = u.attrEnd; at < u.end; at = BgpCodec.nextPrefix(b, at)) {
      long prefix = BgpCodec.prefixAt(b, at);
      if (path < 0) {
        removePath(canonical.knownPrefixId(prefix), peer);
      } else {
        setPath(canonical.prefixId(prefix), peer, path);
      }
    }
  }

  /**
   * The id of the path learned from {@code peer} with the attributes {@code received}: with
   * LOCAL_PREF set to the default when it came over eBGP (which does not carry it) or lacks it.
   */
  private int learnedPath(PathAttributes received, BgpPeer peer) {
    PathAttributes a = received;
    if (peer.ebgp || a.localPref < 0) {
      a = canonical.attributes(a.withLocalPref(DEFAULT_LOCAL_PREF));
    }
    return canonical.learnedId(a, peer.ebgp, peer.peerRouterId, peer.address);
  }

  /**
   * The IGP cost to {@code nextHop}: the metric of the kernel route reaching it now, the largest
   * when none does.
   */
  private int igpCost(int nextHop) {
    Route r = ns.routes().lookup(nextHop);
    return r == null ? Integer.MAX_VALUE : r.metric();
  }

  // ---------------------------------------------------------------- RIB

  /** Puts the canonical path {@code path} as the candidate from {@code from} (null: local). */
  private void setPath(int prefix, @Nullable BgpPeer from, int path) {
    if (!rib.contains(prefix)) {
      rib.add(prefix, path);
      changed(prefix, 0, null, canonical.path(path));
      return;
    }
    Path old = canonical.path(rib.best(prefix));
    int i = indexOf(prefix, from);
    if (i >= 0) {
      if (canonical.path(rib.get(prefix, i)).attrs == canonical.path(path).attrs) {
        return; // the same attributes again (canonical, so compared by identity)
      }
      rib.set(prefix, i, path);
    } else {
      rib.append(prefix, path);
    }
    decide(prefix, old);
  }

  /**
   * The index of {@code prefix}'s candidate from {@code peer} (null: the local one), or -1; the
   * prefix has an entry.
   */
  private int indexOf(int prefix, @Nullable BgpPeer peer) {
    for (int i = 0, n = rib.count(prefix); i < n; i++) {
      if (canonical.path(rib.get(prefix, i)).isFrom(peer)) {
        return i;
      }
    }
    return -1;
  }

  /** Removes {@code prefix}'s candidate from {@code from} (null: local), if any (-1: no prefix). */
  private void removePath(int prefix, @Nullable BgpPeer from) {
    int i = rib.contains(prefix) ? indexOf(prefix, from) : -1;
    if (i < 0) {
      return;
    }
    Path old = canonical.path(rib.best(prefix));
    if (rib.count(prefix) == 1) {
      int gateway = rib.gateway(prefix);
      rib.remove(prefix);
      changed(prefix, gateway, old, null);
      return;
    }
    rib.removeAt(prefix, i);
    decide(prefix, old);
  }

  /** Best-path selection for {@code prefix}, whose best was {@code old}, then the consequences. */
  private void decide(int prefix, Path old) {
    int bestIndex = 0;
    Path best = canonical.path(rib.best(prefix));
    for (int i = 1, n = rib.count(prefix); i < n; i++) {
      Path p = canonical.path(rib.get(prefix, i));
      if (Path.compare(p, best, igpCosts) < 0) {
        best = p;
        bestIndex = i;
      }
    }
    rib.promote(prefix, bestIndex);
    if (best != old) {
      changed(prefix, rib.gateway(prefix), old, best);
    }
  }

  /**
   * The best route of a prefix went from {@code old} to {@code best} (null: the entry is gone):
   * trace, install, tell. The route installed for it had {@code installedGateway} (0: none).
   */
  private void changed(int prefix, int installedGateway, @Nullable Path old, @Nullable Path best) {
    routeChanges++;
    lastRouteChange = sim.now();
    traceBest(prefix, best);
    // The set holds exactly the prefixes whose best is local or external, so only such an old
    // best can leave it: a learned route replacing another skips the walk of the tree.
    if (best != null && best.isLocalOrExternal()) {
      exportedToInternal.add(canonical.packed(prefix));
    } else if (old != null && old.isLocalOrExternal()) {
      exportedToInternal.remove(canonical.packed(prefix));
    }
    int gateway = install(prefix, installedGateway, best);
    if (best != null) {
      rib.setGateway(prefix, gateway);
    }
    record(prefix, old, best);
  }

  private static String source(Path p) {
    return p.local ? "local" : Prefixes.address(p.peerAddress);
  }

  /**
   * Records {@code route best <prefix> via <next hop> from <peer or local>}, or {@code route
   * withdraw <prefix>}; without sinks the line is put together from pieces encoded once (this
   * speaker's part, the prefix, the path), as every node of a large cluster records one per other
   * node.
   */
  private void traceBest(int prefix, @Nullable Path best) {
    if (trace.hasSinks()) {
      StringBuilder out = new StringBuilder(64);
      long packed = canonical.packed(prefix);
      if (best == null) {
        Prefixes.appendTo(out.append("withdraw "), packed);
      } else {
        Prefixes.appendTo(out.append("best "), packed).append(best.traceText());
      }
      trace("route", out.toString());
      return;
    }
    trace.beginLine(sim.now());
    trace.appendEncoded(best == null ? withdrawLineHead : bestLineHead);
    trace.appendEncoded(canonical.prefixText(prefix));
    if (best != null) {
      trace.appendEncoded(best.traceBytes());
    }
    trace.endLine();
  }

  /** A route line's text after its time and before its prefix, encoded. */
  private byte[] lineHead(String verb) {
    return BgpEvent.append(new StringBuilder(48), ns.label(), "route")
        .append(verb)
        .toString()
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Puts a prefix's change of best route in the export journal, when some peer may hear of it, and
   * tells the peers that are caught up at once: while their streams have room, an UPDATE leaves
   * with the change that causes it.
   */
  private void record(int prefix, @Nullable Path old, @Nullable Path best) {
    boolean internal =
        clusterId != 0
            || (old != null && old.isLocalOrExternal())
            || (best != null && best.isLocalOrExternal());
    if (!internal && externalPeers.isEmpty()) {
      return;
    }
    journal.add(new Change(prefix, old, internal));
    List<BgpPeer> targets = internal ? peers : externalPeers;
    for (int i = 0, n = targets.size(); i < n; i++) {
      BgpPeer q = targets.get(i);
      if (q.state == BgpState.ESTABLISHED) {
        export(q);
      }
    }
    if (journal.size() >= trimAt) {
      trimJournal();
    }
  }

  /** Forgets the changes every established peer has been told. */
  private void trimJournal() {
    long told = journalStart + journal.size();
    for (BgpPeer p : peers) {
      if (p.state == BgpState.ESTABLISHED) {
        told = Math.min(told, p.exported);
      }
    }
    journal.subList(0, (int) (told - journalStart)).clear();
    journalStart = told;
    trimAt = Math.max(MIN_TRIM, 2 * journal.size());
  }

  /** Whether {@code p} came from a route reflector client of this speaker. */
  private boolean fromClient(Path p) {
    if (p.local || clusterId == 0) {
      return false;
    }
    BgpPeer from = peersByAddress.get(p.peerAddress);
    return from != null && from.rrClient;
  }

  /**
   * {@link #fromClient(Path)}, asked once per path of an announcement that goes to every peer
   * (peers are never removed, so the answer for a path stays).
   */
  private boolean fromClient(Path p, Announcement a) {
    if (a.clientChecked != p) {
      a.fromClient = fromClient(p);
      a.clientChecked = p;
    }
    return a.fromClient;
  }

  /**
   * Whether {@code p} (from a reflector client when {@code fromClient}) may be advertised to {@code
   * q}: iBGP split horizon, RFC 4456 reflection.
   */
  private boolean exportable(Path p, boolean fromClient, BgpPeer q) {
    if (p.isFrom(q)) {
      return false;
    }
    if (q.ebgp || p.isLocalOrExternal()) {
      return true;
    }
    if (clusterId == 0) {
      return false;
    }
    return fromClient || q.rrClient;
  }

  /**
   * A path's announcement while it goes to every peer: the path, its reflected attributes, made
   * once, and the UPDATE last encoded, which the next peer gets too when its bytes would be the
   * same (a reflector's clients all get the same).
   */
  private static final class Announcement {
    @Nullable Path path;

    /** The path {@link #fromClient} answers for, or null. */
    @Nullable Path clientChecked;

    boolean fromClient;

    @Nullable PathAttributes reflected;
    @Nullable PathAttributes attrs;
    boolean fourOctetAs;
    byte[] bytes = NO_BYTES;
  }

  /** One change of a prefix's best route in the export journal. */
  private static final class Change {
    /** The prefix's id. */
    final int prefix;

    final @Nullable Path old;

    /** Whether iBGP peers may hear of it (else only eBGP peers do). */
    final boolean internal;

    final Announcement announcement = new Announcement();
    private byte @Nullable [] withdrawal;

    Change(int prefix, @Nullable Path old, boolean internal) {
      this.prefix = prefix;
      this.old = old;
      this.internal = internal;
    }

    /** The UPDATE withdrawing the prefix, packed as {@code packed}. */
    byte[] withdrawal(long packed) {
      byte[] w = withdrawal;
      if (w == null) {
        w = BgpCodec.withdrawal(new long[] {packed});
        withdrawal = w;
      }
      return w;
    }
  }

  private static final byte[] NO_BYTES = new byte[0];

  /** The UPDATE announcing {@code p} to {@code q}, as encoded for the previous peer if alike. */
  private byte[] updateFor(BgpPeer q, int prefix, Path p, Announcement last) {
    if (last.path != p) {
      last.path = p;
      last.reflected = null;
      last.attrs = null;
    }
    PathAttributes a;
    if (q.ebgp) {
      a = p.attrs.forExternal((int) asn, q.localAddress, p.local);
    } else if (p.local) {
      a = p.attrs.withNextHop(q.localAddress);
    } else if (p.ebgp) {
      a = p.attrs;
    } else {
      PathAttributes r = last.reflected;
      if (r == null) {
        r = p.attrs.reflected(p.peerRouterId, clusterId);
        last.reflected = r;
      }
      a = r;
    }
    if (!a.equals(last.attrs) || q.fourOctetAs != last.fourOctetAs) {
      last.attrs = a;
      last.fourOctetAs = q.fourOctetAs;
      last.bytes =
          BgpCodec.update(NO_PREFIXES, a, new long[] {canonical.packed(prefix)}, q.fourOctetAs);
    }
    return last.bytes;
  }

  private static final long[] NO_PREFIXES = new long[0];

  // ---------------------------------------------------------------- kernel

  /**
   * Makes the kernel hold the route {@code best} wants for {@code prefix}, replacing the one
   * installed before: {@link #birdRoute} through the next hop when it is on a connected subnet,
   * else through the gateway of the route that reaches it (BIRD's {@code gateway recursive}), or
   * through the export tunnel; none when the next hop is unreachable. The route is added without
   * being built, and one already there is recognised without being built. {@code installedGateway}
   * is the gateway of the route installed before (0: none); returns the one installed now.
   */
  private int install(int prefix, int installedGateway, @Nullable Path best) {
    Device dev = null;
    Ipv4Address gw = null;
    if (best != null && !best.local) {
      int nextHop = best.attrs.nextHop;
      Device tunnel = exportTunnel;
      if (tunnel != null) {
        dev = tunnel;
        gw = best.nextHopAddress(canonical);
      } else {
        Route r = ns.routes().lookup(nextHop);
        if (r != null && r.type() == Route.Type.UNICAST && r.device() != null) {
          dev = r.device();
          gw = r.gateway() != null ? r.gateway() : best.nextHopAddress(canonical);
        }
      }
    }
    boolean onlink = dev != null && dev == exportTunnel;
    if (dev != null
        && gw.toInt() == installedGateway
        && ns.routes().holdsGatewayRoute(canonical.prefix(prefix), gw, dev, onlink, "bird")) {
      return installedGateway;
    }
    Route have = installedGateway == 0 ? null : installed(prefix, installedGateway);
    if (have != null) {
      ns.removeRoute(have);
    }
    if (dev != null) {
      try {
        ns.addGatewayRoute(canonical.prefix(prefix), gw, dev, onlink, "bird");
        return gw.toInt();
      } catch (IllegalArgumentException conflict) {
        trace(
            "route", "not installed " + birdRoute(prefix, gw, dev) + ": " + conflict.getMessage());
      }
    }
    return 0;
  }

  /** The route this speaker installed for {@code prefix} via {@code gateway}, if still there. */
  private @Nullable Route installed(int prefix, int gateway) {
    Route r = ns.routes().route(canonical.prefix(prefix), 0);
    Ipv4Address gw = r == null ? null : r.gateway();
    return gw != null && gw.toInt() == gateway && r.protocol().equals("bird") ? r : null;
  }

  /**
   * {@code <prefix> via <gw> dev <dev> proto bird}, {@code onlink} through the export tunnel: the
   * shape of every route the speaker installs.
   */
  private Route birdRoute(int prefix, Ipv4Address gw, Device dev) {
    return Route.viaGateway(canonical.prefix(prefix), gw, dev, dev == exportTunnel, "bird");
  }

  void trace(String kind, String detail) {
    trace.record(new BgpEvent(sim.now(), ns.label(), kind, detail));
  }

  static void checkAs(String key, long as) {
    if (as < 1 || as > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(key + " must be in [1, 4294967295]: " + as);
    }
  }

  @Override
  public String toString() {
    return "BgpSpeaker{" + ns.label() + " AS " + asn + " id " + routerId() + "}";
  }

  /** Configures a {@link BgpSpeaker}; BIRD's and Calico's defaults unless set. */
  public static final class Builder {
    private final NetNamespace ns;
    private final long asn;
    private final Ipv4Address routerId;
    private int holdSeconds = DEFAULT_HOLD_SECONDS;
    private int keepaliveSeconds = DEFAULT_KEEPALIVE_SECONDS;
    private long connectRetryNanos = DEFAULT_CONNECT_RETRY_NANOS;
    private ActiveEnd activeEnd = ActiveEnd.LOWER_ADDRESS;
    private int clusterId;
    private @Nullable Device exportTunnel;

    private Builder(NetNamespace ns, long asn, Ipv4Address routerId) {
      checkAs("asn", asn);
      if (routerId.toInt() == 0) {
        throw new IllegalArgumentException("routerId must not be 0.0.0.0: " + routerId);
      }
      this.ns = ns;
      this.asn = asn;
      this.routerId = routerId;
    }

    /** The hold time proposed in OPEN, in seconds: 0 (none) or in [3, 65535]. */
    public Builder holdTime(int seconds) {
      if (seconds != 0 && (seconds < 3 || seconds > 65535)) {
        throw new IllegalArgumentException("holdTime must be 0 or in [3, 65535] s: " + seconds);
      }
      this.holdSeconds = seconds;
      return this;
    }

    /** The keepalive time in seconds (at most a third of the negotiated hold time is used). */
    public Builder keepaliveTime(int seconds) {
      if (seconds < 1 || seconds > 21845) {
        throw new IllegalArgumentException("keepaliveTime must be in [1, 21845] s: " + seconds);
      }
      this.keepaliveSeconds = seconds;
      return this;
    }

    /** The ConnectRetry time, in nanoseconds, > 0. */
    public Builder connectRetry(long nanos) {
      if (nanos <= 0) {
        throw new IllegalArgumentException("connectRetry must be > 0 ns: " + nanos);
      }
      this.connectRetryNanos = nanos;
      return this;
    }

    /** Which end of each of the speaker's sessions connects; its peers must be told the same. */
    public Builder activeEnd(ActiveEnd end) {
      this.activeEnd = Objects.requireNonNull(end, "end");
      return this;
    }

    /** Makes the speaker a route reflector with this cluster id (RFC 4456), not 0.0.0.0. */
    public Builder routeReflector(Ipv4Address clusterIdAddress) {
      if (clusterIdAddress.toInt() == 0) {
        throw new IllegalArgumentException("clusterId must not be 0.0.0.0: " + clusterIdAddress);
      }
      this.clusterId = clusterIdAddress.toInt();
      return this;
    }

    /**
     * Installs learned routes through a tunnel device instead of the recursive next hop: {@code
     * <prefix> via <BGP next hop> dev tunl0 onlink proto bird}, as Calico's BIRD does in IPIP mode.
     */
    public Builder exportThrough(Device tunnel) {
      if (tunnel.namespace() != ns) {
        throw new IllegalArgumentException(
            "tunnel "
                + tunnel.name()
                + " is not in "
                + ns.label()
                + " (expected a device of the speaker's namespace)");
      }
      this.exportTunnel = tunnel;
      return this;
    }

    /** The speaker, not yet started. */
    public BgpSpeaker build() {
      return new BgpSpeaker(this);
    }
  }
}
