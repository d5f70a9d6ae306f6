package io.podnet.cni.calico;

import com.google.common.hash.Hashing;
import io.podnet.cni.runtime.CniPlugin;
import io.podnet.cni.runtime.CniRequest;
import io.podnet.cni.spec.CniException;
import io.podnet.cni.spec.CniResult;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.net.Device;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Route;
import io.podnet.core.net.Veth;
import java.nio.charset.StandardCharsets;

/**
 * The {@code calico} CNI plugin: a veth pair whose host end is named {@code cali} plus the first 11
 * hex digits of SHA-1 over {@code <namespace>.<pod>} (Calico's workload naming), with MAC {@code
 * ee:ee:ee:ee:ee:ee} and proxy ARP on; the pod's {@code eth0} gets a /32 from the IPAM plugin
 * (calico-ipam) and the routes {@code 169.254.1.1 dev eth0 scope link} and {@code default via
 * 169.254.1.1 dev eth0}, so every packet leaves to the host, whose {@code cali} veth answers ARP
 * for the made-up gateway. The node gets {@code <pod ip> dev cali... scope link} and forwards.
 */
public final class CalicoPlugin implements CniPlugin {

  /** The link-local gateway every Calico pod routes through. */
  public static final Ipv4Address GATEWAY = Ipv4Address.parse("169.254.1.1");

  /** The MAC of every {@code cali} host veth. */
  public static final MacAddress HOST_MAC = MacAddress.parse("ee:ee:ee:ee:ee:ee");

  @Override
  public void validate(CniRequest request) {
    ipamType(request);
    mtu(request);
  }

  @Override
  public CniResult add(CniRequest request) {
    int mtu = mtu(request);
    String ipamType = ipamType(request);
    NetNamespace host = request.node().hostNamespace();
    NetNamespace container = request.containerNamespace();
    if (container.findDevice(request.ifName()).isPresent()) {
      throw CniException.of(
          999, "interface " + request.ifName() + " already exists in the container");
    }
    String hostName = vethName(request);
    CniResult ipam = request.node().delegateAdd(ipamType, request.config(), request);
    boolean success = false;
    try {
      if (ipam.ips().isEmpty()) {
        throw CniException.of(999, "IPAM plugin returned missing IP config");
      }
      Veth eth0 = container.addVethPair(request.ifName(), hostName, mtu);
      Veth hostEnd = eth0.peer();
      container.moveDevice(hostEnd, host, hostName);
      hostEnd.setMac(HOST_MAC);
      hostEnd.setProxyArp(true);
      hostEnd.up();
      Ipv4Address ip = ipam.ips().get(0).address().address();
      container.addAddress(eth0, IfAddress.of(ip, 32));
      eth0.up();
      container.addRoute(Route.to(Cidr.of(GATEWAY, 32)).dev(eth0).scope(Route.Scope.LINK).build());
      container.addRoute(Route.to(Cidr.parse("0.0.0.0/0")).via(GATEWAY).dev(eth0).build());
      host.addRoute(Route.to(Cidr.of(ip, 32)).dev(hostEnd).scope(Route.Scope.LINK).build());
      host.setIpForward(true);
      CniResult result =
          CniResult.builder(request.cniVersion())
              .addInterface(new CniResult.Interface(hostName, null, 0, ""))
              .addIp(new CniResult.IpConfig(IfAddress.of(ip, 32), null, -1))
              .build();
      success = true;
      return result;
    } finally {
      if (!success) {
        request.node().delegateDel(ipamType, request.config(), request);
        container.findDevice(request.ifName()).ifPresent(container::deleteDevice);
      }
    }
  }

  @Override
  public void del(CniRequest request) {
    request.node().delegateDel(ipamType(request), request.config(), request);
    request.deleteContainerInterface();
  }

  @Override
  public void check(CniRequest request) {
    Device eth0 =
        request
            .containerNamespace()
            .findDevice(request.ifName())
            .orElseThrow(
                () -> CniException.of(999, "container interface " + request.ifName() + " is gone"));
    if (request.node().hostNamespace().findDevice(vethName(request)).isEmpty()) {
      throw CniException.of(999, "host veth " + vethName(request) + " is gone");
    }
    if (eth0.addresses().isEmpty()) {
      throw CniException.of(999, "container interface " + request.ifName() + " has no address");
    }
  }

  /** Calico's host veth name for a workload: {@code cali} + 11 hex digits of SHA-1("ns.pod"). */
  public static String vethName(String namespace, String pod) {
    String hex =
        Hashing.sha1().hashString(namespace + "." + pod, StandardCharsets.UTF_8).toString();
    return "cali" + hex.substring(0, 11);
  }

  private static String vethName(CniRequest request) {
    String ns = request.args().get("K8S_POD_NAMESPACE");
    String pod = request.args().get("K8S_POD_NAME");
    if (ns == null || pod == null) {
      return vethName("", request.containerId());
    }
    return vethName(ns, pod);
  }

  private static String ipamType(CniRequest request) {
    String type = request.config().path("ipam").path("type").asText("");
    if (type.isEmpty()) {
      throw CniException.of(7, "calico needs \"ipam\" with a \"type\" (calico-ipam)");
    }
    return type;
  }

  private static int mtu(CniRequest request) {
    int mtu = request.config().path("mtu").asInt(1500);
    if (mtu < 68 || mtu > 65535) {
      throw CniException.of(7, "invalid mtu " + mtu + " (must be between 68 and 65535)");
    }
    return mtu;
  }
}
