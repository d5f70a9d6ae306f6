package io.podnet.cni.cluster;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.NetNamespace;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A pod as the cluster sees it: its name, the node it was scheduled to, its status, its IP once the
 * network is up, its sandbox (the network namespace CNI attached) and its events.
 */
public final class Pod {

  private final String namespace;
  private final String name;
  private final String uid;
  private final long createdAt;
  private @Nullable Node node;
  private PodStatus status = PodStatus.PENDING;
  private long runningSince = -1;
  private long terminatingSince = -1;
  private @Nullable Ipv4Address ip;
  private @Nullable String sandboxId;
  private @Nullable NetNamespace sandbox;
  private final List<PodEvent> events = new ArrayList<>();
  private boolean deleted;
  private boolean containerStopped;
  private @Nullable String controlledBy;
  private List<Toleration> tolerations = List.of();

  private final Map<String, String> labels;
  private final boolean hostNetwork;

  Pod(
      String namespace,
      String name,
      String uid,
      long createdAt,
      Map<String, String> labels,
      boolean hostNetwork) {
    this.labels = Collections.unmodifiableMap(new TreeMap<>(labels));
    this.hostNetwork = hostNetwork;
    this.namespace = namespace;
    this.name = name;
    this.uid = uid;
    this.createdAt = createdAt;
  }

  /** The Kubernetes namespace ({@code default}). */
  public String namespace() {
    return namespace;
  }

  /** The pod name. */
  public String name() {
    return name;
  }

  /** The pod's labels, sorted by key. */
  public Map<String, String> labels() {
    return labels;
  }

  /**
   * Whether the pod runs in its node's network namespace ({@code hostNetwork: true}, as kube-proxy
   * does): its IP is the node's, the kubelet starts it without CNI (even while the node's network
   * is not ready), and the CNI contract does not cover it.
   */
  public boolean hostNetwork() {
    return hostNetwork;
  }

  /** {@code namespace/name}. */
  public String key() {
    return namespace + "/" + name;
  }

  /** The pod's UID. */
  public String uid() {
    return uid;
  }

  /** When the pod was created, in simulated nanoseconds. */
  public long createdAt() {
    return createdAt;
  }

  /** The node it is scheduled to, if any. */
  public Optional<Node> node() {
    return Optional.ofNullable(node);
  }

  /** The status kubectl shows. */
  public PodStatus status() {
    return status;
  }

  /** Whether the pod is running. */
  public boolean isRunning() {
    return status == PodStatus.RUNNING;
  }

  /** The pod IP, once the network is up. */
  public Optional<Ipv4Address> ip() {
    return Optional.ofNullable(ip);
  }

  /** The pod IP; {@link IllegalStateException} while it has none. */
  public Ipv4Address requireIp() {
    if (ip == null) {
      throw new IllegalStateException("pod " + key() + " has no IP yet (" + status.text() + ")");
    }
    return ip;
  }

  /** The sandbox (pause container) id, 64 hex digits, while a sandbox exists. */
  public Optional<String> sandboxId() {
    return Optional.ofNullable(sandboxId);
  }

  /**
   * The pod's network namespace, while its sandbox exists: for a {@link #hostNetwork} pod, its
   * node's root namespace.
   */
  public Optional<NetNamespace> netns() {
    return Optional.ofNullable(sandbox);
  }

  /** The pod's network namespace; {@link IllegalStateException} if it has none. */
  public NetNamespace requireNetns() {
    if (sandbox == null) {
      throw new IllegalStateException("pod " + key() + " has no sandbox (" + status.text() + ")");
    }
    return sandbox;
  }

  /**
   * The {@code CNI_ARGS} containerd passes for this pod's sandbox {@code sandboxId}: {@code
   * IgnoreUnknown=1;K8S_POD_NAMESPACE=..;K8S_POD_NAME=..;K8S_POD_INFRA_CONTAINER_ID=..;K8S_POD_UID=..}.
   */
  public Map<String, String> cniArgs(String sandboxId) {
    Map<String, String> args = new LinkedHashMap<>();
    args.put("IgnoreUnknown", "1");
    args.put("K8S_POD_NAMESPACE", namespace);
    args.put("K8S_POD_NAME", name);
    args.put("K8S_POD_INFRA_CONTAINER_ID", sandboxId);
    args.put("K8S_POD_UID", uid);
    return Collections.unmodifiableMap(args);
  }

  /** The events, oldest first. */
  public List<PodEvent> events() {
    return Collections.unmodifiableList(events);
  }

  /**
   * The controller that owns the pod, as {@code kubectl describe pod} shows it under {@code
   * Controlled By} ({@code ReplicaSet/web-7c9f5b6d8b}); empty for a bare pod.
   */
  public Optional<String> controlledBy() {
    return Optional.ofNullable(controlledBy);
  }

  /**
   * The pod's tolerations as admitted: those its spec gave, then the 300 s {@code NoExecute} ones
   * for {@code not-ready} and {@code unreachable} that the DefaultTolerationSeconds admission
   * plugin adds when none covers them.
   */
  public List<Toleration> tolerations() {
    return tolerations;
  }

  void setTolerations(List<Toleration> admitted) {
    this.tolerations = List.copyOf(admitted);
  }

  /** Whether the pod has been deleted and is gone. */
  public boolean isDeleted() {
    return deleted;
  }

  void schedule(Node target) {
    this.node = target;
  }

  /** Sets the status at {@code now}, remembering when the pod last turned Running. */
  void setStatus(PodStatus newStatus, long now) {
    if (newStatus == PodStatus.TERMINATING && status != PodStatus.TERMINATING) {
      terminatingSince = now;
    }
    if (newStatus == PodStatus.RUNNING && status != PodStatus.RUNNING) {
      runningSince = now;
    } else if (newStatus != PodStatus.RUNNING && newStatus != PodStatus.TERMINATING) {
      runningSince = -1;
    }
    this.status = newStatus;
  }

  /**
   * When the pod's deletion was asked for, in simulated nanoseconds (the API server's {@code
   * deletionTimestamp} is that plus the grace period); -1 unless it is Terminating.
   */
  long terminatingSince() {
    return status == PodStatus.TERMINATING ? terminatingSince : -1;
  }

  /**
   * When the pod last turned Running (its Ready condition's transition time, as no probe delays
   * it), in simulated nanoseconds; -1 if it has not run since it was last (re)started. A
   * terminating pod keeps the time of the run it is ending.
   */
  long runningSince() {
    return runningSince;
  }

  void setIp(@Nullable Ipv4Address address) {
    this.ip = address;
  }

  void setSandbox(@Nullable String id, @Nullable NetNamespace ns) {
    this.sandboxId = id;
    this.sandbox = ns;
  }

  void setControlledBy(String owner) {
    this.controlledBy = owner;
  }

  void markDeleted() {
    this.deleted = true;
  }

  /**
   * Whether the kubelet stopped the pod's container on its way out; until then a Terminating pod
   * still counts its container ready.
   */
  boolean containerStopped() {
    return containerStopped;
  }

  /** The kubelet stopped the pod's container (see {@link #containerStopped}). */
  void stopContainer() {
    this.containerStopped = true;
  }

  void event(String type, String reason, String from, String message, long now) {
    for (int i = 0; i < events.size(); i++) {
      PodEvent e = events.get(i);
      if (e.type().equals(type)
          && e.reason().equals(reason)
          && e.from().equals(from)
          && e.message().equals(message)) {
        events.set(i, e.again(now));
        return;
      }
    }
    events.add(new PodEvent(type, reason, from, message, now, now, 1));
  }

  @Override
  public String toString() {
    return key() + " " + status.text() + (ip == null ? "" : " " + ip);
  }
}
