package io.podnet.cni.contract;

import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.net.Bridge;
import io.podnet.core.net.Device;
import io.podnet.core.net.Link;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Nic;
import io.podnet.core.net.Veth;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The L2 segment of one bridge, as the class check reads it: each port with the device at its far
 * end (the NIC a port's link leads to, or a veth port's peer), which port leads to each MAC, and
 * which port leads to the owner of each address (the port whose far end's namespace holds it, which
 * is who answers an ARP request the bridge floods). A segment is plain when every far end takes
 * frames straight to its namespace's stack (no bridge, no tc program, no proxy ARP): a flooded
 * frame then reaches only the far end that owns its MAC, and a flooded ARP request only the owner
 * of its address. Built once per check, from devices and addresses that the check assumes stay put.
 */
final class Segment {

  private final Bridge bridge;

  /** The port to each MAC; null for one that two ports lead to. */
  private final Long2ObjectOpenHashMap<@Nullable Device> portByMac = new Long2ObjectOpenHashMap<>();

  /** The port to each address's owner; null for one two ports lead to or the bridge's own. */
  private final Int2ObjectOpenHashMap<@Nullable Device> portByAddress =
      new Int2ObjectOpenHashMap<>();

  private final Map<Device, Device> farEnds = new HashMap<>();
  private boolean plain = true;

  Segment(Bridge bridge) {
    this.bridge = bridge;
    plain = !bridge.proxyArp();
    for (Device port : bridge.ports()) {
      Device far = farEnd(port);
      if (far == null) {
        plain = false;
        continue;
      }
      farEnds.put(port, far);
      if (far.master() != null || far.tcIngress() != null || far.proxyArp()) {
        plain = false;
      }
      putPort(far.mac().toLong(), port);
      NetNamespace ns = far.namespace();
      for (Device d : ns.devices()) {
        for (IfAddress a : d.addresses()) {
          putOwner(a.address().toInt(), port);
        }
      }
    }
    for (Device d : bridge.namespace().devices()) {
      for (IfAddress a : d.addresses()) {
        portByAddress.put(a.address().toInt(), null);
      }
    }
  }

  /** Notes that {@code port} leads to {@code mac}; null once two ports do. */
  private void putPort(long mac, Device port) {
    boolean other = portByMac.containsKey(mac) && portByMac.get(mac) != port;
    portByMac.put(mac, other ? null : port);
  }

  /** Notes that {@code port} leads to {@code address}'s owner; null once two ports do. */
  private void putOwner(int address, Device port) {
    boolean other = portByAddress.containsKey(address) && portByAddress.get(address) != port;
    portByAddress.put(address, other ? null : port);
  }

  /** The device at the far end of a port: its link's other NIC, or its veth peer; else null. */
  static @Nullable Device farEnd(Device port) {
    if (port instanceof Nic nic) {
      Link link = nic.link();
      return link == null ? null : (link.a() == nic ? link.b() : link.a());
    }
    if (port instanceof Veth veth) {
      return veth.peer();
    }
    return null;
  }

  /** The bridge. */
  Bridge bridge() {
    return bridge;
  }

  /** Whether flooded frames reach nothing but far ends that take them to their own stack. */
  boolean plain() {
    return plain;
  }

  /** The one port whose far end has {@code mac}, or null. */
  @Nullable Device portTo(MacAddress mac) {
    return portByMac.get(mac.toLong());
  }

  /** The one port leading to the namespace that holds {@code address}, or null. */
  @Nullable Device portToOwner(int address) {
    return portByAddress.get(address);
  }

  /** The far end of one of the bridge's ports. */
  Device farEndOf(Device port) {
    Device far = farEnds.get(port);
    if (far == null) {
      throw new IllegalArgumentException(port + " is not a port of " + bridge);
    }
    return far;
  }
}
