package io.podnet.cni.plugins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.cni.spec.CniError;
import io.podnet.cni.spec.CniException;

/**
 * Typed reads of a plugin's stdin configuration. A key of the wrong JSON type is a CNI error with
 * code 7 ({@code INVALID_CONFIG}) naming the key, the way a plugin that fails to decode its
 * configuration reports it.
 */
final class PluginConf {

  private final ObjectNode config;

  PluginConf(ObjectNode config) {
    this.config = config;
  }

  String string(String key, String dflt) {
    JsonNode v = config.get(key);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isTextual()) {
      throw invalid(key, "a string", v);
    }
    return v.asText();
  }

  boolean bool(String key) {
    JsonNode v = config.get(key);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw invalid(key, "a boolean", v);
    }
    return v.asBoolean();
  }

  int integer(String key, int dflt) {
    JsonNode v = config.get(key);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw invalid(key, "an integer", v);
    }
    return v.asInt();
  }

  ObjectNode object(String key) {
    JsonNode v = config.get(key);
    if (!(v instanceof ObjectNode o)) {
      throw CniException.of(
          CniError.INVALID_CONFIG, "failed to load netconf: \"" + key + "\" must be an object");
    }
    return o;
  }

  String ipamType() {
    String type = new PluginConf(object("ipam")).string("type", "");
    if (type.isEmpty()) {
      throw CniException.of(
          CniError.INVALID_CONFIG, "failed to load netconf: ipam needs a \"type\"");
    }
    return type;
  }

  private static CniException invalid(String key, String expected, JsonNode actual) {
    return CniException.of(
        CniError.INVALID_CONFIG,
        "failed to load netconf: \"" + key + "\" must be " + expected + ", got " + actual);
  }
}
