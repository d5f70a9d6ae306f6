package io.podnet.core.net;

import io.podnet.core.fs.SimFileSystem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A machine of the simulated network: a Kubernetes node, or an underlay switch or router. It has a
 * root namespace (named {@code host}) and any number of named namespaces, such as pod sandboxes.
 */
public final class Host {

  /** The name of every host's root namespace. */
  public static final String ROOT = "host";

  private final Network network;
  private final String name;
  private final NetNamespace root;
  private final Map<String, NetNamespace> namespaces = new LinkedHashMap<>();
  private final SimFileSystem files = new SimFileSystem();
  private @Nullable SocketLoadBalancer socketLoadBalancer;

  Host(Network network, String name) {
    this.network = network;
    this.name = name;
    this.root = new NetNamespace(this, ROOT, true);
    namespaces.put(ROOT, root);
  }

  /** The host name. */
  public String name() {
    return name;
  }

  /** The network this host belongs to. */
  public Network network() {
    return network;
  }

  /** The host's file system (CNI configs, plugin binaries, IPAM state). */
  public SimFileSystem files() {
    return files;
  }

  /**
   * Puts {@code lb} in front of every socket on the host, in every namespace (a cgroup program on
   * the root cgroup), or takes it away (null).
   */
  public void setSocketLoadBalancer(@Nullable SocketLoadBalancer lb) {
    this.socketLoadBalancer = lb;
  }

  /** The host's socket load balancer, if it has one. */
  @Nullable SocketLoadBalancer socketLoadBalancer() {
    return socketLoadBalancer;
  }

  /** The root (host) namespace. */
  public NetNamespace root() {
    return root;
  }

  /** Creates a namespace ({@code ip netns add NAME}). */
  public NetNamespace addNamespace(String namespaceName) {
    if (namespaceName.isEmpty()
        || namespaceName.contains("/")
        || namespaceName.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(
          "invalid namespace name \""
              + namespaceName
              + "\" (expected a non-empty name without '/' or whitespace)");
    }
    if (namespaces.containsKey(namespaceName)) {
      throw new IllegalArgumentException(
          "namespace \"" + namespaceName + "\" already exists on " + name);
    }
    NetNamespace ns = new NetNamespace(this, namespaceName, false);
    namespaces.put(namespaceName, ns);
    return ns;
  }

  /** The namespace with this name; {@link IllegalArgumentException} if there is none. */
  public NetNamespace namespace(String namespaceName) {
    NetNamespace ns = namespaces.get(namespaceName);
    if (ns == null) {
      throw new IllegalArgumentException(
          "namespace \"" + namespaceName + "\" does not exist on " + name);
    }
    return ns;
  }

  /** Every namespace, root first, then in creation order. */
  public List<NetNamespace> namespaces() {
    return new ArrayList<>(namespaces.values());
  }

  /**
   * Deletes a namespace ({@code ip netns del}); its veth ends die, and with them their peers in
   * other namespaces, as in the kernel.
   */
  public void deleteNamespace(NetNamespace ns) {
    if (ns == root) {
      throw new IllegalArgumentException("cannot delete the root namespace of " + name);
    }
    if (namespaces.get(ns.name()) != ns) {
      throw new IllegalArgumentException("namespace " + ns + " is not on " + name);
    }
    ns.markDeleted();
    namespaces.remove(ns.name());
  }

  @Override
  public String toString() {
    return name;
  }
}
