package io.podnet.dataplane.service;

import io.podnet.core.addr.Ipv4Address;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One endpoint of a Service as an EndpointSlice lists it: a pod IP, the port the pod listens on
 * (the matching Service port's {@code targetPort}) and whether it is ready. Only ready endpoints
 * receive traffic. The node the pod runs on ({@code ""} when unknown) decides whether it is local
 * for {@code externalTrafficPolicy: Local}. Its text form is kube-proxy's {@code IP:port}, which is
 * also hashed into the {@code KUBE-SEP-} chain name.
 */
public final class Endpoint {

  private final Ipv4Address ip;
  private final int port;
  private final boolean ready;
  private final String nodeName;

  private Endpoint(Ipv4Address ip, int port, boolean ready, String nodeName) {
    this.ip = ip;
    this.port = port;
    this.ready = ready;
    this.nodeName = nodeName;
  }

  /**
   * Returns the endpoint {@code ip:port}.
   *
   * @throws IllegalArgumentException if {@code port} is outside [1, 65535]
   */
  public static Endpoint of(Ipv4Address ip, int port, boolean ready) {
    Objects.requireNonNull(ip, "ip");
    return new Endpoint(ip, ServicePort.checkPort("endpoint port", port), ready, "");
  }

  /** Returns a copy on the node {@code nodeName} (an EndpointSlice endpoint's {@code nodeName}). */
  public Endpoint onNode(String nodeName) {
    return new Endpoint(ip, port, ready, Objects.requireNonNull(nodeName, "nodeName"));
  }

  /** Returns the ready endpoint {@code ip:port}, parsing {@code ip} as a dotted quad. */
  public static Endpoint ready(String ip, int port) {
    return of(Ipv4Address.parse(ip), port, true);
  }

  /** Returns the pod IP. */
  public Ipv4Address ip() {
    return ip;
  }

  /** Returns the port on the pod. */
  public int port() {
    return port;
  }

  /** Returns the node the endpoint's pod runs on, or {@code ""} when unknown. */
  public String nodeName() {
    return nodeName;
  }

  /** Returns whether the endpoint is ready (only ready endpoints get traffic). */
  public boolean isReady() {
    return ready;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Endpoint
        && ((Endpoint) o).ip.equals(ip)
        && ((Endpoint) o).port == port
        && ((Endpoint) o).ready == ready
        && ((Endpoint) o).nodeName.equals(nodeName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ip, port, ready, nodeName);
  }

  /** Returns {@code IP:port}, as kube-proxy writes it. */
  @Override
  public String toString() {
    return ip + ":" + port;
  }
}
