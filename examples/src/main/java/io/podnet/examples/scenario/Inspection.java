package io.podnet.examples.scenario;

import io.podnet.cni.cilium.CiliumStatus;
import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Pod;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.net.Iproute2;
import io.podnet.core.net.NetNamespace;
import io.podnet.dataplane.netfilter.Conntrack;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One inspection command ({@code ip route}, {@code iptables-save}, ...) run on a node or a pod of a
 * cluster, rendered as the real tool prints it, optionally followed by {@code | grep} stages
 * ({@link Grep}). {@link IllegalArgumentException} names an unknown command, node or pod, or a bad
 * grep.
 */
public final class Inspection {

  /** The commands an inspection understands, as an error message lists them. */
  static final String COMMANDS =
      "ip link [show [DEV]], ip -d link show [DEV], ip addr, ip route, ip route get ADDRESS, ip"
          + " neigh, bridge fdb show, iptables-save, conntrack -L, cilium status";

  private Inspection() {}

  /**
   * Splits a command line as a shell does: words, with {@code '} and {@code "} quoting and {@code
   * \\} escapes, in stages at each unquoted {@code |}. {@link IllegalArgumentException} for an
   * unterminated quote, a trailing backslash or an empty stage.
   */
  static List<List<String>> stages(String line) {
    List<List<String>> stages = new ArrayList<>();
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      boolean escape = c == '\\' && quote != '\'';
      if (escape && i + 1 == line.length()) {
        throw new IllegalArgumentException("trailing backslash in \"" + line + "\"");
      }
      if (escape && (quote == 0 || "\\\"$`".indexOf(line.charAt(i + 1)) >= 0)) {
        word = word == null ? new StringBuilder() : word;
        word.append(line.charAt(++i));
      } else if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        word = word == null ? new StringBuilder() : word;
      } else if (Character.isWhitespace(c) || c == '|') {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
        if (c == '|') {
          stages.add(stage(words, line));
          words = new ArrayList<>();
        }
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
      }
    }
    if (quote != 0) {
      throw new IllegalArgumentException("unterminated " + quote + " in \"" + line + "\"");
    }
    if (word != null) {
      words.add(word.toString());
    }
    stages.add(stage(words, line));
    return stages;
  }

  /**
   * The stages of words a shell has split already ({@code podnet inspect}'s arguments), at each
   * word that is {@code |}; a single word is a command line of its own ({@link #stages(String)}).
   */
  static List<List<String>> stages(List<String> argv) {
    if (argv.size() == 1) {
      return stages(argv.get(0));
    }
    List<List<String>> stages = new ArrayList<>();
    List<String> words = new ArrayList<>();
    for (String w : argv) {
      if (w.equals("|")) {
        stages.add(stage(words, String.join(" ", argv)));
        words = new ArrayList<>();
      } else {
        words.add(w);
      }
    }
    stages.add(stage(words, String.join(" ", argv)));
    return stages;
  }

  private static List<String> stage(List<String> words, String line) {
    if (words.isEmpty()) {
      throw new IllegalArgumentException("empty command before or after a | in \"" + line + "\"");
    }
    return List.copyOf(words);
  }

  /**
   * The {@link Grep} of each stage after the command. {@link IllegalArgumentException} for a stage
   * that is not grep or a grep it cannot parse.
   */
  static List<Grep> greps(List<List<String>> pipe) {
    List<Grep> greps = new ArrayList<>();
    for (List<String> stage : pipe) {
      if (!stage.get(0).equals("grep")) {
        throw new IllegalArgumentException(
            "only grep can follow a | (got \"" + String.join(" ", stage) + "\")");
      }
      greps.add(Grep.parse(stage.subList(1, stage.size())));
    }
    return greps;
  }

  /**
   * The stages as a command line a shell splits back into them: words joined by spaces, stages by
   * {@code |}, a word with spaces or shell characters in single quotes.
   */
  static String display(List<List<String>> stages) {
    List<String> parts = new ArrayList<>();
    for (List<String> stage : stages) {
      List<String> words = new ArrayList<>();
      for (String w : stage) {
        boolean plain =
            !w.isEmpty()
                && w.chars()
                    .noneMatch(
                        ch ->
                            Character.isWhitespace(ch)
                                || "'\"\\|$`;&<>()*?[]#~{}".indexOf(ch) >= 0);
        words.add(plain ? w : "'" + w.replace("'", "'\\''") + "'");
      }
      parts.add(String.join(" ", words));
    }
    return String.join(" | ", parts);
  }

  /** glibc's stdio buffer on a pipe: a process writing into one hands its output on in blocks. */
  private static final int PIPE_BLOCK = 4096;

  /**
   * What a terminal shows for a command of {@code kind} whose standard output is {@code output},
   * piped through {@code greps}: the filtered output, and for {@code conntrack -L} its count line.
   * That line goes to stderr, straight to the terminal, as conntrack exits; by then each stage of
   * the pipe has handed on only its full 4096-byte blocks (of which the next grep reads the whole
   * lines; {@code grep -c} prints nothing before its input ends), while the last grep prints to the
   * terminal line by line. So the count line comes after the table without a pipe, before all of
   * grep's lines for a table of less than 4096 bytes, and after those grep printed from the full
   * blocks of a larger one.
   */
  static String terminal(List<Grep> greps, String kind, String output) {
    String shown = filter(greps, output);
    if (!kind.equals("conntrack")) {
      return shown;
    }
    String count = Conntrack.shownLine((int) output.lines().count());
    String before = output;
    for (Grep g : greps) {
      String read = before.substring(0, before.lastIndexOf('\n', fullBlocks(before) - 1) + 1);
      before = g.countsOnly() ? "" : g.filter(read);
    }
    return shown.substring(0, before.length()) + count + shown.substring(before.length());
  }

  /** The bytes of {@code text} that fill whole 4096-byte blocks. */
  private static int fullBlocks(String text) {
    return text.length() / PIPE_BLOCK * PIPE_BLOCK;
  }

  /** {@code output} passed through {@code greps} in order. */
  static String filter(List<Grep> greps, String output) {
    String out = output;
    for (Grep g : greps) {
      out = g.filter(out);
    }
    return out;
  }

  /**
   * Runs {@code command}, the words of a command line (or one word holding a whole line), in the
   * root namespace of {@code node}, or in the pod {@code pod} when {@code node} is null, and
   * returns its output.
   */
  public static String run(
      Cluster cluster,
      @org.jspecify.annotations.Nullable String node,
      @org.jspecify.annotations.Nullable String pod,
      List<String> command) {
    List<List<String>> stages = stages(command);
    List<Grep> greps = greps(stages.subList(1, stages.size()));
    String[] w = stages.get(0).toArray(String[]::new);
    String line = String.join(" ", w);
    String kind = kind(w);
    if (kind == null) {
      throw new IllegalArgumentException(
          "unsupported command \"" + line + "\" (expected one of: " + COMMANDS + ")");
    }
    String problem = problem(kind, w);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    NetNamespace ns;
    if (node != null) {
      if (cluster.nodes().stream().noneMatch(n -> n.name().equals(node))) {
        throw new IllegalArgumentException(
            "node \""
                + node
                + "\" does not exist (has "
                + cluster.nodes().stream().map(n -> n.name()).toList()
                + ")");
      }
      ns = cluster.node(node).host().root();
    } else {
      String name = String.valueOf(pod);
      Optional<Pod> p = cluster.pod(name);
      if (p.isEmpty()) {
        throw new IllegalArgumentException("pod \"" + name + "\" does not exist");
      }
      if (onNodeOnly(kind)) {
        throw new IllegalArgumentException(line + " runs on a node (expected --node NAME)");
      }
      ns =
          p.get()
              .netns()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "pod \""
                              + name
                              + "\" has no network namespace (it is "
                              + p.get().status().text()
                              + ")"));
    }
    return terminal(greps, kind, render(cluster, ns, node, kind, argument(kind, w)));
  }

  /**
   * Renders the command of {@code kind} (as {@link #kind} returns it) in {@code ns}; {@code node}
   * names the node for the node-wide commands, {@code arg} the device a link command asks for or
   * the address of {@code ip route get}.
   */
  static String render(
      Cluster cluster,
      NetNamespace ns,
      @org.jspecify.annotations.Nullable String node,
      String kind,
      @org.jspecify.annotations.Nullable String arg) {
    if (kind.equals("routeget")) {
      return Iproute2.ipRouteGet(ns, Ipv4Address.parse(String.valueOf(arg)));
    }
    String dev = arg;
    if (dev != null && ns.devices().stream().noneMatch(d -> d.name().equals(dev))) {
      return "Device \"" + dev + "\" does not exist.\n";
    }
    return switch (kind) {
      case "link" -> dev == null ? Iproute2.ipLinkShow(ns) : Iproute2.ipLinkShow(ns, dev);
      case "dlink" ->
          dev == null ? Iproute2.ipDetailedLinkShow(ns) : Iproute2.ipDetailedLinkShow(ns, dev);
      case "addr" -> Iproute2.ipAddrShow(ns);
      case "route" -> Iproute2.ipRouteShow(ns);
      case "neigh" -> Iproute2.ipNeighShow(ns);
      case "fdb" -> Iproute2.bridgeFdbShow(ns);
      case "iptables-save" -> cluster.iptablesSave(String.valueOf(node));
      case "cilium" -> CiliumStatus.render(cluster, String.valueOf(node));
      default -> cluster.conntrackList(String.valueOf(node));
    };
  }

  /** Whether commands of {@code kind} run in a node's root namespace only. */
  static boolean onNodeOnly(String kind) {
    return kind.equals("iptables-save") || kind.equals("conntrack") || kind.equals("cilium");
  }

  /**
   * Returns the argument a command of {@code kind} names as its last word: the device of a link
   * command, the address of {@code ip route get}; else null.
   */
  static @org.jspecify.annotations.Nullable String argument(String kind, String[] w) {
    String last = w[w.length - 1];
    boolean link = kind.equals("link") || kind.equals("dlink");
    return kind.equals("routeget") || link && !last.equals("link") && !last.equals("show")
        ? last
        : null;
  }

  /**
   * Returns what is wrong with the argument of the command the words {@code w} of {@code kind}
   * spell, or null when nothing is: {@code ip route get} takes a dotted-quad IPv4 address.
   */
  static @org.jspecify.annotations.Nullable String problem(String kind, String[] w) {
    if (!kind.equals("routeget")) {
      return null;
    }
    try {
      Ipv4Address.parse(w[3]);
      return null;
    } catch (IllegalArgumentException e) {
      return "ip route get expects an IPv4 address such as 10.244.1.5, got \"" + w[3] + "\"";
    }
  }

  /**
   * Returns the kind of inspection command the words {@code w} spell ({@code link}, {@code dlink},
   * {@code addr}, {@code route}, {@code routeget}, {@code neigh}, {@code fdb}, {@code
   * iptables-save}, {@code conntrack}, {@code cilium}), or null when they spell none.
   */
  static @org.jspecify.annotations.Nullable String kind(String[] w) {
    String line = String.join(" ", w);
    if (w.length == 4
        && w[0].equals("ip")
        && (w[1].equals("route") || w[1].equals("r"))
        && w[2].equals("get")) {
      return "routeget";
    }
    if (line.equals("ip link")
        || line.equals("ip link show")
        || (w.length == 4 && line.startsWith("ip link show "))) {
      return "link";
    }
    if (line.equals("ip -d link show") || (w.length == 5 && line.startsWith("ip -d link show "))) {
      return "dlink";
    }
    return switch (line) {
      case "ip addr", "ip addr show", "ip a" -> "addr";
      case "ip route", "ip route show", "ip r" -> "route";
      case "ip neigh", "ip neigh show" -> "neigh";
      case "bridge fdb show", "bridge fdb" -> "fdb";
      case "iptables-save" -> "iptables-save";
      case "conntrack -L" -> "conntrack";
      case "cilium status", "cilium-dbg status" -> "cilium";
      default -> null;
    };
  }
}
