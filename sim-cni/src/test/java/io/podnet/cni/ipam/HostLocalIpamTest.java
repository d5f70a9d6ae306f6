package io.podnet.cni.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.cni.runtime.Attachment;
import io.podnet.cni.runtime.CniRequest;
import io.podnet.cni.runtime.CniRuntime;
import io.podnet.cni.runtime.CniRuntimeException;
import io.podnet.cni.runtime.PluginRegistry;
import io.podnet.cni.spec.CniException;
import io.podnet.cni.spec.CniResult;
import io.podnet.cni.spec.Json;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.Simulation;
import io.podnet.core.fs.SimFileSystem;
import io.podnet.core.net.Host;
import io.podnet.core.net.Network;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HostLocalIpamTest {

  private static final String SLASH_24 =
      "{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"}]]}";
  private static final String STORE = "/var/lib/cni/networks/mynet";

  private final Host host = Network.create(Simulation.create(1)).addHost("node-1");
  private final CniRuntime runtime =
      CniRuntime.on(host, PluginRegistry.empty().with("host-local", new HostLocalIpam()));
  private final HostLocalIpam plugin = new HostLocalIpam();

  @BeforeEach
  void install() {
    runtime.installPlugin("host-local");
  }

  // ---------------------------------------------------------------- allocation order

  @Test
  void add_firstPodOnSlash24_getsDotTwoWithGatewayAndNoInterfaces() {
    CniResult result = add("c1", SLASH_24);

    assertThat(result.ips()).hasSize(1);
    CniResult.IpConfig ip = result.ips().get(0);
    assertThat(ip.address().toString()).isEqualTo("10.1.0.2/24");
    assertThat(ip.gateway()).isEqualTo(Ipv4Address.parse("10.1.0.1"));
    assertThat(ip.interfaceIndex()).isEqualTo(-1);
    assertThat(result.interfaces()).isEmpty();
    assertThat(result.routes()).isEmpty();
    assertThat(result.cniVersion()).isEqualTo("1.0.0");
  }

  @Test
  void add_secondPod_getsDotThree() {
    add("c1", SLASH_24);

    assertThat(address(add("c2", SLASH_24))).isEqualTo("10.1.0.3/24");
  }

  @Test
  void add_afterDeletingDotTwo_takesDotFourNotTheFreedAddress() {
    add("c1", SLASH_24);
    add("c2", SLASH_24);
    plugin.del(request("DEL", "c1", SLASH_24));

    assertThat(address(add("c3", SLASH_24))).isEqualTo("10.1.0.4/24");
  }

  @Test
  void add_pastRangeEnd_wrapsAroundToTheFreedAddress() {
    String ipam =
        range("\"subnet\":\"10.1.0.0/24\",\"rangeStart\":\"10.1.0.10\",\"rangeEnd\":\"10.1.0.12\"");
    add("c1", ipam);
    add("c2", ipam);
    add("c3", ipam);
    plugin.del(request("DEL", "c1", ipam));

    assertThat(address(add("c4", ipam))).isEqualTo("10.1.0.10/24");
  }

  @Test
  void add_fullSlash30_failsWithExhaustionMessageAndCode999() {
    String ipam = range("\"subnet\":\"10.0.0.0/30\"");
    assertThat(address(add("c1", ipam))).isEqualTo("10.0.0.2/30");

    assertThatThrownBy(() -> add("c2", ipam))
        .isInstanceOfSatisfying(
            CniException.class,
            e -> {
              assertThat(e.error().code()).isEqualTo(999);
              assertThat(e.error().msg())
                  .isEqualTo(
                      "failed to allocate for range 0: no IP addresses available in range set:"
                          + " 10.0.0.1-10.0.0.2");
            });
  }

  @Test
  void add_fullSlash24_hands253AddressesThenFails() {
    for (int i = 0; i < 253; i++) {
      add("c" + i, SLASH_24);
    }

    assertThatThrownBy(() -> add("one-more", SLASH_24))
        .hasMessageContaining("no IP addresses available in range set: 10.1.0.1-10.1.0.254");
    assertThat(files().list(STORE)).hasSize(253 + 2);
  }

  @Test
  void add_rangeStartAndEnd_areHonoured() {
    String ipam =
        range(
            "\"subnet\":\"10.1.0.0/24\",\"rangeStart\":\"10.1.0.100\",\"rangeEnd\":\"10.1.0.101\"");

    assertThat(address(add("c1", ipam))).isEqualTo("10.1.0.100/24");
    assertThat(address(add("c2", ipam))).isEqualTo("10.1.0.101/24");
    assertThatThrownBy(() -> add("c3", ipam))
        .hasMessage(
            "failed to allocate for range 0: no IP addresses available in range set:"
                + " 10.1.0.100-10.1.0.101");
  }

  @Test
  void add_gatewayInsideRange_isSkipped() {
    String ipam =
        range(
            "\"subnet\":\"10.1.0.0/24\",\"rangeStart\":\"10.1.0.4\",\"rangeEnd\":\"10.1.0.6\","
                + "\"gateway\":\"10.1.0.5\"");

    CniResult first = add("c1", ipam);
    CniResult second = add("c2", ipam);

    assertThat(address(first)).isEqualTo("10.1.0.4/24");
    assertThat(address(second)).isEqualTo("10.1.0.6/24");
    assertThat(second.ips().get(0).gateway()).isEqualTo(Ipv4Address.parse("10.1.0.5"));
    assertThatThrownBy(() -> add("c3", ipam)).hasMessageContaining("no IP addresses available");
  }

  @Test
  void add_twoRangeSets_returnsOneAddressFromEach() {
    String ipam =
        "{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"}],"
            + "[{\"subnet\":\"10.2.0.0/16\"}]]}";

    CniResult result = add("c1", ipam);

    assertThat(result.ips())
        .extracting(ip -> ip.address().toString())
        .containsExactly("10.1.0.2/24", "10.2.0.2/16");
    assertThat(files().read(STORE + "/last_reserved_ip.1")).contains("10.2.0.2");
  }

  @Test
  void add_setOfTwoRanges_movesToTheSecondRangeAfterTheFirstEnds() {
    String ipam =
        "{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.1.0.0/30\"},"
            + "{\"subnet\":\"10.2.0.0/30\"}]]}";

    assertThat(address(add("c1", ipam))).isEqualTo("10.1.0.2/30");
    CniResult second = add("c2", ipam);
    assertThat(address(second)).isEqualTo("10.2.0.2/30");
    assertThat(second.ips().get(0).gateway()).isEqualTo(Ipv4Address.parse("10.2.0.1"));
    assertThatThrownBy(() -> add("c3", ipam))
        .hasMessage(
            "failed to allocate for range 0: no IP addresses available in range set:"
                + " 10.1.0.1-10.1.0.2,10.2.0.1-10.2.0.2");
  }

  @Test
  void add_lastReservedIpOutsideTheSet_startsAtRangeStart() {
    files().write(STORE + "/last_reserved_ip.0", "192.168.9.9");

    assertThat(address(add("c1", SLASH_24))).isEqualTo("10.1.0.2/24");
  }

  @Test
  void add_legacySingleRangeForm_allocatesAndReturnsRoutes() {
    String ipam =
        "{\"type\":\"host-local\",\"subnet\":\"10.5.0.0/24\",\"rangeStart\":\"10.5.0.20\","
            + "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"192.168.0.0/16\",\"gw\":\"10.5.0.254\"}]}";

    CniResult result = add("c1", ipam);

    assertThat(address(result)).isEqualTo("10.5.0.20/24");
    assertThat(result.routes())
        .containsExactly(
            new CniResult.RouteConfig(Cidr.parse("0.0.0.0/0"), null),
            new CniResult.RouteConfig(
                Cidr.parse("192.168.0.0/16"), Ipv4Address.parse("10.5.0.254")));
  }

  @Test
  void add_olderCniVersion_answersInThatVersion() {
    ObjectNode stdin = stdin(SLASH_24);
    stdin.put("cniVersion", "0.4.0");

    CniResult result = plugin.add(request("ADD", "c1", "eth0", stdin, Map.of()));

    assertThat(result.cniVersion()).isEqualTo("0.4.0");
  }

  // ---------------------------------------------------------------- requested addresses

  @Test
  void add_requestedIpArg_getsThatAddress() {
    CniResult result =
        plugin.add(request("ADD", "c1", "eth0", stdin(SLASH_24), Map.of("IP", "10.1.0.77")));

    assertThat(address(result)).isEqualTo("10.1.0.77/24");
    assertThat(files().read(STORE + "/last_reserved_ip.0")).contains("10.1.0.77");
  }

  @Test
  void add_requestedIpAlreadyTaken_failsAsNotAvailable() {
    plugin.add(request("ADD", "c1", "eth0", stdin(SLASH_24), Map.of("IP", "10.1.0.77")));

    assertThatThrownBy(
            () ->
                plugin.add(
                    request("ADD", "c2", "eth0", stdin(SLASH_24), Map.of("IP", "10.1.0.77"))))
        .hasMessage(
            "failed to allocate for range 0: requested IP address 10.1.0.77 is not available in"
                + " range set 10.1.0.1-10.1.0.254");
  }

  @Test
  void add_requestedGateway_fails() {
    assertThatThrownBy(
            () ->
                plugin.add(request("ADD", "c1", "eth0", stdin(SLASH_24), Map.of("IP", "10.1.0.1"))))
        .hasMessage("failed to allocate for range 0: requested ip 10.1.0.1 is subnet's gateway");
  }

  @Test
  void add_requestedIpOutsideEveryRange_failsAndKeepsNothing() {
    assertThatThrownBy(
            () ->
                plugin.add(request("ADD", "c1", "eth0", stdin(SLASH_24), Map.of("IP", "10.9.0.1"))))
        .hasMessage("failed to allocate all requested IPs: 10.9.0.1");
    assertThat(files().list(STORE)).containsExactly("last_reserved_ip.0", "lock");
  }

  @Test
  void add_ipsCapability_getsThatAddress() {
    ObjectNode stdin = stdin(SLASH_24);
    stdin.putObject("runtimeConfig").putArray("ips").add("10.1.0.50/24");

    assertThat(address(plugin.add(request("ADD", "c1", "eth0", stdin, Map.of()))))
        .isEqualTo("10.1.0.50/24");
  }

  @Test
  void add_sameAttachmentTwice_failsAsDuplicateAllocation() {
    add("c1", SLASH_24);

    assertThatThrownBy(() -> add("c1", SLASH_24))
        .hasMessage(
            "failed to allocate for range 0: 10.1.0.2 has been allocated to c1, duplicate"
                + " allocation is not allowed");
  }

  @Test
  void add_failureInSecondSet_releasesTheFirstSetsAddress() {
    String ipam =
        "{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"}],"
            + "[{\"subnet\":\"10.2.0.0/30\"}]]}";
    add("c1", ipam);

    assertThatThrownBy(() -> add("c2", ipam))
        .hasMessage(
            "failed to allocate for range 1: no IP addresses available in range set:"
                + " 10.2.0.1-10.2.0.2");
    assertThat(files().exists(STORE + "/10.1.0.3")).isFalse();
  }

  // ---------------------------------------------------------------- store

  @Test
  void add_storeFiles_haveHostLocalNamesAndContents() {
    add("c1", SLASH_24);
    add("c2", SLASH_24);

    assertThat(files().list(STORE))
        .containsExactly("10.1.0.2", "10.1.0.3", "last_reserved_ip.0", "lock");
    assertThat(files().read(STORE + "/10.1.0.2")).contains("c1\r\neth0");
    assertThat(files().read(STORE + "/last_reserved_ip.0")).contains("10.1.0.3");
    assertThat(files().read(STORE + "/lock")).contains("");
  }

  @Test
  void add_dataDir_putsTheStoreThere() {
    add(
        "c1",
        "{\"type\":\"host-local\",\"dataDir\":\"/run/ipam/\",\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"}]]}");

    assertThat(files().exists("/run/ipam/mynet/10.1.0.2")).isTrue();
    assertThat(files().exists(STORE + "/10.1.0.2")).isFalse();
  }

  @Test
  void add_sameInputsTwice_leavesTheSameStore() {
    assertThat(storeAfterScenario()).isEqualTo(storeAfterScenario());
  }

  // ---------------------------------------------------------------- DEL

  @Test
  void del_afterAdd_removesTheReservationFile() {
    add("c1", SLASH_24);

    plugin.del(request("DEL", "c1", SLASH_24));

    assertThat(files().exists(STORE + "/10.1.0.2")).isFalse();
    assertThat(files().read(STORE + "/last_reserved_ip.0")).contains("10.1.0.2");
  }

  @Test
  void del_twice_succeeds() {
    add("c1", SLASH_24);
    plugin.del(request("DEL", "c1", SLASH_24));

    plugin.del(request("DEL", "c1", SLASH_24));

    assertThat(files().list(STORE)).containsExactly("last_reserved_ip.0", "lock");
  }

  @Test
  void del_withoutAnyStore_succeeds() {
    plugin.del(request("DEL", "never-added", SLASH_24));

    assertThat(files().list(STORE)).containsExactly("lock");
  }

  @Test
  void del_otherInterfaceOfSameContainer_keepsThisOne() {
    plugin.add(request("ADD", "c1", "eth0", stdin(SLASH_24), Map.of()));
    plugin.add(request("ADD", "c1", "net1", stdin(SLASH_24), Map.of()));

    plugin.del(request("DEL", "c1", "net1", stdin(SLASH_24), Map.of()));

    assertThat(files().list(STORE)).containsExactly("10.1.0.2", "last_reserved_ip.0", "lock");
  }

  @Test
  void del_oldOneLineFormat_releasesByContainerId() {
    files().write(STORE + "/10.1.0.9", "c1");

    plugin.del(request("DEL", "c1", SLASH_24));

    assertThat(files().exists(STORE + "/10.1.0.9")).isFalse();
  }

  // ---------------------------------------------------------------- CHECK

  @Test
  void check_afterAdd_succeeds() {
    add("c1", SLASH_24);

    plugin.check(request("CHECK", "c1", SLASH_24));
  }

  @Test
  void check_afterReservationFileDeleted_failsWithHostLocalMessage() {
    add("c1", SLASH_24);
    files().delete(STORE + "/10.1.0.2");

    assertThatThrownBy(() -> plugin.check(request("CHECK", "c1", SLASH_24)))
        .isInstanceOfSatisfying(
            CniException.class,
            e -> {
              assertThat(e.error().code()).isEqualTo(999);
              assertThat(e.error().msg())
                  .isEqualTo("host-local: Failed to find address added by container c1");
            });
  }

  // ---------------------------------------------------------------- GC

  @Test
  void gc_releasesReservationsOfAttachmentsNotListed() {
    add("live", SLASH_24);
    add("leaked", SLASH_24);
    files().write(STORE + "/10.1.0.99", "old-live");
    ObjectNode stdin = stdin(SLASH_24);
    stdin
        .putArray("cni.dev/valid-attachments")
        .add(Json.mapper().createObjectNode().put("containerID", "live").put("ifname", "eth0"))
        .add(Json.mapper().createObjectNode().put("containerID", "old-live").put("ifname", "eth0"));

    plugin.gc(request("GC", "", "", stdin, Map.of()));

    assertThat(files().list(STORE))
        .containsExactly("10.1.0.2", "10.1.0.99", "last_reserved_ip.0", "lock");
  }

  @Test
  void gc_emptyValidList_releasesEveryReservationButKeepsBookkeeping() {
    add("c1", SLASH_24);
    ObjectNode stdin = stdin(SLASH_24);
    stdin.putArray("cni.dev/valid-attachments");

    plugin.gc(request("GC", "", "", stdin, Map.of()));

    assertThat(files().list(STORE)).containsExactly("last_reserved_ip.0", "lock");
  }

  // ---------------------------------------------------------------- configuration errors

  @Test
  void add_slash31_failsAsTooSmall() {
    assertConfigError(
        range("\"subnet\":\"10.0.0.0/31\""),
        999,
        "invalid range set 0: Network 10.0.0.0/31 too small to allocate from");
  }

  @Test
  void add_noRanges_fails() {
    assertConfigError("{\"type\":\"host-local\"}", 999, "no IP ranges specified");
  }

  @Test
  void add_noIpamKey_fails() {
    ObjectNode stdin = stdin(SLASH_24);
    stdin.remove("ipam");

    assertThatThrownBy(() -> plugin.add(request("ADD", "c1", "eth0", stdin, Map.of())))
        .hasMessage("IPAM config missing 'ipam' key");
  }

  @Test
  void add_rangeStartOutsideSubnet_fails() {
    assertConfigError(
        range("\"subnet\":\"10.1.0.0/24\",\"rangeStart\":\"10.2.0.5\""),
        999,
        "invalid range set 0: RangeStart 10.2.0.5 not in network 10.1.0.0/24");
  }

  @Test
  void add_rangeEndBeforeRangeStart_fails() {
    assertConfigError(
        range("\"subnet\":\"10.1.0.0/24\",\"rangeStart\":\"10.1.0.50\",\"rangeEnd\":\"10.1.0.40\""),
        999,
        "invalid range set 0: RangeStart 10.1.0.50 not in network 10.1.0.0/24");
  }

  @Test
  void add_overlappingRangeSets_fails() {
    assertConfigError(
        "{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"}],"
            + "[{\"subnet\":\"10.1.0.0/25\"}]]}",
        999,
        "range set 0 overlaps with 1");
  }

  @Test
  void add_overlappingRangesInOneSet_fails() {
    assertConfigError(
        "{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"},"
            + "{\"subnet\":\"10.1.0.0/24\",\"rangeStart\":\"10.1.0.100\",\"rangeEnd\":\"10.1.0.200\"}]]}",
        999,
        "invalid range set 0: subnets 10.1.0.1-10.1.0.254 and 10.1.0.100-10.1.0.200 overlap");
  }

  @Test
  void add_invalidCidrText_fails() {
    assertConfigError(range("\"subnet\":\"10.1.0/24\""), 999, "invalid CIDR address: 10.1.0/24");
  }

  @Test
  void add_subnetWithHostBits_fails() {
    assertConfigError(
        range("\"subnet\":\"10.1.0.5/24\""),
        999,
        "invalid range set 0: Network has host bits set. For a subnet mask of length 24 the"
            + " network address is 10.1.0.0");
  }

  @Test
  void add_emptyRangeSet_fails() {
    assertConfigError(
        "{\"type\":\"host-local\",\"ranges\":[[]]}", 999, "invalid range set 0: empty range set");
  }

  @Test
  void add_ipv6Subnet_failsAsUnsupportedWithCode7() {
    assertConfigError(
        range("\"subnet\":\"fd00::/64\""),
        7,
        "unsupported IPv6 subnet \"fd00::/64\": PodNet's host-local models IPv4 ranges only");
  }

  @Test
  void del_invalidConfig_fails() {
    assertThatThrownBy(() -> plugin.del(request("DEL", "c1", "{\"type\":\"host-local\"}")))
        .hasMessage("no IP ranges specified");
  }

  // ---------------------------------------------------------------- through the runtime

  @Test
  void runtimeAdd_ipamOnlyConflist_allocatesAndDelReleases() {
    runtime.writeConfig("10-mynet.conflist", conflist(SLASH_24));
    Attachment a = new Attachment("c1", "eth0");

    CniResult result = runtime.add(a, "/var/run/netns/cni-1", Map.of(), Map.of());
    runtime.check(a, "/var/run/netns/cni-1", Map.of());
    runtime.del(a, "/var/run/netns/cni-1", Map.of());
    runtime.del(a, "/var/run/netns/cni-1", Map.of());

    assertThat(address(result)).isEqualTo("10.1.0.2/24");
    assertThat(files().list(STORE)).containsExactly("last_reserved_ip.0", "lock");
  }

  @Test
  void runtimeAdd_exhausted_isWrappedByTheRuntime() {
    runtime.writeConfig("10-mynet.conflist", conflist(range("\"subnet\":\"10.0.0.0/30\"")));
    runtime.add(new Attachment("c1", "eth0"), "/var/run/netns/cni-1", Map.of(), Map.of());

    assertThatThrownBy(
            () ->
                runtime.add(
                    new Attachment("c2", "eth0"), "/var/run/netns/cni-2", Map.of(), Map.of()))
        .isInstanceOfSatisfying(
            CniRuntimeException.class,
            e -> {
              assertThat(e.getMessage())
                  .isEqualTo(
                      "plugin type=\"host-local\" failed (add): failed to allocate for range 0: no IP"
                          + " addresses available in range set: 10.0.0.1-10.0.0.2");
              assertThat(e.error())
                  .hasValueSatisfying(err -> assertThat(err.code()).isEqualTo(999));
            });
  }

  @Test
  void runtimeGc_releasesLeakedReservation() {
    runtime.writeConfig(
        "10-mynet.conflist",
        conflist(SLASH_24).replace("\"cniVersion\":\"1.0.0\"", "\"cniVersion\":\"1.1.0\""));
    runtime.add(new Attachment("live", "eth0"), "/var/run/netns/cni-1", Map.of(), Map.of());
    runtime.add(new Attachment("leaked", "eth0"), "/var/run/netns/cni-2", Map.of(), Map.of());

    List<String> errors = runtime.gc(List.of(new Attachment("live", "eth0")));

    assertThat(errors).isEmpty();
    assertThat(files().list(STORE)).containsExactly("10.1.0.2", "last_reserved_ip.0", "lock");
  }

  // ---------------------------------------------------------------- helpers

  private List<String> storeAfterScenario() {
    Host other = Network.create(Simulation.create(7)).addHost("node-1");
    CniRuntime r =
        CniRuntime.on(other, PluginRegistry.empty().with("host-local", new HostLocalIpam()));
    for (String id : List.of("a", "b", "c")) {
      plugin.add(
          new CniRequest("ADD", id, "", "eth0", Map.of(), List.of(), stdin(SLASH_24), r.context()));
    }
    plugin.del(
        new CniRequest("DEL", "b", "", "eth0", Map.of(), List.of(), stdin(SLASH_24), r.context()));
    plugin.add(
        new CniRequest("ADD", "d", "", "eth0", Map.of(), List.of(), stdin(SLASH_24), r.context()));
    return other.files().paths().stream()
        .filter(p -> p.startsWith(STORE))
        .map(p -> p + "=" + other.files().read(p).orElseThrow())
        .toList();
  }

  private void assertConfigError(String ipam, int code, String msg) {
    Consumer<CniException> check =
        e -> {
          assertThat(e.error().code()).isEqualTo(code);
          assertThat(e.error().msg()).isEqualTo(msg);
        };
    assertThatThrownBy(() -> add("c1", ipam)).isInstanceOfSatisfying(CniException.class, check);
  }

  private static String range(String fields) {
    return "{\"type\":\"host-local\",\"ranges\":[[{" + fields + "}]]}";
  }

  private static String conflist(String ipam) {
    return "{\"cniVersion\":\"1.0.0\",\"name\":\"mynet\",\"plugins\":[{\"type\":\"host-local\",\"ipam\":"
        + ipam
        + "}]}";
  }

  private static ObjectNode stdin(String ipam) {
    return (ObjectNode)
        Json.parse(
            "{\"cniVersion\":\"1.0.0\",\"name\":\"mynet\",\"type\":\"bridge\",\"ipam\":"
                + ipam
                + "}");
  }

  private CniResult add(String id, String ipam) {
    return plugin.add(request("ADD", id, ipam));
  }

  private CniRequest request(String command, String id, String ipam) {
    return request(command, id, "eth0", stdin(ipam), Map.of());
  }

  private CniRequest request(
      String command, String id, String ifName, ObjectNode stdin, Map<String, String> args) {
    return new CniRequest(
        command,
        id,
        id.isEmpty() ? "" : "/var/run/netns/cni-" + id,
        ifName,
        args,
        runtime.binDirs(),
        stdin,
        runtime.context());
  }

  private SimFileSystem files() {
    return host.files();
  }

  private static String address(CniResult result) {
    return result.ips().get(0).address().toString();
  }
}
