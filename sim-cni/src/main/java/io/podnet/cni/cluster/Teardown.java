package io.podnet.cni.cluster;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a deleted pod held when its network was torn down, so that the contract checker can prove it
 * was all freed: its IP, its sandbox id, its interfaces (as the cached CNI result listed them) and
 * the network it was attached to.
 *
 * @param pod {@code namespace/name}
 * @param node the node it ran on
 * @param containerId the sandbox id used as {@code CNI_CONTAINERID}
 * @param network the CNI network name
 * @param ip the pod IP, if it had one
 * @param hostInterfaces names of the host-side interfaces the result listed (host veths)
 * @param containerMac the MAC of the pod's {@code eth0}, if known
 */
public record Teardown(
    String pod,
    Node node,
    String containerId,
    String network,
    @Nullable Ipv4Address ip,
    List<String> hostInterfaces,
    @Nullable MacAddress containerMac) {

  /** Copies the list. */
  public Teardown {
    hostInterfaces = List.copyOf(hostInterfaces);
  }
}
