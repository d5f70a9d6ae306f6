package io.podnet.core.net;

import io.podnet.core.addr.MacAddress;
import io.podnet.core.engine.SimTime;
import io.podnet.core.packet.EthernetHeader;
import it.unimi.dsi.fastutil.longs.Long2ObjectLinkedOpenHashMap;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

  /** A Debian kernel's timer frequency ({@code CONFIG_HZ=250}): the bridge's timers tick in it. */
  private static final int HZ = 250;

  /** One jiffy. */
  private static final long JIFFY = SimTime.SECOND / HZ;

  /** STP's default forward delay, 15 s, in jiffies: a port's timer even with STP off. */
  private static final long FORWARD_DELAY_JIFFIES = 15L * HZ;

  /**
   * {@code msecs_to_jiffies(10)}, rounded up: the garbage collector's passes are that far apart.
   */
  private static final long MIN_GC_JIFFIES = (10L * HZ + 999) / 1000;

  /** What the bridge keeps for one port. */
  private static final class Port {
    /** Its {@code port_no}: the lowest free from 1 when it joined ({@code find_portno}). */
    final int number;

    /** The jiffy it last became able to forward (bridge up, port operational), -1 while not. */
    long enabledJiffy = -1;

    boolean hairpin;

    Port(int number) {
      this.number = number;
    }
  }

  /** The ports in the order they joined. */
  private final Map<Device, Port> ports = new LinkedHashMap<>();

  /** The port numbers in use. */
  private final BitSet portNumbers = new BitSet();

  /**
   * The jiffy the FDB garbage collector runs next ({@code br_fdb_cleanup}), -1 while none is
   * scheduled (before the bridge first comes up, and after it goes down).
   */
  private long gcJiffy = -1;

  /** {@link #gcJiffy} in nanoseconds ({@code Long.MAX_VALUE} for none): the per-frame check. */
  private long gcDueNanos = Long.MAX_VALUE;

  /**
   * Its TSO limit: the kernel's default until a port joins or leaves, then the smallest of its
   * ports' ({@code br_set_gso_limits}), at most {@code GSO_MAX_SIZE}.
   */
  private int tsoMax = TSO_LEGACY_MAX_SIZE;

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
    int number = portNumbers.nextClearBit(1);
    portNumbers.set(number);
    ports.put(port, new Port(number));
    port.setMaster(this);
    portCheck(port);
    // br_set_gso_limits on a join: the smallest of the ports', which the joining one may lower
    tsoMax = Math.min(ports.size() == 1 ? GSO_MAX_SIZE : tsoMax, port.tsoMaxSize());
    fdb.putIfAbsent(port.mac().toLong(), new Entry(port, true, now()));
    adjustMtu();
  }

  /**
   * Up: the kernel schedules the FDB garbage collector a tenth of a second on ({@code
   * br_stp_enable_bridge}) and enables the operational ports; down, it cancels the collector and
   * disables every port ({@code br_stp_disable_bridge}).
   */
  @Override
  protected void adminStateChanged() {
    scheduleGc(isUp() ? jiffies(now()) + HZ / 10 : -1);
    ports.keySet().forEach(this::portCheck);
  }

  /**
   * Notes whether {@code port} can forward now: when it becomes able (the bridge up, the port
   * operational) its forward-delay timer starts, as {@code br_make_forwarding} arms it even with
   * STP off; when it cannot, the timer stops ({@code br_port_carrier_check}).
   */
  void portCheck(Device device) {
    Port port = ports.get(device);
    if (port == null) {
      return;
    }
    if (!isUp() || !device.isOperational()) {
      port.enabledJiffy = -1;
    } else if (port.enabledJiffy < 0) {
      port.enabledJiffy = jiffies(now());
    }
  }

  /**
   * The kernel's {@code br_mtu_auto_adjust}: unless the user set the MTU, the bridge takes the
   * smallest port MTU (1500 without ports) whenever a port joins, leaves or changes its MTU.
   */
  void adjustMtu() {
    if (!mtuSetByUser) {
      super.setMtu(ports.keySet().stream().mapToInt(Device::mtu).min().orElse(1500));
    }
  }

  /** Releases a port ({@code ip link set dev X nomaster}); its FDB entries go with it. */
  public void removePort(Device port) {
    if (!ports.containsKey(port)) {
      throw new IllegalArgumentException("device " + port + " is not a port of bridge " + name());
    }
    port.setMaster(null);
    forgetPort(port);
  }

  /** Turns hairpin mode on or off for a port. */
  public void setHairpin(Device port, boolean on) {
    Port p = ports.get(port);
    if (p == null) {
      throw new IllegalArgumentException("device " + port + " is not a port of bridge " + name());
    }
    p.hairpin = on;
  }

  /** Whether a port has hairpin mode on. */
  public boolean hairpin(Device port) {
    Port p = ports.get(port);
    return p != null && p.hairpin;
  }

  /** The ports, in the order they were added (a copy). */
  public List<Device> ports() {
    return List.copyOf(ports.keySet());
  }

  /** How many ports it has. */
  public int portCount() {
    return ports.size();
  }

  /** Sets the FDB ageing time ({@code ip link set br ageing_time}). */
  public void setAgeingNanos(long nanos) {
    if (nanos <= 0) {
      throw new IllegalArgumentException("ageing time must be > 0 ns: " + nanos);
    }
    runGc();
    this.ageingNanos = nanos;
    scheduleGc(jiffies(now())); // br_set_ageing_time runs a pass at once, even on a bridge down
    runGc();
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
    for (Device port : ports.keySet()) {
      if (port.isOperational()) {
        return true;
      }
    }
    return false;
  }

  @Override
  protected int tsoMaxSize() {
    return tsoMax;
  }

  /** {@code br_set_gso_limits} over every port, on a port leaving. */
  private void setGsoLimits() {
    int max = GSO_MAX_SIZE;
    for (Device port : ports.keySet()) {
      max = Math.min(max, port.tsoMaxSize());
    }
    tsoMax = max;
  }

  @Override
  public String kind() {
    return "bridge";
  }

  /**
   * The bridge's attributes as iproute2 6.1 prints them for a Debian 12 kernel (VLAN filtering
   * built in, {@code HZ=250}), STP off and the kernel's defaults, with its two live timers: {@code
   * gc_timer} (when the FDB garbage collector runs next) and the stopped STP timers.
   */
  @Override
  protected String details() {
    runGc();
    String id = bridgeId();
    return "bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time "
        + ageingNanos / (10 * SimTime.MILLISECOND)
        + " stp_state 0 priority 32768 vlan_filtering 0 vlan_protocol 802.1Q bridge_id "
        + id
        + " designated_root "
        + id
        + " root_port 0 root_path_cost 0 topology_change 0 topology_change_detected 0 hello_timer "
        + timer(0)
        + " tcn_timer "
        + timer(0)
        + " topology_change_timer "
        + timer(0)
        + " gc_timer "
        + timer(gcJiffy < 0 ? 0 : gcJiffy - jiffies(now()))
        + " vlan_default_pvid 1 vlan_stats_enabled 0 vlan_stats_per_port 0 group_fwd_mask 0"
        + " group_address 01:80:c2:00:00:00 mcast_snooping 1 no_linklocal_learn 0"
        + " mcast_vlan_snooping 0 mcast_router 1 mcast_query_use_ifaddr 0 mcast_querier 0"
        + " mcast_hash_elasticity 16 mcast_hash_max 4096 mcast_last_member_count 2"
        + " mcast_startup_query_count 2 mcast_last_member_interval 100 mcast_membership_interval"
        + " 26000 mcast_querier_interval 25500 mcast_query_interval 12500"
        + " mcast_query_response_interval 1000 mcast_startup_query_interval 3124"
        + " mcast_stats_enabled 0 mcast_igmp_version 2 mcast_mld_version 1 nf_call_iptables 0"
        + " nf_call_ip6tables 0 nf_call_arptables 0";
  }

  /**
   * What iproute2 6.1 prints after {@code bridge_slave} for {@code port}: its state, STP's default
   * priority, the path cost of its speed (2 for a 10 Gb/s veth, 100 for an unknown speed), hairpin
   * mode, its port number and id, the bridge as designated bridge and root, and the forward-delay
   * timer started when the port was enabled.
   */
  String portDetails(Device port) {
    Port p = ports.get(port);
    long enabled = p.enabledJiffy;
    long forwardDelay =
        enabled < 0 ? 0 : Math.max(0, enabled + FORWARD_DELAY_JIFFIES - jiffies(now()));
    String id = bridgeId();
    long portId = 0x8000 | p.number;
    return "state "
        + (enabled >= 0 ? "forwarding" : "disabled")
        + " priority 32 cost "
        + (port instanceof Veth ? 2 : 100)
        + " hairpin "
        + (p.hairpin ? "on" : "off")
        + " guard off root_block off fastleave off learning on flood on port_id 0x"
        + Long.toHexString(portId)
        + " port_no 0x"
        + Integer.toHexString(p.number)
        + " designated_port "
        + portId
        + " designated_cost 0 designated_bridge "
        + id
        + " designated_root "
        + id
        + " hold_timer "
        + timer(0)
        + " message_age_timer "
        + timer(0)
        + " forward_delay_timer "
        + timer(forwardDelay)
        + " topology_change_ack 0 config_pending 0 proxy_arp off proxy_arp_wifi off mcast_router 1"
        + " mcast_fast_leave off mcast_flood on bcast_flood on mcast_to_unicast off neigh_suppress"
        + " off group_fwd_mask 0 group_fwd_mask_str 0x0 vlan_tunnel off isolated off locked off";
  }

  /** STP's bridge id as iproute2 prints it: priority 8000, then the MAC's octets in bare hex. */
  private String bridgeId() {
    byte[] m = new byte[6];
    mac().writeTo(m, 0);
    StringBuilder sb = new StringBuilder("8000.");
    for (int i = 0; i < 6; i++) {
      sb.append(i == 0 ? "" : ":").append(Integer.toHexString(m[i] & 0xFF));
    }
    return sb.toString();
  }

  /**
   * A timer's remaining {@code jiffies} as iproute2 prints it: truncated to the kernel's clock
   * ticks, 100 a second ({@code jiffies_to_clock_t}), as {@code %4i.%.2i}.
   */
  private static String timer(long jiffies) {
    long centis = jiffies * JIFFY / (10 * SimTime.MILLISECOND);
    return String.format(Locale.ROOT, "%4d.%02d", centis / 100, centis % 100);
  }

  private static long jiffies(long nanos) {
    return Math.floorDiv(nanos, JIFFY);
  }

  /**
   * Runs the FDB garbage collector's passes due by now, as {@code br_fdb_cleanup} would have run
   * them: each pass drops the learned entries aged out by then (which lookups already ignore) and
   * schedules the next for when the first of the others would age out, at most the ageing time and
   * at least 10 ms away. Called before anything changes the entries, so each pass sees them as they
   * were at its time.
   */
  private void runGc() {
    runGc(now());
  }

  /** {@link #runGc()} at {@code nowNanos}: a comparison when no pass is due. */
  private void runGc(long nowNanos) {
    if (nowNanos < gcDueNanos) {
      return;
    }
    long now = jiffies(nowNanos);
    long hold = jiffies(ageingNanos);
    while (gcJiffy <= now) {
      long pass = gcJiffy * JIFFY;
      long work = hold;
      for (Iterator<Entry> it = fdb.values().iterator(); it.hasNext(); ) {
        Entry e = it.next();
        if (e.local) {
          continue;
        }
        long expires = jiffies(e.updated) + hold;
        if (pass - e.updated >= ageingNanos) {
          it.remove();
        } else if (expires > gcJiffy) {
          work = Math.min(work, expires - gcJiffy);
        }
      }
      gcJiffy += Math.max(work, MIN_GC_JIFFIES);
    }
    scheduleGc(gcJiffy);
  }

  /** Schedules the collector's next pass for jiffy {@code jiffy}, or none for -1. */
  private void scheduleGc(long jiffy) {
    gcJiffy = jiffy;
    gcDueNanos = jiffy < 0 ? Long.MAX_VALUE : jiffy * JIFFY;
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
    if (e.port == ingress && !hairpin(ingress)) {
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
    for (Map.Entry<Device, Port> p : ports.entrySet()) {
      Device port = p.getKey();
      if ((port == ingress && !p.getValue().hairpin) || !port.isOperational()) {
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
    long now = now();
    runGc(now);
    Entry e = fdb.get(mac);
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
    if (e == null || e.local) {
      return e;
    }
    long now = now();
    if (now - e.updated >= ageingNanos) {
      runGc(now);
      fdb.remove(mac);
      return null;
    }
    return e;
  }

  private void expire() {
    long now = now();
    runGc(now);
    fdb.values().removeIf(e -> !e.local && now - e.updated >= ageingNanos);
  }

  /** Drops everything the bridge holds for {@code port}: its FDB entries, number and limits. */
  void forgetPort(Device port) {
    runGc();
    Port p = ports.remove(port);
    if (p != null) {
      portNumbers.clear(p.number);
    }
    fdb.values().removeIf(e -> e.port == port);
    adjustMtu();
    setGsoLimits();
  }

  private long now() {
    return namespace().host().network().simulation().now();
  }

  private static boolean isGroup(long mac) {
    return (mac & 0x0100_0000_0000L) != 0;
  }
}
