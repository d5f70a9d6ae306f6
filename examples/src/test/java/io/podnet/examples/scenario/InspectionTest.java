package io.podnet.examples.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link Inspection}'s command lines: shell splitting, pipes, and their display. */
class InspectionTest {

  @Test
  void stages_quotesEscapesAndPipes_splitAsAShellDoes() {
    assertThat(Inspection.stages("ip -d link show | grep -v 'dev  eth0' | grep \"a|b\""))
        .containsExactly(
            List.of("ip", "-d", "link", "show"),
            List.of("grep", "-v", "dev  eth0"),
            List.of("grep", "a|b"));
    assertThat(Inspection.stages("ip route | grep 10\\.244 | grep a\\|b"))
        .containsExactly(List.of("ip", "route"), List.of("grep", "10.244"), List.of("grep", "a|b"));
    assertThat(Inspection.stages("ip route|grep 'a\\|b'|grep \"x\\\"y\\z\""))
        .containsExactly(
            List.of("ip", "route"), List.of("grep", "a\\|b"), List.of("grep", "x\"y\\z"));
  }

  @Test
  void stages_alreadySplitWords_stagesAtBarWordsAndOneWordIsALine() {
    assertThat(Inspection.stages(List.of("ip", "route", "|", "grep", "-v", "dev eth0")))
        .containsExactly(List.of("ip", "route"), List.of("grep", "-v", "dev eth0"));
    assertThat(Inspection.stages(List.of("ip route | grep 'a b'")))
        .containsExactly(List.of("ip", "route"), List.of("grep", "a b"));
  }

  @Test
  void stages_badLines_oneLineNamingTheProblem() {
    assertThatThrownBy(() -> Inspection.stages("ip route |"))
        .hasMessage("empty command before or after a | in \"ip route |\"");
    assertThatThrownBy(() -> Inspection.stages("| grep x"))
        .hasMessage("empty command before or after a | in \"| grep x\"");
    assertThatThrownBy(() -> Inspection.stages("ip route | grep 'x"))
        .hasMessage("unterminated ' in \"ip route | grep 'x\"");
    assertThatThrownBy(() -> Inspection.stages("ip route \\"))
        .hasMessage("trailing backslash in \"ip route \\\"");
    assertThatThrownBy(() -> Inspection.greps(List.of(List.of("wc", "-l"))))
        .hasMessage("only grep can follow a | (got \"wc -l\")");
  }

  @Test
  void display_wordsWithSpacesOrShellCharacters_quotedSoTheyReadBackTheSame() {
    List<List<String>> stages =
        List.of(
            List.of("ip", "route"),
            List.of("grep", "-v", "dev eth0"),
            List.of("grep", "it's|"),
            List.of("grep", "-E", "a{1,2}"),
            List.of("grep", "-c", ""));

    String line = Inspection.display(stages);

    assertThat(line)
        .isEqualTo(
            "ip route | grep -v 'dev eth0' | grep 'it'\\''s|' | grep -E 'a{1,2}' | grep -c ''");
    assertThat(Inspection.stages(line)).isEqualTo(stages);
  }
}
