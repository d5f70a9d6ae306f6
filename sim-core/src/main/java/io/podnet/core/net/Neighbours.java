package io.podnet.core.net;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.packet.EthernetHeader;
import io.podnet.core.packet.Frames;
import io.podnet.core.packet.IcmpMessage;
import io.podnet.core.packet.Ipv4Header;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import it.unimi.dsi.fastutil.longs.Long2ObjectLinkedOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The neighbour (ARP) table of a namespace and its NUD state machine, with Linux's default timers:
 * an unresolved next hop is INCOMPLETE while up to 3 broadcast requests go out 1 s apart, and its
 * packets wait in a queue; a reply makes it REACHABLE for a random 15-45 s (half to one and a half
 * times {@code base_reachable_time} of 30 s), then STALE; a STALE entry in use goes to DELAY for 5
 * s, then PROBE with up to 3 unicast requests, then FAILED. When resolution fails, every queued
 * packet is dropped and answered with ICMP host unreachable, as the kernel does.
 */
final class Neighbours {

  static final long RETRANS_NANOS = SimTime.SECOND;
  static final int SOLICIT = 3;
  static final long BASE_REACHABLE_NANOS = 30 * SimTime.SECOND;
  static final long DELAY_FIRST_PROBE_NANOS = 5 * SimTime.SECOND;
  static final int QUEUE_BYTES = 212_992;

  /** One neighbour: its device and address, NUD state, MAC, timers and packets waiting for it. */
  private static final class Entry {
    final Device dev;
    final int ip;
    long mac = -1;

    /** {@link #mac} as an object, made when first asked for after it changed. */
    private @Nullable MacAddress macObject;

    NeighbourState state;
    int probes;
    long timer = -1;
    long confirmed;

    /** Packets waiting for resolution; made on first use (most entries never queue). */
    @Nullable ArrayDeque<Frame> queue;

    int queuedBytes;
    int senderHint;

    /** The walk of the probe waiting for this entry to resolve; dropped once it resolves. */
    @Nullable Walk walk;

    /** The MAC, or null while there is none. */
    @Nullable MacAddress macAddress() {
      if (mac < 0) {
        return null;
      }
      MacAddress m = macObject;
      if (m == null || m.toLong() != mac) {
        m = MacAddress.of(mac);
        macObject = m;
      }
      return m;
    }

    Entry(Device dev, int ip, NeighbourState state) {
      this.dev = dev;
      this.ip = ip;
      this.state = state;
    }
  }

  private final NetNamespace ns;
  private final Simulation sim;
  private final RandomGenerator random;

  /**
   * Every entry by (ifindex, address), in creation order: an {@link Entry} while the kernel's state
   * machine runs it, or just the {@link MacAddress} of a permanent entry, which never changes
   * state. An overlay node holds a permanent entry per other node, so those take no object of their
   * own.
   */
  private final Long2ObjectLinkedOpenHashMap<Object> entries =
      new Long2ObjectLinkedOpenHashMap<>(NetNamespace.SMALL_MAP);

  /** A shared set of permanent entries a device holds, but the addresses it excludes. */
  private record Attached(Device dev, SharedNeighbours set, IntOpenHashSet excluded) {}

  /** The shared sets, at most one a device. */
  private final List<Attached> attached = new ArrayList<>(0);

  Neighbours(NetNamespace ns) {
    this.ns = ns;
    this.sim = ns.host().network().simulation();
    this.random = ns.host().network().random("neigh");
  }

  private static long key(Device dev, int ip) {
    return (long) dev.ifindex() << 32 | (ip & 0xFFFF_FFFFL);
  }

  /** The entry for {@code ip} on {@code dev}: its own, else the MAC of a shared one, else null. */
  private @Nullable Object find(Device dev, int ip) {
    Object value = entries.get(key(dev, ip));
    return value != null || attached.isEmpty() ? value : shared(dev, ip);
  }

  private @Nullable MacAddress shared(Device dev, int ip) {
    for (Attached a : attached) {
      if (a.dev == dev) {
        MacAddress mac = a.set.get(ip);
        return mac == null || a.excluded.contains(ip) ? null : mac;
      }
    }
    return null;
  }

  /** Holds the entries of {@code set} on {@code dev}, but the excluded addresses. */
  void attach(SharedNeighbours set, Device dev, List<Ipv4Address> excluded) {
    for (Attached a : attached) {
      if (a.dev == dev) {
        throw new IllegalStateException(dev.name() + " holds shared neighbours already");
      }
    }
    IntOpenHashSet skip = new IntOpenHashSet();
    excluded.forEach(ip -> skip.add(ip.toInt()));
    attached.add(new Attached(dev, set, skip));
  }

  /** Sends a routed frame to {@code nextHop} on {@code dev}, resolving it first if needed. */
  void output(Device dev, int nextHop, Frame frame) {
    Object value = find(dev, nextHop);
    if (value instanceof MacAddress permanent) {
      send(dev, permanent.toLong(), frame);
      return;
    }
    Entry e = (Entry) value;
    if (e == null || e.state == NeighbourState.FAILED) {
      if (e == null) {
        e = new Entry(dev, nextHop, NeighbourState.INCOMPLETE);
        entries.put(key(dev, nextHop), e);
      }
      enqueue(e, frame);
      change(e, NeighbourState.INCOMPLETE);
      e.probes = 0;
      int src = Ipv4Header.src(frame.buffer(), frame.l3Offset());
      e.senderHint = ns.isLocalAddress(src) ? src : 0;
      e.walk = frame.walk();
      solicit(e, frame.notBefore());
      return;
    }
    switch (e.state) {
      case INCOMPLETE -> enqueue(e, frame);
      case STALE -> {
        change(e, NeighbourState.DELAY);
        arm(e, DELAY_FIRST_PROBE_NANOS);
        send(e, frame);
      }
      default -> send(e, frame);
    }
  }

  /** An ARP reply arrived on {@code dev}. */
  void arpReply(Device dev, int ip, MacAddress mac, Frame frame) {
    Object value = find(dev, ip);
    if (value == null) {
      ns.stack().hop(dev, HopAction.DROP, frame, "arp: unsolicited reply");
      return;
    }
    if (!(value instanceof Entry e) || e.state == NeighbourState.PERMANENT) {
      return;
    }
    e.mac = mac.toLong();
    confirm(e);
    ns.stack().hop(dev, HopAction.ARP, frame, Ipv4Address.of(ip) + " is-at " + mac);
    flush(e);
  }

  /** An ARP request from {@code ip} arrived; the kernel learns the sender when it answers. */
  void arpRequestSeen(Device dev, int ip, MacAddress mac, boolean answering) {
    Object value = find(dev, ip);
    if (value instanceof MacAddress) {
      return;
    }
    Entry e = (Entry) value;
    if (e == null) {
      if (!answering) {
        return;
      }
      e = new Entry(dev, ip, NeighbourState.STALE);
      e.mac = mac.toLong();
      entries.put(key(dev, ip), e);
      event(e, "add");
      return;
    }
    if (e.state == NeighbourState.PERMANENT) {
      return;
    }
    boolean changed = e.mac != mac.toLong();
    e.mac = mac.toLong();
    if (e.state == NeighbourState.INCOMPLETE || e.state == NeighbourState.FAILED || changed) {
      cancelTimer(e);
      change(e, NeighbourState.STALE);
      flush(e);
    }
  }

  /** Adds a permanent entry ({@code ip neigh replace ... nud permanent}). */
  void addPermanent(Device dev, Ipv4Address ip, MacAddress mac) {
    long key = key(dev, ip.toInt());
    if (entries.get(key) instanceof Entry e) {
      cancelTimer(e);
      e.mac = mac.toLong();
      change(e, NeighbourState.PERMANENT);
      flush(e);
    }
    entries.put(key, mac);
  }

  /** Forgets every entry of a device (it went down or left the namespace), shared ones too. */
  void flushDevice(Device dev) {
    attached.removeIf(a -> a.dev == dev);
    List<Long> gone = new ArrayList<>();
    for (long k : entries.keySet()) {
      if ((int) (k >>> 32) == dev.ifindex()) {
        gone.add(k);
      }
    }
    for (long k : gone) {
      if (entries.remove(k) instanceof Entry e) {
        cancelTimer(e);
      }
    }
  }

  /** A snapshot of the entry for {@code ip} on {@code dev} (its own or a shared one), or null. */
  @Nullable NeighbourEntry entry(Device dev, int ip) {
    Object value = find(dev, ip);
    if (value instanceof MacAddress permanent) {
      return new NeighbourEntry(Ipv4Address.of(ip), dev, permanent, NeighbourState.PERMANENT);
    }
    if (value instanceof Entry e) {
      return new NeighbourEntry(Ipv4Address.of(ip), dev, e.macAddress(), e.state);
    }
    return null;
  }

  /** The state of the entry {@link #entry} would show, or null; without a snapshot. */
  @Nullable NeighbourState state(Device dev, int ip) {
    Object value = find(dev, ip);
    if (value instanceof MacAddress) {
      return NeighbourState.PERMANENT;
    }
    return value instanceof Entry e ? e.state : null;
  }

  /** The MAC of the entry {@link #entry} would show, or null; without a snapshot. */
  @Nullable MacAddress mac(Device dev, int ip) {
    Object value = find(dev, ip);
    if (value instanceof MacAddress permanent) {
      return permanent;
    }
    return value instanceof Entry e ? e.macAddress() : null;
  }

  /** Snapshots of every entry: the namespace's own in creation order, then the shared ones. */
  List<NeighbourEntry> snapshot() {
    List<NeighbourEntry> out = new ArrayList<>(entries.size());
    Int2ObjectOpenHashMap<Device> byIndex = new Int2ObjectOpenHashMap<>();
    for (Device d : ns.devices()) {
      byIndex.put(d.ifindex(), d);
    }
    for (Long2ObjectMap.Entry<Object> kv : entries.long2ObjectEntrySet()) {
      if (kv.getValue() instanceof Entry e) {
        out.add(
            new NeighbourEntry(
                Ipv4Address.of(e.ip), e.dev, e.mac < 0 ? null : MacAddress.of(e.mac), e.state));
      } else {
        long k = kv.getLongKey();
        Device dev = Objects.requireNonNull(byIndex.get((int) (k >>> 32)));
        out.add(
            new NeighbourEntry(
                Ipv4Address.of((int) k),
                dev,
                (MacAddress) kv.getValue(),
                NeighbourState.PERMANENT));
      }
    }
    for (Attached a : attached) {
      for (int ip : a.set.addresses()) {
        if (!a.excluded.contains(ip) && !entries.containsKey(key(a.dev, ip))) {
          out.add(
              new NeighbourEntry(
                  Ipv4Address.of(ip), a.dev, a.set.get(ip), NeighbourState.PERMANENT));
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- state machine

  /**
   * Queues {@code frame} until the neighbour resolves; it is processed while it waits, and leaves
   * no sooner than its processing ends (the request it triggers leaves after that too).
   */
  private void enqueue(Entry e, Frame frame) {
    if (e.queuedBytes + frame.length() > QUEUE_BYTES) {
      ns.stack().drop(e.dev, frame, Drop.of(DropReason.NEIGHBOUR_QUEUE_FULL));
      return;
    }
    if (e.queue == null) {
      e.queue = new ArrayDeque<>(2);
    }
    e.queue.add(frame);
    e.queuedBytes += frame.length();
    ns.stack().hop(e.dev, HopAction.ARP, frame, "queued for " + Ipv4Address.of(e.ip));
  }

  private void send(Entry e, Frame frame) {
    send(e.dev, e.mac, frame);
  }

  private void send(Device dev, long mac, Frame frame) {
    byte[] b = frame.buffer();
    EthernetHeader.setDst(b, frame.offset(), mac);
    EthernetHeader.setSrc(b, frame.offset(), dev.mac().toLong());
    ns.stack().transmit(dev, frame);
  }

  private void flush(Entry e) {
    e.walk = null;
    ArrayDeque<Frame> queue = e.queue;
    e.queue = null;
    while (queue != null && !queue.isEmpty()) {
      Frame f = queue.poll();
      e.queuedBytes -= f.length();
      send(e, f);
    }
  }

  private void confirm(Entry e) {
    e.confirmed = sim.now();
    e.probes = 0;
    change(e, NeighbourState.REACHABLE);
    long reachable = BASE_REACHABLE_NANOS / 2 + random.nextLong(BASE_REACHABLE_NANOS);
    arm(e, reachable);
  }

  /**
   * Sends one ARP request: broadcast while INCOMPLETE, unicast to the cached MAC in PROBE. The
   * sender address is the triggering packet's source when it is ours ({@code arp_announce=0}).
   */
  private void solicit(Entry e) {
    solicit(e, 0);
  }

  /** Like {@link #solicit(Entry)}, the request leaving no sooner than {@code notBefore}. */
  private void solicit(Entry e, long notBefore) {
    e.probes++;
    int sender = e.senderHint != 0 ? e.senderHint : ns.primaryAddress(e.dev, e.ip);
    byte[] request = Frames.arpRequest(e.dev.mac(), Ipv4Address.of(sender), Ipv4Address.of(e.ip));
    if (e.state == NeighbourState.PROBE) {
      EthernetHeader.setDst(request, 0, e.mac);
    }
    Frame arp = Frame.of(ns.host().network().nextPacketId(), request, e.walk);
    arp.holdUntil(notBefore);
    ns.stack().hop(e.dev, HopAction.ARP, arp, "who-has " + Ipv4Address.of(e.ip));
    ns.stack().transmit(e.dev, arp);
    arm(e, RETRANS_NANOS);
  }

  private void arm(Entry e, long delay) {
    cancelTimer(e);
    e.timer = sim.schedule(delay, () -> timer(e));
  }

  private void cancelTimer(Entry e) {
    if (e.timer >= 0) {
      sim.cancel(e.timer);
      e.timer = -1;
    }
  }

  private void timer(Entry e) {
    e.timer = -1;
    switch (e.state) {
      case REACHABLE -> change(e, NeighbourState.STALE);
      case DELAY -> {
        change(e, NeighbourState.PROBE);
        e.probes = 0;
        e.walk = null;
        solicit(e);
      }
      case INCOMPLETE, PROBE -> {
        if (e.probes < SOLICIT) {
          solicit(e);
        } else {
          fail(e);
        }
      }
      default -> {}
    }
  }

  private void fail(Entry e) {
    e.mac = -1;
    e.walk = null;
    change(e, NeighbourState.FAILED);
    String target = Ipv4Address.of(e.ip).toString();
    ArrayDeque<Frame> queue = e.queue;
    e.queue = null;
    while (queue != null && !queue.isEmpty()) {
      Frame f = queue.poll();
      e.queuedBytes -= f.length();
      ns.stack().drop(e.dev, f, Drop.of(DropReason.NEIGHBOUR_FAILED, target));
      ns.stack().icmpError(e.dev, f, IcmpMessage.DEST_UNREACHABLE, IcmpMessage.HOST_UNREACHABLE, 0);
    }
  }

  private void change(Entry e, NeighbourState state) {
    if (e.state == state && state != NeighbourState.INCOMPLETE) {
      return;
    }
    e.state = state;
    event(e, state.name());
  }

  private void event(Entry e, String what) {
    NeighbourEntry snapshot =
        new NeighbourEntry(
            Ipv4Address.of(e.ip), e.dev, e.mac < 0 ? null : MacAddress.of(e.mac), e.state);
    ns.host()
        .network()
        .trace()
        .record(new KernelEvent(sim.now(), "neigh", ns.label(), what + " " + snapshot));
  }
}
