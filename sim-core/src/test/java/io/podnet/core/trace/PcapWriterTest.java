package io.podnet.core.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.io.BaseEncoding;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Tests for {@link PcapWriter}: exact header bytes, records and determinism. */
class PcapWriterTest {

  private static final byte[] FRAME = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

  private static byte[] capture(long... times) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PcapWriter writer = PcapWriter.to(out)) {
      for (long time : times) {
        writer.write(time, FRAME, 2, 6);
      }
    }
    return out.toByteArray();
  }

  @Test
  void to_emptyCapture_writesExactGlobalHeader() {
    assertThat(capture())
        .isEqualTo(
            BaseEncoding.base16()
                .lowerCase()
                .decode(
                    "4d3cb2a1"
                        + "0200"
                        + "0400"
                        + "00000000"
                        + "00000000"
                        + "00000400"
                        + "01000000"));
  }

  @Test
  void write_frame_recordHeaderHoldsSecondsNanosAndLengths() {
    byte[] bytes = capture(3_000_000_123L);
    assertThat(bytes).hasSize(24 + 16 + 6);
    ByteBuffer record = ByteBuffer.wrap(bytes, 24, 16).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(record.getInt()).isEqualTo(3);
    assertThat(record.getInt()).isEqualTo(123);
    assertThat(record.getInt()).isEqualTo(6);
    assertThat(record.getInt()).isEqualTo(6);
    assertThat(Arrays.copyOfRange(bytes, 40, 46)).containsExactly(3, 4, 5, 6, 7, 8);
  }

  @Test
  void write_frameAboveSnaplen_truncatesIncludedLengthOnly() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PcapWriter writer = PcapWriter.to(out);
    writer.write(0, new byte[PcapWriter.SNAPLEN + 10], 0, PcapWriter.SNAPLEN + 10);
    ByteBuffer record = ByteBuffer.wrap(out.toByteArray(), 24, 16).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(record.getInt(32)).isEqualTo(PcapWriter.SNAPLEN);
    assertThat(record.getInt(36)).isEqualTo(PcapWriter.SNAPLEN + 10);
    assertThat(out.size()).isEqualTo(24 + 16 + PcapWriter.SNAPLEN);
  }

  @Test
  void write_sameInputsTwice_sameBytes() {
    assertThat(capture(0, 1, 999_999_999, 1_000_000_000, 5_500_000_000L))
        .isEqualTo(capture(0, 1, 999_999_999, 1_000_000_000, 5_500_000_000L));
  }

  @Test
  void frameCount_countsWrites() {
    PcapWriter writer = PcapWriter.to(new ByteArrayOutputStream());
    assertThat(writer.frameCount()).isZero();
    writer.write(1, FRAME, 0, FRAME.length);
    writer.write(2, FRAME, 0, FRAME.length);
    assertThat(writer.frameCount()).isEqualTo(2);
  }

  @Test
  void write_negativeTime_throwsNamingTime() {
    PcapWriter writer = PcapWriter.to(new ByteArrayOutputStream());
    assertThatThrownBy(() -> writer.write(-1, FRAME, 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capture time must be non-negative nanoseconds: -1");
    assertThatThrownBy(() -> writer.write(4_294_967_296_000_000_000L, FRAME, 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("capture time must fit in 32-bit seconds");
    assertThat(writer.frameCount()).isZero();
  }

  @Test
  void write_afterClose_throwsIllegalState() {
    PcapWriter writer = PcapWriter.to(new ByteArrayOutputStream());
    writer.close();
    assertThatThrownBy(() -> writer.write(0, FRAME, 0, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("pcap writer is closed");
  }
}
