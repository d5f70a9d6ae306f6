package io.podnet.core.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.io.BaseEncoding;
import io.podnet.core.engine.SimTime;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link Trace}: the digest is SHA-256 over the canonical lines, each with its newline.
 */
class TraceTest {

  /** A record whose canonical line is given. */
  private record Line(String text) implements TraceRecord {
    @Override
    public long time() {
      return 0;
    }

    @Override
    public void appendCanonical(StringBuilder out) {
      out.append(text);
    }
  }

  private static String sha256(List<String> lines) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (String line : lines) {
      sha.update((line + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return BaseEncoding.base16().lowerCase().encode(sha.digest());
  }

  @Test
  void digest_linesPastSeveralBlocksAndNonAscii_sha256OfTheLinesWithNewlines() throws Exception {
    Trace trace = Trace.digestOnly();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      lines.add(i % 1000 == 7 ? "0.000000007 pod default/caf\u00e9-" + i : "0.000000001 hop #" + i);
    }
    lines.add("x".repeat(20_000));
    lines.add("0.000000008 after the long line");

    for (String line : lines) {
      trace.record(new Line(line));
    }

    assertThat(trace.digest()).isEqualTo(sha256(lines));
    assertThat(trace.recordCount()).isEqualTo(lines.size());
  }

  @Test
  void digest_readMidway_sameAsForTheLinesSoFarAndRecordingGoesOn() throws Exception {
    Trace trace = Trace.digestOnly();
    trace.record(new Line("one"));
    trace.scratch(2).append(" two");
    trace.recordScratch();

    String midway = trace.digest();
    trace.record(new Line("three"));

    assertThat(midway).isEqualTo(sha256(List.of("one", "0.000000002 two")));
    assertThat(trace.digest()).isEqualTo(sha256(List.of("one", "0.000000002 two", "three")));
  }

  @Test
  void scratch_sameTimeAgainThenAnother_eachLineBeginsWithItsOwnTime() throws Exception {
    Trace trace = Trace.digestOnly();

    trace.scratch(0).append(" z");
    trace.recordScratch();
    trace.scratch(1_500_000_000L).append(" a");
    trace.recordScratch();
    trace.scratch(1_500_000_000L).append(" b");
    trace.recordScratch();
    trace.scratch(-7).append(" c");
    trace.recordScratch();

    assertThat(trace.digest())
        .isEqualTo(
            sha256(List.of("0.000000000 z", "1.500000000 a", "1.500000000 b", "-0.000000007 c")));
  }

  @Test
  void beginLine_piecesAcrossBlocksLongAndNonAscii_sameDigestAsTheirText() throws Exception {
    Trace trace = Trace.digestOnly();
    List<String> lines = new ArrayList<>();
    byte[] head = " bgp node-1 route best ".getBytes(StandardCharsets.UTF_8);
    byte[] accented = " caf\u00e9 \u2603".getBytes(StandardCharsets.UTF_8);
    byte[] big = "y".repeat(20_000).getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 3000; i++) {
      long time = i / 7;
      byte[] prefix = ("10.0." + i % 256 + ".0/26").getBytes(StandardCharsets.US_ASCII);
      trace.beginLine(time);
      trace.appendEncoded(head);
      trace.appendEncoded(prefix);
      if (i % 500 == 3) {
        trace.appendEncoded(accented);
        trace.appendEncoded(big);
      }
      trace.endLine();
      String text = " bgp node-1 route best 10.0." + i % 256 + ".0/26";
      lines.add(
          SimTime.format(time)
              + text
              + (i % 500 == 3 ? " caf\u00e9 \u2603" + "y".repeat(20_000) : ""));
      if (i % 3 == 0) {
        trace.scratch(time).append(" hop #").append(i);
        trace.recordScratch();
        lines.add(SimTime.format(time) + " hop #" + i);
      }
    }

    assertThat(trace.digest()).isEqualTo(sha256(lines));
    assertThat(trace.recordCount()).isEqualTo(lines.size());
  }

  @Test
  void beginLine_withSink_throwsIllegalState() {
    Trace trace = Trace.digestOnly().addSink(new MemoryTraceSink());

    assertThatThrownBy(() -> trace.beginLine(0)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void recordScratch_withSink_throwsIllegalState() {
    Trace trace = Trace.digestOnly().addSink(new MemoryTraceSink());

    assertThatThrownBy(trace::recordScratch).isInstanceOf(IllegalStateException.class);
  }
}
