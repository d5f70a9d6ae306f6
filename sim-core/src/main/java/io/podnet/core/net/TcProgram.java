package io.podnet.core.net;

/**
 * A program on a device's tc ingress hook, the way Cilium attaches its BPF programs ({@code
 * cls_bpf} in direct-action mode): it sees every frame the device receives, before any bridge and
 * the IP layer, and lets it pass, drops it, or redirects it to the egress of another device of the
 * same namespace ({@code bpf_redirect}). Attach one with {@link Device#attachTcIngress}.
 *
 * <pre>{@code
 * ciliumNet.attachTcIngress((dev, frame) -> toTunnel(frame) ? TcVerdict.redirect(vxlan) : TcVerdict.ok());
 * }</pre>
 */
@FunctionalInterface
public interface TcProgram {

  /** Runs on one frame {@code dev} received; may read and rewrite it in place. */
  TcVerdict run(Device dev, Frame frame);
}
