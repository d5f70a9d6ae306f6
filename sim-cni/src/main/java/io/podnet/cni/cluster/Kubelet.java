package io.podnet.cni.cluster;

import io.podnet.cni.runtime.Attachment;
import io.podnet.cni.runtime.CniRuntime;
import io.podnet.cni.runtime.CniRuntimeException;
import io.podnet.cni.runtime.NetworkNotReadyException;
import io.podnet.cni.spec.CniConfigException;
import io.podnet.cni.spec.CniResult;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.net.NetNamespace;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The kubelet and container runtime of one node, for the pod lifecycle: make the sandbox (a network
 * namespace {@code cni-<uuid>}), run CNI ADD for the loopback and the pod network, start the
 * container, and on failure record {@code FailedCreatePodSandBox} with the runtime's message, run
 * DEL, and retry. Deleting a pod runs DEL and removes the sandbox. Each step takes simulated time:
 * 50 ms for the sandbox, 10 ms per plugin execution, 100 ms to start the container, 10 s between
 * retries. While its node is crashed the kubelet does nothing; what it would have done waits, in
 * order, until the node is restored.
 */
final class Kubelet {

  /**
   * What a node's kubelet sets up in iptables ({@code syncIPTablesRules}): the {@code
   * KUBE-IPTABLES-HINT} chain, the {@code KUBE-FIREWALL} chain with its rule against CVE-2020-8558
   * and the jumps to it prepended to {@code OUTPUT} and {@code INPUT}, and its {@code
   * KUBE-KUBELET-CANARY} chains; one section per table, in the order it first uses them. Every node
   * has it, whatever implements Services.
   */
  static final String IPTABLES_RULES =
      """
      *mangle
      :KUBE-IPTABLES-HINT - [0:0]
      :KUBE-KUBELET-CANARY - [0:0]
      COMMIT
      *filter
      :KUBE-FIREWALL - [0:0]
      :KUBE-KUBELET-CANARY - [0:0]
      -A KUBE-FIREWALL -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
      -I OUTPUT -j KUBE-FIREWALL
      -I INPUT -j KUBE-FIREWALL
      COMMIT
      *nat
      :KUBE-KUBELET-CANARY - [0:0]
      COMMIT
      """;

  static final long SANDBOX_NANOS = 50 * SimTime.MILLISECOND;
  static final long PLUGIN_EXEC_NANOS = 10 * SimTime.MILLISECOND;
  static final long CONTAINER_START_NANOS = 100 * SimTime.MILLISECOND;
  static final long RETRY_NANOS = 10 * SimTime.SECOND;
  static final long NETWORK_NOT_READY_RETRY_NANOS = 2 * SimTime.SECOND;
  static final long TEARDOWN_NANOS = 50 * SimTime.MILLISECOND;

  private final Cluster cluster;
  private final Node node;
  private final Simulation sim;
  private final RandomGenerator ids;
  private final List<Runnable> parked = new ArrayList<>();

  Kubelet(Cluster cluster, Node node) {
    this.cluster = cluster;
    this.node = node;
    this.sim = cluster.simulation();
    this.ids = sim.random().stream("kubelet/" + node.name());
  }

  /** The pod was bound to this node: start making its sandbox. */
  void podBound(Pod pod) {
    if (parkedWhileCrashed(() -> podBound(pod))) {
      return;
    }
    cluster.status(pod, PodStatus.CONTAINER_CREATING);
    sim.schedule(SANDBOX_NANOS, () -> createSandbox(pod, false));
  }

  private void createSandbox(Pod pod, boolean retry) {
    if (pod.isDeleted()
        || pod.status() == PodStatus.TERMINATING
        || parkedWhileCrashed(() -> createSandbox(pod, retry))) {
      return;
    }
    if (pod.hostNetwork()) {
      String id = HexFormat.of().formatHex(randomBytes(32));
      pod.setSandbox(id, node.host().root());
      sim.schedule(CONTAINER_START_NANOS, () -> startedOnHost(pod, id));
      return;
    }
    Optional<String> notReady = node.notReadyReason();
    if (notReady.isPresent()) {
      cluster.event(
          pod, "Warning", "NetworkNotReady", "kubelet", "network is not ready: " + notReady.get());
      sim.schedule(NETWORK_NOT_READY_RETRY_NANOS, () -> createSandbox(pod, retry));
      return;
    }
    if (retry) {
      cluster.event(
          pod,
          "Normal",
          "SandboxChanged",
          "kubelet",
          "Pod sandbox changed, it will be killed and re-created.");
    }
    if (!killLeftoverSandbox(pod)) {
      sim.schedule(RETRY_NANOS, () -> createSandbox(pod, true));
      return;
    }
    String id = HexFormat.of().formatHex(randomBytes(32));
    NetNamespace ns = node.host().addNamespace("cni-" + uuid());
    pod.setSandbox(id, ns);
    CniRuntime runtime = node.runtime();
    String netns = netnsPath(ns);
    Map<String, String> args = cniArgs(pod, id);
    int before = runtime.execCount();
    try {
      runtime.addLoopback(id, netns, args);
      CniResult result = runtime.add(new Attachment(id, "eth0"), netns, args, Map.of());
      long cost = (runtime.execCount() - before) * PLUGIN_EXEC_NANOS;
      sim.schedule(cost + CONTAINER_START_NANOS, () -> started(pod, id, result));
    } catch (CniRuntimeException | NetworkNotReadyException | CniConfigException e) {
      cluster.event(
          pod,
          "Warning",
          "FailedCreatePodSandBox",
          "kubelet",
          "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network"
              + " for sandbox \""
              + id
              + "\": "
              + e.getMessage());
      teardown(pod, id, ns);
      sim.schedule(RETRY_NANOS, () -> createSandbox(pod, true));
    }
  }

  private void started(Pod pod, String id, CniResult result) {
    if (pod.isDeleted()
        || pod.status() == PodStatus.TERMINATING
        || !id.equals(pod.sandboxId().orElse(""))) {
      return;
    }
    int eth0 = -1;
    for (int i = 0; i < result.interfaces().size(); i++) {
      if (result.interfaces().get(i).name().equals("eth0")
          && !result.interfaces().get(i).sandbox().isEmpty()) {
        eth0 = i;
      }
    }
    for (CniResult.IpConfig ip : result.ips()) {
      if (ip.interfaceIndex() == eth0 || ip.interfaceIndex() < 0) {
        pod.setIp(ip.address().address());
        break;
      }
    }
    cluster.status(pod, PodStatus.RUNNING);
  }

  /** A host-network pod's container started: it has the node's address, no CNI involved. */
  private void startedOnHost(Pod pod, String id) {
    if (pod.isDeleted()
        || pod.status() == PodStatus.TERMINATING
        || !id.equals(pod.sandboxId().orElse(""))) {
      return;
    }
    cluster.runningOnHost(pod, node);
  }

  /** Deletes a pod: stop it, run DEL, remove the sandbox; retries while DEL fails. */
  void delete(Pod pod) {
    cluster.status(pod, PodStatus.TERMINATING);
    sim.schedule(TEARDOWN_NANOS, () -> finishDelete(pod));
  }

  private void finishDelete(Pod pod) {
    if (parkedWhileCrashed(() -> finishDelete(pod))) {
      return;
    }
    if (!pod.containerStopped()) {
      pod.stopContainer();
      cluster.podUpdated(pod);
    }
    Optional<String> id = pod.sandboxId();
    Optional<NetNamespace> ns = pod.netns();
    if (id.isPresent() && ns.isPresent() && !pod.hostNetwork()) {
      Teardown held = cluster.teardownOf(pod, node);
      try {
        teardownOrThrow(pod, id.get(), ns.get());
      } catch (CniRuntimeException | NetworkNotReadyException | CniConfigException e) {
        killFailed(pod, id.get(), e);
        sim.schedule(RETRY_NANOS, () -> finishDelete(pod));
        return;
      }
      cluster.recordTeardown(held);
    }
    if (pod.hostNetwork()) {
      pod.setSandbox(null, null);
    }
    cluster.removed(pod);
    pod.setIp(null);
  }

  /** The node came back: what waited while it was crashed runs now, in order. */
  void restarted() {
    List<Runnable> due = List.copyOf(parked);
    parked.clear();
    for (Runnable r : due) {
      sim.schedule(0, r::run);
    }
  }

  /** Keeps {@code action} for {@link #restarted} if the node is crashed; returns whether it did. */
  private boolean parkedWhileCrashed(Runnable action) {
    if (!node.isCrashed()) {
      return false;
    }
    parked.add(action);
    return true;
  }

  /**
   * Cleanup after a failed ADD: DEL and remove the namespace. When DEL fails the sandbox stays, as
   * containerd keeps a sandbox whose network it could not destroy, so that nothing ADD made is
   * forgotten; the next attempt kills it first ({@link #killLeftoverSandbox}).
   */
  private void teardown(Pod pod, String id, NetNamespace ns) {
    try {
      teardownOrThrow(pod, id, ns);
    } catch (CniRuntimeException | NetworkNotReadyException | CniConfigException e) {
      // kept: the next attempt or the pod's deletion destroys it
      return;
    }
  }

  /**
   * Kills the sandbox a failed attempt left (its DEL failed) before a new one is made; returns
   * whether none is left. On failure records {@code FailedKillPod}, as the kubelet does.
   */
  private boolean killLeftoverSandbox(Pod pod) {
    Optional<String> id = pod.sandboxId();
    Optional<NetNamespace> ns = pod.netns();
    if (id.isEmpty() || ns.isEmpty()) {
      return true;
    }
    try {
      teardownOrThrow(pod, id.get(), ns.get());
      return true;
    } catch (CniRuntimeException | NetworkNotReadyException | CniConfigException e) {
      killFailed(pod, id.get(), e);
      return false;
    }
  }

  private void killFailed(Pod pod, String id, RuntimeException e) {
    cluster.event(
        pod,
        "Warning",
        "FailedKillPod",
        "kubelet",
        "error killing pod: failed to \"KillPodSandbox\" for \""
            + pod.uid()
            + "\" with KillPodSandboxError: \"rpc error: code = Unknown desc = failed to"
            + " destroy network for sandbox \\\""
            + id
            + "\\\": "
            + e.getMessage()
            + "\"");
  }

  private void teardownOrThrow(Pod pod, String id, NetNamespace ns) {
    CniRuntime runtime = node.runtime();
    String netns = netnsPath(ns);
    Map<String, String> args = cniArgs(pod, id);
    // containerd's go-cni removes the networks in the order it holds them, the loopback first, and
    // stops at the first failure: a missing loopback binary leaves the pod network (and its IP).
    runtime.delLoopback(id, netns, args);
    runtime.del(new Attachment(id, "eth0"), netns, args);
    node.host().deleteNamespace(ns);
    pod.setSandbox(null, null);
  }

  static String netnsPath(NetNamespace ns) {
    return "/var/run/netns/" + ns.name();
  }

  private static Map<String, String> cniArgs(Pod pod, String sandboxId) {
    return pod.cniArgs(sandboxId);
  }

  private String uuid() {
    return Cluster.uuid(ids);
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ids.nextInt(256);
    }
    return b;
  }
}
