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

  /** {@code n} conntrack-like lines of 100 characters each, the i-th holding {@code flow<i>}. */
  private static String table(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      String line = "tcp      6 60 SYN_RECV flow" + i + " ";
      sb.append(line).append("x".repeat(99 - line.length())).append('\n');
    }
    return sb.toString();
  }

  @Test
  void terminal_conntrackWithoutPipe_countLineAfterTheTable() {
    String table = table(2);

    assertThat(Inspection.terminal(List.of(), "conntrack", table))
        .isEqualTo(table + "conntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown.\n");
  }

  @Test
  void terminal_smallTableThroughGrep_countLineBeforeGrepsLines() {
    String table = table(3);

    assertThat(Inspection.terminal(List.of(Grep.parse(List.of("flow1"))), "conntrack", table))
        .as("under 4096 bytes conntrack's stdout reaches grep only as it exits")
        .isEqualTo(
            "conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.\n"
                + table.lines().toList().get(1)
                + "\n");
  }

  @Test
  void terminal_largeTableThroughGrep_countLineAfterWhatGrepReadOfTheFullBlocks() {
    String table = table(50); // 5,000 bytes: one full 4096-byte block, 40 whole lines in it
    String out =
        Inspection.terminal(List.of(Grep.parse(List.of("flow[0-9]*5 "))), "conntrack", table);

    assertThat(out.lines().toList())
        .extracting(l -> l.startsWith("conntrack v1.4.7") ? "count" : l.substring(23, 29).trim())
        .containsExactly("flow5", "flow15", "flow25", "flow35", "count", "flow45");
  }

  @Test
  void terminal_grepCount_countLineFirstThenGrepsCount() {
    assertThat(
            Inspection.terminal(List.of(Grep.parse(List.of("-c", "flow"))), "conntrack", table(50)))
        .isEqualTo("conntrack v1.4.7 (conntrack-tools): 50 flow entries have been shown.\n50\n");
  }

  @Test
  void terminal_otherCommands_justTheFilteredOutput() {
    assertThat(Inspection.terminal(List.of(Grep.parse(List.of("b"))), "route", "a\nb\n"))
        .isEqualTo("b\n");
  }
}
