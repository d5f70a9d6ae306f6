package io.podnet.core.net;

import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One IPv4 route of a namespace's main table, as {@code ip route} shows it: a destination prefix, a
 * type, an optional gateway, an output device, a protocol, a scope, an optional preferred source, a
 * metric and an optional MTU (the {@code mtu} metric, which takes the place of the device's MTU for
 * packets the route carries). Immutable; build one with {@link #to(Cidr)}.
 *
 * <pre>{@code
 * Route r = Route.to(Cidr.parse("10.244.2.0/24")).via(Ipv4Address.parse("192.168.1.12")).dev(eth0).build();
 * r.toString(); // "10.244.2.0/24 via 192.168.1.12 dev eth0"
 * }</pre>
 */
public final class Route {

  /** The route type (RTN_*); only unicast routes forward. */
  public enum Type {
    /** Forward to the gateway or the directly connected destination. */
    UNICAST(""),
    /** Silently discard. */
    BLACKHOLE("blackhole"),
    /** Discard and answer ICMP host unreachable. */
    UNREACHABLE("unreachable"),
    /** Discard and answer ICMP administratively prohibited. */
    PROHIBIT("prohibit");

    private final String keyword;

    Type(String keyword) {
      this.keyword = keyword;
    }

    /** The keyword iproute2 prints before the destination, empty for unicast. */
    public String keyword() {
      return keyword;
    }

    /**
     * The error a socket sees for a destination under a route of this type (the kernel's {@code
     * fib_props}: {@code EINVAL}, {@code EHOSTUNREACH}, {@code EACCES}), or null for unicast.
     */
    @Nullable String error() {
      return switch (this) {
        case UNICAST -> null;
        case BLACKHOLE -> "Invalid argument";
        case UNREACHABLE -> "No route to host";
        case PROHIBIT -> "Permission denied";
      };
    }
  }

  /** The route scope; iproute2 prints it unless it is global. */
  public enum Scope {
    /** Reaches beyond this link (printed as nothing). */
    GLOBAL("global"),
    /** The destination is on the link itself. */
    LINK("link"),
    /** The destination is this host. */
    HOST("host");

    private final String keyword;

    Scope(String keyword) {
      this.keyword = keyword;
    }

    /** The word iproute2 prints after {@code scope}. */
    public String keyword() {
      return keyword;
    }
  }

  private final Type type;
  private final Cidr destination;
  private final @Nullable Ipv4Address gateway;
  private final @Nullable Device device;
  private final String protocol;
  private final Scope scope;
  private final @Nullable Ipv4Address source;
  private final int metric;
  private final boolean onlink;
  private final int mtu;

  /** {@link #toString}'s text once made, and the device name it was made with. */
  private @Nullable String text;

  private @Nullable String textDeviceName;

  private Route(Builder b) {
    this(
        b.type,
        b.destination,
        b.gateway,
        b.device,
        b.protocol,
        b.scope != null
            ? b.scope
            : (b.gateway == null && b.device != null && b.type == Type.UNICAST
                ? Scope.LINK
                : Scope.GLOBAL),
        b.source,
        b.metric,
        b.onlink,
        b.mtu);
  }

  private Route(
      Type type,
      Cidr destination,
      @Nullable Ipv4Address gateway,
      @Nullable Device device,
      String protocol,
      Scope scope,
      @Nullable Ipv4Address source,
      int metric,
      boolean onlink,
      int mtu) {
    this.type = type;
    this.destination = destination;
    this.gateway = gateway;
    this.device = device;
    this.protocol = protocol;
    this.scope = scope;
    this.source = source;
    this.metric = metric;
    this.onlink = onlink;
    this.mtu = mtu;
  }

  /**
   * {@code <destination> via <gateway> dev <device> [onlink] proto <protocol>}: the shape of a
   * route an agent installs toward another node (BIRD's, flanneld's), the one {@link
   * NetNamespace#addGatewayRoute} adds.
   */
  public static Route viaGateway(
      Cidr destination, Ipv4Address gateway, Device device, boolean onlink, String protocol) {
    return viaCheckedGateway(destination, gateway, device, onlink, checkProtocol(protocol));
  }

  /**
   * {@link #viaGateway} for a protocol name already checked by {@link #checkProtocol}, made without
   * a builder: a table holding shared routes makes one each time a lookup binds another.
   */
  static Route viaCheckedGateway(
      Cidr destination, Ipv4Address gateway, Device device, boolean onlink, String protocol) {
    return new Route(
        Type.UNICAST, destination, gateway, device, protocol, Scope.GLOBAL, null, 0, onlink, 0);
  }

  /**
   * Whether this route equals {@link #viaCheckedGateway viaCheckedGateway(destination(), gateway,
   * device, onlink, protocol)}, answered without making that route.
   */
  boolean isViaGateway(Ipv4Address gateway, Device device, boolean onlink, String protocol) {
    return type == Type.UNICAST
        && gateway.equals(this.gateway)
        && this.device == device
        && this.protocol.equals(protocol)
        && scope == Scope.GLOBAL
        && source == null
        && metric == 0
        && this.onlink == onlink
        && mtu == 0;
  }

  /** Starts a unicast route to {@code destination}. */
  public static Builder to(Cidr destination) {
    return new Builder(Type.UNICAST, destination);
  }

  /** Starts a route of another type ({@code blackhole}, {@code unreachable}, {@code prohibit}). */
  public static Builder of(Type type, Cidr destination) {
    return new Builder(type, destination);
  }

  /** The route type. */
  public Type type() {
    return type;
  }

  /** The destination prefix. */
  public Cidr destination() {
    return destination;
  }

  /** The gateway, or null for a directly connected destination. */
  public @Nullable Ipv4Address gateway() {
    return gateway;
  }

  /** The output device; null only for non-unicast routes. */
  public @Nullable Device device() {
    return device;
  }

  /**
   * The protocol that installed the route ({@code kernel}, {@code boot}, {@code static}, {@code
   * bird}).
   */
  public String protocol() {
    return protocol;
  }

  /** The scope. */
  public Scope scope() {
    return scope;
  }

  /** The preferred source address, if any. */
  public @Nullable Ipv4Address source() {
    return source;
  }

  /** The metric (priority); lower wins among routes to the same prefix. */
  public int metric() {
    return metric;
  }

  /** Whether the gateway is taken as on-link without a connected route to it. */
  public boolean onlink() {
    return onlink;
  }

  /** The route's MTU ({@code mtu 1450}), or 0 when it has none and the device's applies. */
  public int mtu() {
    return mtu;
  }

  /**
   * The MTU packets on this route must fit: the route's own when it has one, like the kernel's
   * {@code ipv4_mtu}, else the output device's. {@link IllegalStateException} for a route without a
   * device.
   */
  public int pathMtu() {
    if (mtu != 0) {
      return mtu;
    }
    if (device == null) {
      throw new IllegalStateException(this + " has no device");
    }
    return device.mtu();
  }

  /**
   * The route as {@code ip route show} prints it (without the {@code linkdown} flag), rendered on
   * each call: a node of a large cluster holds a route per other node, too many to keep as text.
   */
  @Override
  public String toString() {
    // Made once, as every packet sent or forwarded records its route's text; made again only if
    // the device was renamed since.
    String name = device == null ? null : device.name();
    String t = text;
    if (t == null || name != textDeviceName) {
      StringBuilder sb = new StringBuilder();
      appendTo(sb);
      t = sb.toString();
      textDeviceName = name;
      text = t;
    }
    return t;
  }

  /** Appends {@link #toString()}'s text to {@code sb}. */
  void appendTo(StringBuilder sb) {
    appendTo(sb, type, destination, gateway, device, protocol, scope, source, metric, onlink, mtu);
  }

  /**
   * Appends the text of {@code <destination> via <gateway> dev <device> [onlink] proto <protocol>}
   * to {@code sb} without building the route: what {@link #appendTo(StringBuilder)} gives for it.
   */
  static void appendGatewayRoute(
      StringBuilder sb,
      Cidr destination,
      Ipv4Address gateway,
      Device device,
      boolean onlink,
      String protocol) {
    appendTo(
        sb, Type.UNICAST, destination, gateway, device, protocol, Scope.GLOBAL, null, 0, onlink, 0);
  }

  private static void appendTo(
      StringBuilder sb,
      Type type,
      Cidr destination,
      @Nullable Ipv4Address gateway,
      @Nullable Device device,
      String protocol,
      Scope scope,
      @Nullable Ipv4Address source,
      int metric,
      boolean onlink,
      int mtu) {
    if (!type.keyword().isEmpty()) {
      sb.append(type.keyword()).append(' ');
    }
    int length = destination.prefixLength();
    if (length == 0) {
      sb.append("default");
    } else {
      Ipv4Address.appendTo(sb, destination.networkInt());
      if (length != 32) {
        sb.append('/').append(length);
      }
    }
    if (gateway != null) {
      sb.append(" via ");
      Ipv4Address.appendTo(sb, gateway.toInt());
    }
    if (device != null) {
      sb.append(" dev ").append(device.name());
    }
    if (!protocol.equals("boot")) {
      sb.append(" proto ").append(protocol);
    }
    if (scope != Scope.GLOBAL) {
      sb.append(" scope ").append(scope.keyword());
    }
    if (source != null) {
      sb.append(" src ");
      Ipv4Address.appendTo(sb, source.toInt());
    }
    if (metric != 0) {
      sb.append(" metric ").append(metric);
    }
    if (onlink) {
      sb.append(" onlink");
    }
    if (mtu != 0) {
      sb.append(" mtu ").append(mtu);
    }
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof Route r)) {
      return false;
    }
    return type == r.type
        && destination.equals(r.destination)
        && Objects.equals(gateway, r.gateway)
        && device == r.device
        && protocol.equals(r.protocol)
        && scope == r.scope
        && Objects.equals(source, r.source)
        && metric == r.metric
        && onlink == r.onlink
        && mtu == r.mtu;
  }

  /** {@code proto} if it is a valid protocol name (not empty, no whitespace), else an exception. */
  static String checkProtocol(String proto) {
    boolean valid = !proto.isEmpty();
    for (int i = 0; i < proto.length() && valid; i++) {
      valid = !Character.isWhitespace(proto.charAt(i));
    }
    if (!valid) {
      throw new IllegalArgumentException("invalid route protocol \"" + proto + "\"");
    }
    return proto;
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, destination, gateway, protocol, scope, source, metric, onlink, mtu);
  }

  /** Builds a {@link Route}; the device is required for unicast routes. */
  public static final class Builder {
    private final Type type;
    private final Cidr destination;
    private @Nullable Ipv4Address gateway;
    private @Nullable Device device;
    private String protocol = "boot";
    private @Nullable Scope scope;
    private @Nullable Ipv4Address source;
    private int metric;
    private boolean onlink;
    private int mtu;

    private Builder(Type type, Cidr destination) {
      this.type = type;
      this.destination = destination;
    }

    /** Sends through this gateway. */
    public Builder via(Ipv4Address gw) {
      this.gateway = gw;
      return this;
    }

    /** Sends out of this device. */
    public Builder dev(Device dev) {
      this.device = dev;
      return this;
    }

    /** Marks who installed the route ({@code kernel}, {@code static}, {@code bird}, ...). */
    public Builder proto(String proto) {
      this.protocol = checkProtocol(proto);
      return this;
    }

    /** Sets the scope (default: link for a device route without gateway, else global). */
    public Builder scope(Scope s) {
      this.scope = s;
      return this;
    }

    /** Sets the preferred source address. */
    public Builder src(Ipv4Address src) {
      this.source = src;
      return this;
    }

    /** Sets the metric; must be >= 0. */
    public Builder metric(int m) {
      if (m < 0) {
        throw new IllegalArgumentException("metric must be >= 0: " + m);
      }
      this.metric = m;
      return this;
    }

    /**
     * Sets the route's MTU ({@code ip route add ... mtu 1450}), in [68, 65536]; packets the route
     * carries must fit it instead of the device's MTU.
     */
    public Builder mtu(int m) {
      if (m < Device.MIN_MTU || m > Device.MAX_MTU) {
        throw new IllegalArgumentException(
            "route mtu must be in [" + Device.MIN_MTU + ", " + Device.MAX_MTU + "]: " + m);
      }
      this.mtu = m;
      return this;
    }

    /** Treats the gateway as on-link. */
    public Builder onlink() {
      this.onlink = true;
      return this;
    }

    /** The route; {@link IllegalArgumentException} if a unicast route has no device. */
    public Route build() {
      if (type == Type.UNICAST && device == null) {
        throw new IllegalArgumentException("route to " + destination + " needs an output device");
      }
      if (type != Type.UNICAST && gateway != null) {
        throw new IllegalArgumentException(
            type.keyword() + " route to " + destination + " cannot have a gateway");
      }
      return new Route(this);
    }
  }
}
