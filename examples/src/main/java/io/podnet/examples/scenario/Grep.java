package io.podnet.examples.scenario;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * A {@code | grep} after an inspection command, as in the CNI article's {@code ip -d link show |
 * grep vxlan}: GNU grep's line selection with its options {@code -i}, {@code -v}, {@code -w},
 * {@code -c}, {@code -E} (extended regular expressions) and {@code -F} (fixed strings); without
 * {@code -E} or {@code -F} the pattern is a basic regular expression, where {@code + ? | { } ( )}
 * are literal and their backslashed forms are operators. Immutable.
 */
final class Grep {

  /** The options, as an error message lists them. */
  static final String OPTIONS = "-i, -v, -w, -c, -E, -F";

  private final Pattern pattern;
  private final boolean invert;
  private final boolean count;

  private Grep(Pattern pattern, boolean invert, boolean count) {
    this.pattern = pattern;
    this.invert = invert;
    this.count = count;
  }

  /**
   * Parses the words after {@code grep}: options (single or combined, {@code -iv}), then one
   * pattern. {@link IllegalArgumentException} names an unsupported option, a missing or extra
   * pattern, or a pattern that does not compile.
   */
  static Grep parse(List<String> words) {
    boolean ignoreCase = false;
    boolean invert = false;
    boolean word = false;
    boolean count = false;
    char syntax = 'G';
    int i = 0;
    while (i < words.size() && words.get(i).startsWith("-") && words.get(i).length() > 1) {
      for (char c : words.get(i).substring(1).toCharArray()) {
        switch (c) {
          case 'i' -> ignoreCase = true;
          case 'v' -> invert = true;
          case 'w' -> word = true;
          case 'c' -> count = true;
          case 'E', 'F' -> syntax = c;
          default ->
              throw new IllegalArgumentException(
                  "grep: unsupported option -" + c + " (expected " + OPTIONS + ")");
        }
      }
      i++;
    }
    if (words.size() - i != 1) {
      throw new IllegalArgumentException(
          "grep: expected one pattern after the options, got "
              + (words.size() - i == 0
                  ? "none"
                  : String.join(" ", words.subList(i, words.size()))));
    }
    String text = words.get(i);
    String regex =
        switch (syntax) {
          case 'F' -> Pattern.quote(text);
          case 'E' -> translate(text, true);
          default -> translate(text, false);
        };
    if (word) {
      regex = "(?<![\\w])(?:" + regex + ")(?![\\w])";
    }
    try {
      return new Grep(
          Pattern.compile(regex, ignoreCase ? Pattern.CASE_INSENSITIVE : 0), invert, count);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          "grep: invalid pattern \"" + text + "\": " + e.getDescription().toLowerCase(Locale.ROOT),
          e);
    }
  }

  /** The lines of {@code output} grep selects, each with its newline, or their count with -c. */
  String filter(String output) {
    List<String> lines = output.lines().filter(l -> pattern.matcher(l).find() != invert).toList();
    if (count) {
      return lines.size() + "\n";
    }
    return lines.stream().map(l -> l + "\n").collect(Collectors.joining());
  }

  /**
   * Turns a POSIX regular expression into a {@link Pattern} one: basic ({@code extended} false) or
   * extended syntax, bracket expressions with their {@code [:class:]} names.
   */
  private static String translate(String re, boolean extended) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < re.length()) {
      char c = re.charAt(i);
      if (c == '[') {
        i = bracket(re, i, out);
        continue;
      }
      if (c == '\\' && i + 1 < re.length()) {
        char n = re.charAt(i + 1);
        if ("+?|{}()".indexOf(n) >= 0) {
          out.append(extended ? "\\" + n : String.valueOf(n));
        } else if (n == '<' || n == '>') {
          out.append("\\b");
        } else if (Character.isLetterOrDigit(n)) {
          out.append('\\').append(n);
        } else {
          out.append(Pattern.quote(String.valueOf(n)));
        }
        i += 2;
        continue;
      }
      if (c == '\\') {
        throw new IllegalArgumentException("grep: trailing backslash in \"" + re + "\"");
      }
      if ("+?|{}()".indexOf(c) >= 0 && !extended || c == '*' && out.isEmpty()) {
        out.append('\\').append(c);
      } else {
        out.append(c);
      }
      i++;
    }
    return out.toString();
  }

  /**
   * Copies the bracket expression starting at {@code re[start]} into {@code out} as a Java
   * character class and returns the index after it; an unclosed one is a literal {@code [}.
   */
  private static int bracket(String re, int start, StringBuilder out) {
    int i = start + 1;
    StringBuilder cls = new StringBuilder("[");
    if (i < re.length() && re.charAt(i) == '^') {
      cls.append('^');
      i++;
    }
    boolean first = true;
    while (i < re.length()) {
      char c = re.charAt(i);
      if (c == ']' && !first) {
        out.append(cls).append(']');
        return i + 1;
      }
      if (c == '[' && i + 1 < re.length() && re.charAt(i + 1) == ':') {
        int end = re.indexOf(":]", i + 2);
        if (end > 0) {
          cls.append(posixClass(re.substring(i + 2, end)));
          i = end + 2;
          first = false;
          continue;
        }
      }
      cls.append("[]\\&^".indexOf(c) >= 0 ? "\\" + c : String.valueOf(c));
      first = false;
      i++;
    }
    out.append("\\[");
    return start + 1;
  }

  /** The Java class of a POSIX character class name ({@code alpha}, {@code digit}, ...). */
  private static String posixClass(String name) {
    return switch (name) {
      case "alpha" -> "\\p{Alpha}";
      case "digit" -> "\\p{Digit}";
      case "alnum" -> "\\p{Alnum}";
      case "upper" -> "\\p{Upper}";
      case "lower" -> "\\p{Lower}";
      case "space" -> "\\s";
      case "blank" -> " \\t";
      case "punct" -> "\\p{Punct}";
      case "xdigit" -> "\\p{XDigit}";
      default ->
          throw new IllegalArgumentException("grep: unknown character class [:" + name + ":]");
    };
  }
}
