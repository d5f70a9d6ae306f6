package io.podnet.cni.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.cni.spec.CniException;
import io.podnet.cni.spec.CniResult;
import io.podnet.core.net.NetNamespace;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One plugin invocation: what a real plugin reads from its environment ({@code CNI_COMMAND}, {@code
 * CNI_CONTAINERID}, {@code CNI_NETNS}, {@code CNI_IFNAME}, {@code CNI_ARGS}, {@code CNI_PATH}) and
 * from stdin (the network configuration with {@code name}, {@code cniVersion}, {@code prevResult}
 * and {@code runtimeConfig} injected), plus the node it runs on.
 *
 * @param command ADD, DEL, CHECK, STATUS or GC
 * @param containerId {@code CNI_CONTAINERID} (empty for STATUS and GC)
 * @param netns {@code CNI_NETNS}, a path such as {@code /var/run/netns/cni-...} (may be empty)
 * @param ifName {@code CNI_IFNAME} (empty for STATUS and GC)
 * @param args {@code CNI_ARGS}, in order
 * @param path {@code CNI_PATH}
 * @param config the JSON on stdin
 * @param node the node the plugin runs on
 */
public record CniRequest(
    String command,
    String containerId,
    String netns,
    String ifName,
    Map<String, String> args,
    List<String> path,
    ObjectNode config,
    NodeContext node) {

  /** Copies the collections, keeping the order of the arguments. */
  public CniRequest {
    args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
    path = List.copyOf(path);
  }

  /** The {@code cniVersion} on stdin. */
  public String cniVersion() {
    JsonNode v = config.get("cniVersion");
    return v == null ? "" : v.asText();
  }

  /** The network {@code name} on stdin. */
  public String networkName() {
    JsonNode v = config.get("name");
    return v == null ? "" : v.asText();
  }

  /** The {@code prevResult} on stdin, if any. */
  public Optional<CniResult> prevResult() {
    JsonNode prev = config.get("prevResult");
    return prev == null || prev.isNull() ? Optional.empty() : Optional.of(CniResult.fromJson(prev));
  }

  /** The {@code runtimeConfig} object on stdin, or an empty object. */
  public ObjectNode runtimeConfig() {
    JsonNode rc = config.get("runtimeConfig");
    return rc instanceof ObjectNode o ? o : config.objectNode();
  }

  /** The container's namespace; code 3 ({@code UNKNOWN_CONTAINER}) if {@link #netns()} is gone. */
  public NetNamespace containerNamespace() {
    return node.namespaceAt(netns())
        .orElseThrow(
            () ->
                CniException.of(
                    3, "failed to open netns \"" + netns() + "\": no such file or directory"));
  }

  /**
   * DEL's last step: deletes the interface {@link #ifName()} in the container's namespace (and so a
   * veth's peer); a namespace or an interface already gone is fine.
   */
  public void deleteContainerInterface() {
    node.namespaceAt(netns()).ifPresent(ns -> ns.findDevice(ifName()).ifPresent(ns::deleteDevice));
  }
}
