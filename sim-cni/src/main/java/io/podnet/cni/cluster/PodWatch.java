package io.podnet.cni.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A running {@code kubectl get pods [-o wide] -w}, started by {@link Kubectl#watchPods}: what it
 * printed when it started (the list, or nothing when there were no pods), then one row for each
 * event the API server sends it about a listed pod, in the order they happen: {@code ADDED} when a
 * pod is created ({@code Pending}, with no node unless it was created pinned to one), {@code
 * MODIFIED} when the scheduler binds it to a node, for each status the kubelet posts ({@code
 * ContainerCreating}, {@code Running} with its IP, {@code Terminating}) and when its container
 * stops on the way out ({@code 0/1 Terminating}), and {@code DELETED} with the pod's last state.
 * kubectl flushes its tabwriter after each event, and the tabwriter remembers column widths, so
 * rows line up with the header until a wider cell widens its column from that row on.
 */
public final class PodWatch {

  /** What the watch printed at one simulated time (nanoseconds): whole lines. */
  public record Output(long at, String text) {}

  private final Cluster cluster;
  private final Kubectl.PodTable table;
  private final Kubectl.GetPods get;
  private final Consumer<Pod> watcher = this::changed;
  private final List<Output> printed = new ArrayList<>();

  PodWatch(Cluster cluster, Kubectl.GetPods get) {
    this.cluster = cluster;
    this.table = new Kubectl.PodTable(get);
    this.get = get;
    cluster.watchPods(watcher);
  }

  /** Ends the watch, as Ctrl-C would: nothing is printed after it. */
  public void stop() {
    cluster.unwatchPods(watcher);
  }

  /** Returns what the watch printed since the last call (the first: since it started). */
  public List<Output> take() {
    List<Output> taken = List.copyOf(printed);
    printed.clear();
    return taken;
  }

  /** Prints {@code pods} as one flush at {@code now}; nothing for none. */
  void print(List<Pod> pods, long now) {
    String text = table.flush(pods, now);
    if (!text.isEmpty()) {
      printed.add(new Output(now, text));
    }
  }

  /** The cluster reports a change to {@code pod}. */
  private void changed(Pod pod) {
    if (get.selects(pod)) {
      print(List.of(pod), cluster.simulation().now());
    }
  }
}
