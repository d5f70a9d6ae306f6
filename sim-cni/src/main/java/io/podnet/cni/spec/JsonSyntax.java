package io.podnet.cni.spec;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A JSON syntax checker that reports errors with the texts of Go's {@code encoding/json} scanner
 * ({@code invalid character '}' after object key}, {@code unexpected end of JSON input}) and
 * remembers where each value of the first eight nesting levels starts, so a configuration error can
 * name the line and column of the offending value.
 */
final class JsonSyntax {

  /** Deepest JSON pointer depth whose value positions are recorded. */
  private static final int RECORD_DEPTH = 8;

  /**
   * Deepest nesting of arrays and objects accepted (real configurations need about six; Go allows
   * 10,000): low enough that the recursive check fits a 256 KiB thread stack, so a hostile document
   * is refused with a syntax error instead of a StackOverflowError.
   */
  static final int MAX_DEPTH = 128;

  /** A syntax error at a character offset. */
  static final class Error extends Exception {
    private static final long serialVersionUID = 1L;
    final int offset;

    Error(String message, int offset) {
      super(message, null, false, false);
      this.offset = offset;
    }
  }

  private final String text;
  private final Map<String, Integer> starts = new HashMap<>();
  private int pos;

  private JsonSyntax(String text) {
    this.text = text;
  }

  /**
   * Checks {@code text} and returns the start offset of every value up to depth 8, keyed by JSON
   * pointer ({@code ""}, {@code /plugins}, {@code /plugins/0/type}); for duplicate keys the last
   * occurrence wins, as in Go.
   */
  static JsonSyntax check(String text) throws Error {
    JsonSyntax s = new JsonSyntax(text);
    s.skipWhitespace();
    s.value("", 0);
    s.skipWhitespace();
    if (s.pos < text.length()) {
      throw s.invalid("after top-level value");
    }
    return s;
  }

  /** Returns the start offset of the value at {@code pointer}, or {@code null} if unrecorded. */
  @Nullable Integer start(String pointer) {
    return starts.get(pointer);
  }

  /** Returns the 1-based {line, column} of {@code offset} in {@code text}. */
  static int[] lineColumn(String text, int offset) {
    int line = 1;
    int column = 1;
    int end = Math.min(offset, text.length());
    for (int i = 0; i < end; i++) {
      if (text.charAt(i) == '\n') {
        line++;
        column = 1;
      } else if (!Character.isLowSurrogate(text.charAt(i))) {
        column++;
      }
    }
    return new int[] {line, column};
  }

  private void value(String pointer, int depth) throws Error {
    if (pos >= text.length()) {
      throw eof();
    }
    if (depth <= RECORD_DEPTH) {
      starts.put(pointer, pos);
    }
    char c = text.charAt(pos);
    if ((c == '{' || c == '[') && depth >= MAX_DEPTH) {
      throw invalid(
          "exceeded max depth (expected at most " + MAX_DEPTH + " nested arrays and objects)");
    }
    switch (c) {
      case '{' -> object(pointer, depth);
      case '[' -> array(pointer, depth);
      case '"' -> string();
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          number();
        } else {
          throw invalid("looking for beginning of value");
        }
      }
    }
  }

  private void object(String pointer, int depth) throws Error {
    pos++; // '{'
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return;
    }
    while (true) {
      if (pos >= text.length()) {
        throw eof();
      }
      if (text.charAt(pos) != '"') {
        throw invalid("looking for beginning of object key string");
      }
      int keyStart = pos;
      string();
      String key =
          depth < RECORD_DEPTH ? Json.parse(text.substring(keyStart, pos)).textValue() : "";
      skipWhitespace();
      if (pos >= text.length()) {
        throw eof();
      }
      if (text.charAt(pos) != ':') {
        throw invalid("after object key");
      }
      pos++;
      skipWhitespace();
      value(pointer + "/" + escape(key), depth + 1);
      skipWhitespace();
      if (pos >= text.length()) {
        throw eof();
      }
      char c = text.charAt(pos);
      if (c == '}') {
        pos++;
        return;
      }
      if (c != ',') {
        throw invalid("after object key:value pair");
      }
      pos++;
      skipWhitespace();
    }
  }

  private void array(String pointer, int depth) throws Error {
    pos++; // '['
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      return;
    }
    int index = 0;
    while (true) {
      value(pointer + "/" + index, depth + 1);
      index++;
      skipWhitespace();
      if (pos >= text.length()) {
        throw eof();
      }
      char c = text.charAt(pos);
      if (c == ']') {
        pos++;
        return;
      }
      if (c != ',') {
        throw invalid("after array element");
      }
      pos++;
      skipWhitespace();
    }
  }

  private void string() throws Error {
    pos++; // opening quote
    while (true) {
      if (pos >= text.length()) {
        throw eof();
      }
      char c = text.charAt(pos);
      if (c == '"') {
        pos++;
        return;
      }
      if (c == '\\') {
        pos++;
        if (pos >= text.length()) {
          throw eof();
        }
        char e = text.charAt(pos);
        if (e == 'u') {
          for (int i = 0; i < 4; i++) {
            pos++;
            if (pos >= text.length()) {
              throw eof();
            }
            if (Character.digit(text.charAt(pos), 16) < 0) {
              throw invalid("in \\u hexadecimal character escape");
            }
          }
        } else if ("bfnrt\\/\"".indexOf(e) < 0) {
          throw invalid("in string escape code");
        }
        pos++;
      } else if (c < 0x20) {
        throw invalid("in string literal");
      } else {
        pos++;
      }
    }
  }

  private void literal(String word) throws Error {
    pos++;
    for (int i = 1; i < word.length(); i++) {
      if (pos >= text.length()) {
        throw eof();
      }
      if (text.charAt(pos) != word.charAt(i)) {
        throw invalid("in literal " + word + " (expecting '" + word.charAt(i) + "')");
      }
      pos++;
    }
  }

  private void number() throws Error {
    if (text.charAt(pos) == '-') {
      pos++;
      if (pos >= text.length()) {
        throw eof();
      }
      if (!isDigit(text.charAt(pos))) {
        throw invalid("in numeric literal");
      }
    }
    if (text.charAt(pos) == '0') {
      pos++;
    } else {
      while (pos < text.length() && isDigit(text.charAt(pos))) {
        pos++;
      }
    }
    if (pos < text.length() && text.charAt(pos) == '.') {
      pos++;
      if (pos >= text.length()) {
        throw eof();
      }
      if (!isDigit(text.charAt(pos))) {
        throw invalid("after decimal point in numeric literal");
      }
      while (pos < text.length() && isDigit(text.charAt(pos))) {
        pos++;
      }
    }
    if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
      pos++;
      if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
        pos++;
      }
      if (pos >= text.length()) {
        throw eof();
      }
      if (!isDigit(text.charAt(pos))) {
        throw invalid("in exponent of numeric literal");
      }
      while (pos < text.length() && isDigit(text.charAt(pos))) {
        pos++;
      }
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private int peek() {
    return pos < text.length() ? text.charAt(pos) : -1;
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private Error eof() {
    return new Error("unexpected end of JSON input", text.length());
  }

  private Error invalid(String context) {
    return new Error("invalid character " + quoteChar(text.codePointAt(pos)) + " " + context, pos);
  }

  /** Quotes a character as Go's scanner does: {@code 'x'}, {@code '\''}, {@code '\n'}. */
  static String quoteChar(int c) {
    if (c == '\'') {
      return "'\\''";
    }
    if (c == '"') {
      return "'\"'";
    }
    String body =
        switch (c) {
          case '\n' -> "\\n";
          case '\r' -> "\\r";
          case '\t' -> "\\t";
          case '\\' -> "\\\\";
          case 0x07 -> "\\a";
          case '\b' -> "\\b";
          case '\f' -> "\\f";
          case 0x0B -> "\\v";
          default -> {
            if (c < 0x20 || c == 0x7F) {
              yield String.format(Locale.ROOT, "\\x%02x", c);
            }
            yield new String(Character.toChars(c));
          }
        };
    return "'" + body + "'";
  }

  /** Escapes a key for a JSON pointer (RFC 6901). */
  static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
