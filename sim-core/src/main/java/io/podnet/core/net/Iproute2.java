package io.podnet.core.net;

import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a namespace's state exactly as iproute2 6.1 prints it ({@code ip link show}, {@code ip
 * addr show}, {@code ip route show}, {@code ip neigh show}, {@code bridge fdb show}), trailing
 * spaces included, so that transcripts read like a real node's. IPv6 is not modelled beyond the
 * addresses every Linux device shows: {@code ::1} on lo and the EUI-64 link-local address (RFC
 * 4291) on every other operational device.
 */
public final class Iproute2 {

  private Iproute2() {}

  /** {@code ip link show}. */
  public static String ipLinkShow(NetNamespace ns) {
    StringBuilder sb = new StringBuilder();
    for (Device d : ns.devices()) {
      appendLink(sb, d, true, false);
    }
    return sb.toString();
  }

  /** {@code ip link show dev NAME}. */
  public static String ipLinkShow(NetNamespace ns, String device) {
    StringBuilder sb = new StringBuilder();
    appendLink(sb, ns.device(device), true, false);
    return sb.toString();
  }

  /** {@code ip -d link show}. */
  public static String ipDetailedLinkShow(NetNamespace ns) {
    StringBuilder sb = new StringBuilder();
    for (Device d : ns.devices()) {
      appendLink(sb, d, true, true);
    }
    return sb.toString();
  }

  /** {@code ip -d link show dev NAME}. */
  public static String ipDetailedLinkShow(NetNamespace ns, String device) {
    StringBuilder sb = new StringBuilder();
    appendLink(sb, ns.device(device), true, true);
    return sb.toString();
  }

  /** {@code ip addr show}. */
  public static String ipAddrShow(NetNamespace ns) {
    StringBuilder sb = new StringBuilder();
    for (Device d : ns.devices()) {
      appendAddr(sb, d);
    }
    return sb.toString();
  }

  /** {@code ip route show}: the main table. */
  public static String ipRouteShow(NetNamespace ns) {
    StringBuilder sb = new StringBuilder();
    for (Route r : ns.routes().routes()) {
      sb.append(r);
      Device dev = r.device();
      if (dev != null && !dev.hasCarrier()) {
        sb.append(" linkdown");
      }
      sb.append(" \n");
    }
    return sb.toString();
  }

  /**
   * {@code ip route get ADDRESS}: the route the kernel picks for a packet this namespace sends to
   * {@code dst}, as a cloned route ({@code cache}), with the source address it would use (none when
   * it has none), {@code uid 0} (commands run as root), and, under a path MTU learned from
   * "fragmentation needed", the seconds until it expires and that MTU ({@code cache expires 597sec
   * mtu 1400}); a route's own {@code mtu} shows there too. A local address (and 0.0.0.0) answers
   * {@code local ... dev lo table local}, a subnet's broadcast address {@code broadcast ... table
   * local} on its device; without a usable route the answer is iproute2's {@code RTNETLINK answers:
   * ...} line. The limited broadcast 255.255.255.255 is answered by its route.
   */
  public static String ipRouteGet(NetNamespace ns, Ipv4Address dst) {
    int d = dst.toInt();
    if (d == 0 || ns.isLocalAddress(d)) {
      String src = d == 0 || d >>> 24 == 127 ? "127.0.0.1" : dst.toString();
      return "local " + dst + " dev lo table local src " + src + " uid 0 \n    cache <local> \n";
    }
    if (d != -1 && ns.isBroadcast(d)) {
      for (Device dev : ns.devices()) {
        for (IfAddress a : dev.addresses()) {
          if (a.broadcast().toInt() == d && a.prefixLength() < 31) {
            return "broadcast "
                + dst
                + " dev "
                + dev.name()
                + " table local src "
                + a.address()
                + " uid 0 \n    cache <local,brd> \n";
          }
        }
      }
    }
    Route route = ns.routes().lookup(d);
    String error = IpStack.outputError(route);
    if (error != null) {
      return "RTNETLINK answers: " + error + "\n";
    }
    StringBuilder sb = new StringBuilder().append(dst).append(' ');
    Ipv4Address gw = route.gateway();
    if (gw != null) {
      sb.append("via ").append(gw).append(' ');
    }
    sb.append("dev ").append(route.device().name()).append(' ');
    int src = ns.selectSource(route, d);
    if (src != 0) {
      sb.append("src ").append(Ipv4Address.of(src)).append(' ');
    }
    sb.append("uid 0 \n    cache ");
    // Asking drops an expired exception, as the kernel's lookup does.
    IpStack.LearnedMtu learned = ns.stack().learned(route, d);
    int mtu = route.mtu();
    if (learned != null) {
      long left = learned.expires() - ns.host().network().simulation().now();
      sb.append("expires ").append(left / SimTime.SECOND).append("sec ");
      mtu = learned.mtu();
    }
    if (mtu != 0) {
      sb.append("mtu ").append(mtu).append(' ');
    }
    return sb.append('\n').toString();
  }

  /** {@code ip neigh show}. */
  public static String ipNeighShow(NetNamespace ns) {
    StringBuilder sb = new StringBuilder();
    for (NeighbourEntry e : ns.neighbourEntries()) {
      sb.append(e).append(" \n");
    }
    return sb.toString();
  }

  /**
   * {@code bridge fdb show}: per device by ifindex, the bridge entries of each port (learned, then
   * local) and the multicast addresses every device joins ({@code self permanent}).
   */
  public static String bridgeFdbShow(NetNamespace ns) {
    StringBuilder sb = new StringBuilder();
    for (Device d : ns.devices()) {
      if (d instanceof Loopback) {
        continue;
      }
      if (d instanceof Bridge b
          && b.ports().stream().noneMatch(port -> port.mac().equals(b.mac()))) {
        sb.append(b.mac())
            .append(" dev ")
            .append(b.name())
            .append(" vlan 1 master ")
            .append(b.name())
            .append(" permanent\n");
        sb.append(b.mac())
            .append(" dev ")
            .append(b.name())
            .append(" master ")
            .append(b.name())
            .append(" permanent\n");
      }
      Bridge master = d.master();
      if (master != null) {
        List<Bridge.FdbEntry> entries = master.fdb();
        for (Bridge.FdbEntry e : entries) {
          if (e.port() == d && !e.local()) {
            sb.append(e.mac())
                .append(" dev ")
                .append(d.name())
                .append(" master ")
                .append(master.name())
                .append(" \n");
          }
        }
        for (Bridge.FdbEntry e : entries) {
          if (e.port() == d && e.local()) {
            sb.append(e.mac())
                .append(" dev ")
                .append(d.name())
                .append(" master ")
                .append(master.name())
                .append(" permanent\n");
          }
        }
      }
      for (String line : d.fdbLines()) {
        sb.append(line).append('\n');
      }
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- rendering

  /**
   * One device of {@code ip link}; with {@code details} as {@code ip -d link} prints it: a device
   * with a kind (veth, bridge, vxlan...) gets its kind line on a line of its own, as iproute2's
   * {@code print_linktype} starts one, and the rest follows on it; lo and a NIC have none, so
   * {@code addrgenmode} follows {@code maxmtu} on the same line. A bridge port gets a {@code
   * bridge_slave} line of its own after its kind line.
   */
  private static void appendLink(StringBuilder sb, Device d, boolean mode, boolean details) {
    appendHeader(sb, d, mode);
    appendLinkLine(sb, d);
    if (details) {
      sb.append(" promiscuity ")
          .append((d.master() != null ? 1 : 0) + (d.promiscuous() ? 1 : 0))
          .append("  allmulti ")
          .append(d.master() != null ? 1 : 0)
          .append(" minmtu ")
          .append(d.minMtu())
          .append(" maxmtu ")
          .append(d.maxMtu())
          .append(' ');
      String kindLine = d.details();
      if (kindLine.isEmpty() && !d.kind().equals("ether") && !d.kind().equals("loopback")) {
        kindLine = d.kind();
      }
      if (!kindLine.isEmpty()) {
        sb.append("\n    ").append(kindLine).append(' ');
      }
      Bridge master = d.master();
      if (master != null) {
        sb.append("\n    bridge_slave ").append(master.portDetails(d)).append(' ');
      }
      sb.append("addrgenmode eui64 numtxqueues ")
          .append(d.queues())
          .append(" numrxqueues ")
          .append(d.queues())
          .append(" gso_max_size 65536 gso_max_segs 65535 tso_max_size ")
          .append(d.tsoMaxSize())
          .append(" tso_max_segs 65535 gro_max_size 65536 ")
          .append(d.parentDetails())
          .append('\n');
    } else {
      sb.append('\n');
    }
  }

  private static void appendHeader(StringBuilder sb, Device d, boolean mode) {
    sb.append(d.ifindex()).append(": ").append(d.name());
    if (d instanceof Veth veth) {
      Veth peer = veth.peer();
      if (peer.namespace() == d.namespace()) {
        sb.append('@').append(peer.name());
      } else {
        sb.append("@if").append(peer.ifindex());
      }
    } else {
      sb.append(d.linkSuffix());
    }
    sb.append(": <")
        .append(flags(d))
        .append("> mtu ")
        .append(d.mtu())
        .append(" qdisc ")
        .append(d.qdiscAttached() ? d.qdisc() : "noop");
    Bridge master = d.master();
    if (master != null) {
      sb.append(" master ").append(master.name());
    }
    sb.append(" state ").append(state(d));
    if (mode) {
      sb.append(" mode DEFAULT");
    }
    sb.append(" group default ");
    int qlen = d.txQueueLength();
    if (qlen > 0) {
      sb.append("qlen ").append(qlen);
    }
    sb.append('\n');
  }

  private static void appendLinkLine(StringBuilder sb, Device d) {
    sb.append("    link/").append(d.linkType()).append(' ').append(d.hardwareAddresses());
    if (d instanceof Veth veth) {
      NetNamespace here = d.namespace();
      NetNamespace there = veth.peer().namespace();
      if (there != here) {
        if (there.host().root() == there) {
          sb.append(" link-netnsid ").append(here.peerId(there));
        } else {
          sb.append(" link-netns ").append(there.name());
        }
      }
    }
  }

  private static void appendAddr(StringBuilder sb, Device d) {
    appendHeader(sb, d, false);
    appendLinkLine(sb, d);
    sb.append('\n');
    List<IfAddress> seen = new ArrayList<>();
    for (IfAddress a : d.addresses()) {
      boolean loopback = a.address().toInt() >>> 24 == 127;
      sb.append("    inet ").append(a);
      if (a.prefixLength() < 31 && !loopback) {
        sb.append(" brd ").append(a.broadcast());
      }
      sb.append(" scope ").append(loopback ? "host" : "global");
      boolean secondary = seen.stream().anyMatch(s -> s.subnet().equals(a.subnet()));
      if (secondary) {
        sb.append(" secondary");
      }
      sb.append(' ').append(d.name()).append('\n');
      sb.append("       valid_lft forever preferred_lft forever\n");
      seen.add(a);
    }
    if (d instanceof Loopback) {
      if (d.isUp()) {
        sb.append(
            "    inet6 ::1/128 scope host \n       valid_lft forever preferred_lft forever\n");
      }
    } else if (d.isOperational()) {
      sb.append("    inet6 ").append(d.mac().linkLocal()).append("/64 scope link \n");
      sb.append("       valid_lft forever preferred_lft forever\n");
    }
  }

  private static String flags(Device d) {
    StringBuilder f = new StringBuilder();
    boolean carrier = d.hasCarrier();
    if (d.isUp() && !carrier) {
      f.append("NO-CARRIER,");
    }
    f.append(d.baseFlags());
    if (d.promiscuous()) {
      f.append(",PROMISC");
    }
    if (d.isUp()) {
      f.append(",UP");
      if (carrier) {
        f.append(",LOWER_UP");
      } else if (d instanceof Veth) {
        f.append(",M-DOWN");
      }
    }
    return f.toString();
  }

  private static String state(Device d) {
    if (!d.isUp()) {
      return "DOWN";
    }
    if (d instanceof Loopback) {
      return "UNKNOWN";
    }
    if (!d.hasCarrier()) {
      return d instanceof Veth ? "LOWERLAYERDOWN" : "DOWN";
    }
    return d.operState();
  }
}
