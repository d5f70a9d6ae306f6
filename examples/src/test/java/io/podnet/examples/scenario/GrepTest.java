package io.podnet.examples.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link Grep}: GNU grep's selection, options and regular expression syntaxes. */
class GrepTest {

  private static final String FLANNEL =
      "3: flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450\n";
  private static final String VXLAN =
      "    vxlan id 1 local 192.168.1.11 dev eth0 srcport 0 0 dstport 8472\n";
  private static final String CNI0 = "4: cni0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450\n";
  private static final String BRIDGE = "    bridge forward_delay 1500 hello_time 200\n";
  private static final String LINKS = FLANNEL + VXLAN + CNI0 + BRIDGE;

  private static String grep(String... words) {
    return Grep.parse(List.of(words)).filter(LINKS);
  }

  @Test
  void filter_plainWord_keepsTheMatchingLinesWithTheirNewline() {
    assertThat(grep("vxlan")).isEqualTo(VXLAN);
    assertThat(grep("geneve")).isEmpty();
  }

  @Test
  void filter_options_ignoreCaseInvertCountAndWordSelectExactlyTheirLines() {
    assertThat(grep("-i", "VXLAN")).isEqualTo(VXLAN);
    assertThat(grep("-v", "mtu")).isEqualTo(VXLAN + BRIDGE);
    assertThat(grep("-c", "mtu 1450")).isEqualTo("2\n");
    assertThat(grep("-vc", "mtu")).isEqualTo("2\n");
    assertThat(grep("-w", "id")).isEqualTo(VXLAN);
    assertThat(grep("-w", "i")).isEmpty();
  }

  @Test
  void filter_basicSyntax_plusAndParenthesesAreLiteralUnlessBackslashed() {
    assertThat(grep("dstport 84+72")).isEmpty();
    assertThat(grep("-E", "dstport 84+72")).isEqualTo(VXLAN);
    assertThat(grep("dstport 84\\+72")).isEqualTo(VXLAN);
    assertThat(grep("dstport 84\\(7\\)\\+2")).isEqualTo(VXLAN);
    assertThat(grep("-E", "dstport 84(7)+2")).isEqualTo(VXLAN);
    assertThat(grep("-F", "1.11")).isEqualTo(VXLAN);
    assertThat(grep("-F", "1.1.")).isEmpty();
    assertThat(grep("1.1.")).isEqualTo(VXLAN);
  }

  @Test
  void filter_bracketExpressions_posixClassesCloseBracketFirstAndBackslashLiteral() {
    assertThat(grep("^[[:digit:]]: cni")).isEqualTo(CNI0);
    assertThat(Grep.parse(List.of("[]x]")).filter("a]\nb\nx\n")).isEqualTo("a]\nx\n");
    assertThat(Grep.parse(List.of("a[\\]b")).filter("a\\b\nab\n")).isEqualTo("a\\b\n");
    assertThat(Grep.parse(List.of("[[=a=]]")).filter("a\nb\n")).isEqualTo("a\n");
    assertThat(grep("-c", "[^[:space:]]")).isEqualTo("4\n");
  }

  @Test
  void filter_basicSyntaxFineRules_starAfterAnchorLiteralAnchorsOnlyAtTheEnds() {
    String text = "a*b\nab\nx^y\nx$y\n";
    assertThat(Grep.parse(List.of("^*")).filter("*a\nb\n")).isEqualTo("*a\n");
    assertThat(Grep.parse(List.of("x^y")).filter(text)).isEqualTo("x^y\n");
    assertThat(Grep.parse(List.of("x$y")).filter(text)).isEqualTo("x$y\n");
    assertThat(Grep.parse(List.of("-E", "x$y")).filter(text)).isEmpty();
    assertThat(Grep.parse(List.of("a\\{2\\}")).filter("a\naa\n")).isEqualTo("aa\n");
    assertThat(Grep.parse(List.of("-E", "a{x")).filter("a{x\nax\n")).isEqualTo("a{x\n");
    assertThat(Grep.parse(List.of("-E", "(a+)?b")).filter("b\nc\n")).isEqualTo("b\n");
    assertThat(Grep.parse(List.of("-E", "xa+?")).filter("x\nxa\n")).isEqualTo("x\nxa\n");
    assertThat(Grep.parse(List.of("-E", "^a{,2}b")).filter("b\naab\naaab\n")).isEqualTo("b\naab\n");
    assertThat(Grep.parse(List.of("-e", "\\(a\\)\\1", "-e", "\\(b\\)\\1")).filter("ab\nbb\naa\n"))
        .as("each pattern's back reference counts its own groups")
        .isEqualTo("bb\naa\n");
  }

  @Test
  void filter_backslashes_wordEdgesClassesAndOtherLettersLiteral() {
    assertThat(grep("\\<id\\>")).isEqualTo(VXLAN);
    assertThat(grep("eth0\\<")).isEmpty();
    assertThat(grep("\\bid\\b")).isEqualTo(VXLAN);
    assertThat(Grep.parse(List.of("a\\Qb")).filter("aQb\nab\n")).isEqualTo("aQb\n");
    assertThat(Grep.parse(List.of("\\d")).filter("d\n1\n")).isEqualTo("d\n");
  }

  @Test
  void filter_severalPatternsAndDoubleDash_anyOfThemAndPatternsStartingWithADash() {
    assertThat(grep("-c", "-e", "cni0", "-e", "flannel")).isEqualTo("2\n");
    assertThat(Grep.parse(List.of("--", "-v")).filter("a-v\nb\n")).isEqualTo("a-v\n");
    assertThat(Grep.parse(List.of("-i", "STRASSE")).filter("straße\nstrasse\n"))
        .isEqualTo("strasse\n");
    assertThat(Grep.parse(List.of("-i", "É")).filter("é\n")).isEqualTo("é\n");
  }

  @Test
  void parse_badInput_oneLineNamingTheProblem() {
    assertThatThrownBy(() -> Grep.parse(List.of("-z", "x")))
        .hasMessage(
            "grep: unsupported option -z (expected -i, -v, -w, -c, -E, -F, -e PATTERN, --)");
    assertThatThrownBy(() -> Grep.parse(List.of("-i")))
        .hasMessage("grep: expected one pattern after the options, got none");
    assertThatThrownBy(() -> Grep.parse(List.of("a", "b")))
        .hasMessage("grep: expected one pattern after the options, got a b");
    assertThatThrownBy(() -> Grep.parse(List.of("-E", "("))).hasMessage("grep: unmatched ( or \\(");
    assertThatThrownBy(() -> Grep.parse(List.of("ab\\")))
        .hasMessage("grep: trailing backslash in \"ab\\\"");
    assertThatThrownBy(() -> Grep.parse(List.of("[[:nope:]]")))
        .hasMessage("grep: invalid character class [:nope:]");
    assertThatThrownBy(() -> Grep.parse(List.of("[:space:]")))
        .hasMessage("grep: character class syntax is [[:space:]], not [:space:]");
    assertThatThrownBy(() -> Grep.parse(List.of("a[b")))
        .hasMessage("grep: Unmatched [, [^, [:, [., or [=");
    assertThatThrownBy(() -> Grep.parse(List.of("-E", "-F", "x")))
        .hasMessage("grep: conflicting matchers specified");
    assertThatThrownBy(() -> Grep.parse(List.of("-e")))
        .hasMessage("grep: option -e requires a pattern");
    assertThatThrownBy(() -> Grep.parse(List.of("-e", "\\(a\\)", "-e", "\\1")))
        .hasMessage("grep: invalid back reference in \"\\1\"");
    assertThatThrownBy(() -> Grep.parse(List.of("-E", "a{3,2}")))
        .hasMessage("grep: invalid pattern \"a{3,2}\"");
    assertThatThrownBy(() -> Grep.parse(List.of("\\(a"))).hasMessage("grep: unmatched ( or \\(");
    assertThatThrownBy(() -> Grep.parse(List.of("a\\{x\\}")))
        .hasMessage("grep: invalid content of \\{\\} in \"a\\{x\\}\"");
  }
}
