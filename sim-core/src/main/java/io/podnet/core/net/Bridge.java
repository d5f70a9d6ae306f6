package io.podnet.core.net;

import io.podnet.core.addr.MacAddress;
import io.podnet.core.engine.SimTime;
import io.podnet.core.packet.EthernetHeader;
import it.unimi.dsi.fastutil.longs.Long2ObjectLinkedOpenHashMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A Linux bridge: a virtual switch with ports, a learning forwarding database with ageing, and an
 * address of its own (so it can be a gateway). Frames for the bridge's own MAC, or a port's, go up
 * its namespace's stack as if received on the bridge device; broadcasts are flooded and also go up;
 * known unicast goes to the learned port; unknown unicast is flooded. A frame leaves by the port it
 * came in on only when that port has hairpin mode on ({@code bridge link set dev X hairpin on}), as
 * Kubernetes needs for a pod that reaches itself through a Service. The MTU follows the smallest
 * port MTU until set explicitly, as the kernel does.
 */
public final class Bridge extends Device {

  /** The kernel's default FDB ageing time, 300 s. */
  public static final long DEFAULT_AGEING_NANOS = 300 * SimTime.SECOND;

  /**
   * One forwarding-database entry as {@code bridge fdb show} lists it.
   *
   * @param mac the station's MAC
   * @param port the port it was learned on, or the port (or bridge) it belongs to when local
   * @param local whether the MAC belongs to this host (a permanent entry)
   * @param updatedNanos when the entry was last refreshed
   */
  public record FdbEntry(MacAddress mac, Device port, boolean local, long updatedNanos) {}

  private static final class Entry {
    final Device port;
    final boolean local;
    long updated;

    Entry(Device port, boolean local, long updated) {
      this.port = port;
      this.local = local;
      this.updated = updated;
    }
  }

  private final List<Device> ports = new ArrayList<>();
  private final List<Device> hairpinPorts = new ArrayList<>();
  private final Long2ObjectLinkedOpenHashMap<Entry> fdb = new Long2ObjectLinkedOpenHashMap<>();
  private boolean mtuSetByUser;
  private long ageingNanos = DEFAULT_AGEING_NANOS;

  Bridge(String name, MacAddress mac) {
    super(name, mac, 1500);
  }

  /** Enslaves a device of the same namespace ({@code ip link set dev X master br}). */
  public void addPort(Device port) {
    if (port == this || port instanceof Bridge) {
      throw new IllegalArgumentException(
          "cannot make bridge " + port.name() + " a port of " + name());
    }
    if (port.namespace() != namespace()) {
      throw new IllegalArgumentException(
          "port " + port + " is not in the namespace of bridge " + this);
    }
    if (port.master() != null) {
      throw new IllegalStateException(
          "device " + port + " is already a port of bridge " + port.master().name());
    }
    ports.add(port);
    port.setMaster(this);
    fdb.putIfAbsent(port.mac().toLong(), new Entry(port, true, now()));
    adjustMtu();
  }

  /**
   * The kernel's {@code br_mtu_auto_adjust}: unless the user set the MTU, the bridge takes the
   * smallest port MTU (1500 without ports) whenever a port joins, leaves or changes its MTU.
   */
  void adjustMtu() {
    if (!mtuSetByUser) {
      super.setMtu(ports.stream().mapToInt(Device::mtu).min().orElse(1500));
    }
  }

  /** Releases a port ({@code ip link set dev X nomaster}); its FDB entries go with it. */
  public void removePort(Device port) {
    if (!ports.remove(port)) {
      throw new IllegalArgumentException("device " + port + " is not a port of bridge " + name());
    }
    port.setMaster(null);
    hairpinPorts.remove(port);
    fdb.values().removeIf(e -> e.port == port);
    adjustMtu();
  }

  /** Turns hairpin mode on or off for a port. */
  public void setHairpin(Device port, boolean on) {
    if (!ports.contains(port)) {
      throw new IllegalArgumentException("device " + port + " is not a port of bridge " + name());
    }
    hairpinPorts.remove(port);
    if (on) {
      hairpinPorts.add(port);
    }
  }

  /** Whether a port has hairpin mode on. */
  public boolean hairpin(Device port) {
    return hairpinPorts.contains(port);
  }

  /** The ports, in the order they were added. */
  public List<Device> ports() {
    return Collections.unmodifiableList(ports);
  }

  /** Sets the FDB ageing time ({@code ip link set br ageing_time}). */
  public void setAgeingNanos(long nanos) {
    if (nanos <= 0) {
      throw new IllegalArgumentException("ageing time must be > 0 ns: " + nanos);
    }
    this.ageingNanos = nanos;
  }

  /** The live FDB entries: local ones first as added, then learned ones as learned. */
  public List<FdbEntry> fdb() {
    expire();
    List<FdbEntry> out = new ArrayList<>(fdb.size());
    fdb.forEach((mac, e) -> out.add(new FdbEntry(MacAddress.of(mac), e.port, e.local, e.updated)));
    return out;
  }

  /**
   * The live FDB entry for {@code mac} (a local one, or a learned one not yet aged out), or null;
   * where the bridge would forward a frame for it, without expiring anything.
   */
  public @Nullable FdbEntry fdbEntry(MacAddress mac) {
    Entry e = fdb.get(mac.toLong());
    if (e == null || (!e.local && now() - e.updated >= ageingNanos)) {
      return null;
    }
    return new FdbEntry(mac, e.port, e.local, e.updated);
  }

  @Override
  public void setMtu(int newMtu) {
    super.setMtu(newMtu);
    mtuSetByUser = true;
  }

  /** A bridge also joins the multicast-router groups, and lists them even without carrier. */
  @Override
  protected List<String> fdbLines() {
    String solicited = "33:33:ff:" + mac().toString().substring(9);
    return List.of(
            "33:33:00:00:00:01",
            "01:00:5e:00:00:6a",
            "33:33:00:00:00:6a",
            "01:00:5e:00:00:01",
            solicited)
        .stream()
        .map(group -> group + " dev " + name() + " self permanent")
        .toList();
  }

  @Override
  public boolean hasCarrier() {
    for (Device port : ports) {
      if (port.isOperational()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String kind() {
    return "bridge";
  }

  @Override
  protected boolean takesLargeSegments() {
    return true;
  }

  @Override
  protected void transmit(Frame frame) {
    forwardOrFlood(null, frame);
  }

  void portMacChanged(Device port, MacAddress old) {
    Entry e = fdb.get(old.toLong());
    if (e != null && e.local && e.port == port) {
      fdb.remove(old.toLong());
    }
    fdb.putIfAbsent(port.mac().toLong(), new Entry(port, true, now()));
  }

  /** Whether {@code mac} is the bridge's own or one of its ports' (a local FDB entry). */
  boolean isLocalMac(long mac) {
    if (mac == mac().toLong()) {
      return true;
    }
    Entry e = fdb.get(mac);
    return e != null && e.local;
  }

  /** A frame received on one of the ports. */
  void input(Device port, Frame frame) {
    byte[] b = frame.buffer();
    int off = frame.offset();
    long src = EthernetHeader.src(b, off);
    long dst = EthernetHeader.dst(b, off);
    if (!isGroup(src)) {
      learn(src, port);
    }
    IpStack stack = namespace().stack();
    if (isGroup(dst)) {
      stack.hop(this, HopAction.BRIDGE, frame, "flood");
      flood(port, frame.copy());
      stack.bridgeLocalInput(this, frame);
      return;
    }
    Entry e = dst == mac().toLong() ? null : lookup(dst);
    if (dst == mac().toLong() || (e != null && e.local)) {
      stack.hop(this, HopAction.BRIDGE, frame, "local " + MacAddress.of(dst));
      stack.bridgeLocalInput(this, frame);
      return;
    }
    forwardOrFlood(port, frame);
  }

  private void forwardOrFlood(@Nullable Device ingress, Frame frame) {
    IpStack stack = namespace().stack();
    long dst = EthernetHeader.dst(frame.buffer(), frame.offset());
    Entry e = isGroup(dst) ? null : lookup(dst);
    if (e == null || e.local || dst == mac().toLong()) {
      stack.hop(this, HopAction.BRIDGE, frame, "flood");
      flood(ingress, frame);
      return;
    }
    if (e.port == ingress && !hairpinPorts.contains(ingress)) {
      stack.drop(this, frame, Drop.of(DropReason.BRIDGE_INGRESS_PORT, e.port.name()));
      return;
    }
    stack.hop(this, HopAction.BRIDGE, frame, "fdb " + MacAddress.of(dst) + " dev " + e.port.name());
    if (ingress != null && !stack.bridgedHooks(frame, ingress, e.port)) {
      return;
    }
    stack.transmit(e.port, frame);
  }

  /**
   * Sends {@code frame} (which the caller gives up) out of every operational port but the ingress.
   * NIC ports share the frame itself, since their links copy it for each receiver on arrival (a
   * switch floods thousands of ports); any other port gets a copy of its own at once.
   */
  private void flood(@Nullable Device ingress, Frame frame) {
    IpStack stack = namespace().stack();
    for (Device port : ports) {
      if ((port == ingress && !hairpinPorts.contains(port)) || !port.isOperational()) {
        continue;
      }
      if (port instanceof Nic) {
        frame.share();
        stack.transmit(port, frame);
      } else {
        stack.transmit(port, frame.copy());
      }
    }
  }

  private void learn(long mac, Device port) {
    Entry e = fdb.get(mac);
    long now = now();
    if (e == null) {
      fdb.put(mac, new Entry(port, false, now));
    } else if (!e.local) {
      if (e.port != port) {
        fdb.remove(mac);
        fdb.put(mac, new Entry(port, false, now));
      } else {
        e.updated = now;
      }
    }
  }

  private @Nullable Entry lookup(long mac) {
    Entry e = fdb.get(mac);
    if (e != null && !e.local && now() - e.updated >= ageingNanos) {
      fdb.remove(mac);
      return null;
    }
    return e;
  }

  private void expire() {
    long now = now();
    fdb.values().removeIf(e -> !e.local && now - e.updated >= ageingNanos);
  }

  void forgetPort(Device port) {
    ports.remove(port);
    hairpinPorts.remove(port);
    fdb.values().removeIf(e -> e.port == port);
    adjustMtu();
  }

  private long now() {
    return namespace().host().network().simulation().now();
  }

  private static boolean isGroup(long mac) {
    return (mac & 0x0100_0000_0000L) != 0;
  }
}
