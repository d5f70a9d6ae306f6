package io.podnet.cni.plugins;

import io.podnet.cni.runtime.Attachment;
import io.podnet.cni.runtime.CniRuntime;
import io.podnet.cni.spec.CniResult;
import io.podnet.core.engine.Simulation;
import io.podnet.core.fs.SimFileSystem;
import io.podnet.core.net.Host;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Network;
import java.util.Map;

/**
 * One node with the standard plugins installed and a runtime, plus helpers to make a container
 * namespace and run ADD, DEL and CHECK on it the way containerd does.
 */
final class PluginFixture {

  final Network network = Network.create(Simulation.create(3));
  final Host host = network.addHost("node-1");
  final CniRuntime runtime = CniRuntime.on(host, Plugins.standard());

  PluginFixture() {
    host.root().loopback().up();
    for (String type : Plugins.standard().plugins().keySet()) {
      runtime.installPlugin(type);
    }
  }

  /** Writes {@code 10-net.conflist}. */
  PluginFixture config(String conflist) {
    runtime.writeConfig("10-net.conflist", conflist);
    return this;
  }

  /** A new container namespace {@code id} (path {@code /var/run/netns/<id>}). */
  NetNamespace sandbox(String id) {
    return host.addNamespace(id);
  }

  static String netns(String id) {
    return "/var/run/netns/" + id;
  }

  CniResult add(String id) {
    return runtime.add(new Attachment(id, "eth0"), netns(id), Map.of(), Map.of());
  }

  CniResult add(String id, Map<String, Object> runtimeConfig) {
    return runtime.add(new Attachment(id, "eth0"), netns(id), Map.of(), runtimeConfig);
  }

  void del(String id) {
    runtime.del(new Attachment(id, "eth0"), netns(id), Map.of());
  }

  void check(String id) {
    runtime.check(new Attachment(id, "eth0"), netns(id), Map.of());
  }

  SimFileSystem files() {
    return host.files();
  }

  /** A one-plugin conflist (cniVersion 1.0.0, network {@code mynet}). */
  static String conflist(String plugin) {
    return "{\"cniVersion\":\"1.0.0\",\"name\":\"mynet\",\"plugins\":[" + plugin + "]}";
  }

  /** host-local over one subnet. */
  static String hostLocal(String subnet) {
    return "{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"" + subnet + "\"}]]}";
  }
}
