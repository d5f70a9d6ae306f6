package io.podnet.core.fs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * An in-memory file system of one host, for state that real tools keep on disk: CNI config files in
 * {@code /etc/cni/net.d}, plugin binaries in {@code /opt/cni/bin}, host-local IPAM reservations in
 * {@code /var/lib/cni/networks/<network>/}. Paths are absolute and normalised ({@code /a/b}, no
 * {@code .}, {@code ..}, empty segments or trailing slash). Directories exist implicitly while they
 * hold a file. Listings are sorted by name, so they are deterministic and match what {@code ls}
 * shows.
 *
 * <p>Keeping this state on the simulated host is what lets a node crash lose or keep it.
 */
public final class SimFileSystem {

  private final TreeMap<String, String> files = new TreeMap<>();

  /** A watched directory and who hears about its changes. */
  private record Watch(String directory, Consumer<String> listener) {}

  private final List<Watch> watches = new ArrayList<>();

  /** An empty file system. */
  public SimFileSystem() {}

  /**
   * Calls {@code listener} with the file's path each time a file directly in {@code directory} is
   * created, replaced or deleted, at once and in the order watches were added, as an inotify watch
   * ({@code IN_CREATE}, {@code IN_CLOSE_WRITE}, {@code IN_DELETE}) tells a daemon such as
   * containerd about its CNI config folder.
   */
  public void watch(String directory, Consumer<String> listener) {
    watches.add(new Watch(check(directory), listener));
  }

  /** Writes (creates or replaces) a file. */
  public void write(String path, String content) {
    files.put(check(path), content);
    changed(path);
  }

  /** Writes a file only if it does not exist; returns whether it was written (an O_EXCL create). */
  public boolean createExclusive(String path, String content) {
    boolean created = files.putIfAbsent(check(path), content) == null;
    if (created) {
      changed(path);
    }
    return created;
  }

  /** The content of a file, if it exists. */
  public Optional<String> read(String path) {
    return Optional.ofNullable(files.get(check(path)));
  }

  /** Whether a file exists. */
  public boolean exists(String path) {
    return files.containsKey(check(path));
  }

  /** Deletes a file; returns whether it existed. */
  public boolean delete(String path) {
    boolean existed = files.remove(check(path)) != null;
    if (existed) {
      changed(path);
    }
    return existed;
  }

  /** The names (not paths) of the files directly in a directory, sorted; empty if none. */
  public List<String> list(String directory) {
    String prefix = check(directory).equals("/") ? "/" : directory + "/";
    List<String> names = new ArrayList<>();
    for (Map.Entry<String, String> e : files.tailMap(prefix, true).entrySet()) {
      String path = e.getKey();
      if (!path.startsWith(prefix)) {
        break;
      }
      String rest = path.substring(prefix.length());
      if (!rest.contains("/")) {
        names.add(rest);
      }
    }
    return names;
  }

  /** Deletes every file under a directory; returns how many. */
  public int deleteTree(String directory) {
    String prefix = check(directory) + "/";
    Map<String, String> sub = files.subMap(prefix, prefix + Character.MAX_VALUE);
    List<String> gone = new ArrayList<>(sub.keySet());
    sub.clear();
    gone.forEach(this::changed);
    return gone.size();
  }

  /** Every file path, sorted. */
  public List<String> paths() {
    return new ArrayList<>(files.keySet());
  }

  private void changed(String path) {
    if (watches.isEmpty()) {
      return;
    }
    String parent = path.substring(0, Math.max(1, path.lastIndexOf('/')));
    for (Watch w : List.copyOf(watches)) {
      if (w.directory().equals(parent)) {
        w.listener().accept(path);
      }
    }
  }

  private static String check(String path) {
    boolean ok =
        path.startsWith("/")
            && (path.equals("/") || !path.endsWith("/"))
            && !path.contains("//")
            && !path.contains("/./")
            && !path.contains("/../")
            && !path.endsWith("/.")
            && !path.endsWith("/..");
    if (!ok) {
      throw new IllegalArgumentException(
          "invalid path \""
              + path
              + "\" (expected an absolute, normalised path like /etc/cni/net.d)");
    }
    return path;
  }
}
