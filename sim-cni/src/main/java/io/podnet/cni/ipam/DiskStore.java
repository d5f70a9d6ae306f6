package io.podnet.cni.ipam;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.fs.SimFileSystem;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * host-local's disk store on the node's {@link SimFileSystem}: a folder {@code <dataDir>/<network>}
 * holding one file per reserved address, named by the address and containing {@code
 * <containerID>\r\n<ifname>}, one {@code last_reserved_ip.<range set index>} file per range set
 * holding the address reserved last, and the empty {@code lock} file that host-local creates when
 * it opens the store. Files written by old host-local versions hold only the container id; release
 * and lookup accept them too.
 */
final class DiskStore {

  /** Separates container id and interface name in a reservation file. */
  static final String LINE_BREAK = "\r\n";

  /** Prefix of the per-range-set last reserved address files. */
  static final String LAST_IP_PREFIX = "last_reserved_ip.";

  /** The lock file host-local flocks. */
  static final String LOCK_FILE = "lock";

  private final SimFileSystem files;
  private final String dir;

  private DiskStore(SimFileSystem files, String dir) {
    this.files = files;
    this.dir = dir;
  }

  /** Opens the store of {@code network} under {@code dataDir}, creating its lock file. */
  static DiskStore open(SimFileSystem files, String dataDir, String network) {
    String dir = join(dataDir, network);
    try {
      files.createExclusive(dir + "/" + LOCK_FILE, "");
    } catch (IllegalArgumentException e) {
      throw HostLocalIpam.error(
          "open " + dir + "/" + LOCK_FILE + ": invalid data directory (" + e.getMessage() + ")");
    }
    return new DiskStore(files, dir);
  }

  /** The store folder. */
  String dir() {
    return dir;
  }

  /**
   * Reserves {@code ip} for the attachment with an exclusive create; on success records it as the
   * last reserved address of range set {@code rangeId}. Returns whether the address was free.
   */
  boolean reserve(String id, String ifName, int ip, int rangeId) {
    String address = Ipv4Address.format(ip);
    if (!files.createExclusive(dir + "/" + address, id.strip() + LINE_BREAK + ifName)) {
      return false;
    }
    files.write(dir + "/" + LAST_IP_PREFIX + rangeId, address);
    return true;
  }

  /** The last address reserved in range set {@code rangeId}, if recorded and readable. */
  Optional<Integer> lastReservedIp(int rangeId) {
    return files.read(dir + "/" + LAST_IP_PREFIX + rangeId).flatMap(DiskStore::parseIp);
  }

  /** The addresses held by the attachment (or by its container, in the old one-line format). */
  List<Integer> getById(String id, String ifName) {
    String match = id.strip() + LINE_BREAK + ifName;
    String matchOld = id.strip();
    List<Integer> ips = new ArrayList<>();
    for (String name : files.list(dir)) {
      String content = files.read(dir + "/" + name).orElse("").strip();
      if (content.equals(match) || content.equals(matchOld)) {
        parseIp(name).ifPresent(ips::add);
      }
    }
    return ips;
  }

  /** Whether any file of the store names the attachment (host-local's {@code FindByID}). */
  boolean findById(String id, String ifName) {
    return anyContent(id.strip() + LINE_BREAK + ifName) || anyContent(id.strip());
  }

  /**
   * Deletes every file naming the attachment; only if there is none, every file naming just its
   * container id (the old format). Returns the addresses released.
   */
  List<String> releaseById(String id, String ifName) {
    List<String> released = releaseMatching(id.strip() + LINE_BREAK + ifName);
    if (released.isEmpty()) {
      released = releaseMatching(id.strip());
    }
    return released;
  }

  /**
   * Deletes every reservation whose owner {@code keep} rejects; returns the addresses released. The
   * owner is {@code [containerID, ifname]}, or {@code [containerID]} for the old format.
   */
  List<String> releaseUnless(Predicate<List<String>> keep) {
    List<String> released = new ArrayList<>();
    for (String name : files.list(dir)) {
      if (parseIp(name).isEmpty()) {
        continue; // lock, last_reserved_ip.N and anything else that is not a reservation
      }
      String content = files.read(dir + "/" + name).orElse("").strip();
      List<String> owner = List.of(content.split(LINE_BREAK, 2));
      if (!keep.test(owner)) {
        files.delete(dir + "/" + name);
        released.add(name);
      }
    }
    return released;
  }

  private boolean anyContent(String match) {
    for (String name : files.list(dir)) {
      if (files.read(dir + "/" + name).orElse("").strip().equals(match)) {
        return true;
      }
    }
    return false;
  }

  private List<String> releaseMatching(String match) {
    List<String> released = new ArrayList<>();
    for (String name : files.list(dir)) {
      if (files.read(dir + "/" + name).orElse("").strip().equals(match)) {
        files.delete(dir + "/" + name);
        released.add(name);
      }
    }
    return released;
  }

  private static Optional<Integer> parseIp(String text) {
    try {
      return Optional.of(Ipv4Address.parse(text.strip()).toInt());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** {@code filepath.Join}: one slash between the parts, no trailing or doubled slashes. */
  private static String join(String dataDir, String network) {
    String joined = (dataDir + "/" + network).replaceAll("/+", "/");
    return joined.length() > 1 && joined.endsWith("/")
        ? joined.substring(0, joined.length() - 1)
        : joined;
  }
}
