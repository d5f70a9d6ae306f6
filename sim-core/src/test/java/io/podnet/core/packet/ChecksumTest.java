package io.podnet.core.packet;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.io.BaseEncoding;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Tests for {@link Checksum} against RFC 1071 and known header vectors. */
class ChecksumTest {

  private static byte[] hex(String hex) {
    return BaseEncoding.base16().lowerCase().decode(hex);
  }

  /** RFC 1071 word by word: the reference the eight-bytes-at-a-time sum must agree with. */
  private static int reference(byte[] b, int off, int len, long initial) {
    long sum = initial;
    for (int i = 0; i < len; i += 2) {
      sum += (b[off + i] & 0xFF) << 8 | (i + 1 < len ? b[off + i + 1] & 0xFF : 0);
    }
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xFFFF) + (sum >>> 16);
    }
    return ~(int) sum & 0xFFFF;
  }

  @Test
  void internetAndTransport_randomRangesZerosAndOnes_agreeWithWordByWordSum() {
    SplittableRandom random = new SplittableRandom(1071);
    for (int round = 0; round < 5000; round++) {
      byte[] b = new byte[1 + random.nextInt(200)];
      int fill = random.nextInt(3);
      for (int i = 0; i < b.length; i++) {
        b[i] = fill == 0 ? 0 : fill == 1 ? (byte) 0xFF : (byte) random.nextInt();
      }
      int off = random.nextInt(b.length);
      int len = random.nextInt(b.length - off + 1);
      int src = random.nextInt();
      int dst = random.nextInt();

      assertThat(Checksum.internet(b, off, len)).isEqualTo(reference(b, off, len, 0));
      assertThat(Checksum.transport(src, dst, 6, b, off, len))
          .isEqualTo(reference(b, off, len, Checksum.pseudoHeaderSum(src, dst, 6, len)));
    }
  }

  @Test
  void internet_classicIpv4HeaderWithZeroChecksum_gives0xb861() {
    byte[] header = hex("450000730000400040110000c0a80001c0a800c7");
    assertThat(Checksum.internet(header, 0, header.length)).isEqualTo(0xb861);
  }

  @Test
  void internet_rangeHoldingCorrectChecksum_givesZero() {
    byte[] header = hex("45000073000040004011b861c0a80001c0a800c7");
    assertThat(Checksum.internet(header, 0, header.length)).isZero();
  }

  @Test
  void internet_rfc1071NumericalExample_givesComplementOfDdf2() {
    // RFC 1071 section 3: the ones' complement sum of 0001 f203 f4f5 f6f7 is ddf2.
    byte[] data = hex("0001f203f4f5f6f7");
    assertThat(Checksum.internet(data, 0, data.length)).isEqualTo(~0xddf2 & 0xFFFF);
  }

  @Test
  void internet_oddLengthAndOffset_padsTrailingByteWithZero() {
    byte[] data = hex("ff0001f203f4f5f6f7aa");
    assertThat(Checksum.internet(data, 1, 9))
        .isEqualTo(Checksum.internet(hex("0001f203f4f5f6f7aa00"), 0, 10));
    assertThat(Checksum.internet(data, 1, 8)).isEqualTo(~0xddf2 & 0xFFFF);
  }

  @Test
  void pseudoHeaderSum_knownAddresses_foldsWords() {
    // 0a01 + 0203 + 0a04 + 0506 + 0011 + 001c = 1b3b
    assertThat(Checksum.pseudoHeaderSum(0x0a010203, 0x0a040506, 17, 28)).isEqualTo(0x1b3b);
    // 4 * ffff + 0006 + 0014 = 40016, which folds with end-around carry to 001a.
    assertThat(Checksum.pseudoHeaderSum(-1, -1, 6, 20)).isEqualTo(0x1a);
  }

  @Test
  void transport_pythonComputedUdpDatagram_matchesVectorAndVerifiesToZero() {
    byte[] udp = hex("9c40003500140a1868656c6c6f2c20776f726c64");
    int src = 0x0af40102;
    int dst = 0x0af40203;
    assertThat(Checksum.transport(src, dst, IpProtocol.UDP, udp, 0, udp.length)).isZero();
    udp[6] = 0;
    udp[7] = 0;
    assertThat(Checksum.transport(src, dst, IpProtocol.UDP, udp, 0, udp.length)).isEqualTo(0x0a18);
  }

  @Test
  void adjust_randomWordChanges_matchFullRecompute() {
    SplittableRandom random = new SplittableRandom(1624);
    byte[] data = new byte[40];
    for (int trial = 0; trial < 10_000; trial++) {
      random.nextBytes(data);
      data[0] |= 0x40; // never all zero, as in any real header
      data[2] = 0;
      data[3] = 0;
      int checksum = Checksum.internet(data, 0, data.length);
      int word = 2 * random.nextInt(2, 20);
      int oldWord = Bytes.u16(data, word);
      int newWord = random.nextInt(0x10000);
      Bytes.put16(data, word, newWord);
      assertThat(Checksum.adjust(checksum, oldWord, newWord))
          .as("trial %d", trial)
          .isEqualTo(Checksum.internet(data, 0, data.length));
    }
  }
}
