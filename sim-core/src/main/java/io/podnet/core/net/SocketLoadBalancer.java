package io.podnet.core.net;

/**
 * A load balancer at the socket layer, as Cilium's socket-LB is (its {@code cgroup/connect4} and
 * {@code cgroup/sendmsg4} programs on the root cgroup): asked when a socket anywhere on its host
 * connects (TCP) or sends a datagram (UDP), it may give the socket a Service backend to use instead
 * of the frontend the application named, so the packets leave already addressed to the backend and
 * nothing on the way translates them. A tool such as {@code nc} keeps printing the address it was
 * given; a stream's remote address is the backend, as {@code getpeername} answers when Cilium is
 * built without its socket-LB peer hook.
 */
@FunctionalInterface
public interface SocketLoadBalancer {

  /** {@link #select}'s answer for a destination that is no frontend: the socket uses it as is. */
  long NOT_A_SERVICE = -1;

  /**
   * {@link #select}'s answer for a frontend without backends: the call fails with {@code No route
   * to host} ({@code EHOSTUNREACH}).
   */
  long NO_BACKEND = -2;

  /**
   * The backend a socket with source {@code source} (0 before it has one) uses for {@code dst:port}
   * over {@code protocol}, as {@link #backend}; {@link #NOT_A_SERVICE} or {@link #NO_BACKEND}
   * otherwise.
   */
  long select(int source, int dst, int port, int protocol);

  /** Packs a backend's address and port as {@link #select} answers them. */
  static long backend(int ip, int port) {
    return (ip & 0xFFFF_FFFFL) << 16 | port & 0xFFFF;
  }

  /** The address of a backend {@link #select} answered. */
  static int ip(long backend) {
    return (int) (backend >>> 16);
  }

  /** The port of a backend {@link #select} answered. */
  static int port(long backend) {
    return (int) (backend & 0xFFFF);
  }
}
