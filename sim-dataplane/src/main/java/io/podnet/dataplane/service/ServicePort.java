package io.podnet.dataplane.service;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One port of a Service: its name (empty for the single unnamed port), protocol, the port on the
 * ClusterIP, the port on the endpoints ({@code targetPort}) and an optional NodePort.
 *
 * <pre>{@code
 * ServicePort http = ServicePort.of("p80", "TCP", 80, 8080).withNodePort(30080);
 * }</pre>
 */
public final class ServicePort {

  private final String name;
  private final Protocol protocol;
  private final int port;
  private final int targetPort;
  private final int nodePort;

  private ServicePort(String name, Protocol protocol, int port, int targetPort, int nodePort) {
    this.name = name;
    this.protocol = protocol;
    this.port = port;
    this.targetPort = targetPort;
    this.nodePort = nodePort;
  }

  /**
   * Returns the port {@code name} ({@code ""} for an unnamed port) on {@code port}, forwarding to
   * {@code targetPort}; {@code protocol} is the API spelling ({@code TCP}, {@code UDP}, {@code
   * SCTP}).
   *
   * @throws IllegalArgumentException for an unknown protocol or a port outside [1, 65535]
   */
  public static ServicePort of(String name, String protocol, int port, int targetPort) {
    return of(name, Protocol.parse(protocol), port, targetPort);
  }

  /** Returns the port {@code name} on {@code port} forwarding to {@code targetPort}. */
  public static ServicePort of(String name, Protocol protocol, int port, int targetPort) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(protocol, "protocol");
    return new ServicePort(
        name, protocol, checkPort("port", port), checkPort("targetPort", targetPort), 0);
  }

  /** Returns a copy of this port that is also exposed on every node at {@code nodePort}. */
  public ServicePort withNodePort(int nodePort) {
    return new ServicePort(name, protocol, port, targetPort, checkPort("nodePort", nodePort));
  }

  static int checkPort(String what, int value) {
    if (value < 1 || value > 65535) {
      throw new IllegalArgumentException(what + " must be in [1, 65535]: " + value);
    }
    return value;
  }

  /** Returns the port name, {@code ""} when unnamed. */
  public String name() {
    return name;
  }

  /** Returns the protocol. */
  public Protocol protocol() {
    return protocol;
  }

  /** Returns the port on the ClusterIP. */
  public int port() {
    return port;
  }

  /** Returns the port on the endpoints. */
  public int targetPort() {
    return targetPort;
  }

  /** Returns whether the port is also exposed as a NodePort. */
  public boolean hasNodePort() {
    return nodePort != 0;
  }

  /** Returns the NodePort, or 0 when there is none. */
  public int nodePort() {
    return nodePort;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ServicePort
        && ((ServicePort) o).name.equals(name)
        && ((ServicePort) o).protocol == protocol
        && ((ServicePort) o).port == port
        && ((ServicePort) o).targetPort == targetPort
        && ((ServicePort) o).nodePort == nodePort;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, protocol, port, targetPort, nodePort);
  }

  @Override
  public String toString() {
    return (name.isEmpty() ? "" : name + " ")
        + port
        + "/"
        + protocol
        + "->"
        + targetPort
        + (nodePort == 0 ? "" : " nodePort " + nodePort);
  }
}
