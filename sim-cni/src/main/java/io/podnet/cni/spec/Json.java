package io.podnet.cni.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigDecimal;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The one JSON configuration of the CNI code: a Jackson mapper whose object nodes keep insertion
 * order, and writers that print a tree the way Go's {@code encoding/json} does ({@code Marshal}
 * compact, {@code MarshalIndent} with an indent), including Go's escaping of {@code <>&} and its
 * number format, so text compared against real tools matches byte for byte.
 */
public final class Json {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .disable(SerializationFeature.INDENT_OUTPUT)
          .disable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Json() {}

  /**
   * Returns the shared mapper. Object nodes are insertion-ordered; do not reconfigure it (use
   * {@code mapper().copy()} for a variant).
   */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * Parses {@code text} into a tree.
   *
   * @throws IllegalArgumentException if it is not one JSON value
   */
  public static JsonNode parse(String text) {
    try {
      JsonNode node = MAPPER.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw new IllegalArgumentException("unexpected end of JSON input");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("invalid JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Returns {@code node} compact, as Go's {@code json.Marshal} prints it. */
  public static String write(JsonNode node) {
    StringBuilder sb = new StringBuilder();
    append(sb, node, null, 0);
    return sb.toString();
  }

  /** Returns {@code node} indented by two spaces, as {@code json.MarshalIndent(v, "", " ")}. */
  public static String pretty(JsonNode node) {
    return pretty(node, "  ");
  }

  /**
   * Returns {@code node} indented by {@code indent}, as {@code json.MarshalIndent(v, "", indent)}.
   */
  public static String pretty(JsonNode node, String indent) {
    StringBuilder sb = new StringBuilder();
    append(sb, node, indent, 0);
    return sb.toString();
  }

  private static void append(StringBuilder sb, JsonNode node, @Nullable String indent, int depth) {
    if (node.isObject()) {
      if (node.isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append('{');
      boolean first = true;
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        newline(sb, indent, depth + 1);
        appendString(sb, e.getKey());
        sb.append(indent == null ? ":" : ": ");
        append(sb, e.getValue(), indent, depth + 1);
      }
      newline(sb, indent, depth);
      sb.append('}');
    } else if (node.isArray()) {
      if (node.isEmpty()) {
        sb.append("[]");
        return;
      }
      sb.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        newline(sb, indent, depth + 1);
        append(sb, node.get(i), indent, depth + 1);
      }
      newline(sb, indent, depth);
      sb.append(']');
    } else if (node.isTextual()) {
      appendString(sb, node.textValue());
    } else if (node.isNumber()) {
      sb.append(formatNumber(node));
    } else if (node.isBoolean()) {
      sb.append(node.booleanValue());
    } else if (node.isNull() || node.isMissingNode()) {
      sb.append("null");
    } else {
      // POJO or binary nodes: let Jackson decide, they never come out of parsing.
      sb.append(node.toString());
    }
  }

  private static void newline(StringBuilder sb, @Nullable String indent, int depth) {
    if (indent != null) {
      sb.append('\n');
      for (int i = 0; i < depth; i++) {
        sb.append(indent);
      }
    }
  }

  /** Appends {@code s} quoted with Go's escaping (HTML-safe, {@code \u2028} and {@code \u2029}). */
  static void appendString(StringBuilder sb, String s) {
    sb.append('"');
    int plain = 0;
    while (plain < s.length() && !needsEscape(s.charAt(plain))) {
      plain++;
    }
    sb.append(s, 0, plain);
    for (int i = plain; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (needsEscape(c)) {
            sb.append("\\u")
                .append(HEX[(c >> 12) & 0xF])
                .append(HEX[(c >> 8) & 0xF])
                .append(HEX[(c >> 4) & 0xF])
                .append(HEX[c & 0xF]);
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /** Whether Go writes {@code c} escaped inside a string. */
  private static boolean needsEscape(char c) {
    return c < 0x20
        || c == '"'
        || c == '\\'
        || c == '<'
        || c == '>'
        || c == '&'
        || c == '\u2028'
        || c == '\u2029';
  }

  /** Formats a number as Go prints a float64 or an integer. */
  private static String formatNumber(JsonNode node) {
    if (node.isIntegralNumber()) {
      return node.bigIntegerValue().toString();
    }
    if (node.isBigDecimal()) {
      return goFloat(node.decimalValue());
    }
    double d = node.doubleValue();
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new IllegalArgumentException("json: unsupported value: " + d);
    }
    return goFloat(new BigDecimal(Double.toString(d)));
  }

  private static String goFloat(BigDecimal value) {
    if (value.signum() == 0) {
      return "0";
    }
    BigDecimal v = value.stripTrailingZeros();
    double abs = Math.abs(v.doubleValue());
    if (abs < 1e-6 || abs >= 1e21) {
      // Go: strconv 'e' format with the shortest digits and at least two exponent digits removed.
      String digits = v.unscaledValue().abs().toString();
      int exponent = digits.length() - 1 - v.scale();
      StringBuilder sb = new StringBuilder();
      if (v.signum() < 0) {
        sb.append('-');
      }
      sb.append(digits.charAt(0));
      if (digits.length() > 1) {
        sb.append('.').append(digits, 1, digits.length());
      }
      sb.append('e').append(exponent < 0 ? '-' : '+');
      int e = Math.abs(exponent);
      if (e < 10) {
        sb.append('0');
      }
      sb.append(e);
      String text = sb.toString();
      // encoding/json cleans e-07 to e-7.
      int n = text.length();
      if (n >= 4
          && text.charAt(n - 4) == 'e'
          && text.charAt(n - 3) == '-'
          && text.charAt(n - 2) == '0') {
        text = text.substring(0, n - 2) + text.charAt(n - 1);
      }
      return text;
    }
    return v.toPlainString();
  }
}
