package io.podnet.cni.contract;

import io.podnet.cni.cluster.Node;
import io.podnet.cni.cluster.Pod;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Device;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.Route;
import io.podnet.core.net.Veth;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Splits a node's pods into classes whose network attachment is identical except for each pod's own
 * address, MAC and host-side device name: the same devices, the same routes in the pod, and the
 * same kind of route to the pod on the node. A pod whose local checks failed gets a class of its
 * own, so a fault confined to one pod never hides behind a healthy representative.
 */
final class PodClasses {

  /**
   * Pods of one node with one attachment shape, in the order they were given.
   *
   * @param node the node
   * @param members the pods, at least one
   * @param block the smallest prefix holding every member's address
   */
  record PodClass(Node node, List<Pod> members, Cidr block) {

    /** A class of one pod. */
    static PodClass of(Pod pod) {
      return new PodClass(pod.node().orElseThrow(), List.of(pod), Cidr.of(pod.requireIp(), 32));
    }
  }

  private PodClasses() {}

  /** Groups the pods (which all have an IP) by node, then by shape, in first-seen order. */
  static List<PodClass> of(List<Pod> pods, Set<Pod> alone) {
    Map<Node, Map<String, List<Pod>>> byNode = new IdentityHashMap<>();
    List<Map<String, List<Pod>>> ordered = new ArrayList<>();
    for (Pod pod : pods) {
      Map<String, List<Pod>> shapes =
          byNode.computeIfAbsent(
              pod.node().orElseThrow(),
              n -> {
                Map<String, List<Pod>> m = new LinkedHashMap<>();
                ordered.add(m);
                return m;
              });
      String shape = alone.contains(pod) ? "alone " + pod.key() : shape(pod);
      shapes.computeIfAbsent(shape, s -> new ArrayList<>()).add(pod);
    }
    List<PodClass> classes = new ArrayList<>();
    for (Map<String, List<Pod>> shapes : ordered) {
      for (List<Pod> members : shapes.values()) {
        classes.add(new PodClass(members.get(0).node().orElseThrow(), members, cover(members)));
      }
    }
    return classes;
  }

  /** The smallest prefix holding every member's address. */
  private static Cidr cover(List<Pod> members) {
    int first = members.get(0).requireIp().toInt();
    int differ = 0;
    for (Pod p : members) {
      differ |= p.requireIp().toInt() ^ first;
    }
    int length = Integer.numberOfLeadingZeros(differ);
    return Cidr.containing(Ipv4Address.of(first), length);
  }

  /**
   * The pod's attachment with its own address, MAC and host-side device name masked: its devices,
   * their addresses and MTUs, its routes, its host-side peer's kind, master and MTU, and the node's
   * route to its address.
   */
  static String shape(Pod pod) {
    NetNamespace ns = pod.requireNetns();
    String ip = pod.requireIp().toString();
    StringBuilder sb = new StringBuilder();
    String hostSide = "";
    for (Device d : ns.devices()) {
      sb.append(d.name()).append(' ').append(d.kind()).append(' ').append(d.mtu());
      sb.append(d.isUp() ? " up" : " down");
      for (IfAddress a : d.addresses()) {
        sb.append(' ').append(mask(a.toString(), ip, "$ip"));
      }
      if (d instanceof Veth v) {
        Veth peer = v.peer();
        hostSide = peer.name();
        sb.append(" peer ").append(peer.kind()).append(' ').append(peer.mtu());
        sb.append(peer.isUp() ? " up" : " down");
        Device master = peer.master();
        sb.append(" master ").append(master == null ? "-" : master.name());
      }
      sb.append('\n');
    }
    for (Route r : ns.routes().routes()) {
      sb.append(mask(r.toString(), ip, "$ip")).append('\n');
    }
    Node node = pod.node().orElseThrow();
    Route back = node.host().root().routes().lookup(pod.requireIp().toInt());
    String backText = back == null ? "no route" : mask(back.toString(), ip, "$ip");
    if (!hostSide.isEmpty()) {
      backText = mask(backText, hostSide, "$peer");
    }
    return sb.append("node: ").append(backText).toString();
  }

  /** Replaces whole-token occurrences of {@code token} (not inside a longer address or name). */
  static String mask(String text, String token, String by) {
    StringBuilder sb = new StringBuilder(text.length());
    int from = 0;
    int at;
    while ((at = text.indexOf(token, from)) >= 0) {
      int end = at + token.length();
      boolean whole =
          (at == 0 || !isWordChar(text.charAt(at - 1)))
              && (end == text.length() || !isWordChar(text.charAt(end)));
      sb.append(text, from, whole ? at : end);
      if (whole) {
        sb.append(by);
      }
      from = end;
    }
    return sb.append(text, from, text.length()).toString();
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-';
  }
}
