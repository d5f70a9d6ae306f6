package io.podnet.cni.plugins;

import io.podnet.cni.runtime.CniRequest;
import io.podnet.cni.spec.CniError;
import io.podnet.cni.spec.CniException;
import io.podnet.cni.spec.CniResult;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Device;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Route;
import io.podnet.core.net.Veth;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the plugins' shared {@code ipam.ConfigureIface} and CHECK helpers do: put a result's
 * addresses and routes on a container interface, and verify later that they are still there.
 */
final class Interfaces {

  private Interfaces() {}

  /** Fails like the plugins do when the container already has an interface of that name. */
  static void checkFree(NetNamespace container, String ifName) {
    if (container.findDevice(ifName).isPresent()) {
      throw CniException.of(
          CniError.INVALID_CONFIG, "container veth name provided (" + ifName + ") already exists");
    }
  }

  /**
   * Creates the pod's veth pair inside the container ({@code ifName}, and {@code veth} plus 8
   * random hex digits as the peer) and moves the peer to the host under that name. Returns the
   * container end; its {@link Veth#peer()} is the host end, still down.
   */
  static Veth createPodVeth(
      CniRequest request, NetNamespace container, NetNamespace host, int mtu) {
    String hostName;
    do {
      hostName = "veth" + HexFormat.of().toHexDigits(request.node().random("veth-names").nextInt());
    } while (host.findDevice(hostName).isPresent());
    Veth eth0 = container.addVethPair(request.ifName(), hostName, mtu);
    container.moveDevice(eth0.peer(), host, hostName);
    return eth0;
  }

  /** CHECK's starting point: the cached result, which CHECK requires. */
  static CniResult prevResult(CniRequest request) {
    return request
        .prevResult()
        .orElseThrow(() -> CniException.of(CniError.INVALID_CONFIG, "Required prevResult missing"));
  }

  /** The container interface CHECK verifies; an error when it is gone. */
  static Device containerInterface(NetNamespace container, String ifName) {
    return container
        .findDevice(ifName)
        .orElseThrow(
            () ->
                CniException.of(
                    CniRuntimeCodes.INTERNAL, "failed to find container interface " + ifName));
  }

  /**
   * Adds the addresses, brings the device up, and adds each route via its gateway (or via the first
   * address's gateway when the route has none).
   */
  static void configure(
      NetNamespace ns,
      Device dev,
      List<CniResult.IpConfig> ips,
      List<CniResult.RouteConfig> routes) {
    for (CniResult.IpConfig ip : ips) {
      ns.addAddress(dev, ip.address());
    }
    dev.up();
    Ipv4Address defaultGw = ips.isEmpty() ? null : ips.get(0).gateway();
    for (CniResult.RouteConfig r : routes) {
      ns.addRoute(route(dev, r, defaultGw));
    }
  }

  static Route route(Device dev, CniResult.RouteConfig r, @Nullable Ipv4Address defaultGw) {
    Ipv4Address gw = r.gw() != null ? r.gw() : defaultGw;
    Route.Builder b = Route.to(r.dst()).dev(dev);
    if (gw != null) {
      b.via(gw);
    }
    return b.build();
  }

  /** Fails with a CNI error when an address or a route of {@code prev} is missing. */
  static void validate(NetNamespace ns, Device dev, CniResult prev) {
    Ipv4Address defaultGw = null;
    for (CniResult.IpConfig ip : prev.ips()) {
      IfAddress address = ip.address();
      if (!dev.addresses().contains(address)) {
        throw CniException.of(
            CniRuntimeCodes.INTERNAL,
            "Failed to match addr " + address + " on interface " + dev.name());
      }
      if (defaultGw == null) {
        defaultGw = ip.gateway();
      }
    }
    for (CniResult.RouteConfig r : prev.routes()) {
      Route expected = route(dev, r, defaultGw);
      if (!ns.routes().contains(expected)) {
        throw CniException.of(
            CniRuntimeCodes.INTERNAL, "Failed to match route " + expected + " in the container");
      }
    }
  }
}
