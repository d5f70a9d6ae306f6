package io.podnet.examples.demo;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Kubectl;
import io.podnet.cni.cluster.Node;
import io.podnet.cni.cluster.Pod;
import io.podnet.cni.contract.ContractChecker;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Device;
import io.podnet.core.net.Iproute2;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Ping;
import io.podnet.core.net.PingOptions;
import io.podnet.core.net.ProbeResult;
import io.podnet.core.trace.PcapWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The default scenario of {@code ./podnet demo}: a two-node cluster whose pods get their network
 * through CNI (the reference bridge plugin with host-local IPAM, from a conflist), joined by an L2
 * underlay with host-gw routes. It starts four pods, pings pod to pod on one node and across nodes,
 * then prints what a person would look at on a real cluster: {@code kubectl get pods -o wide},
 * {@code ip link show} on the node, {@code ip link show} and {@code ip route} in a pod, the
 * hop-by-hop walk of a ping, the contract check, and the run's trace digest.
 */
public final class Demo {

  private final long seed;
  private final @Nullable Path pcapDir;

  private Demo(long seed, @Nullable Path pcapDir) {
    this.seed = seed;
    this.pcapDir = pcapDir;
  }

  /** A demo run with this seed, writing captures to {@code pcapDir} when it is not null. */
  public static Demo of(long seed, @Nullable Path pcapDir) {
    return new Demo(seed, pcapDir);
  }

  /** Runs the demo and returns its transcript. */
  public String run() {
    Cluster cluster = Cluster.bridge().nodes(2).seed(seed).build();
    StringBuilder out = new StringBuilder();
    out.append("PodNet demo, seed ").append(seed).append('\n');
    out.append(
        "A two-node cluster: the bridge CNI plugin with host-local IPAM (10-bridge.conflist),\n");
    out.append("an L2 underlay, and host-gw routes between the nodes' podCIDRs.\n");
    for (Node node : cluster.nodes()) {
      out.append("  ").append(node.summary()).append('\n');
    }
    List<Pod> pods = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      pods.add(cluster.runPod("default/web-" + i));
    }
    List<PcapWriter> captures = pcapDir == null ? List.of() : openCaptures(cluster, pods, pcapDir);
    command(out, "kubectl get pods -o wide", null, Kubectl.getPodsWide(cluster));
    Pod web1 = pods.get(0);
    Pod sameNode = pods.get(2);
    Pod otherNode = pods.get(1);
    ping(out, web1, sameNode.requireIp(), "same node");
    ping(
        out,
        web1,
        otherNode.requireIp(),
        "across nodes; the first packet resolves ARP on every hop");
    ProbeResult warm = ping(out, web1, otherNode.requireIp(), "across nodes again");
    Node node1 = web1.node().orElseThrow();
    command(out, "ip link show", "on " + node1.name(), Iproute2.ipLinkShow(node1.host().root()));
    command(
        out,
        "kubectl exec " + web1.name() + " -- ip link show",
        null,
        Iproute2.ipLinkShow(web1.requireNetns()));
    command(
        out,
        "kubectl exec " + web1.name() + " -- ip route",
        null,
        Iproute2.ipRouteShow(web1.requireNetns()));
    out.append("\nHop-by-hop walk of the last ping (request and reply):\n");
    out.append(warm.walk().render());
    out.append('\n').append(ContractChecker.check(cluster).render());
    for (PcapWriter capture : captures) {
      capture.close();
    }
    if (pcapDir != null) {
      out.append("Wrote ")
          .append(captures.size())
          .append(" captures to ")
          .append(pcapDir)
          .append('\n');
    }
    out.append("\ntrace digest: ").append(cluster.network().trace().digest()).append('\n');
    return out.toString();
  }

  /** Runs {@code ping -c 1 to} in {@code from}, prints it as iputils does, returns its result. */
  private static ProbeResult ping(StringBuilder out, Pod from, Ipv4Address to, String comment) {
    Ping run = Ping.run(from.requireNetns(), to, 1, PingOptions.DEFAULT);
    command(out, "kubectl exec " + from.name() + " -- ping -c 1 " + to, comment, run.output());
    return run.results().get(0);
  }

  private static void command(
      StringBuilder out, String cmd, @Nullable String comment, String output) {
    out.append("\n$ ").append(cmd);
    if (comment != null) {
      out.append("    # ").append(comment);
    }
    out.append('\n').append(output);
  }

  private static List<PcapWriter> openCaptures(Cluster cluster, List<Pod> pods, Path dir) {
    List<PcapWriter> writers = new ArrayList<>();
    try {
      Files.createDirectories(dir);
      for (Node node : cluster.nodes()) {
        writers.add(
            capture(node.host().root().device("eth0"), dir.resolve(node.name() + "-eth0.pcap")));
        for (Pod pod : pods) {
          if (pod.node().orElseThrow() == node) {
            NetNamespace ns = pod.requireNetns();
            writers.add(
                capture(
                    ns.device("eth0"), dir.resolve(node.name() + "-" + pod.name() + "-eth0.pcap")));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write captures to " + dir, e);
    }
    return writers;
  }

  private static PcapWriter capture(Device device, Path file) throws IOException {
    OutputStream out = new BufferedOutputStream(Files.newOutputStream(file));
    PcapWriter writer = PcapWriter.to(out);
    device.capture(writer);
    return writer;
  }
}
