package io.podnet.core.net;

import io.podnet.core.engine.SimTime;
import io.podnet.core.packet.EthernetHeader;
import io.podnet.core.packet.Ipv4Header;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Reassembles IPv4 fragments addressed to this namespace (RFC 791, RFC 815): fragments are keyed by
 * (source, destination, protocol, identification); the datagram completes when the last fragment
 * has arrived and no hole is left. An incomplete datagram is dropped after 30 s ({@code
 * net.ipv4.ipfrag_time}); PodNet records the drop but sends no ICMP for it.
 */
final class Reassembly {

  static final long TIMEOUT_NANOS = 30 * SimTime.SECOND;

  private record Key(int src, int dst, int protocol, int id) {}

  private static final class Pending {
    final TreeMap<Integer, byte[]> pieces = new TreeMap<>();
    byte @Nullable [] firstFrame;
    int totalPayload = -1;
    long timer;

    /** When the processing of the fragments so far is over (the latest of theirs). */
    long notBefore;
  }

  private final NetNamespace ns;
  private final IpStack stack;
  private final Map<Key, Pending> pending = new LinkedHashMap<>();

  Reassembly(NetNamespace ns, IpStack stack) {
    this.ns = ns;
    this.stack = stack;
  }

  /** Adds a fragment; returns the whole datagram when it completes, else null. */
  @Nullable Frame add(Device dev, Frame fragment) {
    byte[] b = fragment.buffer();
    int ip = fragment.l3Offset();
    int headerLength = Ipv4Header.headerLength(b, ip);
    Key key =
        new Key(
            Ipv4Header.src(b, ip),
            Ipv4Header.dst(b, ip),
            Ipv4Header.protocol(b, ip),
            Ipv4Header.identification(b, ip));
    Pending p = pending.get(key);
    if (p == null) {
      Pending created = new Pending();
      created.timer =
          ns.host().network().simulation().schedule(TIMEOUT_NANOS, () -> expire(dev, key));
      pending.put(key, created);
      p = created;
    }
    p.notBefore = Math.max(p.notBefore, fragment.notBefore());
    int offset = Ipv4Header.fragmentOffset(b, ip) * 8;
    int size = Ipv4Header.totalLength(b, ip) - headerLength;
    byte[] data = new byte[size];
    System.arraycopy(b, ip + headerLength, data, 0, size);
    p.pieces.put(offset, data);
    if (offset == 0) {
      p.firstFrame = fragment.toBytes();
    }
    if (!Ipv4Header.moreFragments(b, ip)) {
      p.totalPayload = offset + size;
    }
    stack.hop(dev, HopAction.DELIVER, fragment, "fragment offset " + offset + " queued");
    if (p.totalPayload < 0 || p.firstFrame == null) {
      return null;
    }
    int covered = 0;
    for (Map.Entry<Integer, byte[]> piece : p.pieces.entrySet()) {
      if (piece.getKey() > covered) {
        return null;
      }
      covered = Math.max(covered, piece.getKey() + piece.getValue().length);
    }
    if (covered < p.totalPayload) {
      return null;
    }
    pending.remove(key);
    ns.host().network().simulation().cancel(p.timer);
    byte[] first = p.firstFrame;
    int firstHeader = Ipv4Header.headerLength(first, EthernetHeader.LENGTH);
    byte[] whole = new byte[EthernetHeader.LENGTH + firstHeader + p.totalPayload];
    System.arraycopy(first, 0, whole, 0, EthernetHeader.LENGTH + firstHeader);
    for (Map.Entry<Integer, byte[]> piece : p.pieces.entrySet()) {
      int at = EthernetHeader.LENGTH + firstHeader + piece.getKey();
      int n = Math.min(piece.getValue().length, whole.length - at);
      System.arraycopy(piece.getValue(), 0, whole, at, n);
    }
    Ipv4Header.setTotalLength(whole, EthernetHeader.LENGTH, firstHeader + p.totalPayload);
    Ipv4Header.setFragment(whole, EthernetHeader.LENGTH, false, 0);
    Ipv4Header.rewriteChecksum(whole, EthernetHeader.LENGTH);
    Frame datagram = Frame.of(fragment.id(), whole, fragment.walk());
    datagram.holdUntil(p.notBefore);
    return datagram;
  }

  private void expire(Device dev, Key key) {
    Pending p = pending.remove(key);
    if (p == null || p.firstFrame == null) {
      return;
    }
    Frame first = Frame.of(ns.host().network().nextPacketId(), p.firstFrame, null);
    stack.drop(dev, first, Drop.of(DropReason.REASSEMBLY_TIMEOUT));
  }
}
