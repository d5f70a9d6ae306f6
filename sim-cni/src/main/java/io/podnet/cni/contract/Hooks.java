package io.podnet.cni.contract;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Node;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.net.Device;
import io.podnet.core.net.HookPoint;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.PacketHook;
import io.podnet.dataplane.netfilter.Netfilter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the packet hooks and local addresses of each namespace do to a class of packets, for the
 * class check: a namespace without hooks passes every packet; one whose hooks are all its node's
 * {@link Netfilter} passes a class of packets when a dry run passes one of them and none of the
 * rules it met can tell the others apart from it (their addresses lie between the same boundaries,
 * are local or not alike, their devices match the same interface patterns); a namespace with any
 * other hook is opaque and passes nothing provably. Answers are kept for the check's length: the
 * check assumes hooks, rules and addresses do not change while it runs.
 */
final class Hooks {

  /** One namespace as the check reads it: its hooks, rules and own addresses. */
  static final class Place {
    final NetNamespace ns;
    final boolean none;
    final boolean opaque;
    final @Nullable Rules rules;
    private int @Nullable [] locals;

    private Place(NetNamespace ns, @Nullable Netfilter netfilter) {
      this.ns = ns;
      boolean any = false;
      boolean other = false;
      for (HookPoint point : HookPoint.values()) {
        for (PacketHook hook : ns.hooks(point)) {
          any = true;
          other |= netfilter == null || !netfilter.owns(hook);
        }
      }
      this.none = !any;
      this.opaque = other;
      this.rules = any && !other && netfilter != null ? new Rules(netfilter) : null;
    }

    /** The namespace's own and broadcast addresses, xor the sign bit, ascending; read once. */
    int[] locals() {
      int[] l = locals;
      if (l == null) {
        l = localAddresses(ns);
        locals = l;
      }
      return l;
    }
  }

  /** A netfilter's rules as the check reads them, with the dry runs asked so far. */
  private static final class Rules {
    final Netfilter netfilter;
    final List<String> interfaces;
    final Map<Question, List<Netfilter.DryRun>> answers = new HashMap<>();

    Rules(Netfilter netfilter) {
      this.netfilter = netfilter;
      this.interfaces = netfilter.interfacePatterns();
    }
  }

  /**
   * What dry runs answer depends on, besides the addresses: the devices only by the interface
   * patterns they match ({@link #interfaces}).
   */
  private record Question(
      Netfilter.Path path,
      boolean sourceLocal,
      boolean destinationLocal,
      int proto,
      int dport,
      Object in,
      Object out) {}

  /** Whether every address of both ranges lies in the dry run's ranges, so its answer holds. */
  private static boolean covers(Netfilter.DryRun run, Addresses src, Addresses dst) {
    return within(src, run.sourceFrom(), run.sourceTo())
        && within(dst, run.destinationFrom(), run.destinationTo());
  }

  private static boolean within(Addresses a, int from, int to) {
    return Integer.compareUnsigned(a.lo(), from) >= 0 && Integer.compareUnsigned(a.hi(), to) <= 0;
  }

  private final Map<NetNamespace, Netfilter> installed = new IdentityHashMap<>();
  private final Map<NetNamespace, Place> places = new IdentityHashMap<>();

  Hooks(Cluster cluster) {
    for (Node node : cluster.nodes()) {
      installed.put(node.host().root(), cluster.netfilter(node));
    }
  }

  /** The namespace as the check reads it, read once. */
  Place place(NetNamespace ns) {
    Place p = places.get(ns);
    if (p == null) {
      p = new Place(ns, installed.get(ns));
      places.put(ns, p);
    }
    return p;
  }

  /**
   * Whether every packet from {@code src} to {@code dst}, of protocol {@code proto} to port {@code
   * dport}, from any source port, passes the hooks of {@code path} in the place unchanged, coming
   * in by {@code in} and leaving by {@code out}. False when that cannot be shown.
   */
  boolean pass(
      Place place,
      Netfilter.Path path,
      Addresses src,
      Addresses dst,
      int proto,
      int dport,
      @Nullable Device in,
      @Nullable Device out) {
    Rules r = place.rules;
    if (r == null) {
      return place.none;
    }
    int srcLocal = locality(place, src);
    int dstLocal = locality(place, dst);
    if (srcLocal < 0 || dstLocal < 0) {
      return false;
    }
    Question q =
        new Question(
            path,
            srcLocal == 1,
            dstLocal == 1,
            proto,
            dport,
            interfaces(r, in),
            interfaces(r, out));
    List<Netfilter.DryRun> known = r.answers.computeIfAbsent(q, k -> new ArrayList<>(1));
    for (Netfilter.DryRun run : known) {
      if (covers(run, src, dst)) {
        return run.passes();
      }
    }
    Netfilter.DryRun run = r.netfilter.dryRun(path, src.lo(), dst.lo(), proto, dport, in, out);
    known.add(run);
    return covers(run, src, dst) && run.passes();
  }

  /**
   * Whether every rule of the place that names an interface matches {@code a} and {@code b} alike;
   * false in an opaque place.
   */
  boolean alike(Place place, Device a, Device b) {
    Rules r = place.rules;
    if (r == null || a.name().equals(b.name())) {
      return !place.opaque;
    }
    for (String pattern : r.interfaces) {
      if (matches(pattern, a.name()) != matches(pattern, b.name())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Which of the rules' interface patterns {@code dev} matches, as a bit set (or its name when the
   * rules name more than 63); -1 for no device.
   */
  private static Object interfaces(Rules r, @Nullable Device dev) {
    if (dev == null) {
      return -1L;
    }
    if (r.interfaces.size() > 63) {
      return dev.name();
    }
    long matched = 0;
    for (int i = 0; i < r.interfaces.size(); i++) {
      if (matches(r.interfaces.get(i), dev.name())) {
        matched |= 1L << i;
      }
    }
    return matched;
  }

  private static boolean matches(String pattern, String name) {
    return pattern.endsWith("+")
        ? name.startsWith(pattern.substring(0, pattern.length() - 1))
        : pattern.equals(name);
  }

  /**
   * Whether a packet to some address in the unsigned range [{@code lo}, {@code hi}] would be taken
   * in by the place itself: one of its addresses, a broadcast address, or a loopback address while
   * {@code lo} is up.
   */
  static boolean anyLocal(Place place, int lo, int hi) {
    int[] sorted = place.locals();
    int from = Arrays.binarySearch(sorted, lo ^ Integer.MIN_VALUE);
    int at = from >= 0 ? from : -from - 1;
    if (at < sorted.length && sorted[at] <= (hi ^ Integer.MIN_VALUE)) {
      return true;
    }
    boolean loopback =
        place.ns.loopback().isUp()
            && Integer.compareUnsigned(lo, 0x8000_0000) < 0
            && Integer.compareUnsigned(hi, 0x7F00_0000) >= 0;
    return loopback || hi == -1;
  }

  /** 1 when every one of {@code a} is local to the place, 0 when none is, -1 when some are. */
  static int locality(Place place, Addresses a) {
    if (!anyLocal(place, a.lo(), a.hi())) {
      return 0;
    }
    int local = 0;
    int count = 0;
    for (int ip : a.ips()) {
      int address = ip ^ Integer.MIN_VALUE;
      if (Integer.compareUnsigned(address, a.lo()) >= 0
          && Integer.compareUnsigned(address, a.hi()) <= 0) {
        count++;
        local += anyLocal(place, address, address) ? 1 : 0;
      }
    }
    return local == 0 ? 0 : local == count ? 1 : -1;
  }

  /** The namespace's own and broadcast addresses, xor the sign bit, sorted. */
  private static int[] localAddresses(NetNamespace ns) {
    int[] out = new int[8];
    int n = 0;
    for (Device d : ns.devices()) {
      for (IfAddress a : d.addresses()) {
        if (n + 2 > out.length) {
          out = Arrays.copyOf(out, out.length * 2);
        }
        out[n++] = a.address().toInt() ^ Integer.MIN_VALUE;
        if (a.prefixLength() < 31) {
          out[n++] = a.broadcast().toInt() ^ Integer.MIN_VALUE;
        }
      }
    }
    int[] sorted = Arrays.copyOf(out, n);
    Arrays.sort(sorted);
    return sorted;
  }
}
