package io.podnet.cni.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.cni.spec.CniConfigException;
import io.podnet.cni.spec.CniError;
import io.podnet.cni.spec.CniException;
import io.podnet.cni.spec.CniResult;
import io.podnet.cni.spec.CniVersions;
import io.podnet.cni.spec.Json;
import io.podnet.cni.spec.NetworkConfigList;
import io.podnet.core.engine.Simulation;
import io.podnet.core.net.Host;
import io.podnet.core.net.Network;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CniRuntimeTest {

  private static final String NETNS = "/var/run/netns/cni-1";
  private static final Attachment ATTACHMENT = new Attachment("c1", "eth0");
  private static final String CACHE = "/var/lib/cni/results/net1-c1-eth0";

  private final List<RecordingPlugin.Call> log = new ArrayList<>();
  private final RecordingPlugin first = new RecordingPlugin("first", log);
  private final RecordingPlugin second = new RecordingPlugin("second", log);
  private final RecordingPlugin third = new RecordingPlugin("third", log);
  private final Host host = Network.create(Simulation.create(1)).addHost("node-1");
  private final CniRuntime runtime =
      CniRuntime.on(
          host,
          PluginRegistry.empty().with("first", first).with("second", second).with("third", third));
  private final Map<String, String> args = new LinkedHashMap<>();

  @BeforeEach
  void setUp() {
    host.addNamespace("cni-1");
    runtime.installPlugin("first");
    runtime.installPlugin("second");
    runtime.installPlugin("third");
    args.put("IgnoreUnknown", "1");
    args.put("K8S_POD_NAME", "web-1");
  }

  // ---------------------------------------------------------------- config discovery

  @Test
  void loadConfig_severalFiles_picksTheLexicographicallyFirstConfFile() {
    runtime.writeConfig("20-b.conflist", conflist("net-b", "\"type\":\"first\""));
    runtime.writeConfig("10-a.conflist", conflist("net-a", "\"type\":\"first\""));
    runtime.writeConfig("30-c.json", single("net-c", "first"));
    runtime.writeConfig("00-notes.txt", "not a network configuration");

    assertThat(runtime.loadConfig().name()).isEqualTo("net-a");
  }

  @Test
  void loadConfig_fileRewrittenBetweenLoads_secondLoadSeesTheNewText() {
    runtime.writeConfig("10-a.conflist", conflist("net-a", "\"type\":\"first\""));
    NetworkConfigList first = runtime.loadConfig();
    runtime.writeConfig("10-a.conflist", conflist("net-b", "\"type\":\"first\""));

    assertThat(runtime.loadConfig().name()).isEqualTo("net-b");
    assertThat(first.name()).isEqualTo("net-a");
    runtime.writeConfig("10-a.conflist", "{");
    assertThatThrownBy(runtime::loadConfig).isInstanceOf(CniConfigException.class);
  }

  @Test
  void loadConfig_conflistAndConfAndJson_comparesNamesNotExtensions() {
    runtime.writeConfig("10-z.conflist", conflist("net-conflist", "\"type\":\"first\""));
    runtime.writeConfig("05-a.json", single("net-json", "first"));
    runtime.writeConfig("07-a.conf", single("net-conf", "first"));

    assertThat(runtime.loadConfig().name()).isEqualTo("net-json");
    runtime.removeConfig("05-a.json");
    assertThat(runtime.loadConfig().name()).isEqualTo("net-conf");
  }

  @Test
  void loadConfig_emptyFolder_throwsNetworkNotReadyWithContainerdsText() {
    assertThatThrownBy(runtime::loadConfig)
        .isInstanceOf(NetworkNotReadyException.class)
        .hasMessage("no network config found in /etc/cni/net.d: cni plugin not initialized");
  }

  @Test
  void loadConfig_onlyFilesWithOtherExtensions_throwsNetworkNotReady() {
    runtime.writeConfig("10-bridge.conflist.bak", conflist("net1", "\"type\":\"first\""));
    runtime.writeConfig("README", "");

    assertThatThrownBy(runtime::loadConfig).isInstanceOf(NetworkNotReadyException.class);
  }

  @Test
  void add_singlePluginConfFile_runsThatPluginWithTheNetworkNameAndVersion() {
    runtime.writeConfig("10-one.conf", single("single-net", "first"));

    runtime.add(ATTACHMENT, NETNS, args, Map.of());

    assertThat(log).extracting(Object::toString).containsExactly("first ADD");
    JsonNode stdin = first.calls().get(0).stdin();
    assertThat(stdin.path("name").asText()).isEqualTo("single-net");
    assertThat(stdin.path("cniVersion").asText()).isEqualTo("0.4.0");
    assertThat(runtime.cachedResult(ATTACHMENT)).isPresent();
    assertThat(host.files().exists("/var/lib/cni/results/single-net-c1-eth0")).isTrue();
  }

  // ---------------------------------------------------------------- plugin lookup

  @Test
  void add_pluginNotInPath_failsWithLibcniWrappedFindInPathError() {
    writeChain();
    runtime.removePlugin("second");

    assertThatThrownBy(() -> runtime.add(ATTACHMENT, NETNS, args, Map.of()))
        .isInstanceOf(CniRuntimeException.class)
        .hasMessage(
            "plugin type=\"second\" failed (add): failed to find plugin \"second\" in path"
                + " [/opt/cni/bin]");
    assertThat(log).extracting(Object::toString).containsExactly("first ADD");
    assertThat(host.files().exists(CACHE)).isFalse();
  }

  @Test
  void add_pluginObjectWithName_namesItInTheError() {
    runtime.writeConfig("10-net.conflist", conflist("net1", "\"type\":\"first\",\"name\":\"x\""));
    runtime.removePlugin("first");

    assertThatThrownBy(() -> runtime.add(ATTACHMENT, NETNS, args, Map.of()))
        .hasMessage(
            "plugin type=\"first\" name=\"x\" failed (add): failed to find plugin \"first\" in"
                + " path [/opt/cni/bin]");
  }

  @Test
  void add_pluginPathWithTwoFolders_printsBothSpaceSeparated() {
    CniRuntime two =
        CniRuntime.on(
            host,
            PluginRegistry.empty().with("bridge", first),
            "/etc/cni/net.d",
            List.of("/opt/cni/bin", "/usr/libexec/cni"));
    two.writeConfig("10-net.conflist", conflist("net1", "\"type\":\"bridge\""));

    assertThatThrownBy(() -> two.add(ATTACHMENT, NETNS, args, Map.of()))
        .hasMessage(
            "plugin type=\"bridge\" failed (add): failed to find plugin \"bridge\" in path"
                + " [/opt/cni/bin /usr/libexec/cni]");
  }

  @Test
  void add_pluginInTheSecondFolder_isFound() {
    CniRuntime two =
        CniRuntime.on(
            host,
            PluginRegistry.empty().with("first", first),
            "/etc/cni/net.d",
            List.of("/opt/cni/bin", "/usr/libexec/cni"));
    host.files().write("/usr/libexec/cni/first", "binary");
    two.writeConfig("10-net.conflist", conflist("net1", "\"type\":\"first\""));

    two.add(ATTACHMENT, NETNS, args, Map.of());

    assertThat(log).extracting(Object::toString).containsExactly("first ADD");
  }

  @Test
  void add_pluginRemovedAfterTheConfigWasWritten_isLookedUpWhenItRuns() {
    writeChain();
    runtime.add(ATTACHMENT, NETNS, args, Map.of());
    runtime.removePlugin("third");

    assertThatThrownBy(() -> runtime.add(new Attachment("c2", "eth0"), NETNS, args, Map.of()))
        .hasMessageContaining("failed to find plugin \"third\"");
    runtime.installPlugin("third");
    runtime.add(new Attachment("c3", "eth0"), NETNS, args, Map.of());
  }

  @Test
  void installPlugin_unknownType_namesTheTypeAndTheKnownOnes() {
    assertThatThrownBy(() -> runtime.installPlugin("flannel"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no implementation of plugin type \"flannel\" (known: [first, second, third])");
    assertThat(runtime.hasPlugin("flannel")).isFalse();
  }

  // ---------------------------------------------------------------- ADD

  @Test
  void add_chain_runsInOrderAndPassesEachResultAsPrevResult() {
    writeChain();

    CniResult result = runtime.add(ATTACHMENT, NETNS, args, Map.of());

    assertThat(log)
        .extracting(Object::toString)
        .containsExactly("first ADD", "second ADD", "third ADD");
    assertThat(first.calls().get(0).stdin().has("prevResult")).isFalse();
    JsonNode prevOfSecond = second.calls().get(0).stdin().get("prevResult");
    assertThat(CniResult.fromJson(prevOfSecond).interfaces())
        .extracting(CniResult.Interface::name)
        .containsExactly("first");
    JsonNode prevOfThird = third.calls().get(0).stdin().get("prevResult");
    assertThat(CniResult.fromJson(prevOfThird).interfaces())
        .extracting(CniResult.Interface::name)
        .containsExactly("first", "second");
    assertThat(result.interfaces())
        .extracting(CniResult.Interface::name)
        .containsExactly("first", "second", "third");
  }

  @Test
  void add_stdinAndEnvironment_carryNameVersionAndContainerdsArgs() {
    writeChain();

    runtime.add(ATTACHMENT, NETNS, args, Map.of());

    RecordingPlugin.Call call = second.calls().get(0);
    assertThat(call.stdin().path("name").asText()).isEqualTo("net1");
    assertThat(call.stdin().path("cniVersion").asText()).isEqualTo("1.0.0");
    assertThat(call.stdin().path("type").asText()).isEqualTo("second");
    assertThat(call.stdin().path("custom").asText()).isEqualTo("kept");
    assertThat(call.request().command()).isEqualTo("ADD");
    assertThat(call.request().containerId()).isEqualTo("c1");
    assertThat(call.request().ifName()).isEqualTo("eth0");
    assertThat(call.request().netns()).isEqualTo(NETNS);
    assertThat(call.request().path()).containsExactly("/opt/cni/bin");
    assertThat(call.request().args().keySet()).containsExactly("IgnoreUnknown", "K8S_POD_NAME");
  }

  @Test
  void add_success_cachesTheFinalResultInVarLibCniResults() {
    writeChain();

    CniResult result = runtime.add(ATTACHMENT, NETNS, args, Map.of());

    assertThat(host.files().list("/var/lib/cni/results")).containsExactly("net1-c1-eth0");
    JsonNode cache = Json.parse(host.files().read(CACHE).orElseThrow());
    assertThat(cache.path("kind").asText()).isEqualTo("cniCacheV1");
    assertThat(cache.path("containerId").asText()).isEqualTo("c1");
    assertThat(cache.path("ifName").asText()).isEqualTo("eth0");
    assertThat(cache.path("networkName").asText()).isEqualTo("net1");
    assertThat(cache.path("netns").asText()).isEqualTo(NETNS);
    assertThat(runtime.cachedResult(ATTACHMENT)).contains(result);
  }

  @Test
  void add_withOrWithoutCapabilityArgs_cachesThemAsTheJacksonTreeOfTheMap() {
    writeChain();
    Map<String, Object> ports = Map.of("portMappings", List.of(Map.of("hostPort", 8080)));

    runtime.add(ATTACHMENT, NETNS, args, Map.of());
    String empty = host.files().read(CACHE).orElseThrow();
    runtime.del(ATTACHMENT, NETNS, args);
    runtime.add(ATTACHMENT, NETNS, args, ports);
    String withPorts = host.files().read(CACHE).orElseThrow();

    assertThat(empty).contains("\"capabilityArgs\":{},");
    assertThat(Json.parse(empty).get("capabilityArgs"))
        .isEqualTo(Json.mapper().valueToTree(Map.of()));
    assertThat(Json.parse(withPorts).get("capabilityArgs"))
        .isEqualTo(Json.mapper().valueToTree(ports));
  }

  @Test
  void add_pluginFails_wrapsItsErrorAndStopsTheChainWithoutCaching() {
    writeChain();
    second.failWith(CniException.of(11, "busy", "try later"));

    assertThatThrownBy(() -> runtime.add(ATTACHMENT, NETNS, args, Map.of()))
        .isInstanceOfSatisfying(
            CniRuntimeException.class,
            e -> {
              assertThat(e).hasMessage("plugin type=\"second\" failed (add): busy; try later");
              assertThat(e.error()).map(CniError::code).contains(11);
            });
    assertThat(log).extracting(Object::toString).containsExactly("first ADD", "second ADD");
    assertThat(host.files().exists(CACHE)).isFalse();
  }

  @Test
  void add_configVersionThePluginDoesNotSupport_failsWithCode1() {
    RecordingPlugin old = new RecordingPlugin("old", log, List.of("0.3.0", "0.3.1"));
    CniRuntime rt = CniRuntime.on(host, PluginRegistry.empty().with("old", old));
    rt.installPlugin("old");
    rt.writeConfig("10-net.conflist", conflist("net1", "\"type\":\"old\""));

    assertThatThrownBy(() -> rt.add(ATTACHMENT, NETNS, args, Map.of()))
        .isInstanceOfSatisfying(
            CniRuntimeException.class,
            e -> {
              // skel's checkVersionAndCall: msg "incompatible CNI versions", details from
              // version.ErrorIncompatible: config is %q, plugin supports %q
              assertThat(e.error()).map(CniError::code).contains(CniError.INCOMPATIBLE_VERSION);
              assertThat(e.error()).map(CniError::msg).contains("incompatible CNI versions");
              assertThat(e)
                  .hasMessage(
                      "plugin type=\"old\" failed (add): incompatible CNI versions; config is"
                          + " \"1.0.0\", plugin supports [\"0.3.0\" \"0.3.1\"]");
            });
    assertThat(log).isEmpty();
  }

  @Test
  void add_result_isStampedWithTheConfigVersion() {
    runtime.writeConfig(
        "10-net.conflist",
        "{\"cniVersion\":\"0.4.0\",\"name\":\"net1\",\"plugins\":[{\"type\":\"first\"}]}");

    assertThat(runtime.add(ATTACHMENT, NETNS, args, Map.of()).cniVersion()).isEqualTo("0.4.0");
  }

  // ---------------------------------------------------------------- runtimeConfig

  @Test
  void add_runtimeConfig_isInjectedOnlyForCapabilitiesDeclaredTrue() {
    runtime.writeConfig(
        "10-net.conflist",
        "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"plugins\":["
            + "{\"type\":\"first\"},"
            + "{\"type\":\"second\",\"capabilities\":{\"portMappings\":true,\"bandwidth\":false}},"
            + "{\"type\":\"third\",\"capabilities\":{\"bandwidth\":true}}]}");
    Map<String, Object> rc = new LinkedHashMap<>();
    rc.put("portMappings", List.of(Map.of("hostPort", 8080, "containerPort", 80)));
    rc.put("bandwidth", Map.of("ingressRate", 1000));

    runtime.add(ATTACHMENT, NETNS, args, rc);

    assertThat(first.calls().get(0).stdin().has("runtimeConfig")).isFalse();
    JsonNode secondRc = second.calls().get(0).stdin().get("runtimeConfig");
    assertThat(fieldNames(secondRc)).containsExactly("portMappings");
    assertThat(secondRc.at("/portMappings/0/hostPort").asInt()).isEqualTo(8080);
    JsonNode thirdRc = third.calls().get(0).stdin().get("runtimeConfig");
    assertThat(fieldNames(thirdRc)).containsExactly("bandwidth");
  }

  @Test
  void del_afterAddWithRuntimeConfig_getsTheSameCapabilityArgsFromTheCache() {
    runtime.writeConfig(
        "10-net.conflist",
        "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"plugins\":["
            + "{\"type\":\"first\",\"capabilities\":{\"portMappings\":true}}]}");
    runtime.add(ATTACHMENT, NETNS, args, Map.of("portMappings", List.of(Map.of("hostPort", 8080))));

    runtime.del(ATTACHMENT, NETNS, args);

    JsonNode delStdin = first.calls().get(1).stdin();
    assertThat(delStdin.at("/runtimeConfig/portMappings/0/hostPort").asInt()).isEqualTo(8080);
  }

  // ---------------------------------------------------------------- DEL

  @Test
  void del_chain_runsInReverseOrderEachWithTheCachedFinalResult() {
    writeChain();
    CniResult added = runtime.add(ATTACHMENT, NETNS, args, Map.of());
    log.clear();

    runtime.del(ATTACHMENT, NETNS, args);

    assertThat(log)
        .extracting(Object::toString)
        .containsExactly("third DEL", "second DEL", "first DEL");
    for (RecordingPlugin.Call call : log) {
      assertThat(CniResult.fromJson(call.stdin().get("prevResult"))).isEqualTo(added);
    }
    assertThat(host.files().exists(CACHE)).isFalse();
  }

  @Test
  void del_twice_succeedsAndTheSecondRunsWithoutPrevResult() {
    writeChain();
    runtime.add(ATTACHMENT, NETNS, args, Map.of());
    runtime.del(ATTACHMENT, NETNS, args);
    log.clear();

    runtime.del(ATTACHMENT, NETNS, args);

    assertThat(log)
        .extracting(Object::toString)
        .containsExactly("third DEL", "second DEL", "first DEL");
    assertThat(log).allSatisfy(c -> assertThat(c.stdin().has("prevResult")).isFalse());
  }

  @Test
  void del_withoutAnyAdd_succeeds() {
    writeChain();

    runtime.del(new Attachment("never-added", "eth0"), "", Map.of());

    assertThat(log).hasSize(3);
  }

  @Test
  void del_pluginFails_isWrappedAsDeleteAndKeepsTheCache() {
    writeChain();
    runtime.add(ATTACHMENT, NETNS, args, Map.of());
    first.failWith(CniException.of(5, "disk gone"));

    assertThatThrownBy(() -> runtime.del(ATTACHMENT, NETNS, args))
        .hasMessage("plugin type=\"first\" failed (delete): disk gone");
    assertThat(host.files().exists(CACHE)).isTrue();
  }

  // ---------------------------------------------------------------- CHECK

  @Test
  void check_chain_runsInOrderWithTheCachedResult() {
    writeChain();
    CniResult added = runtime.add(ATTACHMENT, NETNS, args, Map.of());
    log.clear();

    runtime.check(ATTACHMENT, NETNS, args);

    assertThat(log)
        .extracting(Object::toString)
        .containsExactly("first CHECK", "second CHECK", "third CHECK");
    for (RecordingPlugin.Call call : log) {
      assertThat(CniResult.fromJson(call.stdin().get("prevResult"))).isEqualTo(added);
    }
  }

  @Test
  void check_disableCheck_runsNoPlugin() {
    runtime.writeConfig(
        "10-net.conflist",
        "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"disableCheck\":true,"
            + "\"plugins\":[{\"type\":\"first\"},{\"type\":\"second\"}]}");
    runtime.add(ATTACHMENT, NETNS, args, Map.of());
    log.clear();

    runtime.check(ATTACHMENT, NETNS, args);

    assertThat(log).isEmpty();
  }

  @Test
  void check_withoutCachedResult_fails() {
    writeChain();

    assertThatThrownBy(() -> runtime.check(ATTACHMENT, NETNS, args))
        .isInstanceOf(CniRuntimeException.class)
        .hasMessageContaining("cached result");
    assertThat(log).isEmpty();
  }

  @Test
  void check_pluginFails_isWrappedAsCheck() {
    writeChain();
    runtime.add(ATTACHMENT, NETNS, args, Map.of());
    second.failWith(CniException.of(999, "route missing"));

    assertThatThrownBy(() -> runtime.check(ATTACHMENT, NETNS, args))
        .hasMessage("plugin type=\"second\" failed (check): route missing");
  }

  // ---------------------------------------------------------------- GC and VERSION

  @Test
  void gc_delsStaleAttachmentsThenPassesTheValidOnesToEveryPlugin() {
    writeChain("1.1.0");
    runtime.add(new Attachment("keep", "eth0"), NETNS, args, Map.of());
    runtime.add(new Attachment("stale", "eth0"), NETNS, args, Map.of());
    log.clear();

    List<String> errors = runtime.gc(List.of(new Attachment("keep", "eth0")));

    assertThat(errors).isEmpty();
    assertThat(log)
        .extracting(Object::toString)
        .containsExactly(
            "third DEL", "second DEL", "first DEL", "first GC", "second GC", "third GC");
    assertThat(first.calls().get(0).request().containerId()).isEqualTo("stale");
    assertThat(first.calls().get(0).request().netns()).isEqualTo(NETNS);
    JsonNode valid = second.calls().get(1).stdin().get("cni.dev/valid-attachments");
    assertThat(valid.size()).isEqualTo(1);
    assertThat(valid.get(0).path("containerID").asText()).isEqualTo("keep");
    assertThat(valid.get(0).path("ifname").asText()).isEqualTo("eth0");
    assertThat(host.files().list("/var/lib/cni/results")).containsExactly("net1-keep-eth0");
  }

  @Test
  void gc_configBelow110_delsStaleAttachmentsButRunsNoGcVerb() {
    writeChain("1.0.0");
    runtime.add(new Attachment("stale", "eth0"), NETNS, args, Map.of());
    log.clear();

    List<String> errors = runtime.gc(List.of());

    assertThat(errors).isEmpty();
    assertThat(log)
        .extracting(Object::toString)
        .containsExactly("third DEL", "second DEL", "first DEL");
    assertThat(host.files().list("/var/lib/cni/results")).isEmpty();
  }

  @Test
  void gc_staleDelFails_reportsItAsLibcniDoesAndKeepsTheCache() {
    writeChain("1.1.0");
    runtime.add(new Attachment("stale", "eth0"), NETNS, args, Map.of());
    second.failWith(CniException.of(5, "busy"));

    List<String> errors = runtime.gc(List.of());

    assertThat(errors)
        .startsWith(
            "failed to delete stale attachment stale eth0: plugin type=\"second\" failed"
                + " (delete): busy");
    assertThat(host.files().list("/var/lib/cni/results")).containsExactly("net1-stale-eth0");
  }

  @Test
  void gc_pluginFails_continuesWithTheNextAndReportsTheError() {
    writeChain("1.1.0");
    first.failWith(CniException.of(5, "cannot read store"));

    List<String> errors = runtime.gc(List.of());

    assertThat(log)
        .extracting(Object::toString)
        .containsExactly("first GC", "second GC", "third GC");
    assertThat(errors).containsExactly("plugin type=\"first\" failed (gc): cannot read store");
  }

  @Test
  void version_installedPlugin_answersItsSupportedVersions() {
    assertThat(runtime.version("first")).isEqualTo(CniVersions.SUPPORTED);
  }

  @Test
  void version_missingPlugin_failsWithFindInPathError() {
    runtime.removePlugin("first");

    assertThatThrownBy(() -> runtime.version("first"))
        .isInstanceOf(CniRuntimeException.class)
        .hasMessage("failed to find plugin \"first\" in path [/opt/cni/bin]");
  }

  // ---------------------------------------------------------------- helpers

  private void writeChain() {
    writeChain("1.0.0");
  }

  private void writeChain(String version) {
    runtime.writeConfig(
        "10-net.conflist",
        "{\"cniVersion\":\""
            + version
            + "\",\"name\":\"net1\",\"plugins\":["
            + "{\"type\":\"first\"},{\"type\":\"second\",\"custom\":\"kept\"},{\"type\":\"third\"}]}");
  }

  private static String conflist(String name, String plugin) {
    return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + name + "\",\"plugins\":[{" + plugin + "}]}";
  }

  private static String single(String name, String type) {
    return "{\"cniVersion\":\"0.4.0\",\"name\":\"" + name + "\",\"type\":\"" + type + "\"}";
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
