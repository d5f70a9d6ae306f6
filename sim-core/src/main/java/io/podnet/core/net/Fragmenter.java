package io.podnet.core.net;

import io.podnet.core.packet.EthernetHeader;
import io.podnet.core.packet.Ipv4Header;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an IPv4 packet without DF into fragments that fit an MTU (RFC 791 section 3.2): each
 * fragment carries a copy of the header, a payload that is a multiple of 8 bytes except the last,
 * its offset in 8-byte units and the more-fragments flag.
 */
final class Fragmenter {

  private Fragmenter() {}

  static List<Frame> fragment(Frame frame, int mtu) {
    byte[] b = frame.buffer();
    int eth = frame.offset();
    int ip = frame.l3Offset();
    int headerLength = Ipv4Header.headerLength(b, ip);
    int total = Ipv4Header.totalLength(b, ip);
    int payload = total - headerLength;
    int chunk = (mtu - headerLength) / 8 * 8;
    int baseOffset = Ipv4Header.fragmentOffset(b, ip);
    boolean originalMore = Ipv4Header.moreFragments(b, ip);
    List<Frame> fragments = new ArrayList<>();
    for (int done = 0; done < payload; done += chunk) {
      int size = Math.min(chunk, payload - done);
      boolean last = done + size == payload;
      byte[] bytes = new byte[EthernetHeader.LENGTH + headerLength + size];
      System.arraycopy(b, eth, bytes, 0, EthernetHeader.LENGTH + headerLength);
      System.arraycopy(
          b, ip + headerLength + done, bytes, EthernetHeader.LENGTH + headerLength, size);
      int fragIp = EthernetHeader.LENGTH;
      Ipv4Header.setTotalLength(bytes, fragIp, headerLength + size);
      Ipv4Header.setFragment(bytes, fragIp, !last || originalMore, baseOffset + done / 8);
      Ipv4Header.rewriteChecksum(bytes, fragIp);
      Frame fragment = Frame.of(frame.id(), bytes, frame.walk());
      fragment.holdUntil(frame.notBefore());
      fragments.add(fragment);
    }
    return fragments;
  }
}
