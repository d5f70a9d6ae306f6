package io.podnet.examples.scenario;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * A {@code | grep} after an inspection command, as in the CNI article's {@code ip -d link show |
 * grep vxlan}: GNU grep's line selection with its options {@code -i}, {@code -v}, {@code -w},
 * {@code -c}, {@code -E} (extended regular expressions), {@code -F} (fixed strings), {@code -e
 * PATTERN} (repeatable: any of them) and {@code --}. Without {@code -E} or {@code -F} a pattern is
 * a basic regular expression: {@code + ? | { } ( )} are literal and their backslashed forms are
 * operators, {@code *} is literal where nothing precedes it, {@code ^} and {@code $} anchor only at
 * the ends of the expression or of a group or alternative. Bracket expressions take {@code
 * [:class:]} names and single-character {@code [=c=]} and {@code [.c.]}; {@code \w \W \s \S \b \B
 * \< \>} and back references keep GNU's meanings, any other backslashed letter stands for itself.
 * Immutable.
 */
final class Grep {

  /** The options, as an error message lists them. */
  static final String OPTIONS = "-i, -v, -w, -c, -E, -F, -e PATTERN, --";

  private final Pattern pattern;
  private final boolean invert;
  private final boolean count;

  private Grep(Pattern pattern, boolean invert, boolean count) {
    this.pattern = pattern;
    this.invert = invert;
    this.count = count;
  }

  /**
   * Parses the words after {@code grep}: options (single or combined, {@code -iv}), then the
   * pattern unless {@code -e} gave one. {@link IllegalArgumentException} names an unsupported
   * option, conflicting matchers, a missing or extra pattern, or a pattern GNU grep refuses.
   */
  static Grep parse(List<String> words) {
    boolean ignoreCase = false;
    boolean invert = false;
    boolean word = false;
    boolean count = false;
    char syntax = 'G';
    List<String> patterns = new ArrayList<>();
    int i = 0;
    while (i < words.size() && words.get(i).startsWith("-") && words.get(i).length() > 1) {
      String option = words.get(i++);
      if (option.equals("--")) {
        break;
      }
      for (int k = 1; k < option.length(); k++) {
        char c = option.charAt(k);
        switch (c) {
          case 'i' -> ignoreCase = true;
          case 'v' -> invert = true;
          case 'w' -> word = true;
          case 'c' -> count = true;
          case 'E', 'F' -> {
            if (syntax != 'G' && syntax != c) {
              throw new IllegalArgumentException("grep: conflicting matchers specified");
            }
            syntax = c;
          }
          case 'e' -> {
            if (k + 1 < option.length()) {
              patterns.add(option.substring(k + 1));
            } else if (i < words.size()) {
              patterns.add(words.get(i++));
            } else {
              throw new IllegalArgumentException("grep: option -e requires a pattern");
            }
            k = option.length();
          }
          default ->
              throw new IllegalArgumentException(
                  "grep: unsupported option -" + c + " (expected " + OPTIONS + ")");
        }
      }
    }
    List<String> rest = words.subList(i, words.size());
    if (patterns.isEmpty()) {
      if (rest.size() != 1) {
        throw new IllegalArgumentException(
            "grep: expected one pattern after the options, got "
                + (rest.isEmpty() ? "none" : String.join(" ", rest)));
      }
      patterns.add(rest.get(0));
    } else if (!rest.isEmpty()) {
      throw new IllegalArgumentException(
          "grep: expected no pattern after -e PATTERN, got " + String.join(" ", rest));
    }
    try {
      List<String> regexes = new ArrayList<>();
      int groups = 0;
      for (String p : patterns) {
        Translated t =
            syntax == 'F'
                ? new Translated(Pattern.quote(p), 0)
                : translate(p, syntax == 'E', groups);
        groups += t.groups();
        regexes.add(word ? "(?<!\\w)(?:" + t.regex() + ")(?!\\w)" : "(?:" + t.regex() + ")");
      }
      return new Grep(
          Pattern.compile(
              String.join("|", regexes),
              ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0),
          invert,
          count);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          "grep: invalid pattern \"" + String.join("\" or \"", patterns) + "\"", e);
    }
  }

  /** Whether this is {@code grep -c}, which prints its count only once its input ends. */
  boolean countsOnly() {
    return count;
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
   * Turns a POSIX regular expression, basic or ({@code extended}) extended, into a {@link Pattern}
   * one with the same matches; its back references count from {@code groupsBefore}, the groups of
   * the patterns joined before it.
   */
  private static Translated translate(String re, boolean extended, int groupsBefore) {
    StringBuilder out = new StringBuilder();
    Deque<Integer> groups = new ArrayDeque<>();
    int closed = 0;
    int atom = -1;
    boolean quantified = false;
    boolean start = true;
    int i = 0;
    while (i < re.length()) {
      char c = re.charAt(i);
      int next = i + 1;
      char op = 0;
      String piece = null;
      if (c == '\\') {
        if (next == re.length()) {
          throw new IllegalArgumentException("grep: trailing backslash in \"" + re + "\"");
        }
        char n = re.charAt(next++);
        if ("+?|{}()".indexOf(n) >= 0 && !extended) {
          op = n;
        } else {
          if (n >= '1' && n <= '9' && n - '0' > closed) {
            throw new IllegalArgumentException("grep: invalid back reference in \"" + re + "\"");
          }
          piece = n >= '1' && n <= '9' ? "\\" + (n - '0' + groupsBefore) : backslashed(n);
        }
      } else if ("+?|{}()".indexOf(c) >= 0) {
        if (extended) {
          op = c;
        } else {
          piece = Pattern.quote(String.valueOf(c));
        }
      } else if (c == '*') {
        if (start) {
          piece = "\\*";
        } else {
          op = c;
        }
      } else if (c == '^' && (extended || start)) {
        out.append('^');
        i = next;
        continue;
      } else if (c == '$' && (extended || endsExpression(re, next, extended))) {
        out.append('$');
        atom = -1;
        quantified = false;
        start = false;
        i = next;
        continue;
      } else if (c == '[') {
        atom = out.length();
        i = bracket(re, i, out);
        quantified = false;
        start = false;
        continue;
      } else {
        piece = c == '.' ? "." : Pattern.quote(String.valueOf(c));
      }
      int intervalEnd = piece == null && op == '{' && atom >= 0 ? interval(re, next, extended) : 0;
      if (piece == null && op == '(') {
        groups.push(out.length());
        out.append('(');
        atom = -1;
        quantified = false;
        start = true;
      } else if (piece == null && op == ')') {
        if (groups.isEmpty()) {
          throw new IllegalArgumentException("grep: unmatched ) or \\)");
        }
        atom = groups.pop();
        closed++;
        out.append(')');
        quantified = false;
        start = false;
      } else if (piece == null && op == '|') {
        out.append('|');
        atom = -1;
        quantified = false;
        start = true;
      } else if (piece == null && atom >= 0 && op != '}' && (op != '{' || intervalEnd > 0)) {
        String quantifier = String.valueOf(op);
        if (op == '{') {
          int end = intervalEnd;
          String bounds = re.substring(next, end - (extended ? 1 : 2));
          quantifier = "{" + (bounds.startsWith(",") ? "0" : "") + bounds + "}";
          next = end;
        }
        if (quantified) {
          out.insert(atom, "(?:").append(')');
        }
        out.append(quantifier);
        quantified = true;
        start = false;
      } else {
        // A literal, or an operator with nothing to apply to, which GNU takes literally.
        atom = out.length();
        out.append(piece != null ? piece : Pattern.quote(String.valueOf(op)));
        quantified = false;
        start = false;
      }
      i = next;
    }
    if (!groups.isEmpty()) {
      throw new IllegalArgumentException("grep: unmatched ( or \\(");
    }
    return new Translated(out.toString(), closed);
  }

  /** A pattern as a {@link Pattern} regular expression, and how many groups it captures. */
  private record Translated(String regex, int groups) {}

  /** Whether {@code re[from]} ends an expression, a group or an alternative (for {@code $}). */
  private static boolean endsExpression(String re, int from, boolean extended) {
    String rest = re.substring(from);
    return rest.isEmpty()
        || (extended ? rest.startsWith(")") || rest.startsWith("|") : rest.startsWith("\\)"))
        || !extended && rest.startsWith("\\|");
  }

  /**
   * The index after the interval {@code {m,n}} whose body starts at {@code from}; -1 where an
   * extended expression has no valid one (its {@code {} is then literal, as GNU takes it).
   */
  private static int interval(String re, int from, boolean extended) {
    String close = extended ? "}" : "\\}";
    int end = re.indexOf(close, from);
    if (end >= 0 && re.substring(from, end).matches("\\d+(,\\d*)?|,\\d+")) {
      return end + close.length();
    }
    if (extended) {
      return -1;
    }
    throw new IllegalArgumentException("grep: invalid content of \\{\\} in \"" + re + "\"");
  }

  /** What {@code \c} means to GNU grep, as a {@link Pattern} piece. */
  private static String backslashed(char c) {
    if (c == '<') {
      return "\\b(?=\\w)";
    }
    if (c == '>') {
      return "\\b(?<=\\w)";
    }
    if ("wWsSbB".indexOf(c) >= 0) {
      return "\\" + c;
    }
    return Pattern.quote(String.valueOf(c));
  }

  /**
   * Copies the bracket expression starting at {@code re[start]} into {@code out} as a Java
   * character class and returns the index after it.
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
        String body = re.substring(start + 1, i);
        if (body.length() > 1 && body.startsWith(":") && body.endsWith(":")) {
          throw new IllegalArgumentException(
              "grep: character class syntax is [[:space:]], not [:space:]");
        }
        out.append(cls).append(']');
        return i + 1;
      }
      if (c == '[' && i + 1 < re.length() && "=.:".indexOf(re.charAt(i + 1)) >= 0) {
        char kind = re.charAt(i + 1);
        int end = re.indexOf(kind + "]", i + 2);
        if (end < 0) {
          throw unmatched();
        }
        String name = re.substring(i + 2, end);
        if (kind == ':') {
          cls.append(posixClass(name));
        } else if (name.length() == 1) {
          cls.append(inClass(name.charAt(0)));
        } else {
          throw new IllegalArgumentException(
              "grep: invalid collation character [" + kind + name + kind + "]");
        }
        i = end + 2;
        first = false;
        continue;
      }
      cls.append(inClass(c));
      first = false;
      i++;
    }
    throw unmatched();
  }

  private static IllegalArgumentException unmatched() {
    return new IllegalArgumentException("grep: Unmatched [, [^, [:, [., or [=");
  }

  /** {@code c} as a member of a Java character class (a range's dash stays a dash). */
  private static String inClass(char c) {
    return "[]\\&^".indexOf(c) >= 0 ? "\\" + c : String.valueOf(c);
  }

  /** The Java class of a POSIX character class name ({@code alpha}, {@code digit}, ...). */
  private static String posixClass(String name) {
    return switch (name) {
      case "alpha" -> "\\p{Alpha}";
      case "digit" -> "\\p{Digit}";
      case "alnum" -> "\\p{Alnum}";
      case "upper" -> "\\p{Upper}";
      case "lower" -> "\\p{Lower}";
      case "space" -> "\\s\\x0B";
      case "blank" -> " \\t";
      case "punct" -> "\\p{Punct}";
      case "xdigit" -> "\\p{XDigit}";
      case "cntrl" -> "\\p{Cntrl}";
      case "graph" -> "\\p{Graph}";
      case "print" -> "\\p{Print}";
      default ->
          throw new IllegalArgumentException("grep: invalid character class [:" + name + ":]");
    };
  }
}
