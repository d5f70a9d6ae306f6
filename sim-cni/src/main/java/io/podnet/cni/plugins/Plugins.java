package io.podnet.cni.plugins;

import io.podnet.cni.calico.CalicoIpam;
import io.podnet.cni.calico.CalicoPlugin;
import io.podnet.cni.cilium.CiliumPlugin;
import io.podnet.cni.ipam.HostLocalIpam;
import io.podnet.cni.runtime.PluginRegistry;

/**
 * The standard plugin registry: {@code loopback}, {@code bridge}, {@code ptp}, {@code portmap},
 * {@code host-local}, {@code flannel}, {@code calico}, {@code calico-ipam} and {@code cilium-cni}.
 */
public final class Plugins {

  private Plugins() {}

  /** A registry with every reference plugin PodNet models. */
  public static PluginRegistry standard() {
    return PluginRegistry.empty()
        .with("loopback", new LoopbackPlugin())
        .with("bridge", new BridgePlugin())
        .with("ptp", new PtpPlugin())
        .with("portmap", new PortmapPlugin())
        .with("host-local", new HostLocalIpam())
        .with("flannel", new FlannelPlugin())
        .with("calico", new CalicoPlugin())
        .with("calico-ipam", new CalicoIpam())
        .with("cilium-cni", new CiliumPlugin());
  }
}
