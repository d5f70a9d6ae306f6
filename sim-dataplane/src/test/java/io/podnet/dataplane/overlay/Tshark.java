package io.podnet.dataplane.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real tshark over a capture and returns its non-blank output lines. tshark is required
 * (CI installs it): without it the calling test fails rather than skips.
 */
final class Tshark {

  private Tshark() {}

  static List<String> run(Path file, String... args) throws Exception {
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
