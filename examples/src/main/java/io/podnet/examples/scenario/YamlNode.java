package io.podnet.examples.scenario;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A YAML value with the line and column where it starts: a map (keys in file order, each with its
 * own position), a list, a scalar or null. Jackson's tree model drops positions, so this one keeps
 * them for error messages.
 */
final class YamlNode {

  /** The shapes a value can have. */
  enum Kind {
    MAP,
    LIST,
    SCALAR,
    NULL
  }

  private static final YAMLFactory FACTORY = new YAMLFactory();

  /** The deepest nesting of maps and lists read; scenario files and manifests need about ten. */
  static final int MAX_DEPTH = 64;

  final Kind kind;
  final int line;
  final int column;
  final @Nullable JsonToken token;
  final String text;
  final Map<String, YamlNode> map = new LinkedHashMap<>();
  final Map<String, int[]> keyPositions = new LinkedHashMap<>();
  final List<YamlNode> list = new ArrayList<>();

  private YamlNode(Kind kind, int line, int column, @Nullable JsonToken token, String text) {
    this.kind = kind;
    this.line = line;
    this.column = column;
    this.token = token;
    this.text = text;
  }

  /**
   * Every document of a YAML text; {@link IOException} (with a location) when it does not parse.
   */
  static List<YamlNode> readAll(String yaml) throws IOException {
    List<YamlNode> docs = new ArrayList<>();
    try (JsonParser p = FACTORY.createParser(yaml)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        docs.add(read(p, t, 1));
      }
    }
    return docs;
  }

  private static YamlNode read(JsonParser p, JsonToken t, int depth) throws IOException {
    JsonLocation loc = p.currentTokenLocation();
    int line = loc.getLineNr();
    int col = loc.getColumnNr();
    if (depth > MAX_DEPTH && (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY)) {
      throw new Refused(
          "nested deeper than " + MAX_DEPTH + " levels (expected a flatter document)", line, col);
    }
    switch (t) {
      case START_OBJECT -> {
        YamlNode n = new YamlNode(Kind.MAP, line, col, t, "");
        JsonToken k;
        while ((k = p.nextToken()) == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonLocation kl = p.currentTokenLocation();
          if (n.map.containsKey(name)) {
            throw new Refused("duplicate key \"" + name + "\"", kl.getLineNr(), kl.getColumnNr());
          }
          n.keyPositions.put(name, new int[] {kl.getLineNr(), kl.getColumnNr()});
          n.map.put(name, read(p, p.nextToken(), depth + 1));
        }
        return n;
      }
      case START_ARRAY -> {
        YamlNode n = new YamlNode(Kind.LIST, line, col, t, "");
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
          n.list.add(read(p, e, depth + 1));
        }
        return n;
      }
      case VALUE_NULL -> {
        return new YamlNode(Kind.NULL, line, col, t, "null");
      }
      default -> {
        return new YamlNode(Kind.SCALAR, line, col, t, p.getText());
      }
    }
  }

  private JsonNode intOrText(JsonNodeFactory f) {
    try {
      long v = Long.parseLong(text);
      return v == (int) v ? f.numberNode((int) v) : f.numberNode(v);
    } catch (NumberFormatException e) {
      return f.textNode(text);
    }
  }

  /** A well-formed YAML text PodNet refuses, with where: a duplicate key or too deep nesting. */
  static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;
    final int line;
    final int column;

    Refused(String message, int line, int column) {
      super(message);
      this.line = line;
      this.column = column;
    }
  }

  /** Whether this is an integer scalar. */
  boolean isInt() {
    return token == JsonToken.VALUE_NUMBER_INT;
  }

  /** Whether this is a string scalar. */
  boolean isString() {
    return token == JsonToken.VALUE_STRING;
  }

  /** What the value is, for a "got ..." in a message. */
  String describe() {
    return switch (kind) {
      case MAP -> "a map";
      case LIST -> "a list";
      case NULL -> "nothing";
      case SCALAR -> isString() ? "\"" + text + "\"" : text;
    };
  }

  /** The same value as a Jackson tree (numbers and booleans typed), for fabric8's model classes. */
  JsonNode toJson() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return switch (kind) {
      case MAP -> {
        ObjectNode o = f.objectNode();
        map.forEach((k, v) -> o.set(k, v.toJson()));
        yield o;
      }
      case LIST -> {
        ArrayNode a = f.arrayNode();
        list.forEach(v -> a.add(v.toJson()));
        yield a;
      }
      case NULL -> f.nullNode();
      case SCALAR ->
          switch (token == null ? JsonToken.VALUE_STRING : token) {
            case VALUE_NUMBER_INT -> intOrText(f);
            case VALUE_NUMBER_FLOAT -> f.numberNode(Double.parseDouble(text));
            case VALUE_TRUE -> f.booleanNode(true);
            case VALUE_FALSE -> f.booleanNode(false);
            default -> f.textNode(text);
          };
    };
  }
}
