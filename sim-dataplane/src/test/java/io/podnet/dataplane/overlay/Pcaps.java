package io.podnet.dataplane.overlay;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads back the frames of a little-endian classic pcap written by the simulator. */
final class Pcaps {

  private Pcaps() {}

  static List<byte[]> frames(byte[] pcap) {
    List<byte[]> frames = new ArrayList<>();
    int at = 24;
    while (at + 16 <= pcap.length) {
      int included =
          (pcap[at + 8] & 0xFF)
              | (pcap[at + 9] & 0xFF) << 8
              | (pcap[at + 10] & 0xFF) << 16
              | (pcap[at + 11] & 0xFF) << 24;
      at += 16;
      frames.add(Arrays.copyOfRange(pcap, at, at + included));
      at += included;
    }
    return frames;
  }

  static int u16(byte[] b, int off) {
    return (b[off] & 0xFF) << 8 | b[off + 1] & 0xFF;
  }
}
