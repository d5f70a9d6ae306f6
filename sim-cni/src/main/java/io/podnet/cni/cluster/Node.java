package io.podnet.cni.cluster;

import io.podnet.cni.runtime.CniRuntime;
import io.podnet.cni.runtime.NetworkNotReadyException;
import io.podnet.cni.spec.CniConfigException;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Host;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A Kubernetes node: a host of the simulated network with its podCIDR, its InternalIP on the
 * underlay, and its container runtime's CNI side. It is Ready while its CNI configuration loads;
 * otherwise NotReady with the kubelet's real reason. A crashed node keeps the status it last posted
 * until the node lifecycle controller's grace period ends; then its Ready condition turns Unknown.
 * The controller's taints follow the Ready condition.
 */
public final class Node {

  /**
   * The kubelet's Ready message while the container runtime has no usable network configuration:
   * {@code container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady
   * message:Network plugin returns error: cni plugin not initialized}.
   */
  public static final String NETWORK_NOT_READY =
      "container runtime network not ready: NetworkReady=false"
          + " reason:NetworkPluginNotReady message:Network plugin returns error:"
          + " cni plugin not initialized";

  /** The node lifecycle controller's Ready message for a node whose kubelet went silent. */
  public static final String STOPPED_POSTING = "Kubelet stopped posting node status.";

  private final String name;
  private final Host host;
  private final Cidr podCidr;
  private final Ipv4Address internalIp;
  private final CniRuntime runtime;
  private boolean crashed;
  private boolean statusUnknown;
  private Optional<String> lastPosted = Optional.empty();
  private @Nullable String taintKey;

  Node(String name, Host host, Cidr podCidr, Ipv4Address internalIp, CniRuntime runtime) {
    this.name = name;
    this.host = host;
    this.podCidr = podCidr;
    this.internalIp = internalIp;
    this.runtime = runtime;
  }

  /** The node name ({@code node-1}). */
  public String name() {
    return name;
  }

  /** The simulated host. */
  public Host host() {
    return host;
  }

  /** The node's podCIDR ({@code spec.podCIDR}). */
  public Cidr podCidr() {
    return podCidr;
  }

  /** The node's address on the underlay. */
  public Ipv4Address internalIp() {
    return internalIp;
  }

  /** The CNI side of the node's container runtime. */
  public CniRuntime runtime() {
    return runtime;
  }

  /** Whether the API shows the node Ready (its Ready condition is {@code True}). */
  public boolean isReady() {
    return notReadyReason().isEmpty();
  }

  /**
   * Why the node is NotReady, as its Ready condition's message says, or empty when it is Ready:
   * {@link #NETWORK_NOT_READY} while its container runtime finds no usable network configuration,
   * or for a crashed node, once the node lifecycle controller has noticed, {@code Kubelet stopped
   * posting node status.}. A crashed node's kubelet posts nothing, so until then the API keeps its
   * last status.
   */
  public Optional<String> notReadyReason() {
    if (statusUnknown) {
      return Optional.of(STOPPED_POSTING);
    }
    if (crashed) {
      return lastPosted;
    }
    return runtimeNotReady();
  }

  private Optional<String> runtimeNotReady() {
    try {
      runtime.loadConfig();
      return Optional.empty();
    } catch (NetworkNotReadyException | CniConfigException e) {
      return Optional.of(NETWORK_NOT_READY);
    }
  }

  /** Whether the node has crashed (see {@link Cluster#crashNode}). */
  public boolean isCrashed() {
    return crashed;
  }

  void setCrashed(boolean down) {
    if (down) {
      lastPosted = runtimeNotReady();
    }
    this.crashed = down;
  }

  /**
   * The node's Ready condition as {@code kubectl describe node} shows it: status, reason and
   * message, e.g. {@code [Unknown, NodeStatusUnknown, Kubelet stopped posting node status.]} or
   * {@code [False, KubeletNotReady, container runtime network not ready: ...]}.
   */
  public List<String> readyCondition() {
    if (statusUnknown) {
      return List.of("Unknown", "NodeStatusUnknown", STOPPED_POSTING);
    }
    return notReadyReason()
        .map(m -> List.of("False", "KubeletNotReady", m))
        .orElse(List.of("True", "KubeletReady", "kubelet is posting ready status"));
  }

  /**
   * The taints the node lifecycle controller put on the node, as {@code kubectl describe node}
   * lists them: {@code node.kubernetes.io/not-ready:NoExecute} and {@code :NoSchedule} while its
   * Ready condition is {@code False}, {@code node.kubernetes.io/unreachable:NoExecute} and {@code
   * :NoSchedule} while it is {@code Unknown}, none while it is Ready.
   */
  public List<String> taints() {
    if (taintKey == null) {
      return List.of();
    }
    return List.of(taintKey + ":" + Toleration.NO_EXECUTE, taintKey + ":" + Toleration.NO_SCHEDULE);
  }

  /**
   * The key of the controller's taints ({@code node.kubernetes.io/not-ready} or {@code
   * unreachable}), or null when the node has none.
   */
  @Nullable String taintKey() {
    return taintKey;
  }

  /** Whether the node has the controller's taints and {@code tolerations} tolerate both. */
  boolean taintsToleratedBy(List<Toleration> tolerations) {
    String key = taintKey;
    return key != null
        && tolerations.stream().anyMatch(t -> t.tolerates(key, Toleration.NO_EXECUTE))
        && tolerations.stream().anyMatch(t -> t.tolerates(key, Toleration.NO_SCHEDULE));
  }

  void setStatusUnknown(boolean unknown) {
    this.statusUnknown = unknown;
  }

  /** Puts the controller's taints with this key on the node, or removes them for null. */
  void setTaintKey(@Nullable String key) {
    this.taintKey = key;
  }

  /** One line: the name, the underlay address and the podCIDR ({@code node-1 eth0 ...}). */
  public String summary() {
    return name + "  eth0 " + internalIp + "  podCIDR " + podCidr;
  }

  @Override
  public String toString() {
    return name;
  }
}
