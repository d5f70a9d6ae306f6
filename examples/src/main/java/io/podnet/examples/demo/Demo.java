package io.podnet.examples.demo;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.Simulation;
import io.podnet.core.net.BridgeTopology;
import io.podnet.core.net.Device;
import io.podnet.core.net.Host;
import io.podnet.core.net.Iproute2;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Network;
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
 * The default scenario of {@code ./podnet demo}: two nodes, each with a bridge {@code cni0} and two
 * pods on veth pairs, joined by an L2 underlay with host-gw routes, all built by hand with the
 * kernel model. It pings pod to pod on one node and across nodes, then prints what a person would
 * look at on a real node: {@code ip link show} on the node, {@code ip link show} and {@code ip
 * route} in a pod, the hop-by-hop walk of a ping, and the run's trace digest.
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
    Network network = Network.create(Simulation.create(seed));
    BridgeTopology t = BridgeTopology.build(network, 2, 2);
    List<PcapWriter> captures = pcapDir == null ? List.of() : openCaptures(t, pcapDir);
    StringBuilder out = new StringBuilder();
    out.append("PodNet demo, seed ").append(seed).append('\n');
    out.append(
        "Two nodes built by hand with the kernel model (no CNI yet): a bridge cni0 per node,\n");
    out.append(
        "two pods per node on veth pairs, an L2 underlay, and host-gw routes between nodes.\n");
    for (int n = 0; n < t.nodes().size(); n++) {
      out.append(
          String.format(
              "  %s  eth0 %s/24  cni0 %s/24  pods %s %s, %s %s%n",
              t.node(n).name(),
              BridgeTopology.nodeAddress(n),
              BridgeTopology.gateway(n),
              t.pod(n, 0).name(),
              t.podAddress(n, 0),
              t.pod(n, 1).name(),
              t.podAddress(n, 1)));
    }
    NetNamespace web1 = t.pod(0, 0);
    ping(out, web1, t.podAddress(0, 1), 1, "same node");
    ping(out, web1, t.podAddress(1, 0), 1, "across nodes, first packet resolves ARP on every hop");
    ProbeResult warm = ping(out, web1, t.podAddress(1, 0), 2, "across nodes again");
    Host node1 = t.node(0);
    command(out, "ip link show", "on " + node1.name(), Iproute2.ipLinkShow(node1.root()));
    command(out, "ip netns exec " + web1.name() + " ip link show", null, Iproute2.ipLinkShow(web1));
    command(out, "ip netns exec " + web1.name() + " ip route", null, Iproute2.ipRouteShow(web1));
    out.append("\nHop-by-hop walk of icmp_seq=2 (request and reply):\n");
    out.append(warm.walk().render());
    for (PcapWriter capture : captures) {
      capture.close();
    }
    if (pcapDir != null) {
      out.append("\nWrote ")
          .append(captures.size())
          .append(" captures to ")
          .append(pcapDir)
          .append('\n');
    }
    out.append("\ntrace digest: ").append(network.trace().digest()).append('\n');
    return out.toString();
  }

  private static ProbeResult ping(
      StringBuilder out, NetNamespace from, Ipv4Address to, int seq, String comment) {
    ProbeResult r = from.ping(to, PingOptions.DEFAULT.withSequence(seq));
    command(out, "ip netns exec " + from.name() + " ping -c 1 " + to, comment, r.message() + '\n');
    return r;
  }

  private static void command(
      StringBuilder out, String cmd, @Nullable String comment, String output) {
    out.append("\n$ ").append(cmd);
    if (comment != null) {
      out.append("    # ").append(comment);
    }
    out.append('\n').append(output);
  }

  private static List<PcapWriter> openCaptures(BridgeTopology t, Path dir) {
    List<PcapWriter> writers = new ArrayList<>();
    try {
      Files.createDirectories(dir);
      for (Host node : t.nodes()) {
        writers.add(capture(node.root().device("eth0"), dir.resolve(node.name() + "-eth0.pcap")));
        for (NetNamespace ns : node.namespaces()) {
          if (ns != node.root()) {
            writers.add(
                capture(
                    ns.device("eth0"), dir.resolve(node.name() + "-" + ns.name() + "-eth0.pcap")));
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
