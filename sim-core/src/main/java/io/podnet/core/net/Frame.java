package io.podnet.core.net;

import io.podnet.core.packet.EthernetHeader;
import io.podnet.core.packet.Frames;
import io.podnet.core.packet.Ipv4Header;
import io.podnet.core.packet.TcpHeader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An Ethernet frame in flight: real wire bytes in a buffer, from which decapsulation trims the
 * outer headers in place (an overlay builds its outer packet as a new frame). Frames are mutable
 * and owned by one device at a time; a bridge that floods copies them. The id identifies the packet
 * in traces and survives copies and rewrites; a walk, when present, collects the hops of a probe.
 */
public final class Frame {

  private final byte[] buf;
  private int start;
  private int length;
  private final long id;
  private final @Nullable Walk walk;
  private int l2Hops;
  private int mark;

  /**
   * The stream whose data segment this is, told when the frame leaves its first NIC and then
   * forgotten ({@code skb->sk} until the transmit completion); null for every other frame and for
   * copies.
   */
  @Nullable TcpStream sender;

  /** Whether several links carry this very frame (a flood), each to hand its receiver a copy. */
  private boolean shared;

  /**
   * For a TCP segment larger than its stream's MSS, the MSS: the wire carries it cut into segments
   * of that payload ({@code gso_size}, as Linux's GSO/TSO does); 0 for every other frame.
   */
  private int gsoSize;

  /**
   * Whether the frame is a TCP segment a simulated stack built, with its checksum computed, which
   * its receiver need not verify again ({@code CHECKSUM_UNNECESSARY}, as after a NIC's receive
   * checksum offload or across a veth); false for every frame from elsewhere. Whatever rewrites
   * such a segment's bytes keeps its checksum right, as netfilter's NAT does.
   */
  private boolean checksumUnnecessary;

  /**
   * The simulated time before which the packet is still being processed (netfilter's rule walks),
   * so that no device sends it and no socket gets it sooner; it goes with copies, segments,
   * fragments and the packets the frame causes, and is in the past once the frame has left.
   */
  private long notBefore;

  private Frame(byte[] buf, int start, int length, long id, @Nullable Walk walk) {
    this.buf = buf;
    this.start = start;
    this.length = length;
    this.id = id;
    this.walk = walk;
  }

  /** A frame holding a copy of {@code bytes}. */
  public static Frame of(long id, byte[] bytes, @Nullable Walk walk) {
    return new Frame(bytes.clone(), 0, bytes.length, id, walk);
  }

  /**
   * A frame of {@code bytes} itself, without a copy: for a packet the stack has just built and
   * hands over.
   */
  static Frame adopt(long id, byte[] bytes, @Nullable Walk walk) {
    return new Frame(bytes, 0, bytes.length, id, walk);
  }

  /** The packet id, stable across copies and rewrites. */
  public long id() {
    return id;
  }

  /** The walk collecting this packet's hops, if it belongs to a probe. */
  public @Nullable Walk walk() {
    return walk;
  }

  /** The backing buffer; valid bytes are {@code [offset(), offset() + length())}. */
  public byte[] buffer() {
    return buf;
  }

  /** Offset of the Ethernet header in {@link #buffer()}. */
  public int offset() {
    return start;
  }

  /** Length of the frame in bytes. */
  public int length() {
    return length;
  }

  /** Offset of the network-layer header, just after the Ethernet header. */
  public int l3Offset() {
    return start + EthernetHeader.LENGTH;
  }

  /** Length of the network-layer packet (the frame less its Ethernet header). */
  public int l3Length() {
    return length - EthernetHeader.LENGTH;
  }

  /** Removes {@code n} bytes from the front (for decapsulation). */
  public void trimFront(int n) {
    if (n < 0 || n > length) {
      throw new IllegalArgumentException("trim length must be in [0, " + length + "]: " + n);
    }
    start += n;
    length -= n;
  }

  /** Shortens the frame to {@code newLength} bytes. */
  public void truncate(int newLength) {
    if (newLength < 0 || newLength > length) {
      throw new IllegalArgumentException("new length must be in [0, " + length + "]: " + newLength);
    }
    length = newLength;
  }

  /**
   * Marks the frame as carried by several links at once; it must not change from now on, and each
   * link gives its receiver a {@link #copy()}.
   */
  void share() {
    shared = true;
  }

  boolean isShared() {
    return shared;
  }

  /** A copy with the same id and walk, for flooding; never shared. */
  public Frame copy() {
    Frame copy = new Frame(buf.clone(), start, length, id, walk);
    copy.l2Hops = l2Hops;
    copy.mark = mark;
    copy.gsoSize = gsoSize;
    copy.checksumUnnecessary = checksumUnnecessary;
    copy.notBefore = notBefore;
    return copy;
  }

  /** The frame's bytes as a new array. */
  public byte[] toBytes() {
    return Arrays.copyOfRange(buf, start, start + length);
  }

  /**
   * The packet's firewall mark ({@code skb->mark}), set by netfilter's MARK target and matched by
   * {@code -m mark}; 0 when the packet enters a namespace from another one.
   */
  public int mark() {
    return mark;
  }

  /** Sets the firewall mark. */
  public void setMark(int mark) {
    this.mark = mark;
  }

  /**
   * Adds {@code nanos} of processing (a netfilter rule walk) that starts at {@code now} or when the
   * packet's earlier processing ends, whichever is later.
   */
  public void addProcessingNanos(long nanos, long now) {
    notBefore = Math.max(now, notBefore) + nanos;
  }

  /** The time before which the packet is still being processed (0 for none). */
  long notBefore() {
    return notBefore;
  }

  /**
   * Holds the packet at least until {@code time}: it goes on from a packet processed until then.
   */
  void holdUntil(long time) {
    notBefore = Math.max(notBefore, time);
  }

  /** Counts one more device crossed since the packet was last routed; returns the new count. */
  int countL2Hop() {
    return ++l2Hops;
  }

  /** Resets the layer-2 hop count when the packet is routed. */
  void resetL2Hops() {
    l2Hops = 0;
  }

  /**
   * The payload size of the segments the wire carries this TCP segment in (its stream's MSS) when
   * it is larger than one, else 0.
   */
  int gsoSize() {
    return gsoSize;
  }

  void setGsoSize(int mss) {
    gsoSize = mss;
  }

  boolean checksumUnnecessary() {
    return checksumUnnecessary;
  }

  void markChecksumUnnecessary() {
    checksumUnnecessary = true;
  }

  /** The number of packets the wire carries this frame in: its segments, or 1. */
  int wirePackets() {
    return gsoSize == 0 ? 1 : segmentCount(l3Length() - headersAfterEthernet(), gsoSize);
  }

  /** The number of segments of at most {@code mss} bytes that carry {@code payload}: at least 1. */
  static int segmentCount(int payload, int mss) {
    return payload <= mss ? 1 : (payload + mss - 1) / mss;
  }

  /**
   * The IP length of the largest packet the wire carries this frame in: the frame's, or a segment's
   * for a TCP segment larger than the MSS. Ethernet padding counts only below 46 bytes, under any
   * MTU, so it never decides a comparison with one.
   */
  int largestWirePacket() {
    return gsoSize == 0 ? l3Length() : Math.min(l3Length(), headersAfterEthernet() + gsoSize);
  }

  /**
   * The wire segments of a frame with a {@link #gsoSize}, with its id, walk, mark and processing
   * time.
   */
  List<Frame> wireFrames() {
    List<Frame> out = new ArrayList<>();
    for (byte[] b : Frames.tcpSegments(buf, start, length, gsoSize)) {
      Frame f = new Frame(b, 0, b.length, id, walk);
      f.mark = mark;
      f.l2Hops = l2Hops;
      f.checksumUnnecessary = checksumUnnecessary;
      f.notBefore = notBefore;
      out.add(f);
    }
    return out;
  }

  /** The IPv4 and TCP header lengths of a segment (for a frame with a {@link #gsoSize}). */
  private int headersAfterEthernet() {
    int ip = l3Offset();
    return Ipv4Header.headerLength(buf, ip)
        + TcpHeader.headerLength(buf, ip + Ipv4Header.headerLength(buf, ip));
  }
}
