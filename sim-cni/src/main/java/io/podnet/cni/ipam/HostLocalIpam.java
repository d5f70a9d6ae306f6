package io.podnet.cni.ipam;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.cni.runtime.CniPlugin;
import io.podnet.cni.runtime.CniRequest;
import io.podnet.cni.spec.CniException;
import io.podnet.cni.spec.CniResult;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The {@code host-local} IPAM plugin of containernetworking/plugins: hands out one IPv4 address per
 * configured range set from reservations kept on the node's disk, {@code
 * /var/lib/cni/networks/<network>/<ip>} containing {@code <containerID>\r\n<ifname>}, plus {@code
 * last_reserved_ip.<set>} and {@code lock}.
 *
 * <p>It reads the {@code ipam} object of the calling plugin's stdin (a main plugin such as bridge
 * passes its own configuration unchanged), so an IPAM-only network list writes the plugin as {@code
 * {"type":"host-local","ipam":{"type":"host-local","ranges":[[{"subnet":"10.1.0.0/24"}]]}}}.
 * Allocation follows host-local: the first pod on {@code 10.1.0.0/24} gets {@code 10.1.0.2} (the
 * gateway {@code .1} is skipped), the next {@code .3}; a freed address is not reused until the
 * round-robin walk wraps; a full set fails with {@code failed to allocate for range 0: no IP
 * addresses available in range set: 10.1.0.1-10.1.0.254}.
 *
 * <p>Errors carry host-local's texts and, like every plain error that passes through the plugin
 * skeleton, code 999 ({@code types.ErrInternal}); only PodNet's own limit, IPv6 ranges, is code 7.
 * The result has addresses, gateways and the configured routes but no interfaces. DEL releases
 * whatever the attachment holds and succeeds when it holds nothing. CHECK, as in host-local, only
 * asks whether the attachment holds at least one address. GC (CNI 1.1) releases the reservations of
 * every attachment missing from {@code cni.dev/valid-attachments}; host-local itself does not
 * implement GC yet, so this is what the spec asks of an IPAM plugin rather than a copy.
 */
public final class HostLocalIpam implements CniPlugin {

  /** The code the plugin skeleton gives a plain Go error ({@code types.ErrInternal}). */
  static final int ERR_INTERNAL = 999;

  /** A host-local plugin; it keeps no state outside the node's file system. */
  public HostLocalIpam() {}

  /** A host-local error: code 999 with {@code msg}. */
  static CniException error(String msg) {
    return CniException.of(ERR_INTERNAL, msg);
  }

  /**
   * A host-local error with PodNet's {@code details} saying what was expected (host-local itself
   * gives none; the spec's details field carries it without changing the message).
   */
  static CniException error(String msg, String details) {
    return CniException.of(ERR_INTERNAL, msg, details);
  }

  @Override
  public void validate(CniRequest request) {
    IpamConfig.load(request);
  }

  @Override
  public CniResult add(CniRequest request) {
    IpamConfig config = IpamConfig.load(request);
    DiskStore store = DiskStore.open(request.node().files(), config.dataDir(), config.name());
    String id = request.containerId();
    String ifName = request.ifName();

    List<IpamConfig.RequestedIp> requested = new ArrayList<>(config.requested());
    List<CniResult.IpConfig> ips = new ArrayList<>();
    for (int idx = 0; idx < config.rangeSets().size(); idx++) {
      RangeSet set = config.rangeSets().get(idx);
      Optional<Integer> wanted = Optional.empty();
      for (IpamConfig.RequestedIp ip : requested) {
        if (ip.ipv4() && set.contains(ip.bits())) {
          wanted = Optional.of(ip.bits());
          requested.remove(ip);
          break;
        }
      }
      try {
        ips.add(new Allocator(set, store, idx).get(id, ifName, wanted));
      } catch (CniException e) {
        if (!ips.isEmpty()) {
          store.releaseById(id, ifName);
        }
        throw error("failed to allocate for range " + idx + ": " + e.error().msg());
      }
    }
    if (!requested.isEmpty()) {
      if (!ips.isEmpty()) {
        store.releaseById(id, ifName);
      }
      throw error(
          "failed to allocate all requested IPs: "
              + requested.stream()
                  .map(IpamConfig.RequestedIp::text)
                  .collect(Collectors.joining(" ")));
    }

    CniResult.Builder result = CniResult.builder(request.cniVersion());
    ips.forEach(result::addIp);
    config.routes().forEach(result::addRoute);
    return result.build();
  }

  @Override
  public void del(CniRequest request) {
    IpamConfig config = IpamConfig.load(request);
    DiskStore store = DiskStore.open(request.node().files(), config.dataDir(), config.name());
    store.releaseById(request.containerId(), request.ifName());
  }

  @Override
  public void check(CniRequest request) {
    IpamConfig config = IpamConfig.load(request);
    DiskStore store = DiskStore.open(request.node().files(), config.dataDir(), config.name());
    if (!store.findById(request.containerId(), request.ifName())) {
      throw error("host-local: Failed to find address added by container " + request.containerId());
    }
  }

  @Override
  public void gc(CniRequest request) {
    IpamConfig config = IpamConfig.load(request);
    DiskStore store = DiskStore.open(request.node().files(), config.dataDir(), config.name());
    Set<List<String>> valid = validAttachments(request.config().get("cni.dev/valid-attachments"));
    Set<String> validIds = new LinkedHashSet<>();
    valid.forEach(a -> validIds.add(a.get(0)));
    // a reservation in the old one-line format names only its container
    store.releaseUnless(
        owner -> owner.size() == 1 ? validIds.contains(owner.get(0)) : valid.contains(owner));
  }

  /** The {@code [containerID, ifname]} pairs of {@code cni.dev/valid-attachments}. */
  private static Set<List<String>> validAttachments(@Nullable JsonNode node) {
    Set<List<String>> out = new LinkedHashSet<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isArray()) {
      throw error(
          "json: cannot unmarshal "
              + node.getNodeType().name().toLowerCase(Locale.ROOT)
              + " into Go struct field NetConf.cni.dev/valid-attachments of type []types.GCAttachment");
    }
    for (JsonNode a : node) {
      out.add(List.of(a.path("containerID").asText("").strip(), a.path("ifname").asText("")));
    }
    return out;
  }
}
