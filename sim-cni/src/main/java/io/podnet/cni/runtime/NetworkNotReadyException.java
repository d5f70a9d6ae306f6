package io.podnet.cni.runtime;

/**
 * The node has no usable network configuration: {@code no network config found in /etc/cni/net.d:
 * cni plugin not initialized}. The kubelet then reports the node NotReady.
 */
public final class NetworkNotReadyException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  NetworkNotReadyException(String message) {
    super(message);
  }
}
