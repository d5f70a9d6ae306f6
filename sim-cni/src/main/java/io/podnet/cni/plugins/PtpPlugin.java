package io.podnet.cni.plugins;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.cni.runtime.CniPlugin;
import io.podnet.cni.runtime.CniRequest;
import io.podnet.cni.spec.CniError;
import io.podnet.cni.spec.CniException;
import io.podnet.cni.spec.CniResult;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Device;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Route;
import io.podnet.core.net.Veth;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference {@code ptp} plugin: a veth pair with no bridge. The container gets its address and
 * reaches everything through the gateway, which it sees as a link-scope host route; the host end
 * carries the gateway address as a {@code /32}, and the node gets a host route {@code <pod ip>/32
 * dev <host veth>} back to the pod. Forwarding is turned on. {@code ipMasq} needs the netfilter
 * model and is refused with code 2 until it exists.
 */
public final class PtpPlugin implements CniPlugin {

  @Override
  public CniResult add(CniRequest request) {
    ObjectNode config = request.config();
    PluginConf c = new PluginConf(config);
    int mtu = c.integer("mtu", 0);
    if (c.bool("ipMasq")) {
      throw CniException.of(
          CniError.UNSUPPORTED_FIELD,
          "ipMasq needs the netfilter model, which PodNet does not have yet");
    }
    String ipamType = c.ipamType();
    NetNamespace host = request.node().hostNamespace();
    NetNamespace container = request.containerNamespace();
    Interfaces.checkFree(container, request.ifName());
    CniResult ipam = request.node().delegateAdd(ipamType, config, request);
    boolean success = false;
    try {
      if (ipam.ips().isEmpty()) {
        throw CniException.of(CniRuntimeCodes.INTERNAL, "IPAM plugin returned missing IP config");
      }
      Veth eth0 = Interfaces.createPodVeth(request, container, host, mtu == 0 ? 1500 : mtu);
      Veth hostEnd = eth0.peer();
      hostEnd.up();
      List<CniResult.IpConfig> ips = new ArrayList<>();
      for (CniResult.IpConfig ip : ipam.ips()) {
        Ipv4Address gw = ip.gateway() != null ? ip.gateway() : ip.address().subnet().address(1);
        ips.add(new CniResult.IpConfig(ip.address(), gw, 2));
      }
      for (CniResult.IpConfig ip : ips) {
        container.addAddress(eth0, ip.address());
      }
      eth0.up();
      for (CniResult.IpConfig ip : ips) {
        Cidr subnet = ip.address().subnet();
        container.routes().routes().stream()
            .filter(
                r -> r.device() == eth0 && r.destination().equals(subnet) && r.gateway() == null)
            .toList()
            .forEach(container::removeRoute);
        // setupContainerVeth: "<gw>/32 dev eth0 scope link src <ip>" and "<subnet> via <gw> src
        // <ip>", so that everything, the pod's own subnet included, goes through the gateway
        Ipv4Address self = ip.address().address();
        container.addRoute(
            Route.to(Cidr.of(ip.gateway(), 32))
                .dev(eth0)
                .scope(Route.Scope.LINK)
                .src(self)
                .build());
        container.addRoute(Route.to(subnet).via(ip.gateway()).dev(eth0).src(self).build());
      }
      Ipv4Address gw = ips.get(0).gateway();
      // only the IPAM result's routes: ptp adds no default route of its own
      List<CniResult.RouteConfig> routes = new ArrayList<>(ipam.routes());
      for (CniResult.RouteConfig r : routes) {
        container.addRoute(Interfaces.route(eth0, r, gw));
      }
      for (CniResult.IpConfig ip : ips) {
        IfAddress gwAddress = IfAddress.of(ip.gateway(), 32);
        if (!hostEnd.addresses().contains(gwAddress)) {
          host.addAddress(hostEnd, gwAddress);
        }
        host.addRoute(
            Route.to(Cidr.of(ip.address().address(), 32))
                .dev(hostEnd)
                .scope(Route.Scope.HOST)
                .build());
      }
      host.setIpForward(true);
      CniResult.Builder result =
          CniResult.builder(request.cniVersion())
              .addInterface(new CniResult.Interface(hostEnd.name(), hostEnd.mac(), 0, ""))
              .addInterface(new CniResult.Interface(eth0.name(), eth0.mac(), 0, request.netns()));
      for (CniResult.IpConfig ip : ips) {
        result.addIp(new CniResult.IpConfig(ip.address(), ip.gateway(), 1));
      }
      routes.forEach(result::addRoute);
      result.dns(ipam.dns());
      success = true;
      return result.build();
    } finally {
      if (!success) {
        request.node().delegateDel(ipamType, config, request);
        container.findDevice(request.ifName()).ifPresent(container::deleteDevice);
      }
    }
  }

  @Override
  public void del(CniRequest request) {
    String ipamType = new PluginConf(request.config()).ipamType();
    request.node().delegateDel(ipamType, request.config(), request);
    request.deleteContainerInterface();
  }

  @Override
  public void check(CniRequest request) {
    CniResult prev = Interfaces.prevResult(request);
    request
        .node()
        .delegateCheck(new PluginConf(request.config()).ipamType(), request.config(), request);
    NetNamespace container = request.containerNamespace();
    Device eth0 = Interfaces.containerInterface(container, request.ifName());
    for (CniResult.IpConfig ip : prev.ips()) {
      if (!eth0.addresses().contains(ip.address())) {
        throw CniException.of(
            CniRuntimeCodes.INTERNAL,
            "Failed to match addr " + ip.address() + " on interface " + eth0.name());
      }
    }
  }
}
