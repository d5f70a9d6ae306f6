package io.podnet.cni.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * One element of a conflist's {@code plugins} (CNI spec, "Plugin configuration objects"): the
 * well-known keys {@code type}, {@code name}, {@code capabilities}, {@code ipam} and {@code dns}
 * with typed accessors, and every plugin-specific key kept unchanged, in file order, in {@link
 * #raw()}. Immutable: every JSON it hands out is a copy.
 */
public final class PluginConfig {

  private final ObjectNode raw;
  private final String type;
  private final Map<String, Boolean> capabilities;

  private PluginConfig(ObjectNode raw) {
    this.raw = raw;
    JsonNode typeNode = raw.get("type");
    if (typeNode == null || !typeNode.isTextual() || typeNode.textValue().isEmpty()) {
      throw new IllegalArgumentException("plugin config needs a non-empty string \"type\": " + raw);
    }
    this.type = typeNode.textValue();
    Map<String, Boolean> caps = new LinkedHashMap<>();
    JsonNode capsNode = raw.get("capabilities");
    if (capsNode != null && capsNode.isObject()) {
      for (Map.Entry<String, JsonNode> e : capsNode.properties()) {
        if (!e.getValue().isBoolean()) {
          throw new IllegalArgumentException(
              "capability \""
                  + e.getKey()
                  + "\" must be a boolean, got "
                  + Json.write(e.getValue()));
        }
        caps.put(e.getKey(), e.getValue().booleanValue());
      }
    } else if (capsNode != null && !capsNode.isNull()) {
      throw new IllegalArgumentException(
          "key \"capabilities\" must be an object, got " + Json.write(capsNode));
    }
    this.capabilities = Collections.unmodifiableMap(caps);
  }

  /**
   * Returns the plugin config for a JSON object (copied). The object must have a non-empty string
   * {@code type}; {@link NetworkConfigList#parse} reports the same problems with libcni's texts.
   *
   * @throws IllegalArgumentException if {@code type} is missing or {@code capabilities} is
   *     malformed
   */
  public static PluginConfig of(ObjectNode json) {
    return new PluginConfig(json.deepCopy());
  }

  /** Returns the plugin type, the name of the executable the runtime looks up in CNI_PATH. */
  public String type() {
    return type;
  }

  /** Returns the plugin's own {@code name} key, if it has a string one. */
  public Optional<String> name() {
    return getTextOrEmpty("name");
  }

  /** Returns the declared capabilities in file order (unmodifiable). */
  public Map<String, Boolean> capabilities() {
    return capabilities;
  }

  /** Returns a copy of the {@code ipam} object, if present. */
  public Optional<ObjectNode> ipam() {
    JsonNode node = raw.get("ipam");
    return node != null && node.isObject()
        ? Optional.of(((ObjectNode) node).deepCopy())
        : Optional.empty();
  }

  /** Returns {@code ipam.type}, if present and a string. */
  public Optional<String> ipamType() {
    JsonNode node = raw.get("ipam");
    if (node == null || !node.isObject()) {
      return Optional.empty();
    }
    JsonNode t = node.get("type");
    return t != null && t.isTextual() ? Optional.of(t.textValue()) : Optional.empty();
  }

  /** Returns a copy of the {@code dns} object, if present. */
  public Optional<ObjectNode> dns() {
    JsonNode node = raw.get("dns");
    return node != null && node.isObject()
        ? Optional.of(((ObjectNode) node).deepCopy())
        : Optional.empty();
  }

  /** Returns a copy of the whole object, every key in file order. */
  public ObjectNode raw() {
    return raw.deepCopy();
  }

  /** Returns a copy of the value of {@code key}, if present (a JSON {@code null} is present). */
  public Optional<JsonNode> get(String key) {
    JsonNode node = raw.get(key);
    return node == null ? Optional.empty() : Optional.of(node.deepCopy());
  }

  /**
   * Returns the boolean value of {@code key}, or {@code dflt} when it is absent or null.
   *
   * @throws IllegalArgumentException if the value is not a boolean, e.g. {@code key "hairpinMode"
   *     must be a boolean, got "yes"}
   */
  public boolean getBoolean(String key, boolean dflt) {
    JsonNode node = raw.get(key);
    if (node == null || node.isNull()) {
      return dflt;
    }
    if (!node.isBoolean()) {
      throw wrongType(key, "a boolean", node);
    }
    return node.booleanValue();
  }

  /**
   * Returns the string value of {@code key}, empty when absent or null.
   *
   * @throws IllegalArgumentException if the value is not a string
   */
  public Optional<String> getString(String key) {
    JsonNode node = raw.get(key);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isTextual()) {
      throw wrongType(key, "a string", node);
    }
    return Optional.of(node.textValue());
  }

  /**
   * Returns the integer value of {@code key}, empty when absent or null.
   *
   * @throws IllegalArgumentException if the value is not a number ({@code key "mtu" must be a
   *     number, got "abc"}) or not an integer that fits an {@code int}
   */
  public OptionalInt getInt(String key) {
    JsonNode node = raw.get(key);
    if (node == null || node.isNull()) {
      return OptionalInt.empty();
    }
    if (!node.isNumber()) {
      throw wrongType(key, "a number", node);
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw wrongType(key, "an integer in [-2147483648, 2147483647]", node);
    }
    return OptionalInt.of(node.intValue());
  }

  /**
   * Returns the JSON the runtime writes to this plugin's stdin (CNI spec, "Section 4: Plugin
   * delegation"; libcni {@code buildOneConfig}): the plugin object with {@code name} and {@code
   * cniVersion} set to the network's, {@code prevResult} when there is one, and {@code
   * runtimeConfig} holding the entries of {@code runtimeConfig} whose key is a capability this
   * plugin declares {@code true} (in the order of {@link #capabilities()}), only when that leaves
   * at least one entry. Values are serialised with {@link Json#mapper()}.
   */
  public ObjectNode stdin(
      String networkName,
      String cniVersion,
      @Nullable CniResult prevResult,
      Map<String, Object> runtimeConfig) {
    Objects.requireNonNull(networkName, "networkName");
    Objects.requireNonNull(cniVersion, "cniVersion");
    ObjectNode out = raw.deepCopy();
    out.put("name", networkName);
    out.put("cniVersion", cniVersion);
    if (prevResult != null) {
      out.set("prevResult", prevResult.toJson());
    }
    ObjectNode rc = Json.mapper().createObjectNode();
    for (Map.Entry<String, Boolean> cap : capabilities.entrySet()) {
      if (cap.getValue() && runtimeConfig.containsKey(cap.getKey())) {
        Object value = runtimeConfig.get(cap.getKey());
        rc.set(
            cap.getKey(),
            value instanceof JsonNode
                ? ((JsonNode) value).deepCopy()
                : Json.mapper().valueToTree(value));
      }
    }
    if (!rc.isEmpty()) {
      out.set("runtimeConfig", rc);
    }
    return out;
  }

  private Optional<String> getTextOrEmpty(String key) {
    JsonNode node = raw.get(key);
    return node != null && node.isTextual() ? Optional.of(node.textValue()) : Optional.empty();
  }

  private static IllegalArgumentException wrongType(String key, String expected, JsonNode got) {
    return new IllegalArgumentException(
        "key \"" + key + "\" must be " + expected + ", got " + Json.write(got));
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof PluginConfig && ((PluginConfig) o).raw.equals(raw);
  }

  @Override
  public int hashCode() {
    return raw.hashCode();
  }

  /** Returns the object as compact JSON. */
  @Override
  public String toString() {
    return Json.write(raw);
  }
}
