package io.podnet.cni.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.cni.spec.CniResult;
import io.podnet.core.fs.SimFileSystem;
import io.podnet.core.net.Host;
import io.podnet.core.net.NetNamespace;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * What a plugin can reach on the node it runs on: the host's namespaces and file system, named
 * random streams, and other plugins by type (the way the bridge plugin execs its IPAM plugin from
 * {@code CNI_PATH}).
 */
public final class NodeContext {

  /** Where container runtimes bind-mount named network namespaces. */
  public static final String NETNS_DIR = "/var/run/netns/";

  private final Host host;
  private final CniRuntime runtime;

  NodeContext(Host host, CniRuntime runtime) {
    this.host = host;
    this.runtime = runtime;
  }

  /** The node. */
  public Host host() {
    return host;
  }

  /** The node's root (host) namespace. */
  public NetNamespace hostNamespace() {
    return host.root();
  }

  /** The node's file system. */
  public SimFileSystem files() {
    return host.files();
  }

  /** The namespace a {@code CNI_NETNS} path names ({@code /var/run/netns/NAME}), if it exists. */
  public Optional<NetNamespace> namespaceAt(String path) {
    if (!path.startsWith(NETNS_DIR)) {
      return Optional.empty();
    }
    String name = path.substring(NETNS_DIR.length());
    return host.namespaces().stream()
        .filter(ns -> ns != host.root() && ns.name().equals(name))
        .findFirst();
  }

  /** A named random stream of the simulation, scoped to this node. */
  public RandomGenerator random(String name) {
    return host.network().simulation().random().stream(host.name() + "/" + name);
  }

  /** Runs another plugin's ADD (an IPAM plugin), found in {@code CNI_PATH} like any plugin. */
  public CniResult delegateAdd(String type, ObjectNode stdin, CniRequest parent) {
    return runtime.delegate("ADD", type, stdin, parent).orElseThrow();
  }

  /** Runs another plugin's DEL. */
  public void delegateDel(String type, ObjectNode stdin, CniRequest parent) {
    runtime.delegate("DEL", type, stdin, parent);
  }

  /** Runs another plugin's CHECK. */
  public void delegateCheck(String type, ObjectNode stdin, CniRequest parent) {
    runtime.delegate("CHECK", type, stdin, parent);
  }
}
