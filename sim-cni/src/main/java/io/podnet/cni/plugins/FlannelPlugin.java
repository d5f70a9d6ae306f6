package io.podnet.cni.plugins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.cni.runtime.CniPlugin;
import io.podnet.cni.runtime.CniRequest;
import io.podnet.cni.spec.CniException;
import io.podnet.cni.spec.CniResult;
import io.podnet.cni.spec.Json;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.fs.SimFileSystem;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code flannel} CNI plugin: it reads the node's {@code /run/flannel/subnet.env}, written by
 * flanneld, and renders a delegate configuration from it, by default the {@code bridge} plugin with
 * {@code isGateway}, the MTU flanneld chose, {@code ipMasq} off when flanneld masquerades, and
 * host-local IPAM over the node's subnet with a route to the whole flannel network. It saves the
 * delegate configuration under {@code /var/lib/cni/flannel/<containerID>} and runs the delegate;
 * DEL reads it back, runs the delegate's DEL and removes it, and succeeds when it is gone.
 */
public final class FlannelPlugin implements CniPlugin {

  /** Where flanneld writes the node's lease. */
  public static final String DEFAULT_SUBNET_FILE = "/run/flannel/subnet.env";

  static final String DEFAULT_DATA_DIR = "/var/lib/cni/flannel";

  @Override
  public void validate(CniRequest request) {
    JsonNode delegate = request.config().get("delegate");
    if (delegate != null && !delegate.isObject()) {
      throw CniException.of(CniRuntimeCodes.INTERNAL, "\"delegate\" must be an object");
    }
  }

  @Override
  public CniResult add(CniRequest request) {
    ObjectNode config = request.config();
    PluginConf c = new PluginConf(config);
    Map<String, String> env = subnetEnv(request, c.string("subnetFile", DEFAULT_SUBNET_FILE));
    ObjectNode delegate =
        config.get("delegate") instanceof ObjectNode d
            ? d.deepCopy()
            : Json.mapper().createObjectNode();
    delegate.put("name", request.networkName());
    if (!delegate.has("type")) {
      delegate.put("type", "bridge");
    }
    if (!delegate.has("ipMasq")) {
      delegate.put("ipMasq", !Boolean.parseBoolean(env.getOrDefault("FLANNEL_IPMASQ", "false")));
    }
    if (!delegate.has("mtu")) {
      delegate.put("mtu", Integer.parseInt(env.get("FLANNEL_MTU")));
    }
    if (delegate.path("type").asText().equals("bridge") && !delegate.has("isGateway")) {
      delegate.put("isGateway", true);
    }
    delegate.put("cniVersion", request.cniVersion());
    ObjectNode ipam =
        config.get("ipam") instanceof ObjectNode i
            ? i.deepCopy()
            : Json.mapper().createObjectNode();
    if (!ipam.has("type")) {
      ipam.put("type", "host-local");
    }
    Cidr subnet = IfAddress.parse(env.get("FLANNEL_SUBNET")).subnet();
    ArrayNode ranges = ipam.putArray("ranges");
    ranges.addArray().addObject().put("subnet", subnet.toString());
    ArrayNode routes =
        ipam.has("routes") ? (ArrayNode) ipam.get("routes") : ipam.putArray("routes");
    routes.addObject().put("dst", env.get("FLANNEL_NETWORK"));
    delegate.set("ipam", ipam);
    String dataDir = c.string("dataDir", DEFAULT_DATA_DIR);
    request.node().files().write(dataDir + "/" + request.containerId(), Json.write(delegate));
    return request.node().delegateAdd(delegate.path("type").asText(), delegate, request);
  }

  @Override
  public void del(CniRequest request) {
    SimFileSystem files = request.node().files();
    String path = savedPath(request);
    Optional<String> saved = files.read(path);
    if (saved.isEmpty()) {
      return;
    }
    ObjectNode delegate = (ObjectNode) Json.parse(saved.get());
    request.node().delegateDel(delegate.path("type").asText(), delegate, request);
    files.delete(path);
  }

  @Override
  public void check(CniRequest request) {
    String path = savedPath(request);
    ObjectNode delegate =
        (ObjectNode)
            Json.parse(
                request
                    .node()
                    .files()
                    .read(path)
                    .orElseThrow(
                        () ->
                            CniException.of(
                                CniRuntimeCodes.INTERNAL,
                                "failed to read delegate config "
                                    + path
                                    + ": no such file or directory")));
    request.prevResult().ifPresent(prev -> delegate.set("prevResult", prev.toJson()));
    request.node().delegateCheck(delegate.path("type").asText(), delegate, request);
  }

  private static String savedPath(CniRequest request) {
    return new PluginConf(request.config()).string("dataDir", DEFAULT_DATA_DIR)
        + "/"
        + request.containerId();
  }

  /** Reads {@code KEY=VALUE} lines; the four keys flannel needs must be there. */
  private static Map<String, String> subnetEnv(CniRequest request, String file) {
    String text =
        request
            .node()
            .files()
            .read(file)
            .orElseThrow(
                () ->
                    CniException.of(
                        CniRuntimeCodes.INTERNAL,
                        "loadFlannelSubnetEnv failed: open "
                            + file
                            + ": no such file or directory"));
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        env.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
      }
    }
    for (String key : new String[] {"FLANNEL_NETWORK", "FLANNEL_SUBNET", "FLANNEL_MTU"}) {
      if (!env.containsKey(key)) {
        throw CniException.of(
            CniRuntimeCodes.INTERNAL,
            "loadFlannelSubnetEnv failed: " + file + " is missing " + key);
      }
    }
    return env;
  }
}
