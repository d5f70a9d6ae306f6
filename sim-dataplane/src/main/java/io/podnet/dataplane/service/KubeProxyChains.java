package io.podnet.dataplane.service;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.hash.Hashing;
import com.google.common.io.BaseEncoding;

/**
 * kube-proxy's chain names (pkg/proxy/iptables, {@code servicePortChainName} and {@code
 * servicePortEndpointChainName}): a prefix plus the first 16 characters of the RFC 4648 base32
 * (upper-case alphabet) encoding of SHA-256 over {@code servicePortName + protocol}, with the
 * endpoint's {@code IP:port} appended for {@code KUBE-SEP-} chains. iptables chain names are at
 * most 28 characters, which is why the hash is cut.
 *
 * <pre>{@code
 * KubeProxyChains.serviceChain("ns1/svc1:p80", Protocol.TCP);   // KUBE-SVC-XPGD46QRK7WJZT7O
 * KubeProxyChains.endpointChain("ns1/svc1:p80", Protocol.TCP, "10.180.0.1:80");
 *                                                              // KUBE-SEP-SXIVWICOYRO3J4NJ
 * }</pre>
 */
public final class KubeProxyChains {

  /** The chain every Service port's ClusterIP rule lives in (nat and filter tables). */
  public static final String SERVICES = "KUBE-SERVICES";

  /** The chain NodePort rules live in, reached from the last rule of {@code KUBE-SERVICES}. */
  public static final String NODEPORTS = "KUBE-NODEPORTS";

  /** The chain that sets the masquerade mark {@code 0x4000}. */
  public static final String MARK_MASQ = "KUBE-MARK-MASQ";

  /** The chain {@code POSTROUTING} jumps to, masquerading marked packets. */
  public static final String POSTROUTING = "KUBE-POSTROUTING";

  private KubeProxyChains() {}

  /** Returns {@code KUBE-SVC-<hash>} for a ServicePortName such as {@code ns1/svc1:p80}. */
  public static String serviceChain(String servicePortName, Protocol protocol) {
    return "KUBE-SVC-" + hash(servicePortName + protocol.lowerName());
  }

  /** Returns {@code KUBE-EXT-<hash>}, the external-traffic chain (same hash as the SVC chain). */
  public static String externalChain(String servicePortName, Protocol protocol) {
    return "KUBE-EXT-" + hash(servicePortName + protocol.lowerName());
  }

  /**
   * Returns {@code KUBE-SVL-<hash>}, the chain of the node's own endpoints for {@code
   * externalTrafficPolicy: Local} (same hash as the SVC chain).
   */
  public static String localChain(String servicePortName, Protocol protocol) {
    return "KUBE-SVL-" + hash(servicePortName + protocol.lowerName());
  }

  /**
   * Returns {@code KUBE-FW-<hash>}, the chain that applies {@code loadBalancerSourceRanges} (same
   * hash as the SVC chain).
   */
  public static String firewallChain(String servicePortName, Protocol protocol) {
    return "KUBE-FW-" + hash(servicePortName + protocol.lowerName());
  }

  /** Returns {@code KUBE-SEP-<hash>} for the endpoint {@code IP:port} of a Service port. */
  public static String endpointChain(String servicePortName, Protocol protocol, String endpoint) {
    return "KUBE-SEP-" + hash(servicePortName + protocol.lowerName() + endpoint);
  }

  private static String hash(String text) {
    byte[] digest = Hashing.sha256().hashString(text, UTF_8).asBytes();
    return BaseEncoding.base32().encode(digest).substring(0, 16);
  }
}
