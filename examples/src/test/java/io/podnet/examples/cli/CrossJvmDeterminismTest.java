package io.podnet.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One scenario run by {@code podnet run --out DIR --pcap --mermaid} in two JVMs that differ in
 * everything that must not matter (identity hash codes, default locale and number formatting, time
 * zone) writes the same bytes into every output file.
 */
class CrossJvmDeterminismTest {

  private static final String SCENARIO = "scenarios/calico-ipip-services.yaml";

  @TempDir Path dir;

  @Test
  void run_inTwoJvmsWithOtherHashCodesLocaleAndTimeZone_writesTheSameBytes() throws Exception {
    Path first = dir.resolve("first");
    Path second = dir.resolve("second");
    // Turkish upper-cases "i" to a dotted capital; Egyptian Arabic formats numbers with its own
    // digits (the FORMAT category of the default locale, which String.format uses)
    Process a = start(first, "2", "tr_TR", "ar_EG", "Pacific/Chatham");
    Process b = start(second, "5", "en_US", "en_US", "UTC");

    assertThat(finish(a, first)).isZero();
    assertThat(finish(b, second)).isZero();

    List<String> files = names(first);
    assertThat(files)
        .contains("transcript.txt", "trace.jsonl", "walks.txt", "topology.mmd", "cni-add.mmd")
        .anyMatch(name -> name.endsWith(".pcap"));
    assertThat(names(second)).isEqualTo(files);
    for (String name : files) {
      byte[] bytes = Files.readAllBytes(second.resolve(name));
      assertThat(bytes).as(name).isNotEmpty();
      if (name.endsWith(".pcap")) {
        assertThat(bytes).as(name).isEqualTo(Files.readAllBytes(first.resolve(name)));
      } else {
        // text compared as text, so that a difference shows as a readable diff
        assertThat(Files.readString(second.resolve(name)))
            .as(name)
            .isEqualTo(Files.readString(first.resolve(name)));
      }
    }
    assertThat(Files.readString(second.resolve("stdout")))
        .isEqualTo(Files.readString(first.resolve("stdout")));
  }

  /** Starts {@code podnet run} in a child JVM with these settings; its output goes under out. */
  private static Process start(
      Path out, String hashCode, String locale, String formatLocale, String timeZone)
      throws IOException {
    Files.createDirectories(out);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:+UnlockExperimentalVMOptions");
    command.add("-XX:hashCode=" + hashCode);
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Duser.language=" + locale.substring(0, 2));
    command.add("-Duser.country=" + locale.substring(3));
    command.add("-Duser.language.format=" + formatLocale.substring(0, 2));
    command.add("-Duser.country.format=" + formatLocale.substring(3));
    command.add("-Duser.timezone=" + timeZone);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(PodnetCli.class.getName());
    command.addAll(List.of("run", SCENARIO, "--out", out.toString(), "--pcap", "--mermaid"));
    return new ProcessBuilder(command)
        .redirectOutput(out.resolve("stdout").toFile())
        .redirectError(out.resolve("stderr").toFile())
        .start();
  }

  /** Waits for a child JVM (at most a minute) and returns its exit code. */
  private static int finish(Process p, Path out) throws Exception {
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("podnet run did not finish in 60 s");
    }
    assertThat(Files.readString(out.resolve("stderr"))).isEmpty();
    return p.exitValue();
  }

  /** The files a run wrote, sorted by name (its captured stdout and stderr left out). */
  private static List<String> names(Path out) throws IOException {
    try (Stream<Path> files = Files.list(out)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> !n.equals("stdout") && !n.equals("stderr"))
          .sorted()
          .toList();
    }
  }
}
