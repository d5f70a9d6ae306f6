package io.podnet.examples.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.podnet.examples.scenario.ScenarioRunTest.Run;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input matrix: every folder under {@code src/test/resources/bad-input/} is one malformed
 * input, a {@code scenario.yaml} given to {@code podnet validate} and {@code podnet run}, the files
 * it refers to (conflists, manifests, iptables-save dumps) and {@code expected.txt}, the one line
 * both commands must print on stderr, with {@code ${CASE}} for the case's folder. Both must exit
 * with 2, print nothing on stdout and no stack trace, and finish within a few seconds.
 *
 * <p>Inputs over {@link Scenario#MAX_FILE_BYTES} are not committed: a case folder holding {@code
 * oversize.txt} names the file the test pads past the limit in its temporary copy of the case.
 */
class BadInputMatrixTest {

  /** Where the cases are, one folder each. */
  private static final String ROOT = "/bad-input";

  /** The placeholder in {@code expected.txt} for the case's folder. */
  private static final String PLACEHOLDER = "${CASE}";

  /** How long one command may take before the case counts as a hang. */
  private static final Duration LIMIT = Duration.ofSeconds(10);

  @TempDir Path temp;

  static Stream<String> cases() throws IOException, URISyntaxException {
    try (Stream<Path> folders = Files.list(root())) {
      return folders
          .filter(Files::isDirectory)
          .map(p -> String.valueOf(p.getFileName()))
          .sorted()
          .toList()
          .stream();
    }
  }

  private static Path root() throws URISyntaxException {
    URL url = BadInputMatrixTest.class.getResource(ROOT);
    assertThat(url).as("test resources " + ROOT).isNotNull();
    return Path.of(url.toURI());
  }

  @Test
  void matrix_coversAtLeastFortyMalformedInputs() throws IOException, URISyntaxException {
    assertThat(cases().count()).isGreaterThanOrEqualTo(40);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void validateAndRun_malformedInput_oneLineNamingFileLocationAndExpectation_exitTwo(String name)
      throws IOException, URISyntaxException {
    Path folder = copy(root().resolve(name), temp.resolve(name));
    String expected =
        Files.readString(folder.resolve("expected.txt"), StandardCharsets.UTF_8)
            .strip()
            .replace(PLACEHOLDER, folder.toString());
    assertThat(expected).as("expected.txt holds one line").doesNotContain("\n");
    String scenario = folder.resolve("scenario.yaml").toString();
    for (List<String> command : List.of(List.of("validate", scenario), List.of("run", scenario))) {
      Run r =
          assertTimeoutPreemptively(
              LIMIT, () -> ScenarioRunTest.cli(command.toArray(String[]::new)), command.get(0));
      assertThat(r.err()).as(command.get(0)).doesNotContain("Exception").doesNotContain("\tat ");
      assertThat(r.err().lines().toList()).as(command.get(0)).containsExactly(expected);
      assertThat(r.out()).as(command.get(0)).isEmpty();
      assertThat(r.code()).as(command.get(0)).isEqualTo(2);
    }
  }

  /**
   * Copies a case folder; when it holds {@code oversize.txt}, pads the file that names to one byte
   * over {@link Scenario#MAX_FILE_BYTES}.
   */
  private static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
    Path oversize = to.resolve("oversize.txt");
    if (Files.exists(oversize)) {
      Path padded = to.resolve(Files.readString(oversize, StandardCharsets.UTF_8).strip());
      long missing = Scenario.MAX_FILE_BYTES + 1 - Files.size(padded);
      try (OutputStream out = Files.newOutputStream(padded, StandardOpenOption.APPEND)) {
        byte[] spaces = " ".repeat(8192).getBytes(StandardCharsets.US_ASCII);
        for (long left = missing; left > 0; left -= spaces.length) {
          out.write(spaces, 0, (int) Math.min(left, spaces.length));
        }
      }
    }
    return to;
  }
}
