package io.podnet.cni.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.addr.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The success result of ADD (CNI spec, "Success"): the interfaces created, the IP configurations
 * with the index of their interface, routes and DNS. {@link #toJson()} prints the fields in the
 * order and with the omissions of libcni's Go types ({@code types100}, and {@code types040} for
 * 0.3.x/0.4.0 whose {@code ips} carry {@code "version": "4"} and whose interfaces have no MTU).
 * IPv4 only, like the rest of the simulator. Immutable, with value equality.
 */
public final class CniResult {

  /**
   * An interface the plugin created or configured.
   *
   * @param name the interface name, e.g. {@code eth0} or {@code cni0}
   * @param mac the hardware address, {@code null} when not reported
   * @param mtu the MTU, 0 when not reported
   * @param sandbox the network namespace path for container interfaces, {@code ""} for the host
   */
  public record Interface(String name, @Nullable MacAddress mac, int mtu, String sandbox) {
    /** Validates the fields. */
    public Interface {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(sandbox, "sandbox");
      if (mtu < 0) {
        throw new IllegalArgumentException("interface mtu must be >= 0 (0 = absent): " + mtu);
      }
    }
  }

  /**
   * An IP configuration.
   *
   * @param address the address with its prefix length, e.g. {@code 10.244.1.5/24}
   * @param gateway the default gateway, {@code null} when none
   * @param interfaceIndex the index into {@link #interfaces()}, -1 when not given
   */
  public record IpConfig(IfAddress address, @Nullable Ipv4Address gateway, int interfaceIndex) {
    /** Validates the fields. */
    public IpConfig {
      Objects.requireNonNull(address, "address");
      if (interfaceIndex < -1) {
        throw new IllegalArgumentException(
            "interface index must be >= 0, or -1 when absent: " + interfaceIndex);
      }
    }
  }

  /**
   * A route to add in the container.
   *
   * @param dst the destination, e.g. {@code 0.0.0.0/0}
   * @param gw the next hop, {@code null} for the default gateway of the interface
   */
  public record RouteConfig(Cidr dst, @Nullable Ipv4Address gw) {
    /** Validates the fields. */
    public RouteConfig {
      Objects.requireNonNull(dst, "dst");
    }
  }

  /**
   * DNS settings ({@code resolv.conf}); every field may be empty.
   *
   * @param nameservers name server addresses in priority order
   * @param domain the local domain
   * @param search search domains
   * @param options resolver options
   */
  public record Dns(
      List<String> nameservers, String domain, List<String> search, List<String> options) {
    /** No DNS settings. */
    public static final Dns EMPTY = new Dns(List.of(), "", List.of(), List.of());

    /** Copies the lists. */
    public Dns {
      nameservers = List.copyOf(nameservers);
      Objects.requireNonNull(domain, "domain");
      search = List.copyOf(search);
      options = List.copyOf(options);
    }

    /** Returns whether every field is empty. */
    public boolean isEmpty() {
      return nameservers.isEmpty() && domain.isEmpty() && search.isEmpty() && options.isEmpty();
    }
  }

  private final String cniVersion;
  private final List<Interface> interfaces;
  private final List<IpConfig> ips;
  private final List<RouteConfig> routes;
  private final Dns dns;

  private CniResult(
      String cniVersion,
      List<Interface> interfaces,
      List<IpConfig> ips,
      List<RouteConfig> routes,
      Dns dns) {
    if (!CniVersions.isSupported(cniVersion)) {
      throw new IllegalArgumentException(
          "unsupported CNI result version \""
              + cniVersion
              + "\" (supported: "
              + CniVersions.goList(CniVersions.SUPPORTED)
              + ")");
    }
    for (IpConfig ip : ips) {
      if (ip.interfaceIndex() >= interfaces.size()) {
        throw new IllegalArgumentException(
            "ip "
                + ip.address()
                + " points at interface "
                + ip.interfaceIndex()
                + " but the result has "
                + interfaces.size()
                + " interfaces");
      }
    }
    this.cniVersion = cniVersion;
    this.interfaces = List.copyOf(interfaces);
    this.ips = List.copyOf(ips);
    this.routes = List.copyOf(routes);
    this.dns = Objects.requireNonNull(dns, "dns");
  }

  /** Returns a builder for a result in {@code cniVersion}, which must be supported. */
  public static Builder builder(String cniVersion) {
    return new Builder(cniVersion);
  }

  /** Returns the version the result is expressed in. */
  public String cniVersion() {
    return cniVersion;
  }

  /** Returns the interfaces in order; {@link IpConfig#interfaceIndex()} points into this list. */
  public List<Interface> interfaces() {
    return interfaces;
  }

  /** Returns the IP configurations. */
  public List<IpConfig> ips() {
    return ips;
  }

  /** Returns the routes. */
  public List<RouteConfig> routes() {
    return routes;
  }

  /** Returns the DNS settings, {@link Dns#EMPTY} when none. */
  public Dns dns() {
    return dns;
  }

  /**
   * Returns this result converted to {@code version}, as libcni's {@code GetAsVersion}: converting
   * to 0.3.x/0.4.0 drops interface MTUs (those types have no MTU).
   *
   * @throws IllegalArgumentException if {@code version} is not supported
   */
  public CniResult withVersion(String version) {
    if (version.equals(cniVersion)) {
      return this;
    }
    List<Interface> converted = interfaces;
    if (!isOneX(version)) {
      converted = new ArrayList<>();
      for (Interface i : interfaces) {
        converted.add(new Interface(i.name(), i.mac(), 0, i.sandbox()));
      }
    }
    return new CniResult(version, converted, ips, routes, dns);
  }

  /** Returns a copy of this result with {@code other}'s DNS; convenience for chained plugins. */
  public CniResult withDns(Dns other) {
    return new CniResult(cniVersion, interfaces, ips, routes, other);
  }

  /**
   * Returns the result as a plugin prints it: {@code cniVersion}, {@code interfaces}, {@code ips},
   * {@code routes}, {@code dns}; empty lists, a null {@code mac}/{@code gateway}/{@code gw}, a zero
   * {@code mtu}, an empty {@code sandbox} and an absent interface index are omitted, {@code dns} is
   * always present (as {@code {}} when empty), as Go's {@code omitempty} does.
   */
  public ObjectNode toJson() {
    boolean oneX = isOneX(cniVersion);
    ObjectNode root = Json.mapper().createObjectNode();
    root.put("cniVersion", cniVersion);
    if (!interfaces.isEmpty()) {
      ArrayNode array = root.putArray("interfaces");
      for (Interface i : interfaces) {
        ObjectNode n = array.addObject();
        n.put("name", i.name());
        if (i.mac() != null) {
          n.put("mac", i.mac().toString());
        }
        if (oneX && i.mtu() != 0) {
          n.put("mtu", i.mtu());
        }
        if (!i.sandbox().isEmpty()) {
          n.put("sandbox", i.sandbox());
        }
      }
    }
    if (!ips.isEmpty()) {
      ArrayNode array = root.putArray("ips");
      for (IpConfig ip : ips) {
        ObjectNode n = array.addObject();
        if (!oneX) {
          n.put("version", "4");
        }
        if (ip.interfaceIndex() >= 0) {
          n.put("interface", ip.interfaceIndex());
        }
        n.put("address", ip.address().toString());
        if (ip.gateway() != null) {
          n.put("gateway", ip.gateway().toString());
        }
      }
    }
    if (!routes.isEmpty()) {
      ArrayNode array = root.putArray("routes");
      for (RouteConfig r : routes) {
        ObjectNode n = array.addObject();
        n.put("dst", r.dst().toString());
        if (r.gw() != null) {
          n.put("gw", r.gw().toString());
        }
      }
    }
    ObjectNode d = root.putObject("dns");
    putList(d, "nameservers", dns.nameservers());
    if (!dns.domain().isEmpty()) {
      d.put("domain", dns.domain());
    }
    putList(d, "search", dns.search());
    putList(d, "options", dns.options());
    return root;
  }

  private static void putList(ObjectNode node, String key, List<String> values) {
    if (!values.isEmpty()) {
      ArrayNode array = node.putArray(key);
      values.forEach(array::add);
    }
  }

  /**
   * Parses a result in any supported version (a 0.3.x/0.4.0 {@code version} field in {@code ips} is
   * accepted and checked).
   *
   * @throws CniException with code {@link CniError#DECODE_FAILURE} when the JSON is not a valid
   *     result, naming the field
   */
  public static CniResult fromJson(JsonNode json) {
    if (!json.isObject()) {
      throw decode("result must be a JSON object, got " + Json.write(json));
    }
    String version = string(json, "cniVersion", "cniVersion");
    if (!CniVersions.isSupported(version)) {
      throw decode("unsupported CNI result version \"" + version + "\"");
    }
    Builder b = builder(version);
    for (JsonNode n : array(json, "interfaces")) {
      String where = "interfaces[" + b.interfaces.size() + "]";
      requireObject(n, where);
      String macText = string(n, "mac", where + ".mac");
      int mtu = integer(n, "mtu", where + ".mtu", 0);
      b.addInterface(
          new Interface(
              string(n, "name", where + ".name"),
              macText.isEmpty() ? null : convert(macText, MacAddress::parse, where + ".mac"),
              Math.max(mtu, 0),
              string(n, "sandbox", where + ".sandbox")));
    }
    for (JsonNode n : array(json, "ips")) {
      String where = "ips[" + b.ips.size() + "]";
      requireObject(n, where);
      String ipVersion = string(n, "version", where + ".version");
      if (!ipVersion.isEmpty() && !ipVersion.equals("4")) {
        throw decode(
            where
                + ".version must be \"4\" (the simulator is IPv4 only), got \""
                + ipVersion
                + "\"");
      }
      String address = string(n, "address", where + ".address");
      if (address.isEmpty()) {
        throw decode(where + ".address is missing");
      }
      String gateway = string(n, "gateway", where + ".gateway");
      b.addIp(
          new IpConfig(
              convert(address, IfAddress::parse, where + ".address"),
              gateway.isEmpty() ? null : convert(gateway, Ipv4Address::parse, where + ".gateway"),
              integer(n, "interface", where + ".interface", -1)));
    }
    for (JsonNode n : array(json, "routes")) {
      String where = "routes[" + b.routes.size() + "]";
      requireObject(n, where);
      String dst = string(n, "dst", where + ".dst");
      if (dst.isEmpty()) {
        throw decode(where + ".dst is missing");
      }
      String gw = string(n, "gw", where + ".gw");
      b.addRoute(
          new RouteConfig(
              convert(dst, Cidr::parse, where + ".dst"),
              gw.isEmpty() ? null : convert(gw, Ipv4Address::parse, where + ".gw")));
    }
    JsonNode dnsNode = json.get("dns");
    if (dnsNode != null && !dnsNode.isNull()) {
      requireObject(dnsNode, "dns");
      b.dns(
          new Dns(
              strings(dnsNode, "nameservers"),
              string(dnsNode, "domain", "dns.domain"),
              strings(dnsNode, "search"),
              strings(dnsNode, "options")));
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw decode(e.getMessage());
    }
  }

  private static boolean isOneX(String version) {
    return CniVersions.compare(version, "1.0.0") >= 0;
  }

  private static CniException decode(String message) {
    return CniException.of(CniError.DECODE_FAILURE, "failed to decode CNI result: " + message);
  }

  private static void requireObject(JsonNode n, String where) {
    if (!n.isObject()) {
      throw decode(where + " must be an object, got " + Json.write(n));
    }
  }

  private static List<JsonNode> array(JsonNode parent, String key) {
    JsonNode n = parent.get(key);
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw decode(key + " must be an array, got " + Json.write(n));
    }
    List<JsonNode> out = new ArrayList<>();
    n.forEach(out::add);
    return out;
  }

  private static String string(JsonNode parent, String key, String where) {
    JsonNode n = parent.get(key);
    if (n == null || n.isNull()) {
      return "";
    }
    if (!n.isTextual()) {
      throw decode(where + " must be a string, got " + Json.write(n));
    }
    return n.textValue();
  }

  private static List<String> strings(JsonNode parent, String key) {
    List<String> out = new ArrayList<>();
    List<JsonNode> nodes = array(parent, key);
    for (int i = 0; i < nodes.size(); i++) {
      if (!nodes.get(i).isTextual()) {
        throw decode(
            "dns." + key + "[" + i + "] must be a string, got " + Json.write(nodes.get(i)));
      }
      out.add(nodes.get(i).textValue());
    }
    return out;
  }

  private static int integer(JsonNode parent, String key, String where, int absent) {
    JsonNode n = parent.get(key);
    if (n == null || n.isNull()) {
      return absent;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
      throw decode(where + " must be a non-negative integer, got " + Json.write(n));
    }
    return n.intValue();
  }

  private static <T> T convert(String text, Function<String, T> parser, String where) {
    try {
      return parser.apply(text);
    } catch (IllegalArgumentException e) {
      throw decode(where + ": " + e.getMessage());
    }
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof CniResult)) {
      return false;
    }
    CniResult r = (CniResult) o;
    return r.cniVersion.equals(cniVersion)
        && r.interfaces.equals(interfaces)
        && r.ips.equals(ips)
        && r.routes.equals(routes)
        && r.dns.equals(dns);
  }

  @Override
  public int hashCode() {
    return Objects.hash(cniVersion, interfaces, ips, routes, dns);
  }

  /** Returns the compact JSON. */
  @Override
  public String toString() {
    return Json.write(toJson());
  }

  /** Builds a {@link CniResult}; not thread-safe. */
  public static final class Builder {
    private final String cniVersion;
    private final List<Interface> interfaces = new ArrayList<>();
    private final List<IpConfig> ips = new ArrayList<>();
    private final List<RouteConfig> routes = new ArrayList<>();
    private Dns dns = Dns.EMPTY;

    private Builder(String cniVersion) {
      this.cniVersion = Objects.requireNonNull(cniVersion, "cniVersion");
    }

    /** Appends an interface; its index is the number of interfaces added before it. */
    public Builder addInterface(Interface iface) {
      interfaces.add(Objects.requireNonNull(iface, "iface"));
      return this;
    }

    /** Appends an IP configuration. */
    public Builder addIp(IpConfig ip) {
      ips.add(Objects.requireNonNull(ip, "ip"));
      return this;
    }

    /** Appends a route. */
    public Builder addRoute(RouteConfig route) {
      routes.add(Objects.requireNonNull(route, "route"));
      return this;
    }

    /** Sets the DNS settings. */
    public Builder dns(Dns dns) {
      this.dns = Objects.requireNonNull(dns, "dns");
      return this;
    }

    /**
     * Returns the result.
     *
     * @throws IllegalArgumentException if the version is unsupported or an IP points past the
     *     interfaces
     */
    public CniResult build() {
      return new CniResult(cniVersion, interfaces, ips, routes, dns);
    }
  }
}
