package io.podnet.core.net;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Routes that many nodes hold alike, kept once: {@code <prefix> via <gateway> dev <device> [onlink]
 * proto <protocol>}, one per prefix, each table binding it to its own device. A set is used in one
 * of two ways.
 *
 * <p>Put by its owner: a routing table that {@linkplain NetNamespace#attachRoutes attaches} the
 * set, naming its own output device, shows and uses each route as if it held a copy, except the
 * prefixes it excludes; a route put in or removed from the set appears in or leaves every such
 * table at once. An overlay agent's route to every other node's pod subnet is one of these: a
 * cluster of n nodes would otherwise hold n(n-1) route objects.
 *
 * <pre>{@code
 * SharedRoutes peers = new SharedRoutes();
 * peers.put(Cidr.parse("10.244.2.0/24"), Ipv4Address.parse("10.244.2.0"));
 * root.attachRoutes(peers, flannel1, Cidr.parse("10.244.1.0/24")); // all but its own subnet
 * }</pre>
 *
 * <p>Filled by the tables: a table that {@linkplain NetNamespace#poolRoutes pools} its routes
 * through a device here keeps a route of that shape added to it through that device once in the
 * set, for every table holding the same route, and a bit that it holds it; each table holds exactly
 * the routes added to it and not removed, at its own time. A prefix may have several routes in the
 * set (through different gateways, as nodes of different racks reach it), a table holding one. A
 * route every node learns alike over BGP ({@code <block> via <owner IP> dev eth0 proto bird}) is
 * one of these. A route leaves the set when the last table holding it removes it.
 */
public final class SharedRoutes {

  /** One route of the set, without its device. */
  static final class Entry {
    final Cidr destination;
    final Ipv4Address gateway;

    /** The gateway's address bits, compared without reading {@link #gateway}. */
    final int gatewayBits;

    final boolean onlink;
    final String protocol;

    /** The entry's index among the live entries of a pooled set (its bit in a table). */
    final int slot;

    /**
     * In a pooled set, the index of the entry's prefix among the prefixes of the live entries, the
     * same for every entry to the prefix (a table's bit that it holds one of them).
     */
    final int prefixSlot;

    /** How many pooling tables hold it. */
    int holders;

    /** In a pooled set, the next route to the same prefix, or null. */
    @Nullable Entry next;

    /** {@link #text}, once made, and the device name it was made with. */
    private @Nullable String text;

    private @Nullable String textDevice;

    private byte @Nullable [] textBytes;

    /** An entry; {@code protocol} is one {@link Route#checkProtocol} accepted, as callers check. */
    Entry(
        Cidr destination,
        Ipv4Address gateway,
        boolean onlink,
        String protocol,
        int slot,
        int prefixSlot) {
      this.destination = destination;
      this.gateway = gateway;
      this.gatewayBits = gateway.toInt();
      this.onlink = onlink;
      this.protocol = protocol;
      this.slot = slot;
      this.prefixSlot = prefixSlot;
    }

    Cidr destination() {
      return destination;
    }

    /**
     * Whether the entry is {@code via <gw> [onlink] proto <protocol>}, reading no other object (the
     * chains of a set with many gateways per prefix are walked on every install).
     */
    boolean isVia(int gw, boolean onlink, String protocol) {
      return gatewayBits == gw && this.onlink == onlink && this.protocol.equals(protocol);
    }

    /** The route as a table bound to {@code dev} holds it. */
    Route on(Device dev) {
      return Route.viaCheckedGateway(destination, gateway, dev, onlink, protocol);
    }

    /**
     * {@link #on}'s text through {@code dev}, made once for every table that holds the entry
     * through a device of the same name (each of thousands of nodes records it as it adds it).
     */
    String text(Device dev) {
      String name = dev.name();
      String t = text;
      if (t == null || !name.equals(textDevice)) {
        StringBuilder sb = new StringBuilder(64);
        Route.appendGatewayRoute(sb, destination, gateway, dev, onlink, protocol);
        t = sb.toString();
        text = t;
        textDevice = name;
        textBytes = null;
      }
      return t;
    }

    /** {@link #text} in UTF-8, made once as the text is. */
    byte[] textBytes(Device dev) {
      String t = text(dev);
      byte[] b = textBytes;
      if (b == null) {
        b = t.getBytes(StandardCharsets.UTF_8);
        textBytes = b;
      }
      return b;
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private final Int2ObjectOpenHashMap<Entry>[] byLength = new Int2ObjectOpenHashMap[33];

  private long presentLengths;

  /**
   * Per prefix length, the lowest and highest network (unsigned) put since the length was last
   * empty: a look-up outside the range (a node address against a set of pod blocks) is answered
   * without probing the map, which may be large and cold.
   */
  private final int[] lowest = new int[33];

  private final int[] highest = new int[33];

  private int size;

  /** Whether tables fill the set ({@link #hold}); else its owner does ({@link #put}). */
  private boolean pooled;

  /** Whether a table attached the set (so its owner fills it). */
  private boolean attached;

  /** Slots of removed entries, reused last freed first; then {@link #nextSlot}. */
  private final IntArrayList freeSlots = new IntArrayList();

  private int nextSlot;

  /** The same for prefix slots: of prefixes whose last entry left, then {@link #nextPrefixSlot}. */
  private final IntArrayList freePrefixSlots = new IntArrayList();

  private int nextPrefixSlot;

  /** An empty set. */
  public SharedRoutes() {}

  /** Puts the route to {@code destination} through {@code gateway}, replacing any to it. */
  public void put(Cidr destination, Ipv4Address gateway) {
    checkOwned();
    int length = destination.prefixLength();
    if (byLength[length] == null) {
      byLength[length] = new Int2ObjectOpenHashMap<>();
    }
    Entry e = new Entry(destination, gateway, true, "boot", 0, 0);
    if (byLength[length].put(destination.networkInt(), e) == null) {
      size++;
    }
    present(length, destination.networkInt());
  }

  /** Notes a route to {@code network/length}: the length is present and its range holds it. */
  private void present(int length, int network) {
    long bit = 1L << length;
    if ((presentLengths & bit) == 0) {
      presentLengths |= bit;
      lowest[length] = network;
      highest[length] = network;
    } else if (Integer.compareUnsigned(network, lowest[length]) < 0) {
      lowest[length] = network;
    } else if (Integer.compareUnsigned(network, highest[length]) > 0) {
      highest[length] = network;
    }
  }

  /** Removes the route to {@code destination}; false if there is none. */
  public boolean remove(Cidr destination) {
    checkOwned();
    return unlink(destination);
  }

  private void checkOwned() {
    if (pooled) {
      throw new IllegalStateException("the set is filled by the tables that pool routes in it");
    }
  }

  /** Whether tables fill the set. */
  boolean pooled() {
    return pooled;
  }

  /**
   * Marks the set as filled by tables; {@link IllegalStateException} if its owner put routes in it
   * or a table attached it.
   */
  void startPooling() {
    if (!pooled && (size > 0 || attached)) {
      throw new IllegalStateException("the set holds routes put by its owner");
    }
    pooled = true;
  }

  /** Notes that a table attached the set, which it may then no longer be pooled in. */
  void attached() {
    attached = true;
  }

  /**
   * The entry that binds to {@code route} through {@code dev}, made if the set has none and the
   * route has a shared route's shape ({@link Route#viaGateway}, nothing else set), now held by one
   * more table; null when the route's shape is not one.
   */
  @Nullable Entry hold(Route route, Device dev) {
    Ipv4Address gw = route.gateway();
    if (gw == null || !route.isViaGateway(gw, dev, route.onlink(), route.protocol())) {
      return null;
    }
    Cidr dst = route.destination();
    return hold(
        get(dst.prefixLength(), dst.networkInt()), dst, gw, route.onlink(), route.protocol());
  }

  /**
   * The entry for {@code <dst> via <gw> [onlink] proto <protocol>}, made if the set has none, now
   * held by one more table; {@code head} is {@link #get get(dst)}, which the caller looked up.
   */
  Entry hold(@Nullable Entry head, Cidr dst, Ipv4Address gw, boolean onlink, String protocol) {
    return hold(head, find(head, gw.toInt(), onlink, protocol), dst, gw, onlink, protocol);
  }

  /**
   * The entry of the chain from {@code head} (the routes to one prefix) through {@code gateway}, or
   * null; the chain holds an entry for each way (gateway, onlink, protocol) a table reaches the
   * prefix.
   */
  static @Nullable Entry find(@Nullable Entry head, int gateway, boolean onlink, String protocol) {
    Entry e = head;
    while (e != null && !e.isVia(gateway, onlink, protocol)) {
      e = e.next;
    }
    return e;
  }

  /**
   * Like {@link #hold(Entry, Cidr, Ipv4Address, boolean, String)} when the caller has walked the
   * chain already: {@code found} is {@link #find}'s answer.
   */
  Entry hold(
      @Nullable Entry head,
      @Nullable Entry found,
      Cidr dst,
      Ipv4Address gw,
      boolean onlink,
      String protocol) {
    Entry e = found;
    if (e == null) {
      int length = dst.prefixLength();
      int slot = freeSlots.isEmpty() ? nextSlot++ : freeSlots.popInt();
      int prefixSlot;
      if (head != null) {
        prefixSlot = head.prefixSlot;
      } else {
        prefixSlot = freePrefixSlots.isEmpty() ? nextPrefixSlot++ : freePrefixSlots.popInt();
      }
      e = new Entry(dst, gw, onlink, protocol, slot, prefixSlot);
      if (head == null) {
        if (byLength[length] == null) {
          byLength[length] = new Int2ObjectOpenHashMap<>();
        }
        byLength[length].put(dst.networkInt(), e);
        present(length, dst.networkInt());
      } else {
        e.next = head.next;
        head.next = e;
      }
      size++;
    }
    e.holders++;
    return e;
  }

  /** One table holding {@code e} less; the entry leaves the set with the last. */
  void release(Entry e) {
    if (--e.holders > 0) {
      return;
    }
    int length = e.destination.prefixLength();
    int network = e.destination.networkInt();
    Entry head = get(length, network);
    if (head == e) {
      if (e.next == null) {
        unlink(e.destination);
        freePrefixSlots.push(e.prefixSlot);
      } else {
        byLength[length].put(network, e.next);
        size--;
      }
    } else {
      Entry before = head;
      while (before != null && before.next != e) {
        before = before.next;
      }
      if (before == null) {
        throw new IllegalStateException("route " + e.destination + " is not in the set");
      }
      before.next = e.next;
      size--;
    }
    freeSlots.push(e.slot);
  }

  private boolean unlink(Cidr destination) {
    int length = destination.prefixLength();
    Int2ObjectOpenHashMap<Entry> map = byLength[length];
    if (map == null || map.remove(destination.networkInt()) == null) {
      return false;
    }
    if (map.isEmpty()) {
      presentLengths &= ~(1L << length);
    }
    size--;
    return true;
  }

  /** Number of routes. */
  public int size() {
    return size;
  }

  /** A bit per prefix length the set holds a route of. */
  long presentLengths() {
    return presentLengths;
  }

  /**
   * The route to exactly the prefix {@code network/length} (in a pooled set the first), or null.
   */
  @Nullable Entry get(int length, int network) {
    if ((presentLengths & 1L << length) == 0
        || Integer.compareUnsigned(network, lowest[length]) < 0
        || Integer.compareUnsigned(network, highest[length]) > 0) {
      return null;
    }
    return byLength[length].get(network);
  }

  /** Number of prefixes of one length the set has routes to. */
  int count(int length) {
    Int2ObjectOpenHashMap<Entry> map = byLength[length];
    return map == null ? 0 : map.size();
  }

  /** The networks of the routes of one prefix length (empty if none). */
  int[] networks(int length) {
    Int2ObjectOpenHashMap<Entry> map = byLength[length];
    return map == null ? new int[0] : map.keySet().toIntArray();
  }

  /**
   * Every route of the set, by prefix length, then network (unsigned), then as chained: an order
   * that does not depend on the hash maps' layout, so whatever a caller does route by route (a
   * table releasing slots it reuses later) comes out the same.
   */
  List<Entry> entries() {
    List<Entry> all = new ArrayList<>(size);
    for (Int2ObjectOpenHashMap<Entry> map : byLength) {
      if (map != null) {
        int[] networks = map.keySet().toIntArray();
        for (int i = 0; i < networks.length; i++) {
          networks[i] ^= Integer.MIN_VALUE;
        }
        Arrays.sort(networks);
        for (int network : networks) {
          for (Entry e = map.get(network ^ Integer.MIN_VALUE); e != null; e = e.next) {
            all.add(e);
          }
        }
      }
    }
    return all;
  }
}
