package io.podnet.examples.cli;

import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Node;
import io.podnet.cni.cluster.Pod;
import io.podnet.cni.spec.NetworkConfigList;
import io.podnet.cni.spec.PluginConfig;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.net.Device;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Veth;
import io.podnet.core.trace.PcapWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What {@code podnet run --pcap} and {@code --mermaid} write: one capture per node eth0 (from the
 * moment the cluster exists) and per pod eth0 (from the moment the pod is Running), and the
 * topology and CNI ADD sequence diagrams.
 */
final class RunArtifacts {

  private final @Nullable Path pcapDir;
  private final Map<String, PcapWriter> writers = new LinkedHashMap<>();
  private final List<Map.Entry<Device, PcapWriter>> attached = new ArrayList<>();
  private @Nullable Cluster cluster;
  private @Nullable String firstPodSequence;

  RunArtifacts(@Nullable Path pcapDir) {
    this.pcapDir = pcapDir;
  }

  /** The scenario runner's cluster callback: starts the node captures and follows pod starts. */
  void clusterBuilt(Cluster built) {
    this.cluster = built;
    if (pcapDir != null) {
      for (Node node : built.nodes()) {
        capture(node.host().root().device("eth0"), node.name() + "-eth0.pcap");
      }
    }
    built.onPodStarted(this::podStarted);
  }

  private void podStarted(Pod pod) {
    Optional<Node> node = pod.node();
    Optional<NetNamespace> netns = pod.netns();
    if (node.isEmpty() || netns.isEmpty() || pod.hostNetwork()) {
      return;
    }
    Optional<Device> eth0 = netns.get().findDevice("eth0");
    if (eth0.isEmpty()) {
      return;
    }
    if (pcapDir != null) {
      capture(eth0.get(), node.get().name() + "-" + pod.name() + "-eth0.pcap");
    }
    if (firstPodSequence == null) {
      firstPodSequence = cniAddSequence(pod, node.get(), eth0.get());
    }
  }

  private void capture(Device device, String fileName) {
    for (Map.Entry<Device, PcapWriter> e : attached) {
      if (e.getKey() == device) {
        return;
      }
    }
    PcapWriter writer =
        writers.computeIfAbsent(
            fileName,
            name -> {
              try {
                return PcapWriter.to(
                    new BufferedOutputStream(Files.newOutputStream(pcapDir.resolve(name))));
              } catch (IOException e) {
                throw new UncheckedIOException("cannot write captures to " + pcapDir, e);
              }
            });
    device.capture(writer);
    attached.add(Map.entry(device, writer));
  }

  /** Stops every capture and closes its file; returns the file names, in order. */
  List<String> closeCaptures() {
    for (Map.Entry<Device, PcapWriter> e : attached) {
      e.getKey().stopCapture(e.getValue());
    }
    attached.clear();
    for (PcapWriter writer : writers.values()) {
      writer.close();
    }
    return List.copyOf(writers.keySet());
  }

  // ------------------------------------------------------------------ mermaid

  /** {@code cni-add.mmd}: the article's sequence diagram, filled with the run's first pod. */
  String cniAddDiagram() {
    StringBuilder out = new StringBuilder();
    out.append("sequenceDiagram\n");
    out.append("    participant S as Scheduler\n");
    out.append("    participant K as Kubelet\n");
    out.append("    participant C as CNI Plugin\n");
    out.append("    participant P as Pod Network\n\n");
    if (firstPodSequence == null) {
      out.append("    Note over S,P: no pod reached Running in this run\n");
    } else {
      out.append(firstPodSequence);
    }
    return out.toString();
  }

  private static String cniAddSequence(Pod pod, Node node, Device eth0) {
    String network = "";
    List<String> types = new ArrayList<>();
    String ipam = "";
    try {
      NetworkConfigList conf = node.runtime().loadConfig();
      network = conf.name();
      for (PluginConfig plugin : conf.plugins()) {
        types.add(plugin.type());
        if (ipam.isEmpty() && plugin.ipamType().isPresent()) {
          ipam = plugin.ipamType().get();
        }
      }
    } catch (RuntimeException e) {
      // the conflist changed after the pod started: show what is known
    }
    String hostVeth = eth0 instanceof Veth v ? v.peer().name() : "?";
    String address =
        eth0.addresses().isEmpty()
            ? pod.ip().map(Object::toString).orElse("?")
            : eth0.addresses().get(0).address() + "/" + eth0.addresses().get(0).prefixLength();
    StringBuilder out = new StringBuilder();
    out.append("    S->>K: 1. Schedule Pod ")
        .append(pod.key())
        .append(" to ")
        .append(node.name())
        .append('\n');
    out.append("    K->>P: 2. Create Network Namespace\n");
    out.append("    K->>C: 3. Call CNI ADD (network ")
        .append(network)
        .append(": ")
        .append(String.join(", ", types))
        .append(")\n");
    out.append("    activate C\n");
    out.append("    C->>P: 4a. Create veth pair (")
        .append(hostVeth)
        .append(" on the host, eth0 in the pod)\n");
    out.append("    C->>P: 4b. Assign IP Address ")
        .append(address)
        .append(ipam.isEmpty() ? "" : " (ipam " + ipam + ")")
        .append('\n');
    out.append("    C->>P: 4c. Setup Routes\n");
    for (int i = 1; i < types.size(); i++) {
      out.append("    C->>C: chained plugin ").append(types.get(i)).append(" ADD\n");
    }
    out.append("    C-->>K: 5. Return Success\n");
    out.append("    deactivate C\n");
    out.append("    K->>P: 6. Start App Container\n");
    return out.toString();
  }

  /** {@code topology.mmd}: nodes, their CNI devices and veths, and the pods, as the run ended. */
  String topologyDiagram() {
    Cluster c = cluster;
    StringBuilder out = new StringBuilder("graph TB\n");
    if (c == null) {
      return out.toString();
    }
    for (Node node : c.nodes()) {
      String n = id(node.name());
      NetNamespace root = node.host().root();
      List<Device> mechanisms = new ArrayList<>();
      List<Veth> hostVeths = new ArrayList<>();
      for (Device d : root.devices()) {
        String name = d.name();
        if (name.equals("lo") || name.equals("eth0")) {
          continue;
        }
        if (d instanceof Veth v && v.peer().namespace() != root) {
          hostVeths.add(v);
        } else {
          mechanisms.add(d);
        }
      }
      out.append("    subgraph ").append(n).append(" [\"").append(node.name()).append("\"]\n");
      out.append("        subgraph ").append(n).append("_host [\"Host Network Namespace\"]\n");
      out.append("            ")
          .append(n)
          .append("_eth0[\"eth0 (")
          .append(node.internalIp())
          .append(")\"]\n");
      String routes = n + "_routing";
      if (mechanisms.isEmpty()) {
        out.append("            ").append(routes).append("[\"CNI Mechanism<br>(routing)\"]\n");
      }
      for (Device d : mechanisms) {
        out.append("            ")
            .append(dev(n, d))
            .append("[\"")
            .append(d.name())
            .append("<br>(CNI Mechanism: ")
            .append(d.kind())
            .append(")\"]\n");
      }
      for (Veth v : hostVeths) {
        out.append("            ").append(dev(n, v)).append("[\"").append(v.name()).append("\"]\n");
      }
      out.append("        end\n");
      List<String> wiring = new ArrayList<>();
      for (Device d : mechanisms) {
        wiring.add(n + "_eth0 --- " + dev(n, d));
      }
      if (mechanisms.isEmpty()) {
        wiring.add(n + "_eth0 --- " + routes);
      }
      for (Veth v : hostVeths) {
        Device master = v.master();
        String from =
            master != null
                ? dev(n, master)
                : mechanisms.isEmpty() ? routes : dev(n, mechanisms.get(0));
        wiring.add(from + " --- " + dev(n, v));
      }
      for (Pod pod : c.pods()) {
        if (pod.node().orElse(null) != node || pod.netns().isEmpty() || pod.hostNetwork()) {
          continue;
        }
        Optional<Device> eth0 = pod.netns().get().findDevice("eth0");
        if (eth0.isEmpty()) {
          continue;
        }
        String p = n + "_pod_" + id(pod.name());
        out.append("        subgraph ")
            .append(p)
            .append(" [\"Pod ")
            .append(pod.name())
            .append(" Network Namespace\"]\n");
        String ip =
            eth0.get().addresses().stream()
                .findFirst()
                .map(IfAddress::address)
                .map(Object::toString)
                .orElse("no address");
        out.append("            ").append(p).append("_eth0[\"eth0 (").append(ip).append(")\"]\n");
        out.append("        end\n");
        if (eth0.get() instanceof Veth v && v.peer().namespace() == root) {
          wiring.add(dev(n, v.peer()) + " -- \"Virtual Cable\" --- " + p + "_eth0");
        }
      }
      for (String w : wiring) {
        out.append("        ").append(w).append('\n');
      }
      out.append("    end\n");
    }
    return out.toString();
  }

  private static String dev(String node, Device d) {
    return node + "_" + id(d.name());
  }

  private static String id(String name) {
    return name.replaceAll("[^A-Za-z0-9]", "_");
  }
}
