package io.podnet.cni.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A parsed network configuration list, the {@code .conflist} file a runtime reads from {@code
 * /etc/cni/net.d} (CNI spec, "Section 1: Network configuration format"). Parsing follows libcni's
 * {@code NetworkConfFromBytes}: the same checks in the same order, the same error texts, plus the
 * line and column of the offending value. Every plugin object is kept unchanged.
 *
 * <pre>{@code
 * NetworkConfigList list = NetworkConfigList.parse(Files.readString(path), "10-flannel.conflist");
 * list.name();                 // "cbr0"
 * list.plugins().get(0).type() // "flannel"
 * }</pre>
 */
public final class NetworkConfigList {

  /** Network names and container ids, per the CNI spec and libcni's {@code ValidateNetworkName}. */
  static final Pattern VALID_NAME = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$");

  private final String name;
  private final String cniVersion;
  private final List<String> cniVersions;
  private final String effectiveVersion;
  private final boolean disableCheck;
  private final boolean disableGC;
  private final List<PluginConfig> plugins;
  private final String file;
  private final ObjectNode raw;
  private final Parser source;
  private final boolean single;

  private NetworkConfigList(
      String name,
      String cniVersion,
      List<String> cniVersions,
      String effectiveVersion,
      boolean disableCheck,
      boolean disableGC,
      List<PluginConfig> plugins,
      String file,
      ObjectNode raw,
      Parser source,
      boolean single) {
    this.source = source;
    this.single = single;
    this.name = name;
    this.cniVersion = cniVersion;
    this.cniVersions = List.copyOf(cniVersions);
    this.effectiveVersion = effectiveVersion;
    this.disableCheck = disableCheck;
    this.disableGC = disableGC;
    this.plugins = List.copyOf(plugins);
    this.file = file;
    this.raw = raw;
  }

  /**
   * A configuration error found after parsing (by a plugin's validation, say), located at the JSON
   * pointer {@code pointer} of this list, such as {@code /plugins/0/ipam}, or at its closest parent
   * whose position is known. For a single-plugin {@code .conf} file, {@code /plugins/0} is the
   * whole file.
   */
  public CniConfigException error(CniError error, String pointer) {
    String at = pointer;
    if (single && at.startsWith("/plugins/0")) {
      at = at.substring("/plugins/0".length());
    }
    return source.fail(error.code(), error.msg(), error.details(), at);
  }

  /**
   * Parses a {@code .conflist} file's content.
   *
   * @param file the file name used in error messages, e.g. {@code 10-flannel.conflist}
   * @throws CniConfigException with code 6 when the content is not JSON, 7 when it is not a valid
   *     configuration list, 1 when no declared version is supported
   */
  public static NetworkConfigList parse(String json, String file) {
    return new Parser(json, file).parseList();
  }

  /**
   * Parses a single-plugin {@code .conf} file and up-converts it like libcni's {@code
   * ConfListFromConf}: the whole object becomes the one plugin, and the list's {@code name} and
   * {@code cniVersion} are taken from it.
   *
   * @throws CniConfigException as {@link #parse}, with libcni's {@code error parsing configuration}
   *     texts
   */
  public static NetworkConfigList parseSingle(String json, String file) {
    return new Parser(json, file).parseSingle();
  }

  /** Returns the network name. */
  public String name() {
    return name;
  }

  /** Returns the declared {@code cniVersion}, {@code ""} when absent. */
  public String cniVersion() {
    return cniVersion;
  }

  /** Returns the declared {@code cniVersions}, empty when absent. */
  public List<String> cniVersions() {
    return cniVersions;
  }

  /**
   * Returns the version the runtime uses: the highest supported of {@code cniVersions} (and {@code
   * cniVersion}) when {@code cniVersions} is present, else {@code cniVersion}.
   */
  public String effectiveVersion() {
    return effectiveVersion;
  }

  /** Returns whether CHECK is skipped for this network. */
  public boolean disableCheck() {
    return disableCheck;
  }

  /** Returns whether GC is skipped for this network. */
  public boolean disableGC() {
    return disableGC;
  }

  /** Returns the plugins in chain order (ADD order). */
  public List<PluginConfig> plugins() {
    return plugins;
  }

  /** Returns the file name given to the parser. */
  public String file() {
    return file;
  }

  /**
   * Returns a copy of the whole list object as parsed (for a {@code .conf}, the up-converted list).
   */
  public ObjectNode raw() {
    return raw.deepCopy();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof NetworkConfigList
        && ((NetworkConfigList) o).raw.equals(raw)
        && ((NetworkConfigList) o).file.equals(file);
  }

  @Override
  public int hashCode() {
    return Objects.hash(raw, file);
  }

  /** Returns {@code file (name, version, n plugins)}. */
  @Override
  public String toString() {
    return file
        + " (network "
        + name
        + ", cniVersion "
        + effectiveVersion
        + ", plugins "
        + plugins.stream().map(PluginConfig::type).toList()
        + ")";
  }

  /** One parse of one text; knows how to point an error at a JSON value. */
  private static final class Parser {
    private static final String LIST = "error parsing configuration list: ";
    private static final String CONF = "error parsing configuration: ";

    private final String text;
    private final String file;
    private @Nullable JsonSyntax syntax;

    Parser(String text, String file) {
      this.text = Objects.requireNonNull(text, "json");
      this.file = Objects.requireNonNull(file, "file");
    }

    NetworkConfigList parseList() {
      JsonNode root = read(LIST);
      if (!root.isObject()) {
        throw fail(
            CniError.INVALID_CONFIG,
            LIST
                + "json: cannot unmarshal "
                + goKind(root)
                + " into Go value of type map[string]interface {}",
            "");
      }
      ObjectNode obj = (ObjectNode) root;
      JsonNode nameNode = obj.get("name");
      if (nameNode == null) {
        throw fail(
            CniError.INVALID_CONFIG,
            LIST + "no name",
            "expected a \"name\" key naming the network",
            "");
      }
      if (!nameNode.isTextual()) {
        throw fail(
            CniError.INVALID_CONFIG, LIST + "invalid name type " + goType(nameNode), "/name");
      }
      String cniVersion = "";
      JsonNode versionNode = obj.get("cniVersion");
      if (versionNode != null) {
        if (!versionNode.isTextual()) {
          throw fail(
              CniError.INVALID_CONFIG,
              LIST + "invalid cniVersion type " + goType(versionNode),
              "/cniVersion");
        }
        cniVersion = versionNode.textValue();
      }
      List<String> cniVersions = new ArrayList<>();
      JsonNode versionsNode = obj.get("cniVersions");
      if (versionsNode != null) {
        if (!versionsNode.isArray()) {
          throw fail(
              CniError.INVALID_CONFIG,
              LIST + "invalid type for cniVersions: " + goType(versionsNode),
              "/cniVersions");
        }
        for (int i = 0; i < versionsNode.size(); i++) {
          JsonNode v = versionsNode.get(i);
          String at = "/cniVersions/" + i;
          if (!v.isTextual()) {
            throw fail(
                CniError.INVALID_CONFIG,
                LIST + "invalid type for cniVersions index " + i + ": " + goType(v),
                at);
          }
          if (!CniVersions.isWellFormed(v.textValue())) {
            throw fail(
                CniError.INVALID_CONFIG,
                LIST + "invalid cniVersions entry " + v.textValue() + " at index " + i,
                at);
          }
          cniVersions.add(v.textValue());
        }
      }
      boolean disableCheck = readBool(obj, "disableCheck");
      boolean disableGC = readBool(obj, "disableGC");
      readBool(obj, "loadOnlyInlinedPlugins");

      JsonNode pluginsNode = obj.get("plugins");
      if (pluginsNode == null) {
        throw fail(
            CniError.INVALID_CONFIG, LIST + "no 'plugins' key", "expected a \"plugins\" list", "");
      }
      if (!pluginsNode.isArray()) {
        throw fail(
            CniError.INVALID_CONFIG,
            LIST + "invalid 'plugins' type " + goType(pluginsNode),
            "/plugins");
      }
      if (pluginsNode.isEmpty()) {
        throw fail(
            CniError.INVALID_CONFIG,
            LIST + "no plugins in list",
            "expected at least one plugin",
            "/plugins");
      }
      List<PluginConfig> plugins = new ArrayList<>();
      ArrayNode array = (ArrayNode) pluginsNode;
      for (int i = 0; i < array.size(); i++) {
        plugins.add(
            plugin(
                array.get(i), "/plugins/" + i, "failed to parse plugin config " + i + ": " + CONF));
      }
      String name = nameNode.textValue();
      validateName(name);
      String effective = resolveVersion(cniVersion, cniVersions, versionsNode != null);
      return new NetworkConfigList(
          name,
          cniVersion,
          cniVersions,
          effective,
          disableCheck,
          disableGC,
          plugins,
          file,
          obj,
          this,
          false);
    }

    NetworkConfigList parseSingle() {
      JsonNode root = read(CONF);
      PluginConfig plugin = plugin(root, "", CONF);
      ObjectNode obj = (ObjectNode) root;
      String name = textOrEmpty(obj.get("name"));
      String cniVersion = textOrEmpty(obj.get("cniVersion"));
      validateName(name);
      String effective = resolveVersion(cniVersion, List.of(), false);
      ObjectNode list = Json.mapper().createObjectNode();
      list.put("name", name);
      list.put("cniVersion", cniVersion);
      list.putArray("plugins").add(obj);
      return new NetworkConfigList(
          name,
          cniVersion,
          List.of(),
          effective,
          false,
          false,
          List.of(plugin),
          file,
          list,
          this,
          true);
    }

    private JsonNode read(String prefix) {
      try {
        syntax = JsonSyntax.check(text);
      } catch (JsonSyntax.Error e) {
        int[] lc = JsonSyntax.lineColumn(text, e.offset);
        throw new CniConfigException(
            CniError.of(CniError.DECODE_FAILURE, prefix + e.getMessage()), file, lc[0], lc[1]);
      }
      try {
        return Json.parse(text);
      } catch (IllegalArgumentException e) {
        throw new CniConfigException(
            CniError.of(CniError.DECODE_FAILURE, prefix + e.getMessage()), file, 0, 0);
      }
    }

    /** Checks one plugin object the way Go decodes it into {@code types.NetConf}. */
    private PluginConfig plugin(JsonNode node, String at, String prefix) {
      if (!node.isObject()) {
        throw fail(
            CniError.INVALID_CONFIG,
            prefix
                + "json: cannot unmarshal "
                + goKind(node)
                + " into Go value of type types.NetConf",
            at);
      }
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        String key = e.getKey();
        JsonNode v = e.getValue();
        String keyAt = at + "/" + JsonSyntax.escape(key);
        switch (key) {
          case "cniVersion", "name", "type" -> expect(v, "string", "NetConf." + key, keyAt, prefix);
          case "capabilities" -> {
            expect(v, "object", "NetConf.capabilities", keyAt, prefix);
            if (v.isObject()) {
              for (Map.Entry<String, JsonNode> cap : v.properties()) {
                expect(
                    cap.getValue(),
                    "bool",
                    "NetConf.capabilities",
                    keyAt + "/" + JsonSyntax.escape(cap.getKey()),
                    prefix);
              }
            }
          }
          case "ipam" -> {
            expect(v, "object", "NetConf.ipam", keyAt, prefix);
            if (v.isObject() && v.has("type")) {
              expect(v.get("type"), "string", "NetConf.ipam.type", keyAt + "/type", prefix);
            }
          }
          case "dns" -> expect(v, "object", "NetConf.dns", keyAt, prefix);
          default -> {}
        }
      }
      JsonNode type = node.get("type");
      if (type == null || !type.isTextual() || type.textValue().isEmpty()) {
        throw fail(
            CniError.INVALID_CONFIG,
            prefix + "missing 'type'",
            "expected a \"type\" naming the plugin",
            at);
      }
      return PluginConfig.of((ObjectNode) node);
    }

    private void expect(JsonNode v, String kind, String field, String at, String prefix) {
      if (v.isNull() || goKind(v).equals(kind)) {
        return;
      }
      String goFieldType =
          switch (field) {
            case "NetConf.capabilities" -> kind.equals("bool") ? "bool" : "map[string]bool";
            case "NetConf.ipam" -> "types.IPAM";
            case "NetConf.dns" -> "types.DNS";
            default -> "string";
          };
      throw fail(
          CniError.INVALID_CONFIG,
          prefix
              + "json: cannot unmarshal "
              + goKind(v)
              + " into Go struct field "
              + field
              + " of type "
              + goFieldType,
          at);
    }

    /** libcni's {@code readBool}: a boolean, or the string "true"/"false" in any case. */
    private boolean readBool(ObjectNode obj, String key) {
      JsonNode v = obj.get(key);
      if (v == null) {
        return false;
      }
      if (v.isBoolean()) {
        return v.booleanValue();
      }
      if (!v.isTextual()) {
        throw fail(
            CniError.INVALID_CONFIG, LIST + "invalid type " + goType(v) + " for " + key, "/" + key);
      }
      String s = v.textValue().toLowerCase(java.util.Locale.ROOT);
      return switch (s) {
        case "true" -> true;
        case "false" -> false;
        default ->
            throw fail(
                CniError.INVALID_CONFIG,
                LIST + "invalid value \"" + s + "\" for " + key,
                "/" + key);
      };
    }

    private void validateName(String name) {
      if (name.isEmpty()) {
        throw fail(CniError.INVALID_CONFIG, "missing network name:", "", "/name");
      }
      if (!VALID_NAME.matcher(name).matches()) {
        throw fail(
            CniError.INVALID_CONFIG, "invalid characters found in network name", name, "/name");
      }
    }

    private String resolveVersion(String cniVersion, List<String> cniVersions, boolean listed) {
      if (!listed) {
        if (!CniVersions.isSupported(cniVersion)) {
          throw incompatible(cniVersion, "/cniVersion");
        }
        return cniVersion;
      }
      List<String> candidates = new ArrayList<>(cniVersions);
      if (!cniVersion.isEmpty()) {
        candidates.add(cniVersion);
      }
      @Nullable String best = null;
      @Nullable String highest = null;
      for (String c : candidates) {
        if (highest == null || CniVersions.compare(c, highest) > 0) {
          highest = c;
        }
        if (CniVersions.isSupported(c) && (best == null || CniVersions.compare(c, best) > 0)) {
          best = c;
        }
      }
      if (best == null) {
        throw incompatible(highest == null ? "" : highest, "/cniVersions");
      }
      return best;
    }

    private CniConfigException incompatible(String version, String at) {
      return fail(
          CniError.INCOMPATIBLE_VERSION,
          "incompatible CNI versions",
          "config is \""
              + version
              + "\", plugin supports "
              + CniVersions.goQuotedList(CniVersions.SUPPORTED),
          at);
    }

    private CniConfigException fail(int code, String msg, String at) {
      return fail(code, msg, "", at);
    }

    /** Points at the value at JSON pointer {@code at}, or at the closest recorded parent. */
    private CniConfigException fail(int code, String msg, String details, String at) {
      @Nullable Integer offset = null;
      String pointer = at;
      while (syntax != null && offset == null) {
        offset = syntax.start(pointer);
        if (pointer.isEmpty()) {
          break;
        }
        pointer = pointer.substring(0, pointer.lastIndexOf('/'));
      }
      if (offset == null) {
        return new CniConfigException(CniError.of(code, msg, details), file, 0, 0);
      }
      int[] lc = JsonSyntax.lineColumn(text, offset);
      return new CniConfigException(CniError.of(code, msg, details), file, lc[0], lc[1]);
    }
  }

  private static String textOrEmpty(@Nullable JsonNode node) {
    return node != null && node.isTextual() ? node.textValue() : "";
  }

  /** Go's {@code %T} of a value decoded into {@code interface{}}. */
  static String goType(JsonNode v) {
    if (v.isTextual()) {
      return "string";
    }
    if (v.isNumber()) {
      return "float64";
    }
    if (v.isBoolean()) {
      return "bool";
    }
    if (v.isArray()) {
      return "[]interface {}";
    }
    if (v.isObject()) {
      return "map[string]interface {}";
    }
    return "<nil>";
  }

  /** The JSON kind Go's {@code UnmarshalTypeError} names: string, number, bool, array, object. */
  static String goKind(JsonNode v) {
    if (v.isTextual()) {
      return "string";
    }
    if (v.isNumber()) {
      return "number";
    }
    if (v.isBoolean()) {
      return "bool";
    }
    if (v.isArray()) {
      return "array";
    }
    if (v.isObject()) {
      return "object";
    }
    return "null";
  }
}
