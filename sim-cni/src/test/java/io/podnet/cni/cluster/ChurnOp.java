package io.podnet.cni.cluster;

/**
 * One step of a churn sequence, as plain data so that jqwik can generate, shrink and print it: a
 * {@link Kind} and two numbers. The numbers are picks that {@link ChurnRun} resolves against the
 * cluster as it stands (a node index modulo the node count, a pod index modulo the pods that
 * exist); a step that cannot apply (restore a node that is up, delete a pod when there is none) is
 * skipped and not counted.
 *
 * @param kind what the step does
 * @param a the first pick, as {@link Kind} describes
 * @param b the second pick, as {@link Kind} describes
 */
record ChurnOp(Kind kind, int a, int b) {

  /** What a step does, and what its two numbers mean. */
  enum Kind {
    /**
     * Creates pod {@code p<n>} on node {@code a} (0: where the scheduler puts it), app {@code b}.
     */
    CREATE_POD("createPod(node %d, app %d)", ChurnRun::createPod),
    /** Deletes existing pod {@code a}. */
    DELETE_POD("deletePod(%d)", (run, a, b) -> run.deletePod(a)),
    /** Creates a UDP Service selecting app {@code b}. */
    CREATE_SERVICE("createService(app %2$d)", (run, a, b) -> run.createService(b)),
    /** Deletes existing Service {@code a}. */
    DELETE_SERVICE("deleteService(%d)", (run, a, b) -> run.deleteService(a)),
    /** Crashes node {@code a} if it is up and its link is not cut. */
    CRASH_NODE("crashNode(%d)", (run, a, b) -> run.crashNode(a)),
    /** Restores node {@code a} if it crashed. */
    RESTORE_NODE("restoreNode(%d)", (run, a, b) -> run.restoreNode(a)),
    /** Cuts the uplink of node {@code a} if it is up (its kubelet keeps running). */
    CUT_LINK("cutLink(%d)", (run, a, b) -> run.cutLink(a)),
    /** Restores the uplink of node {@code a} if it was cut. */
    RESTORE_LINK("restoreLink(%d)", (run, a, b) -> run.restoreLink(a)),
    /**
     * Makes the uplink of node {@code a} lose {@code b} percent of its frames (0 ends the loss).
     */
    LOSE_PACKETS("losePackets(%d, %d%%)", ChurnRun::losePackets),
    /** Removes plugin binary {@code b} of the strategy from node {@code a}. */
    REMOVE_PLUGIN("removePlugin(%d, %d)", ChurnRun::removePlugin),
    /** Puts removed plugin binary {@code b} back on node {@code a}. */
    INSTALL_PLUGIN("installPlugin(%d, %d)", ChurnRun::installPlugin),
    /** Sends a UDP datagram from running pod {@code a} to pod {@code b}. */
    UDP_TO_POD("udpToPod(%d -> %d)", ChurnRun::udpToPod),
    /** Sends a UDP datagram from running pod {@code a} to Service {@code b}'s ClusterIP. */
    UDP_TO_SERVICE("udpToService(%d -> %d)", ChurnRun::udpToService),
    /** Runs CNI DEL again, {@code b} times, for gone pod {@code a}. */
    REPEAT_DEL("repeatDel(%d, %dx)", ChurnRun::repeatDel),
    /** Runs CNI GC on node {@code a} with the attachments of its pods' sandboxes as valid. */
    GC("gc(%d)", (run, a, b) -> run.gc(a)),
    /** Lets {@code a} simulated seconds pass. */
    WAIT("wait(%ds)", (run, a, b) -> run.waitSeconds(a)),
    /** Heals every fault, waits for the network to converge and checks the CNI contract. */
    CONVERGE("converge()", (run, a, b) -> run.converge());

    private final String format;
    private final Step step;

    Kind(String format, Step step) {
      this.format = format;
      this.step = step;
    }
  }

  /** How a {@link Kind} applies to a run; returns whether it applied. */
  @FunctionalInterface
  interface Step {
    /** Applies the step with its two picks. */
    boolean apply(ChurnRun run, int a, int b);
  }

  /** A step that takes no picks. */
  static ChurnOp of(Kind kind) {
    return new ChurnOp(kind, 0, 0);
  }

  /** Applies the step; returns whether it applied. */
  boolean applyTo(ChurnRun run) {
    return kind.step.apply(run, a, b);
  }

  @Override
  public String toString() {
    return String.format(kind.format, a, b);
  }
}
