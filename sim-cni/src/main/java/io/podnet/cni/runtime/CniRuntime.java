package io.podnet.cni.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.cni.spec.CniConfigException;
import io.podnet.cni.spec.CniError;
import io.podnet.cni.spec.CniException;
import io.podnet.cni.spec.CniResult;
import io.podnet.cni.spec.CniVersions;
import io.podnet.cni.spec.Json;
import io.podnet.cni.spec.NetworkConfigList;
import io.podnet.cni.spec.PluginConfig;
import io.podnet.core.fs.SimFileSystem;
import io.podnet.core.net.Host;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The CNI side of a node's container runtime (libcni as containerd drives it). It reads the
 * lexicographically first {@code *.conf}, {@code *.conflist} or {@code *.json} file in the config
 * folder, finds each plugin by type in the plugin path just before running it, and follows the
 * spec's rules: ADD runs the plugins in order, each with the previous result as {@code prevResult},
 * and caches the final result per attachment in {@code /var/lib/cni/results}; DEL runs them in
 * reverse with the cached result and succeeds when things are already gone; CHECK runs in order
 * with the cached result unless {@code disableCheck}; GC gets the valid attachments. Failures are
 * wrapped with libcni's texts, for example {@code plugin type="bridge" failed (add): failed to find
 * plugin "bridge" in path [/opt/cni/bin]}.
 *
 * <pre>{@code
 * CniRuntime runtime = CniRuntime.on(node, Plugins.standard());
 * runtime.installPlugin("bridge");
 * runtime.installPlugin("host-local");
 * runtime.writeConfig("10-bridge.conflist", json);
 * CniResult r = runtime.add(new Attachment(id, "eth0"), "/var/run/netns/cni-1234", args, Map.of());
 * }</pre>
 */
public final class CniRuntime {

  /** The default config folder. */
  public static final String DEFAULT_CONF_DIR = "/etc/cni/net.d";

  /** The default plugin folder. */
  public static final String DEFAULT_BIN_DIR = "/opt/cni/bin";

  /** The code a plugin's skeleton gives an error that is not a CNI error (types.ErrInternal). */
  static final int ERR_INTERNAL = 999;

  /** The loopback network containerd runs in every sandbox. */
  static final String LOOPBACK_CONFLIST =
      "{\"cniVersion\":\"0.3.1\",\"name\":\"cni-loopback\",\"plugins\":[{\"type\":\"loopback\"}]}";

  private static final NetworkConfigList LOOPBACK =
      NetworkConfigList.parse(LOOPBACK_CONFLIST, "cni-loopback");

  /** Where libcni caches ADD results. */
  public static final String CACHE_DIR = "/var/lib/cni/results";

  private final Host host;
  private final PluginRegistry registry;
  private final String confDir;
  private final List<String> binDirs;
  private final NodeContext context;
  private int execCount;

  /**
   * The configuration last loaded and the text it was parsed from: the file is read on every
   * operation, as libcni does, and parsed again only when its path or text changed.
   */
  private @Nullable NetworkConfigList loaded;

  private @Nullable String loadedText;

  private CniRuntime(Host host, PluginRegistry registry, String confDir, List<String> binDirs) {
    this.host = host;
    this.registry = registry;
    this.confDir = confDir;
    this.binDirs = List.copyOf(binDirs);
    this.context = new NodeContext(host, this);
  }

  /** A runtime on {@code host} with the default folders. */
  public static CniRuntime on(Host host, PluginRegistry registry) {
    return new CniRuntime(host, registry, DEFAULT_CONF_DIR, List.of(DEFAULT_BIN_DIR));
  }

  /** A runtime with its own config folder and plugin path. */
  public static CniRuntime on(
      Host host, PluginRegistry registry, String confDir, List<String> binDirs) {
    if (binDirs.isEmpty()) {
      throw new IllegalArgumentException("the plugin path needs at least one folder");
    }
    return new CniRuntime(host, registry, confDir, binDirs);
  }

  /** The node. */
  public Host host() {
    return host;
  }

  /** What plugins on this node can reach. */
  public NodeContext context() {
    return context;
  }

  /** The plugin path ({@code CNI_PATH}). */
  public List<String> binDirs() {
    return binDirs;
  }

  /** The config folder. */
  public String confDir() {
    return confDir;
  }

  /** Plugin executions so far (each ADD, DEL or CHECK of each plugin, delegations included). */
  public int execCount() {
    return execCount;
  }

  // ---------------------------------------------------------------- installation

  /** Puts the binary of {@code type} into the first plugin folder, as a package would. */
  public void installPlugin(String type) {
    registry.require(type);
    host.files().write(binDirs.get(0) + "/" + type, "cni plugin " + type + "\n");
  }

  /** Removes the binary of {@code type} from every plugin folder. */
  public void removePlugin(String type) {
    for (String dir : binDirs) {
      host.files().delete(dir + "/" + type);
    }
  }

  /** Whether a binary of {@code type} is in the plugin path. */
  public boolean hasPlugin(String type) {
    return findInPath(type).isPresent();
  }

  /** Writes a network configuration file into the config folder. */
  public void writeConfig(String fileName, String content) {
    if (fileName.isEmpty() || fileName.contains("/")) {
      throw new IllegalArgumentException("invalid config file name \"" + fileName + "\"");
    }
    host.files().write(confDir + "/" + fileName, content);
  }

  /**
   * Validates a network configuration and, only if it is valid, writes it into the config folder.
   * Every plugin type must have an implementation and support the list's version, and every plugin
   * and IPAM section must pass its plugin's validation; the first problem is thrown as a {@link
   * CniConfigException} naming the file, the line and column, the spec code and the plugin's own
   * message, and nothing is written.
   */
  public NetworkConfigList installConfig(String fileName, String content) {
    String path = confDir + "/" + fileName;
    NetworkConfigList list =
        fileName.endsWith(".conflist")
            ? NetworkConfigList.parse(content, path)
            : NetworkConfigList.parseSingle(content, path);
    validate(list);
    writeConfig(fileName, content);
    return list;
  }

  /** Validates a parsed configuration as {@link #installConfig} does. */
  public void validate(NetworkConfigList list) {
    String version = list.effectiveVersion();
    List<PluginConfig> plugins = list.plugins();
    for (int i = 0; i < plugins.size(); i++) {
      PluginConfig plugin = plugins.get(i);
      String at = "/plugins/" + i;
      CniPlugin impl =
          registry
              .find(plugin.type())
              .orElseThrow(
                  () ->
                      list.error(
                          CniError.of(
                              CniError.INVALID_CONFIG,
                              "unknown plugin type \""
                                  + plugin.type()
                                  + "\" (expected a type PodNet implements: "
                                  + String.join(", ", registry.plugins().keySet())
                                  + ")"),
                          at + "/type"));
      if (!impl.supportedVersions().contains(version)) {
        throw list.error(
            CniError.of(
                CniError.INCOMPATIBLE_VERSION,
                "incompatible CNI versions; config is \""
                    + version
                    + "\", plugin supports ["
                    + String.join(" ", impl.supportedVersions())
                    + "]"),
            at);
      }
      ObjectNode stdin = plugin.stdin(list.name(), version, null, Map.of());
      validateWith(list, impl, stdin, at, "");
      Optional<String> ipamType = plugin.ipamType();
      if (ipamType.isPresent()) {
        CniPlugin ipam =
            registry
                .find(ipamType.get())
                .orElseThrow(
                    () ->
                        list.error(
                            CniError.of(
                                CniError.INVALID_CONFIG,
                                "unknown IPAM plugin type \""
                                    + ipamType.get()
                                    + "\" (expected a type PodNet implements: "
                                    + String.join(", ", registry.plugins().keySet())
                                    + ")"),
                            at + "/ipam/type"));
        validateWith(list, ipam, stdin, at, "/ipam");
      }
    }
  }

  /**
   * Validates one plugin's stdin; an error points at the value the plugin names, else at {@code at
   * + fallback}.
   */
  private void validateWith(
      NetworkConfigList list, CniPlugin plugin, ObjectNode stdin, String at, String fallback) {
    CniRequest request = new CniRequest("VALIDATE", "", "", "", Map.of(), binDirs, stdin, context);
    try {
      plugin.validate(request);
    } catch (CniException e) {
      throw list.error(e.error(), at + (e.pointer().isEmpty() ? fallback : e.pointer()));
    }
  }

  /** Removes a network configuration file. */
  public void removeConfig(String fileName) {
    host.files().delete(confDir + "/" + fileName);
  }

  /**
   * The network configuration in use: the lexicographically first {@code *.conf}, {@code
   * *.conflist} or {@code *.json} file of the config folder.
   *
   * @throws NetworkNotReadyException when there is none
   * @throws CniConfigException when it does not parse
   */
  public NetworkConfigList loadConfig() {
    SimFileSystem files = host.files();
    for (String name : files.list(confDir)) {
      String path = confDir + "/" + name;
      boolean list = name.endsWith(".conflist");
      if (!list && !name.endsWith(".conf") && !name.endsWith(".json")) {
        continue;
      }
      String content = files.read(path).orElseThrow();
      NetworkConfigList last = loaded;
      if (last != null && last.file().equals(path) && content.equals(loadedText)) {
        return last;
      }
      NetworkConfigList parsed =
          list
              ? NetworkConfigList.parse(content, path)
              : NetworkConfigList.parseSingle(content, path);
      loaded = parsed;
      loadedText = content;
      return parsed;
    }
    throw new NetworkNotReadyException(
        "no network config found in " + confDir + ": cni plugin not initialized");
  }

  // ---------------------------------------------------------------- operations

  /** ADD: runs every plugin in order and caches the final result. */
  public CniResult add(
      Attachment attachment,
      String netns,
      Map<String, String> args,
      Map<String, Object> runtimeConfig) {
    return add(loadConfig(), attachment, netns, args, runtimeConfig);
  }

  /**
   * ADD of the loopback network that containerd sets up in every sandbox before the pod network
   * ({@code cni-loopback}, one {@code loopback} plugin), which is why a node without the loopback
   * binary cannot start pods.
   */
  public CniResult addLoopback(String containerId, String netns, Map<String, String> args) {
    return add(LOOPBACK, new Attachment(containerId, "lo"), netns, args, Map.of());
  }

  /** DEL of the loopback network. */
  public void delLoopback(String containerId, String netns, Map<String, String> args) {
    del(LOOPBACK, new Attachment(containerId, "lo"), netns, args);
  }

  private CniResult add(
      NetworkConfigList list,
      Attachment attachment,
      String netns,
      Map<String, String> args,
      Map<String, Object> runtimeConfig) {
    String version = list.effectiveVersion();
    CniResult result = null;
    for (PluginConfig plugin : list.plugins()) {
      ObjectNode stdin =
          plugin.stdin(list.name(), version, result, declared(plugin, runtimeConfig));
      try {
        result = invoke("ADD", plugin.type(), attachment, netns, args, stdin).orElseThrow();
      } catch (CniException e) {
        throw wrap(plugin, "add", e.error().render(), e.error());
      } catch (PluginNotFoundException e) {
        throw wrap(plugin, "add", e.getMessage(), null);
      }
    }
    if (result == null) {
      throw new IllegalStateException("a parsed conflist has at least one plugin");
    }
    writeCache(list, attachment, netns, args, runtimeConfig, result);
    return result;
  }

  /**
   * DEL: runs every plugin in reverse order with the cached result, then forgets the cache. It is
   * safe to repeat: plugins must succeed when everything is already gone.
   */
  public void del(Attachment attachment, String netns, Map<String, String> args) {
    del(loadConfig(), attachment, netns, args);
  }

  private void del(
      NetworkConfigList list, Attachment attachment, String netns, Map<String, String> args) {
    String version = list.effectiveVersion();
    CniResult cached = cachedResult(list.name(), attachment).orElse(null);
    Map<String, Object> capabilityArgs = cachedCapabilityArgs(list.name(), attachment);
    List<PluginConfig> plugins = new ArrayList<>(list.plugins());
    for (int i = plugins.size() - 1; i >= 0; i--) {
      PluginConfig plugin = plugins.get(i);
      ObjectNode stdin =
          plugin.stdin(list.name(), version, cached, declared(plugin, capabilityArgs));
      try {
        invoke("DEL", plugin.type(), attachment, netns, args, stdin);
      } catch (CniException e) {
        throw wrap(plugin, "delete", e.error().render(), e.error());
      } catch (PluginNotFoundException e) {
        throw wrap(plugin, "delete", e.getMessage(), null);
      }
    }
    host.files().delete(cachePath(list.name(), attachment));
  }

  /** CHECK: runs every plugin in order with the cached result, unless the list disables it. */
  public void check(Attachment attachment, String netns, Map<String, String> args) {
    NetworkConfigList list = loadConfig();
    if (list.disableCheck()) {
      return;
    }
    CniResult cached =
        cachedResult(list.name(), attachment)
            .orElseThrow(
                () ->
                    new CniRuntimeException(
                        "failed to get network \""
                            + list.name()
                            + "\" cached result: no cached result for "
                            + attachment.containerId(),
                        null));
    Map<String, Object> capabilityArgs = cachedCapabilityArgs(list.name(), attachment);
    for (PluginConfig plugin : list.plugins()) {
      ObjectNode stdin =
          plugin.stdin(
              list.name(), list.effectiveVersion(), cached, declared(plugin, capabilityArgs));
      try {
        invoke("CHECK", plugin.type(), attachment, netns, args, stdin);
      } catch (CniException e) {
        throw wrap(plugin, "check", e.error().render(), e.error());
      } catch (PluginNotFoundException e) {
        throw wrap(plugin, "check", e.getMessage(), null);
      }
    }
  }

  /** STATUS: asks every plugin whether it is ready; the first that is not fails the call. */
  public void status() {
    NetworkConfigList list = loadConfig();
    for (PluginConfig plugin : list.plugins()) {
      ObjectNode stdin = plugin.stdin(list.name(), list.effectiveVersion(), null, Map.of());
      try {
        invoke("STATUS", plugin.type(), null, "", Map.of(), stdin);
      } catch (CniException e) {
        throw wrap(plugin, "status", e.error().render(), e.error());
      } catch (PluginNotFoundException e) {
        throw wrap(plugin, "status", e.getMessage(), null);
      }
    }
  }

  /** VERSION: the versions a plugin supports; fails when it is not in the plugin path. */
  public List<String> version(String type) {
    String path = findInPath(type).orElseThrow(() -> new CniRuntimeException(notFound(type), null));
    execCount++;
    return registry
        .find(type)
        .map(CniPlugin::supportedVersions)
        .orElseThrow(() -> new CniRuntimeException("cannot execute " + path, null));
  }

  /**
   * GC, as libcni's {@code GCNetworkList} does it: first a DEL of every cached attachment of the
   * network that is not valid (with the netns and {@code CNI_ARGS} its cache entry recorded), then,
   * only for a configuration at cniVersion 1.1.0 or later, the GC verb for every plugin with the
   * valid attachments under {@code cni.dev/valid-attachments}; continues past errors and returns
   * them, one line each ({@code failed to delete stale attachment <id> <ifname>: <error>}).
   */
  public List<String> gc(List<Attachment> valid) {
    NetworkConfigList list = loadConfig();
    List<String> errors = new ArrayList<>();
    if (list.disableGC()) {
      return errors;
    }
    for (Attachment stale : cachedAttachments(list.name())) {
      if (valid.contains(stale)) {
        continue;
      }
      JsonNode entry = Json.parse(host.files().read(cachePath(list.name(), stale)).orElseThrow());
      Map<String, String> args = new LinkedHashMap<>();
      entry
          .path("cniArgs")
          .fields()
          .forEachRemaining(e -> args.put(e.getKey(), e.getValue().asText()));
      try {
        del(list, stale, entry.path("netns").asText(""), args);
      } catch (CniRuntimeException e) {
        errors.add(
            "failed to delete stale attachment "
                + stale.containerId()
                + " "
                + stale.ifName()
                + ": "
                + e.getMessage());
      }
    }
    if (CniVersions.compare(list.effectiveVersion(), "1.1.0") < 0) {
      return errors;
    }
    for (PluginConfig plugin : list.plugins()) {
      ObjectNode stdin = plugin.stdin(list.name(), list.effectiveVersion(), null, Map.of());
      ArrayNode attachments = stdin.putArray("cni.dev/valid-attachments");
      for (Attachment a : valid) {
        attachments.addObject().put("containerID", a.containerId()).put("ifname", a.ifName());
      }
      try {
        invoke("GC", plugin.type(), null, "", Map.of(), stdin);
      } catch (CniException e) {
        errors.add(wrap(plugin, "gc", e.error().render(), e.error()).getMessage());
      } catch (PluginNotFoundException e) {
        errors.add(wrap(plugin, "gc", e.getMessage(), null).getMessage());
      }
    }
    return errors;
  }

  /** The cached final ADD result of an attachment on the current network, if any. */
  public Optional<CniResult> cachedResult(Attachment attachment) {
    return cachedResult(loadConfig().name(), attachment);
  }

  // ---------------------------------------------------------------- internals

  /** Runs a delegated plugin (IPAM) for a parent request; lookup errors become CNI errors. */
  Optional<CniResult> delegate(String command, String type, ObjectNode stdin, CniRequest parent) {
    Attachment attachment =
        parent.containerId().isEmpty()
            ? null
            : new Attachment(parent.containerId(), parent.ifName());
    try {
      return invoke(command, type, attachment, parent.netns(), parent.args(), stdin);
    } catch (PluginNotFoundException e) {
      throw CniException.of(ERR_INTERNAL, e.getMessage());
    }
  }

  private Optional<CniResult> invoke(
      String command,
      String type,
      @Nullable Attachment attachment,
      String netns,
      Map<String, String> args,
      ObjectNode stdin) {
    findInPath(type).orElseThrow(() -> new PluginNotFoundException(notFound(type)));
    CniPlugin plugin =
        registry.find(type).orElseThrow(() -> new PluginNotFoundException(notFound(type)));
    execCount++;
    String version = stdin.path("cniVersion").asText("");
    if (!plugin.supportedVersions().contains(version)) {
      // skel's checkVersionAndCall: the details are version.ErrorIncompatible's, Go's %q of each
      List<String> quoted = new ArrayList<>();
      plugin.supportedVersions().forEach(v -> quoted.add("\"" + v + "\""));
      throw CniException.of(
          CniError.INCOMPATIBLE_VERSION,
          "incompatible CNI versions",
          "config is \"" + version + "\", plugin supports [" + String.join(" ", quoted) + "]");
    }
    CniRequest request =
        new CniRequest(
            command,
            attachment == null ? "" : attachment.containerId(),
            netns,
            attachment == null ? "" : attachment.ifName(),
            args,
            binDirs,
            stdin,
            context);
    switch (command) {
      case "ADD" -> {
        return Optional.of(plugin.add(request).withVersion(version));
      }
      case "DEL" -> plugin.del(request);
      case "CHECK" -> plugin.check(request);
      case "STATUS" -> plugin.status(request);
      case "GC" -> plugin.gc(request);
      default -> throw new IllegalArgumentException("unknown CNI command " + command);
    }
    return Optional.empty();
  }

  private Optional<String> findInPath(String type) {
    for (String dir : binDirs) {
      String path = dir + "/" + type;
      if (host.files().exists(path)) {
        return Optional.of(path);
      }
    }
    return Optional.empty();
  }

  private String notFound(String type) {
    return "failed to find plugin \"" + type + "\" in path [" + String.join(" ", binDirs) + "]";
  }

  private static CniRuntimeException wrap(
      PluginConfig plugin, String op, String message, @Nullable CniError error) {
    String description =
        "type=\"" + plugin.type() + "\"" + plugin.name().map(n -> " name=\"" + n + "\"").orElse("");
    return new CniRuntimeException(
        "plugin " + description + " failed (" + op + "): " + message, error);
  }

  /** The runtime config a plugin gets: only the capabilities it declared true. */
  private static Map<String, Object> declared(PluginConfig plugin, Map<String, Object> all) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : all.entrySet()) {
      if (Boolean.TRUE.equals(plugin.capabilities().get(e.getKey()))) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  private String cachePath(String network, Attachment a) {
    return CACHE_DIR + "/" + network + "-" + a.containerId() + "-" + a.ifName();
  }

  private void writeCache(
      NetworkConfigList list,
      Attachment a,
      String netns,
      Map<String, String> args,
      Map<String, Object> runtimeConfig,
      CniResult result) {
    ObjectNode cache = Json.mapper().createObjectNode();
    cache.put("kind", "cniCacheV1");
    cache.put("containerId", a.containerId());
    cache.put("ifName", a.ifName());
    cache.put("networkName", list.name());
    cache.put("netns", netns);
    ObjectNode cniArgs = cache.putObject("cniArgs");
    args.forEach(cniArgs::put);
    // Most ADDs (every sandbox's loopback) have no capability args: skip Jackson's serializer.
    cache.set(
        "capabilityArgs",
        runtimeConfig.isEmpty()
            ? Json.mapper().createObjectNode()
            : Json.mapper().valueToTree(runtimeConfig));
    cache.set("result", result.toJson());
    host.files().write(cachePath(list.name(), a), Json.write(cache));
  }

  private Optional<CniResult> cachedResult(String network, Attachment a) {
    return host.files()
        .read(cachePath(network, a))
        .map(Json::parse)
        .map(node -> CniResult.fromJson(node.get("result")));
  }

  private Map<String, Object> cachedCapabilityArgs(String network, Attachment a) {
    Optional<String> text = host.files().read(cachePath(network, a));
    if (text.isEmpty()) {
      return Map.of();
    }
    JsonNode node = Json.parse(text.get()).path("capabilityArgs");
    Map<String, Object> out = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  private List<Attachment> cachedAttachments(String network) {
    List<Attachment> out = new ArrayList<>();
    for (String name : host.files().list(CACHE_DIR)) {
      host.files()
          .read(CACHE_DIR + "/" + name)
          .map(Json::parse)
          .filter(n -> n.path("networkName").asText().equals(network))
          .ifPresent(
              n ->
                  out.add(
                      new Attachment(n.path("containerId").asText(), n.path("ifName").asText())));
    }
    return out;
  }

  /** The plugin binary is not in the path (libcni's FindInPath error). */
  private static final class PluginNotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PluginNotFoundException(String message) {
      super(message);
    }
  }
}
