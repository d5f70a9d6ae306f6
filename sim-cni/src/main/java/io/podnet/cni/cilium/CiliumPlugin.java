package io.podnet.cni.cilium;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.hash.Hashing;
import io.podnet.cni.runtime.CniPlugin;
import io.podnet.cni.runtime.CniRequest;
import io.podnet.cni.spec.CniException;
import io.podnet.cni.spec.CniResult;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Device;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Route;
import io.podnet.core.net.Veth;
import java.nio.charset.StandardCharsets;

/**
 * The {@code cilium-cni} plugin. It asks the agent on its node for an address (the agent's
 * cluster-pool IPAM, not a host-local plugin), creates a veth pair whose host end is {@code lxc}
 * plus the first 12 hex digits of SHA-256 over {@code <containerID>:<ifName>} (Cilium's {@code
 * Endpoint2IfName}), and gives the pod's {@code eth0} (device MTU 1500) the address as a /32 with
 * the routes {@code <router> dev eth0 scope link} and {@code default via <router> dev eth0 mtu
 * <route MTU>} (1450 in tunnel mode), the router being the node's {@code cilium_host} address,
 * which the host answers ARP for. Cilium reaches local pods from BPF; PodNet adds the host route
 * {@code <pod ip> dev lxc... scope link} instead. When the node's pod CIDR is full ADD fails with
 * code 999 and the agent's refusal as cilium-cni prints it ({@code unable to allocate IP via local
 * cilium agent: [POST /ipam][502] postIpamFailure "all CIDR ranges are exhausted"}: go-swagger's
 * client error, its payload as JSON). DEL releases the address and deletes the veth, and succeeds
 * when they are gone. Its only configuration keys are {@code enable-debug} (a boolean) and {@code
 * log-file} (a string).
 */
public final class CiliumPlugin implements CniPlugin {

  /** The random stream the node's cluster-pool allocator draws from (agent and plugin alike). */
  static final String IPAM_STREAM = "cilium-ipam";

  @Override
  public void validate(CniRequest request) {
    JsonNode debug = request.config().get("enable-debug");
    if (debug != null && !debug.isNull() && !debug.isBoolean()) {
      throw CniException.of(
          7, "unable to parse CNI configuration: \"enable-debug\" must be a boolean, got " + debug);
    }
    JsonNode logFile = request.config().get("log-file");
    if (logFile != null && !logFile.isNull() && !logFile.isTextual()) {
      throw CniException.of(
          7, "unable to parse CNI configuration: \"log-file\" must be a string, got " + logFile);
    }
  }

  @Override
  public CniResult add(CniRequest request) {
    validate(request);
    AgentApi.NodeConfig agent = agent(request);
    NetNamespace host = request.node().hostNamespace();
    NetNamespace container = request.containerNamespace();
    container.findDevice(request.ifName()).ifPresent(container::deleteDevice);
    String node = request.node().host().name();
    ClusterPoolIpam ipam = ipam(request);
    Ipv4Address ip =
        ipam.allocateNext(node, owner(request), request.node().random(IPAM_STREAM))
            .orElseThrow(
                () ->
                    CniException.of(
                        999,
                        "unable to allocate IP via local cilium agent: [POST /ipam][502]"
                            + " postIpamFailure \""
                            + ClusterPoolIpam.EXHAUSTED
                            + "\""));
    String hostName = vethName(request.containerId(), request.ifName());
    boolean success = false;
    try {
      host.findDevice(hostName).ifPresent(host::deleteDevice);
      Veth eth0 = container.addVethPair(request.ifName(), hostName, agent.deviceMtu());
      Veth lxc = eth0.peer();
      container.moveDevice(lxc, host, hostName);
      lxc.up();
      container.addAddress(eth0, IfAddress.of(ip, 32));
      eth0.up();
      Ipv4Address router = agent.routerIp();
      container.addRoute(Route.to(Cidr.of(router, 32)).dev(eth0).scope(Route.Scope.LINK).build());
      container.addRoute(
          Route.to(Cidr.parse("0.0.0.0/0")).via(router).dev(eth0).mtu(agent.routeMtu()).build());
      host.addRoute(Route.to(Cidr.of(ip, 32)).dev(lxc).scope(Route.Scope.LINK).build());
      host.setIpForward(true);
      CniResult result =
          CniResult.builder(request.cniVersion())
              .addInterface(new CniResult.Interface(hostName, lxc.mac(), 0, ""))
              .addInterface(
                  new CniResult.Interface(request.ifName(), eth0.mac(), 0, request.netns()))
              .addIp(new CniResult.IpConfig(IfAddress.of(ip, 32), router, 1))
              .addRoute(new CniResult.RouteConfig(Cidr.of(router, 32), null))
              .addRoute(new CniResult.RouteConfig(Cidr.parse("0.0.0.0/0"), router))
              .build();
      success = true;
      return result;
    } finally {
      if (!success) {
        ipam.release(node, owner(request));
        container.findDevice(request.ifName()).ifPresent(container::deleteDevice);
      }
    }
  }

  @Override
  public void del(CniRequest request) {
    String node = request.node().host().name();
    ClusterPoolIpam ipam = ipam(request);
    if (ipam.hasNode(node)) {
      ipam.release(node, owner(request));
    }
    NetNamespace host = request.node().hostNamespace();
    host.findDevice(vethName(request.containerId(), request.ifName()))
        .ifPresent(host::deleteDevice);
    request.deleteContainerInterface();
  }

  @Override
  public void check(CniRequest request) {
    CniResult prev =
        request.prevResult().orElseThrow(() -> CniException.of(7, "Required prevResult missing"));
    Device eth0 =
        request
            .containerNamespace()
            .findDevice(request.ifName())
            .orElseThrow(
                () -> CniException.of(999, "container interface " + request.ifName() + " is gone"));
    String hostName = vethName(request.containerId(), request.ifName());
    if (request.node().hostNamespace().findDevice(hostName).isEmpty()) {
      throw CniException.of(999, "host veth " + hostName + " is gone");
    }
    for (CniResult.IpConfig ip : prev.ips()) {
      if (!eth0.addresses().contains(ip.address())) {
        throw CniException.of(
            999, "Failed to match addr " + ip.address() + " on interface " + eth0.name());
      }
      if (!ipam(request)
          .allocations(request.node().host().name())
          .containsKey(ip.address().address())) {
        throw CniException.of(999, "address " + ip.address().address() + " is not allocated");
      }
    }
  }

  /**
   * Cilium's host veth name for an attachment: {@code lxc} + the first 12 hex digits of
   * SHA-256({@code "<containerID>:<ifName>"}).
   */
  public static String vethName(String containerId, String ifName) {
    String hex =
        Hashing.sha256().hashString(containerId + ":" + ifName, StandardCharsets.UTF_8).toString();
    return "lxc" + hex.substring(0, 12);
  }

  private static AgentApi.NodeConfig agent(CniRequest request) {
    return request
        .node()
        .host()
        .network()
        .shared(AgentApi.class, AgentApi::new)
        .config(request.node().host().name())
        .orElseThrow(
            () ->
                CniException.of(
                    999,
                    "unable to connect to Cilium agent: failed to create cilium agent client after"
                        + " 30.000000 seconds timeout: Get \"http://localhost/v1/config\": dial"
                        + " unix /var/run/cilium/cilium.sock: connect: no such file or"
                        + " directory"));
  }

  private static ClusterPoolIpam ipam(CniRequest request) {
    return request.node().host().network().shared(ClusterPoolIpam.class, ClusterPoolIpam::new);
  }

  /** The allocation's owner: the CNI attachment, {@code <containerID>:<ifName>}. */
  private static String owner(CniRequest request) {
    return request.containerId() + ":" + request.ifName();
  }
}
