package io.podnet.dataplane.bgp;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.core.addr.Ipv4Address;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

/** Tests for {@link Path#compare}: each tie-break of RFC 4271 section 9.1.2.2 and RFC 4456. */
class PathTest {

  private static int ip(String s) {
    return Ipv4Address.parse(s).toInt();
  }

  /** A baseline learned path; each test varies one field. */
  private static PathAttributes attrs(int origin, int[] asPath, long med, long localPref) {
    return new PathAttributes(origin, asPath, ip("192.168.0.1"), med, localPref, 0, new int[0]);
  }

  private static Path learned(PathAttributes a, boolean ebgp, int routerId, int address) {
    return Path.learned(a, ebgp, routerId, address);
  }

  /** {@link Path#compare} where every next hop costs the same. */
  private static int compare(Path a, Path b) {
    return Path.compare(a, b, nextHop -> 0);
  }

  private static final PathAttributes BASE = attrs(0, new int[] {65001}, 0, 100);

  private static Path base() {
    return learned(BASE, false, ip("10.0.0.9"), ip("10.0.0.9"));
  }

  @Test
  void traceText_learnedAndLocal_nextHopAndSource() {
    Path local = Path.local(PathAttributes.local(0, 100), ip("192.168.0.7"));
    Path learned = base();

    assertThat(learned.traceText()).isEqualTo(" via 192.168.0.1 from 10.0.0.9");
    assertThat(learned.traceText()).isSameAs(learned.traceText());
    assertThat(local.traceText()).isEqualTo(" via 0.0.0.0 from local");
  }

  @Test
  void compare_higherLocalPref_wins() {
    Path better =
        learned(attrs(0, new int[] {65001}, 0, 200), false, ip("10.0.0.9"), ip("10.0.0.9"));
    assertThat(compare(better, base())).isNegative();
    assertThat(compare(base(), better)).isPositive();
  }

  @Test
  void compare_shorterAsPath_wins() {
    Path longer =
        learned(attrs(0, new int[] {65001, 65002}, 0, 100), false, ip("10.0.0.1"), ip("10.0.0.1"));
    assertThat(compare(base(), longer)).isNegative();
  }

  @Test
  void compare_lowerOrigin_wins() {
    Path incomplete =
        learned(attrs(2, new int[] {65001}, 0, 100), false, ip("10.0.0.1"), ip("10.0.0.1"));
    assertThat(compare(base(), incomplete)).isNegative();
  }

  @Test
  void compare_lowerMedFromSameNeighbourAs_wins() {
    Path higherMed =
        learned(attrs(0, new int[] {65001}, 50, 100), false, ip("10.0.0.1"), ip("10.0.0.1"));
    assertThat(compare(base(), higherMed)).isNegative();
  }

  @Test
  void compare_medFromDifferentNeighbourAs_ignored() {
    Path otherAs =
        learned(attrs(0, new int[] {65002}, 50, 100), false, ip("10.0.0.1"), ip("10.0.0.1"));
    // MED is skipped, so the lower router id of otherAs decides.
    assertThat(compare(otherAs, base())).isNegative();
  }

  @Test
  void compare_ebgpOverIbgp_wins() {
    Path ebgp = learned(BASE, true, ip("10.0.0.99"), ip("10.0.0.99"));
    assertThat(compare(ebgp, base())).isNegative();
  }

  @Test
  void compare_lowerIgpCostToTheNextHop_wins() {
    PathAttributes farHop = attrs(0, new int[] {65001}, 0, 100).withNextHop(ip("192.168.7.1"));
    Path far = learned(farHop, false, ip("10.0.0.1"), ip("10.0.0.1"));
    IntUnaryOperator costs = nextHop -> nextHop == ip("192.168.7.1") ? 20 : 10;

    assertThat(Path.compare(base(), far, costs)).isNegative();
    assertThat(Path.compare(far, base(), costs)).isPositive();
    // Equal costs fall through to the router id, where far's lower one wins.
    assertThat(compare(base(), far)).isPositive();
  }

  @Test
  void compare_sameNextHop_costNotAsked() {
    Path other = learned(BASE, false, ip("10.0.0.1"), ip("10.0.0.1"));

    assertThat(
            Path.compare(
                base(),
                other,
                nextHop -> {
                  throw new AssertionError("asked the cost of " + nextHop);
                }))
        .isPositive();
  }

  @Test
  void compare_lowerRouterId_wins() {
    Path lower = learned(BASE, false, ip("10.0.0.2"), ip("10.0.0.200"));
    assertThat(compare(lower, base())).isNegative();
  }

  @Test
  void compare_originatorIdStandsForRouterId_rfc4456() {
    PathAttributes reflected =
        new PathAttributes(
            0,
            new int[] {65001},
            ip("192.168.0.1"),
            0,
            100,
            ip("10.0.0.1"),
            new int[] {ip("1.1.1.1")});
    Path viaReflector = learned(reflected, false, ip("10.0.0.50"), ip("10.0.0.50"));
    assertThat(compare(viaReflector, base())).isNegative();
  }

  @Test
  void compare_shorterClusterList_wins() {
    PathAttributes one =
        new PathAttributes(
            0,
            new int[] {65001},
            ip("192.168.0.1"),
            0,
            100,
            ip("10.0.0.1"),
            new int[] {ip("1.1.1.1")});
    PathAttributes two =
        new PathAttributes(
            0,
            new int[] {65001},
            ip("192.168.0.1"),
            0,
            100,
            ip("10.0.0.1"),
            new int[] {ip("1.1.1.1"), ip("2.2.2.2")});
    assertThat(
            compare(learned(one, false, 0, ip("10.0.0.7")), learned(two, false, 0, ip("10.0.0.3"))))
        .isNegative();
  }

  @Test
  void compare_lowerPeerAddress_lastTieBreak() {
    Path a = learned(BASE, false, ip("10.0.0.9"), ip("10.0.0.3"));
    Path b = learned(BASE, false, ip("10.0.0.9"), ip("10.0.0.4"));
    assertThat(compare(a, b)).isNegative();
    assertThat(compare(b, a)).isPositive();
  }

  @Test
  void compare_localRoute_winsOverAnyLearned() {
    Path local = Path.local(attrs(2, new int[] {65001, 65002}, 99, 10), ip("10.0.0.200"));
    Path better = learned(attrs(0, new int[0], 0, 500), true, ip("10.0.0.1"), ip("10.0.0.1"));
    assertThat(compare(local, better)).isNegative();
    assertThat(compare(better, local)).isPositive();
  }

  @Test
  void equals_sameValues_equalWithEqualHash() {
    Path a = learned(BASE, false, ip("10.0.0.9"), ip("10.0.0.3"));
    Path b = learned(attrs(0, new int[] {65001}, 0, 100), false, ip("10.0.0.9"), ip("10.0.0.3"));
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(learned(BASE, false, ip("10.0.0.9"), ip("10.0.0.4")));
    assertThat(a).isNotEqualTo(learned(BASE, true, ip("10.0.0.9"), ip("10.0.0.3")));
    assertThat(Path.local(BASE, ip("10.0.0.9")))
        .isNotEqualTo(learned(BASE, false, ip("10.0.0.9"), 0));
  }
}
