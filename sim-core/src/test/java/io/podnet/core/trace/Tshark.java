package io.podnet.core.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real tshark over a capture and returns its non-blank output lines, for the tests of
 * every module that check a {@link PcapWriter} capture decodes as Wireshark sees it (other modules
 * get it through sim-core's test-jar). tshark is required (CI installs it): without it the calling
 * test fails rather than skips.
 */
public final class Tshark {

  private Tshark() {}

  /**
   * Runs {@code tshark -n -r FILE ARGS...} and returns its non-blank standard output lines; fails
   * the test if tshark cannot start, runs over 60 seconds or exits non-zero.
   */
  public static List<String> run(Path file, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString()));
    command.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("tshark finished").isTrue();
    assertThat(p.exitValue()).as("tshark exit code for %s", command).isZero();
    return out.lines().filter(l -> !l.isBlank()).toList();
  }
}
