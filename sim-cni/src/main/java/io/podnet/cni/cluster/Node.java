package io.podnet.cni.cluster;

import io.podnet.cni.runtime.CniRuntime;
import io.podnet.cni.runtime.NetworkNotReadyException;
import io.podnet.cni.spec.CniConfigException;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Host;
import java.util.Optional;

/**
 * A Kubernetes node: a host of the simulated network with its podCIDR, its InternalIP on the
 * underlay, and its container runtime's CNI side. It is Ready while its CNI configuration loads;
 * otherwise NotReady with the kubelet's real reason.
 */
public final class Node {

  private final String name;
  private final Host host;
  private final Cidr podCidr;
  private final Ipv4Address internalIp;
  private final CniRuntime runtime;
  private boolean crashed;

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

  /** Whether the node's network is ready (a CNI configuration loads). */
  public boolean isReady() {
    return notReadyReason().isEmpty();
  }

  /**
   * Why the node is NotReady, in the kubelet's words, or empty when it is Ready: {@code container
   * runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network
   * plugin returns error: cni plugin not initialized}.
   */
  public Optional<String> notReadyReason() {
    if (crashed) {
      return Optional.of("Kubelet stopped posting node status.");
    }
    try {
      runtime.loadConfig();
      return Optional.empty();
    } catch (NetworkNotReadyException | CniConfigException e) {
      return Optional.of(
          "container runtime network not ready: NetworkReady=false"
              + " reason:NetworkPluginNotReady message:Network plugin returns error:"
              + " cni plugin not initialized");
    }
  }

  /** Whether the node has crashed (see {@link Cluster#crashNode}). */
  public boolean isCrashed() {
    return crashed;
  }

  void setCrashed(boolean down) {
    this.crashed = down;
  }

  @Override
  public String toString() {
    return name;
  }
}
