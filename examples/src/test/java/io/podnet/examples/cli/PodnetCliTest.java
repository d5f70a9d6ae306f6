package io.podnet.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodnetCliTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return PodnetCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void execute_demoWithSeed_printsTranscriptAndExitsZero() {
    assertThat(run("demo", "--seed", "5")).isZero();
    assertThat(out.toString())
        .startsWith("PodNet demo, seed 5\n")
        .containsPattern("trace digest: [0-9a-f]{64}\n$");
  }

  @Test
  void execute_badSeed_exitsTwoWithOneLineAndNoStackTrace() {
    assertThat(run("demo", "--seed", "abc")).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo("podnet: Invalid value for option '--seed': 'abc' is not a long\n");
  }

  @Test
  void execute_unknownCommand_exitsTwo() {
    assertThat(run("dmeo")).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("podnet: Unmatched argument at index 0: 'dmeo'\n");
  }

  @Test
  void execute_pcapDirectoryIsAFile_exitsTwoWithOneLine(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    assertThat(run("demo", "--pcap", file.toString())).isEqualTo(2);
    assertThat(err.toString().strip())
        .startsWith("podnet: cannot write captures to ")
        .doesNotContain("\n");
  }
}
