package io.podnet.cni.ipam;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.cni.runtime.CniRequest;
import io.podnet.cni.spec.CniError;
import io.podnet.cni.spec.CniException;
import io.podnet.cni.spec.CniResult;
import io.podnet.core.addr.Cidr;
import io.podnet.core.addr.Ipv4Address;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The host-local configuration of one invocation, loaded the way host-local's {@code
 * LoadIPAMConfig} does: the {@code ipam} object of the calling plugin's stdin, the requested
 * addresses from {@code CNI_ARGS} ({@code IP=}), {@code args.cni.ips} and the {@code ips}
 * capability, and range sets from {@code ipam.ranges}, the legacy single range ({@code
 * ipam.subnet}, prepended) and the {@code ipRanges} capability (prepended before both). Every range
 * is canonicalised (defaults: gateway and first address network + 1, last address broadcast - 1)
 * and checked with host-local's messages.
 *
 * <p>PodNet models IPv4 only: an IPv6 subnet, range bound, gateway or route is rejected with code 7
 * and a message that says so. A requested IPv6 address is kept and, as in host-local, fails the ADD
 * because no IPv4 range set can satisfy it.
 *
 * @param name the network name (the {@code name} on stdin), the folder of the store
 * @param dataDir the store's root folder ({@code /var/lib/cni/networks} by default)
 * @param rangeSets the canonical range sets, one address each
 * @param routes the routes returned with every result
 * @param requested the addresses asked for, in the order they were given
 */
record IpamConfig(
    String name,
    String dataDir,
    List<RangeSet> rangeSets,
    List<CniResult.RouteConfig> routes,
    List<RequestedIp> requested) {

  /** host-local's default store root. */
  static final String DEFAULT_DATA_DIR = "/var/lib/cni/networks";

  /** Copies the lists. */
  IpamConfig {
    rangeSets = List.copyOf(rangeSets);
    routes = List.copyOf(routes);
    requested = List.copyOf(requested);
  }

  /**
   * An address asked for by the runtime.
   *
   * @param text the address as given, without any prefix length
   * @param ipv4 whether it is an IPv4 address ({@code bits} is meaningful only then)
   * @param bits the IPv4 address bits
   */
  record RequestedIp(String text, boolean ipv4, int bits) {}

  /** Loads the configuration of {@code request}; every failure is a {@link CniException}. */
  static IpamConfig load(CniRequest request) {
    JsonNode stdin = request.config();
    JsonNode ipam = stdin.get("ipam");
    if (ipam == null || ipam.isNull()) {
      throw HostLocalIpam.error("IPAM config missing 'ipam' key");
    }
    if (!ipam.isObject()) {
      throw typeError(ipam, "allocator.IPAMConfig");
    }

    List<RequestedIp> requested = new ArrayList<>();
    String envIp = request.args().get("IP");
    if (envIp != null && !envIp.isEmpty()) {
      requested.add(requestedIp(envIp, "ARGS: error parsing value of pair \"IP=" + envIp + "\": "));
    }
    for (JsonNode ip : array(stdin.path("args").path("cni").path("ips"), "[]net.IP")) {
      requested.add(requestedIp(string(ip, "net.IP"), ""));
    }
    for (JsonNode ip : array(request.runtimeConfig().path("ips"), "[]*ip.IP")) {
      String text = string(ip, "ip.IP");
      int slash = text.indexOf('/');
      requested.add(requestedIp(slash < 0 ? text : text.substring(0, slash), ""));
    }

    List<List<RawRange>> raw = new ArrayList<>();
    for (JsonNode set : array(request.runtimeConfig().path("ipRanges"), "[]allocator.RangeSet")) {
      raw.add(rawSet(set, ""));
    }
    JsonNode legacySubnet = ipam.get("subnet");
    if (legacySubnet != null && !legacySubnet.isNull()) {
      raw.add(List.of(rawRange(ipam, "/ipam")));
    }
    List<JsonNode> ranges = array(ipam.path("ranges"), "[]allocator.RangeSet");
    for (int i = 0; i < ranges.size(); i++) {
      raw.add(rawSet(ranges.get(i), "/ipam/ranges/" + i));
    }
    if (raw.isEmpty()) {
      throw HostLocalIpam.error("no IP ranges specified");
    }

    List<RangeSet> sets = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      sets.add(canonicalSet(raw.get(i), i));
    }
    for (int i = 0; i < sets.size(); i++) {
      for (int j = i + 1; j < sets.size(); j++) {
        if (sets.get(i).overlaps(sets.get(j))) {
          throw HostLocalIpam.error("range set " + i + " overlaps with " + j);
        }
      }
    }

    List<CniResult.RouteConfig> routes = new ArrayList<>();
    for (JsonNode route : array(ipam.path("routes"), "[]*types.Route")) {
      routes.add(route(route));
    }

    String dataDir = optionalString(ipam.get("dataDir"));
    String network = request.networkName();
    return new IpamConfig(
        network,
        dataDir == null || dataDir.isEmpty() ? DEFAULT_DATA_DIR : dataDir,
        sets,
        routes,
        requested);
  }

  // ---------------------------------------------------------------- ranges

  /**
   * A range as written, before defaults and checks; {@code null} where a key was absent. {@code at}
   * is the JSON pointer of the range object in the plugin's configuration ({@code ""} when it came
   * from the runtime), for locating errors.
   */
  private record RawRange(
      @Nullable Cidr subnetOrNull,
      int subnetIp,
      @Nullable Integer start,
      @Nullable Integer end,
      @Nullable Integer gateway,
      String at) {

    /** The pointer of {@code key} in this range, or "" when the range has no known place. */
    String at(String key) {
      return at.isEmpty() ? "" : at + "/" + key;
    }
  }

  private static List<RawRange> rawSet(JsonNode set, String at) {
    List<RawRange> ranges = new ArrayList<>();
    List<JsonNode> elements = array(set, "allocator.RangeSet");
    for (int i = 0; i < elements.size(); i++) {
      JsonNode range = elements.get(i);
      if (!range.isObject()) {
        throw typeError(range, "allocator.Range");
      }
      ranges.add(rawRange(range, at.isEmpty() ? "" : at + "/" + i));
    }
    return ranges;
  }

  private static RawRange rawRange(JsonNode range, String at) {
    String subnetText = optionalString(range.get("subnet"));
    String subnetAt = at.isEmpty() ? "" : at + "/subnet";
    Cidr subnet = null;
    int subnetIp = 0;
    if (subnetText != null) {
      rejectIpv6(subnetText, "subnet");
      int slash = subnetText.indexOf('/');
      Integer ip = slash < 0 ? null : ipv4Bits(subnetText.substring(0, slash));
      Integer length = slash < 0 ? null : prefixLength(subnetText.substring(slash + 1));
      if (ip == null || length == null) {
        throw HostLocalIpam.error("invalid CIDR address: " + subnetText, SUBNET).at(subnetAt);
      }
      subnetIp = ip;
      subnet = Cidr.containing(Ipv4Address.of(ip), length);
    }
    return new RawRange(
        subnet,
        subnetIp,
        address(range.get("rangeStart"), "rangeStart", at),
        address(range.get("rangeEnd"), "rangeEnd", at),
        address(range.get("gateway"), "gateway", at),
        at);
  }

  /** What a subnet must look like, the details of a subnet error. */
  private static final String SUBNET =
      "expected a.b.c.d/len with a prefix length from 0 to 30 and the host bits zero";

  private static RangeSet canonicalSet(List<RawRange> raw, int index) {
    String prefix = "invalid range set " + index + ": ";
    if (raw.isEmpty()) {
      throw HostLocalIpam.error(prefix + "empty range set");
    }
    List<Range> ranges = new ArrayList<>();
    for (RawRange r : raw) {
      ranges.add(canonical(r, prefix));
    }
    for (int i = 0; i < ranges.size(); i++) {
      for (int j = i + 1; j < ranges.size(); j++) {
        if (ranges.get(i).overlaps(ranges.get(j))) {
          throw HostLocalIpam.error(
              prefix + "subnets " + ranges.get(i) + " and " + ranges.get(j) + " overlap");
        }
      }
    }
    return new RangeSet(ranges);
  }

  /** host-local's {@code Range.Canonicalize}, with its checks in its order. */
  private static Range canonical(RawRange raw, String prefix) {
    Cidr subnet = raw.subnetOrNull();
    if (subnet == null) {
      throw HostLocalIpam.error(prefix + "IP <nil> not v4 nor v6", "expected a \"subnet\"")
          .at(raw.at);
    }
    String written = Ipv4Address.format(raw.subnetIp()) + "/" + subnet.prefixLength();
    if (subnet.prefixLength() > 30) {
      throw HostLocalIpam.error(
              prefix + "Network " + written + " too small to allocate from", SUBNET)
          .at(raw.at("subnet"));
    }
    if (raw.subnetIp() != subnet.networkInt()) {
      throw HostLocalIpam.error(
              prefix
                  + "Network has host bits set. For a subnet mask of length "
                  + subnet.prefixLength()
                  + " the network address is "
                  + subnet.network(),
              SUBNET)
          .at(raw.at("subnet"));
    }
    String inside = "expected an address of " + subnet + ", rangeStart not after rangeEnd";
    int first = subnet.networkInt() + 1;
    int gateway = raw.gateway() == null ? first : raw.gateway();
    Integer end = raw.end();
    int start;
    if (raw.start() != null) {
      start = raw.start();
      // as host-local checks it: in the subnet, and not after a rangeEnd that was given
      if (!subnet.contains(start) || (end != null && Integer.compareUnsigned(start, end) > 0)) {
        throw HostLocalIpam.error(
                prefix + "RangeStart " + Ipv4Address.format(start) + " not in network " + subnet,
                inside)
            .at(raw.at("rangeStart"));
      }
    } else {
      start = first;
    }
    int last;
    if (end != null) {
      last = end;
      if (!subnet.contains(last) || Integer.compareUnsigned(last, start) < 0) {
        throw HostLocalIpam.error(
                prefix + "RangeEnd " + Ipv4Address.format(last) + " not in network " + subnet,
                inside)
            .at(raw.at("rangeEnd"));
      }
    } else {
      last = subnet.broadcast().toInt() - 1;
    }
    return new Range(subnet, start, last, gateway);
  }

  // ---------------------------------------------------------------- routes and addresses

  private static CniResult.RouteConfig route(JsonNode route) {
    if (!route.isObject()) {
      throw typeError(route, "types.Route");
    }
    String dst = optionalString(route.get("dst"));
    if (dst == null) {
      dst = "";
    }
    rejectIpv6(dst, "route dst");
    int slash = dst.indexOf('/');
    Integer ip = slash < 0 ? null : ipv4Bits(dst.substring(0, slash));
    Integer length = slash < 0 ? null : prefixLength(dst.substring(slash + 1));
    if (ip == null || length == null) {
      throw HostLocalIpam.error("invalid CIDR address: " + dst);
    }
    Integer gw = address(route.get("gw"), "route gw", "");
    return new CniResult.RouteConfig(
        Cidr.containing(Ipv4Address.of(ip), length), gw == null ? null : Ipv4Address.of(gw));
  }

  private static RequestedIp requestedIp(String text, String errorPrefix) {
    if (text.indexOf(':') >= 0) {
      return new RequestedIp(text, false, 0);
    }
    Integer bits = ipv4Bits(text);
    if (bits == null) {
      throw HostLocalIpam.error(errorPrefix + "invalid IP address: " + text);
    }
    return new RequestedIp(Ipv4Address.format(bits), true, bits);
  }

  /** An optional address; {@code at} is the pointer of its range ("" when not known). */
  private static @Nullable Integer address(@Nullable JsonNode node, String field, String at) {
    String text = optionalString(node);
    if (text == null) {
      return null;
    }
    rejectIpv6(text, field);
    Integer bits = ipv4Bits(text);
    if (bits == null) {
      throw HostLocalIpam.error(
              "invalid IP address: " + text, "expected an IPv4 address a.b.c.d for " + field)
          .at(at.isEmpty() ? "" : at + "/" + field);
    }
    return bits;
  }

  private static void rejectIpv6(String text, String field) {
    if (text.indexOf(':') >= 0) {
      throw CniException.of(
          CniError.INVALID_CONFIG,
          "unsupported IPv6 "
              + field
              + " \""
              + text
              + "\": PodNet's host-local models IPv4 ranges only");
    }
  }

  private static @Nullable Integer ipv4Bits(String text) {
    try {
      return Ipv4Address.parse(text).toInt();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static @Nullable Integer prefixLength(String text) {
    if (text.isEmpty() || text.length() > 2 || !text.chars().allMatch(Character::isDigit)) {
      return null;
    }
    int n = Integer.parseInt(text);
    return n <= 32 ? n : null;
  }

  // ---------------------------------------------------------------- JSON helpers

  /** The elements of an array, none for a missing or null node. */
  private static List<JsonNode> array(@Nullable JsonNode node, String goType) {
    List<JsonNode> out = new ArrayList<>();
    if (node == null || node.isMissingNode() || node.isNull()) {
      return out;
    }
    if (!node.isArray()) {
      throw typeError(node, goType);
    }
    node.forEach(out::add);
    return out;
  }

  private static @Nullable String optionalString(@Nullable JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return null;
    }
    return string(node, "string");
  }

  private static String string(JsonNode node, String goType) {
    if (!node.isTextual()) {
      throw typeError(node, goType);
    }
    return node.asText();
  }

  /** Go's decoding error, in the shape {@code encoding/json} words it. */
  private static CniException typeError(JsonNode node, String goType) {
    String kind =
        node.isNumber()
            ? "number"
            : node.isBoolean()
                ? "bool"
                : node.isArray() ? "array" : node.isObject() ? "object" : "string";
    return HostLocalIpam.error(
        "json: cannot unmarshal " + kind + " into Go value of type " + goType);
  }
}
