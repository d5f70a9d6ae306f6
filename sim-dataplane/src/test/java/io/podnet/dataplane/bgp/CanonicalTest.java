package io.podnet.dataplane.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.Simulation;
import io.podnet.core.net.Network;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Tests for {@link Canonical}: equal values come back as one instance, per network. */
class CanonicalTest {

  private static final int NODE = Ipv4Address.parse("192.168.1.12").toInt();

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  private static PathAttributes reflected() {
    return PathAttributes.local(NODE, 100).reflected(NODE, 0x0A0B0C0D);
  }

  @Test
  void attributes_equalValues_firstInstanceForBoth() {
    Canonical values = Canonical.of(Network.create(Simulation.create(1)));
    PathAttributes first = reflected();
    PathAttributes second = reflected();

    assertThat(second).isEqualTo(first).isNotSameAs(first);
    assertThat(values.attributes(first)).isSameAs(first);
    assertThat(values.attributes(second)).isSameAs(first);
    assertThat(values.attributes(PathAttributes.local(NODE, 100))).isNotSameAs(first);
  }

  @Test
  void encodedAt_sameBytesInTwoBuffers_oneCanonicalInstance() {
    Canonical values = Canonical.of(Network.create(Simulation.create(1)));
    byte[] m = BgpCodec.update(new long[0], reflected(), new long[] {0}, true);
    byte[] shifted = new byte[m.length + 7];
    System.arraycopy(m, 0, shifted, 7, m.length);
    BgpCodec.UpdateView u = new BgpCodec.UpdateView().wrapMessage(m, 0, m.length);

    PathAttributes first = values.encodedAt(m, u.attrStart, u.attrEnd, true, true, null).attributes;
    PathAttributes again =
        values.encodedAt(shifted, u.attrStart + 7, u.attrEnd + 7, true, true, null).attributes;

    assertThat(first).isEqualTo(reflected());
    assertThat(again).isSameAs(first);
    assertThat(values.attributes(reflected())).isSameAs(first);
    m[u.attrEnd - 1] ^= 1; // the last CLUSTER_LIST octet: other bytes, other attributes
    assertThat(values.encodedAt(m, u.attrStart, u.attrEnd, true, true, null).attributes)
        .isNotEqualTo(first);
  }

  @Test
  void encodedAt_bytesWithoutOriginFirstAllowedThenRequired_throwsMissingOrigin() {
    Canonical values = Canonical.of(Network.create(Simulation.create(1)));
    byte[] m = BgpCodec.update(new long[0], reflected(), new long[] {0}, true);
    BgpCodec.UpdateView u = new BgpCodec.UpdateView().wrapMessage(m, 0, m.length);
    m[u.attrStart] = (byte) 0xC0; // ORIGIN becomes optional attribute 99, which is ignored
    m[u.attrStart + 1] = 99;

    assertThat(values.encodedAt(m, u.attrStart, u.attrEnd, true, false, null).attributes.origin)
        .isZero();
    assertThatThrownBy(() -> values.encodedAt(m, u.attrStart, u.attrEnd, true, true, null))
        .isInstanceOfSatisfying(
            BgpError.class, e -> assertThat(e.code * 10 + e.subcode).isEqualTo(33));
  }

  @Test
  void encodedAt_sameBytesAsTwoThenFourOctetAs_eachDecodedItsOwnWay() {
    Canonical values = Canonical.of(Network.create(Simulation.create(1)));
    // AS_PATH: one AS_SEQUENCE of two 2-octet ASes (64512, 64513), read with 4-octet ASes as one
    // AS (64512 << 16 | 64513) and 2 bytes too many: a malformed segment.
    byte[] attrs = hex("40 01 01 00" + "40 02 06 02 02 fc00 fc01" + "40 03 04 c0a8010c");

    PathAttributes two = values.encodedAt(attrs, 0, attrs.length, false, true, null).attributes;

    assertThat(two.asPath).containsExactly(64512, 64513);
    assertThatThrownBy(() -> values.encodedAt(attrs, 0, attrs.length, true, true, null))
        .isInstanceOfSatisfying(
            BgpError.class, e -> assertThat(e.code * 100 + e.subcode).isEqualTo(311));
  }

  @Test
  void encodedAt_guessFromTheLastReceiverRightOrWrong_theEncodingOfTheBytesGiven() {
    Canonical values = Canonical.of(Network.create(Simulation.create(1)));
    byte[] a = BgpCodec.update(new long[0], reflected(), new long[] {0}, true);
    byte[] b =
        BgpCodec.update(new long[0], PathAttributes.local(NODE + 1, 100), new long[] {0}, true);
    byte[] c =
        BgpCodec.update(new long[0], PathAttributes.local(NODE + 2, 100), new long[] {0}, true);
    BgpCodec.UpdateView ua = new BgpCodec.UpdateView().wrapMessage(a, 0, a.length);
    BgpCodec.UpdateView ub = new BgpCodec.UpdateView().wrapMessage(b, 0, b.length);
    BgpCodec.UpdateView uc = new BgpCodec.UpdateView().wrapMessage(c, 0, c.length);
    // A first receiver gets a then b: b becomes the guess after a.
    Canonical.Encoded ea = values.encodedAt(a, ua.attrStart, ua.attrEnd, true, true, null);
    Canonical.Encoded eb = values.encodedAt(b, ub.attrStart, ub.attrEnd, true, true, ea);
    Canonical.Encoded guessAfterB = ea.next;

    // The next receiver gets a then c: the guess b is wrong, c is found; then a then b again.
    Canonical.Encoded ec = values.encodedAt(c, uc.attrStart, uc.attrEnd, true, true, ea);
    Canonical.Encoded guessAfterC = ea.next;
    Canonical.Encoded ebAgain = values.encodedAt(b, ub.attrStart, ub.attrEnd, true, true, ea);
    // A receiver after that gets a then b: the guess b is right; then one decoding 2-octet ASes.
    Canonical.Encoded ebGuessed = values.encodedAt(b, ub.attrStart, ub.attrEnd, true, true, ea);
    Canonical.Encoded ebTwoOctet = values.encodedAt(b, ub.attrStart, ub.attrEnd, false, true, ea);

    assertThat(ec.attributes)
        .isEqualTo(PathAttributes.local(NODE + 2, 100))
        .isNotSameAs(eb.attributes);
    assertThat(guessAfterB).isSameAs(eb);
    assertThat(guessAfterC).isSameAs(ec);
    assertThat(ebAgain).isSameAs(eb);
    assertThat(ebGuessed).isSameAs(eb);
    assertThat(ebTwoOctet).isNotSameAs(eb);
    assertThat(ebTwoOctet.attributes).isSameAs(eb.attributes);
  }

  @Test
  void learnedPath_rememberedForOnePeer_askedOfAnotherMinusOne() {
    Canonical values = Canonical.of(Network.create(Simulation.create(1)));
    byte[] a = BgpCodec.update(new long[0], reflected(), new long[] {0}, true);
    BgpCodec.UpdateView u = new BgpCodec.UpdateView().wrapMessage(a, 0, a.length);
    Canonical.Encoded e = values.encodedAt(a, u.attrStart, u.attrEnd, true, true, null);

    e.rememberLearned(false, NODE, NODE + 1, 42);

    assertThat(e.learnedPath(false, NODE, NODE + 1)).isEqualTo(42);
    assertThat(e.learnedPath(true, NODE, NODE + 1)).isEqualTo(-1);
    assertThat(e.learnedPath(false, NODE + 5, NODE + 1)).isEqualTo(-1);
    assertThat(e.learnedPath(false, NODE, NODE + 2)).isEqualTo(-1);
  }

  @Test
  void pathId_equalValues_sameIdForTheFirstInstance() {
    Canonical values = Canonical.of(Network.create(Simulation.create(1)));
    Path first = Path.learned(reflected(), false, NODE, NODE);
    int id = values.pathId(first);

    assertThat(values.pathId(Path.learned(reflected(), false, NODE, NODE))).isEqualTo(id);
    assertThat(values.path(id)).isSameAs(first);
    assertThat(values.pathId(Path.learned(reflected(), false, NODE, NODE + 1))).isNotEqualTo(id);
  }

  @Test
  void learnedId_equalPathKnown_returnsItsIdElseMakesOne() {
    Canonical values = Canonical.of(Network.create(Simulation.create(1)));
    int first = values.pathId(Path.learned(reflected(), false, NODE, NODE));

    assertThat(values.learnedId(reflected(), false, NODE, NODE)).isEqualTo(first);
    int made = values.learnedId(reflected(), true, NODE, NODE);
    assertThat(made).isNotEqualTo(first);
    assertThat(values.path(made)).isEqualTo(Path.learned(reflected(), true, NODE, NODE));
    assertThat(values.pathId(Path.learned(reflected(), true, NODE, NODE))).isEqualTo(made);
    assertThat(values.pathId(Path.local(reflected(), NODE))).isNotIn(first, made);
  }

  @Test
  void learnedId_thousandsOfPaths_eachFoundAgainAfterTheTableGrows() {
    Canonical values = Canonical.of(Network.create(Simulation.create(1)));
    PathAttributes attrs = reflected();
    int[] made = new int[5000];
    for (int i = 0; i < made.length; i++) {
      made[i] = values.learnedId(attrs, false, NODE, NODE + i);
    }

    for (int i = 0; i < made.length; i++) {
      assertThat(values.learnedId(reflected(), false, NODE, NODE + i)).isEqualTo(made[i]);
      assertThat(values.path(made[i]).peerAddress).isEqualTo(NODE + i);
    }
  }

  @Test
  void path_unknownId_throws() {
    Canonical values = Canonical.of(Network.create(Simulation.create(1)));
    int id = values.learnedId(reflected(), false, NODE, NODE);

    assertThatThrownBy(() -> values.path(id + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no value with id " + (id + 1));
  }

  @Test
  void attributes_thousandsOfValues_eachFoundAgainAfterTheTableGrows() {
    Canonical values = Canonical.of(Network.create(Simulation.create(1)));
    PathAttributes[] first = new PathAttributes[5000];
    for (int i = 0; i < first.length; i++) {
      first[i] = values.attributes(PathAttributes.local(NODE + i, 100));
    }

    for (int i = 0; i < first.length; i++) {
      assertThat(values.attributes(PathAttributes.local(NODE + i, 100))).isSameAs(first[i]);
    }
  }

  @Test
  void prefixAndAddress_sameValue_oneInstance() {
    Canonical values = Canonical.of(Network.create(Simulation.create(1)));
    int id = values.prefixId(Prefixes.pack(Cidr.parse("10.244.2.0/26")));

    assertThat(values.prefix(id)).isEqualTo(Cidr.parse("10.244.2.0/26"));
    assertThat(values.prefix(id)).isSameAs(values.prefix(id));
    assertThat(new String(values.prefixText(id), StandardCharsets.US_ASCII))
        .isEqualTo("10.244.2.0/26");
    assertThat(values.address(NODE)).isEqualTo(Ipv4Address.of(NODE));
    assertThat(values.address(NODE)).isSameAs(values.address(NODE));
  }

  @Test
  void prefixId_prefixesInTheOrderMet_countFromZeroAndStay() {
    Canonical values = Canonical.of(Network.create(Simulation.create(1)));
    long[] packed = new long[3_000];
    for (int i = 0; i < packed.length; i++) {
      packed[i] = Prefixes.pack((packed.length - i) << 6, 26);
    }

    for (int i = 0; i < packed.length; i++) {
      assertThat(values.prefixId(packed[i])).isEqualTo(i);
    }

    for (int i = 0; i < packed.length; i++) {
      assertThat(values.prefixId(packed[i])).isEqualTo(i);
      assertThat(values.knownPrefixId(packed[i])).isEqualTo(i);
      assertThat(values.packed(i)).isEqualTo(packed[i]);
      assertThat(values.prefix(i)).isEqualTo(Prefixes.cidr(packed[i]));
    }
  }

  @Test
  void knownPrefixId_prefixNeverMet_minusOneAndNoIdMade() {
    Canonical values = Canonical.of(Network.create(Simulation.create(1)));
    long a = Prefixes.pack(Cidr.parse("10.244.1.0/26"));
    long b = Prefixes.pack(Cidr.parse("10.244.2.0/26"));

    assertThat(values.knownPrefixId(a)).isEqualTo(-1);

    assertThat(values.prefixId(b)).isZero();
    assertThat(values.knownPrefixId(a)).isEqualTo(-1);
    assertThat(values.prefixId(a)).isEqualTo(1);
  }

  @Test
  void of_twoNetworks_separateValues() {
    Network one = Network.create(Simulation.create(1));

    assertThat(Canonical.of(one)).isSameAs(Canonical.of(one));
    assertThat(Canonical.of(Network.create(Simulation.create(1)))).isNotSameAs(Canonical.of(one));
  }
}
