package io.podnet.cni.cluster;

import java.util.List;
import java.util.function.Supplier;

/**
 * The CNI strategies the churn properties run over: how to build each cluster and which plugin
 * binaries its network configuration needs on a node (the ones a step may remove).
 */
enum ChurnStrategy {
  /** The reference bridge plugin with host-local IPAM. */
  BRIDGE(Cluster::bridge, List.of("bridge", "host-local", "portmap", "loopback")),
  /** The reference ptp plugin with host-local IPAM. */
  PTP(Cluster::ptp, List.of("ptp", "host-local", "portmap", "loopback")),
  /** flannel over VXLAN, delegating to bridge with host-local IPAM. */
  FLANNEL(
      () -> Cluster.flannel(Flanneld.Backend.VXLAN),
      List.of("flannel", "bridge", "host-local", "portmap", "loopback")),
  /** calico over a BGP full mesh with calico-ipam. */
  CALICO(Cluster::calico, List.of("calico", "calico-ipam", "portmap", "loopback")),
  /** cilium in VXLAN tunnel mode with cluster-pool IPAM. */
  CILIUM(Cluster::cilium, List.of("cilium-cni", "loopback"));

  private final Supplier<Cluster.Builder> builder;
  private final List<String> plugins;

  ChurnStrategy(Supplier<Cluster.Builder> builder, List<String> plugins) {
    this.builder = builder;
    this.plugins = plugins;
  }

  /** A fresh builder for this strategy. */
  Cluster.Builder builder() {
    return builder.get();
  }

  /** The plugin binaries a pod's sandbox needs on its node. */
  List<String> plugins() {
    return plugins;
  }
}
