package io.podnet.cni.plugins;

import io.podnet.cni.spec.CniException;
import io.podnet.cni.spec.CniResult;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Device;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Route;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the plugins' shared {@code ipam.ConfigureIface} and CHECK helpers do: put a result's
 * addresses and routes on a container interface, and verify later that they are still there.
 */
final class Interfaces {

  private Interfaces() {}

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
