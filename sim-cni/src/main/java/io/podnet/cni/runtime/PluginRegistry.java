package io.podnet.cni.runtime;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The plugin implementations PodNet knows, by type name. A registry says what a plugin of a type
 * does; whether a node can run it is decided by what is installed in the node's plugin path.
 * Immutable: {@link #with} returns a new registry, so tests can add their own plugins.
 */
public final class PluginRegistry {

  private final TreeMap<String, CniPlugin> plugins;

  private PluginRegistry(TreeMap<String, CniPlugin> plugins) {
    this.plugins = plugins;
  }

  /** An empty registry. */
  public static PluginRegistry empty() {
    return new PluginRegistry(new TreeMap<>());
  }

  /** This registry plus {@code plugin} under {@code type} (replacing any previous one). */
  public PluginRegistry with(String type, CniPlugin plugin) {
    if (type.isEmpty() || type.contains("/") || type.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(
          "invalid plugin type \"" + type + "\" (expected a file name without '/' or whitespace)");
    }
    TreeMap<String, CniPlugin> copy = new TreeMap<>(plugins);
    copy.put(type, plugin);
    return new PluginRegistry(copy);
  }

  /** The implementation of {@code type}, if known. */
  public Optional<CniPlugin> find(String type) {
    return Optional.ofNullable(plugins.get(type));
  }

  /** The implementation of {@code type}; {@link IllegalArgumentException} naming the known ones. */
  public CniPlugin require(String type) {
    return find(type)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no implementation of plugin type \""
                        + type
                        + "\" (known: "
                        + plugins.keySet()
                        + ")"));
  }

  /** Every type, sorted. */
  public Map<String, CniPlugin> plugins() {
    return Collections.unmodifiableMap(plugins);
  }
}
