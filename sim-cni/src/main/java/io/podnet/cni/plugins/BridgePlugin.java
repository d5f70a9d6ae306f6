package io.podnet.cni.plugins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.cni.runtime.CniPlugin;
import io.podnet.cni.runtime.CniRequest;
import io.podnet.cni.spec.CniError;
import io.podnet.cni.spec.CniException;
import io.podnet.cni.spec.CniResult;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.net.Bridge;
import io.podnet.core.net.Device;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Veth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The reference {@code bridge} plugin: a Linux bridge on the node (default {@code cni0}), a veth
 * pair per container with {@code eth0} inside and {@code veth} plus 8 hex digits on the bridge, an
 * address from the IPAM plugin, and routes. Options: {@code isGateway} puts the gateway address on
 * the bridge and turns on forwarding, {@code isDefaultGateway} implies it and adds {@code default
 * via <gw>}, {@code mtu} (0 means 1500), {@code hairpinMode}, {@code promiscMode} (not both),
 * {@code vlan} 0 to 4094 (a non-zero VLAN is refused with code 2: the bridge model has no VLAN
 * filtering yet), {@code forceAddress}, the container interface's MAC address ({@code
 * args.cni.mac}, the {@code mac} capability or {@code MAC=} in {@code CNI_ARGS}), and {@code
 * ipMasq}, which needs the netfilter model and is refused with code 2 until it exists. A failure
 * after IPAM ADD releases the address again. DEL releases the address first, then deletes the
 * container end (which takes the host end with it), and succeeds when either is already gone.
 *
 * <p>The veth pair is created inside the container and the host end moved out, the way the plugin
 * did when the article was written, which is why the pod sees {@code 3: eth0@if4}.
 */
public final class BridgePlugin implements CniPlugin {

  /** The bridge plugin's settings from its network configuration. */
  private record Conf(
      String bridge,
      boolean isGateway,
      boolean isDefaultGateway,
      boolean forceAddress,
      boolean ipMasq,
      int mtu,
      boolean hairpinMode,
      boolean promiscMode,
      int vlan,
      String ipamType) {

    static Conf load(ObjectNode config) {
      PluginConf c = new PluginConf(config);
      boolean isDefaultGateway = c.bool("isDefaultGateway");
      int mtu = c.integer("mtu", 0);
      int vlan = c.integer("vlan", 0);
      Conf conf =
          new Conf(
              c.string("bridge", "cni0"),
              c.bool("isGateway") || isDefaultGateway,
              isDefaultGateway,
              c.bool("forceAddress"),
              c.bool("ipMasq"),
              mtu == 0 ? 1500 : mtu,
              c.bool("hairpinMode"),
              c.bool("promiscMode"),
              vlan,
              c.ipamType());
      // loadNetConf's fmt.Errorf, which skel reports with code 999 (types.ErrInternal)
      if (vlan < 0 || vlan > 4094) {
        throw CniException.of(
            CniRuntimeCodes.INTERNAL, "invalid VLAN ID " + vlan + " (must be between 0 and 4094)");
      }
      if (conf.mtu < Device.MIN_MTU || conf.mtu > 65535) {
        throw CniException.of(
            CniError.INVALID_CONFIG, "invalid MTU " + conf.mtu + " (must be between 68 and 65535)");
      }
      return conf;
    }
  }

  @Override
  public void validate(CniRequest request) {
    Conf.load(request.config());
    mac(request);
  }

  /**
   * The MAC address asked for the container's interface, as the reference plugin's {@code
   * loadNetConf} takes it (later wins): {@code MAC=} in {@code CNI_ARGS}, {@code args.cni.mac} in
   * the configuration, the {@code mac} capability in {@code runtimeConfig}; null for none. A
   * malformed one fails as Go's {@code net.ParseMAC} does, a multicast or all-zero one as the
   * kernel's veth refuses it ({@code EADDRNOTAVAIL}), both code 999 with what was expected as
   * details.
   */
  static @Nullable MacAddress mac(CniRequest request) {
    String text = request.args().get("MAC");
    String at = "";
    JsonNode args = request.config().path("args").path("cni").path("mac");
    if (args.isTextual() && !args.textValue().isEmpty()) {
      text = args.textValue();
      at = "/args/cni/mac";
    }
    JsonNode runtime = request.runtimeConfig().path("mac");
    if (runtime.isTextual() && !runtime.textValue().isEmpty()) {
      text = runtime.textValue();
      at = "";
    }
    if (text == null || text.isEmpty()) {
      return null;
    }
    String expected = "expected a unicast MAC address such as 0a:58:0a:f4:01:05";
    MacAddress mac;
    try {
      mac = MacAddress.parse(text);
    } catch (IllegalArgumentException e) {
      throw CniException.of(
              CniRuntimeCodes.INTERNAL, "address " + text + ": invalid MAC address", expected)
          .at(at);
    }
    if (mac.isMulticast() || mac.toLong() == 0) {
      throw CniException.of(
              CniRuntimeCodes.INTERNAL,
              "failed to make veth pair: cannot assign requested address",
              expected + ", got " + mac)
          .at(at);
    }
    return mac;
  }

  @Override
  public CniResult add(CniRequest request) {
    Conf conf = Conf.load(request.config());
    MacAddress mac = mac(request);
    // checked by cmdAdd only (not loadNetConf), so DEL of such a config still succeeds
    if (conf.hairpinMode && conf.promiscMode) {
      throw CniException.of(
          CniRuntimeCodes.INTERNAL,
          "cannot set hairpin mode and promiscuous mode at the same time.");
    }
    if (conf.ipMasq) {
      throw CniException.of(
          CniError.UNSUPPORTED_FIELD,
          "ipMasq needs the netfilter model, which PodNet does not have yet");
    }
    if (conf.vlan != 0) {
      throw CniException.of(
          CniError.UNSUPPORTED_FIELD, "vlan tagging is not modelled by PodNet's bridge yet");
    }
    NetNamespace host = request.node().hostNamespace();
    NetNamespace container = request.containerNamespace();
    Interfaces.checkFree(container, request.ifName());
    Bridge bridge = ensureBridge(host, conf);
    CniResult ipam = request.node().delegateAdd(conf.ipamType, request.config(), request);
    boolean success = false;
    try {
      if (ipam.ips().isEmpty()) {
        throw CniException.of(CniRuntimeCodes.INTERNAL, "IPAM plugin returned missing IP config");
      }
      Veth eth0 = Interfaces.createPodVeth(request, container, host, conf.mtu);
      if (mac != null) {
        eth0.setMac(mac);
      }
      Veth hostEnd = eth0.peer();
      bridge.addPort(hostEnd);
      bridge.setHairpin(hostEnd, conf.hairpinMode);
      hostEnd.up();
      CniResult.Builder result = CniResult.builder(request.cniVersion());
      List<CniResult.RouteConfig> routes = new ArrayList<>(ipam.routes());
      List<CniResult.IpConfig> ips = new ArrayList<>();
      for (CniResult.IpConfig ip : ipam.ips()) {
        Ipv4Address gw = ip.gateway();
        if (gw == null && conf.isGateway) {
          gw = ip.address().subnet().address(1);
        }
        ips.add(new CniResult.IpConfig(ip.address(), gw, 2));
        if (conf.isDefaultGateway
            && gw != null
            && routes.stream().noneMatch(r -> r.dst().prefixLength() == 0)) {
          routes.add(new CniResult.RouteConfig(Cidr.parse("0.0.0.0/0"), gw));
        }
      }
      Interfaces.configure(container, eth0, ips, routes);
      if (conf.isGateway) {
        for (CniResult.IpConfig ip : ips) {
          ensureGatewayAddress(host, bridge, ip, conf.forceAddress);
        }
        host.setIpForward(true);
      }
      result
          .addInterface(new CniResult.Interface(bridge.name(), bridge.mac(), 0, ""))
          .addInterface(new CniResult.Interface(hostEnd.name(), hostEnd.mac(), 0, ""))
          .addInterface(new CniResult.Interface(eth0.name(), eth0.mac(), 0, request.netns()));
      ips.forEach(result::addIp);
      routes.forEach(result::addRoute);
      result.dns(ipam.dns());
      success = true;
      return result.build();
    } finally {
      if (!success) {
        request.node().delegateDel(conf.ipamType, request.config(), request);
        container.findDevice(request.ifName()).ifPresent(container::deleteDevice);
      }
    }
  }

  @Override
  public void del(CniRequest request) {
    Conf conf = Conf.load(request.config());
    request.node().delegateDel(conf.ipamType, request.config(), request);
    request.deleteContainerInterface();
  }

  @Override
  public void check(CniRequest request) {
    Conf conf = Conf.load(request.config());
    CniResult prev = Interfaces.prevResult(request);
    request.node().delegateCheck(conf.ipamType, request.config(), request);
    NetNamespace host = request.node().hostNamespace();
    Optional<Device> bridge = host.findDevice(conf.bridge);
    if (bridge.isEmpty() || !(bridge.get() instanceof Bridge)) {
      throw CniException.of(CniRuntimeCodes.INTERNAL, "failed to find bridge " + conf.bridge);
    }
    NetNamespace container = request.containerNamespace();
    Device eth0 = Interfaces.containerInterface(container, request.ifName());
    if (!(eth0 instanceof Veth veth) || veth.peer().master() != bridge.get()) {
      throw CniException.of(
          CniRuntimeCodes.INTERNAL,
          "interface " + request.ifName() + " is not a veth on bridge " + conf.bridge);
    }
    Interfaces.validate(container, eth0, prev);
  }

  private static Bridge ensureBridge(NetNamespace host, Conf conf) {
    Optional<Device> existing = host.findDevice(conf.bridge);
    if (existing.isPresent()) {
      if (!(existing.get() instanceof Bridge b)) {
        throw CniException.of(
            CniRuntimeCodes.INTERNAL,
            "failed to create bridge \""
                + conf.bridge
                + "\": "
                + conf.bridge
                + " already exists but is not a bridge");
      }
      if (conf.promiscMode) {
        b.setPromiscuous(true);
      }
      b.up();
      return b;
    }
    Bridge bridge = host.addBridge(conf.bridge);
    bridge.setMtu(conf.mtu);
    bridge.setPromiscuous(conf.promiscMode);
    bridge.up();
    return bridge;
  }

  private static void ensureGatewayAddress(
      NetNamespace host, Bridge bridge, CniResult.IpConfig ip, boolean forceAddress) {
    Ipv4Address gw = ip.gateway();
    if (gw == null) {
      return;
    }
    IfAddress wanted = IfAddress.of(gw, ip.address().prefixLength());
    for (IfAddress existing : List.copyOf(bridge.addresses())) {
      if (existing.equals(wanted)) {
        return;
      }
      // ensureAddr: for IPv4 any other address conflicts (only IPv6 allows several subnets)
      if (!forceAddress) {
        throw CniException.of(
            CniRuntimeCodes.INTERNAL,
            "failed to set bridge addr: \""
                + bridge.name()
                + "\" already has an IP address different from "
                + wanted);
      }
      host.removeAddress(bridge, existing);
    }
    host.addAddress(bridge, wanted);
  }
}
