package io.podnet.examples.calico;

import io.podnet.cni.calico.CalicoDatastore;
import io.podnet.cni.calico.CalicoNode;
import io.podnet.cni.cluster.Cluster;
import io.podnet.cni.cluster.Node;
import io.podnet.core.engine.SimTime;
import io.podnet.dataplane.bgp.BgpSpeaker;
import java.util.List;

/**
 * Measures a calico-like cluster's BGP in simulated time: how many sessions a full mesh and a
 * route-reflector design need, how long the sessions take to come up from cold, and how long it
 * takes until every node has a route to every node's block once each node has claimed one. There is
 * no processing delay or MRAI in the BGP model yet, so these are propagation times. Run with {@code
 * java -cp examples/target/podnet.jar io.podnet.examples.calico.CalicoConvergence [nodes]}.
 */
public final class CalicoConvergence {

  private CalicoConvergence() {}

  /**
   * Crashes the last node of a converged full mesh and measures, in simulated time, how long the
   * survivors keep its block: until the last withdrawal.
   */
  static long crashWithdrawalNanos(int nodes) {
    CalicoNode agent = CalicoNode.of(CalicoNode.Mode.BGP);
    Cluster cluster = Cluster.calico(agent).nodes(nodes).seed(1).build();
    int i = 1;
    for (Node node : cluster.nodes()) {
      cluster.runPod("web-" + i++, node.name());
    }
    List<BgpSpeaker> survivors = agent.speakers().subList(0, nodes - 1);
    long crashedAt = cluster.simulation().now();
    cluster.crashNode("node-" + nodes);
    while (!survivors.stream().allMatch(s -> s.locRibSize() == nodes - 1)
        && cluster.simulation().step()) {
      // hold timers run out on the simulated clock
    }
    return survivors.stream().mapToLong(BgpSpeaker::lastRouteChange).max().orElse(crashedAt)
        - crashedAt;
  }

  /** Prints one line per design, then the crash measurement. */
  public static void main(String[] args) {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    System.out.println(
        measure("full mesh", CalicoNode.of(CalicoNode.Mode.BGP), nodes, nodes * (nodes - 1) / 2));
    System.out.println(
        measure(
            "2 route reflectors",
            CalicoNode.withRouteReflectors(CalicoNode.Mode.BGP, 2),
            nodes,
            1 + 2 * (nodes - 2)));
    System.out.println(
        "full mesh, "
            + nodes
            + " nodes: after node-"
            + nodes
            + " crashes, every survivor has withdrawn its block "
            + SimTime.format(crashWithdrawalNanos(nodes))
            + " s later (hold time 240 s, counted from the last keepalive heard)");
  }

  /**
   * What one measurement found.
   *
   * @param design the peering design
   * @param nodes the node count
   * @param sessions established BGP sessions
   * @param establishedNanos simulated time until every session was up
   * @param convergedNanos simulated time from the last block claim until every node had every block
   * @param converged whether every node ended with every block
   */
  record Result(
      String design,
      int nodes,
      int sessions,
      long establishedNanos,
      long convergedNanos,
      boolean converged) {

    @Override
    public String toString() {
      return String.format(
          java.util.Locale.ROOT,
          "%s, %d nodes: %d BGP sessions, all established %s s after start; every node has"
              + " every node's block %s s after the last block was claimed",
          design,
          nodes,
          sessions,
          SimTime.format(establishedNanos),
          SimTime.format(convergedNanos));
    }
  }

  /** Builds the cluster, starts one pod per node and reports sessions and times. */
  static Result measure(String design, CalicoNode agent, int nodes, int wanted) {
    Cluster cluster = Cluster.calico(agent).nodes(nodes).seed(1).build();
    List<BgpSpeaker> speakers = agent.speakers();
    while (sessions(speakers) < wanted && cluster.simulation().step()) {
      // sessions come up on the simulated clock
    }
    long established = cluster.simulation().now();
    long[] lastClaim = {established};
    cluster
        .network()
        .shared(CalicoDatastore.class, CalicoDatastore::new)
        .onBlockClaimed((node, block) -> lastClaim[0] = cluster.simulation().now());
    int i = 1;
    for (Node node : cluster.nodes()) {
      cluster.createPod("web-" + i++, node.name());
    }
    while (!converged(speakers, nodes) && cluster.simulation().step()) {
      // blocks are claimed and advertised
    }
    long lastChange =
        speakers.stream().mapToLong(BgpSpeaker::lastRouteChange).max().orElse(lastClaim[0]);
    return new Result(
        design,
        nodes,
        sessions(speakers),
        established,
        lastChange - lastClaim[0],
        converged(speakers, nodes));
  }

  private static int sessions(List<BgpSpeaker> speakers) {
    return speakers.stream().mapToInt(BgpSpeaker::establishedSessions).sum() / 2;
  }

  private static boolean converged(List<BgpSpeaker> speakers, int blocks) {
    return speakers.stream().allMatch(s -> s.locRibSize() == blocks);
  }
}
