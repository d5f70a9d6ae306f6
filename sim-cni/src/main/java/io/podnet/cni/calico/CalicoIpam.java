package io.podnet.cni.calico;

import io.podnet.cni.runtime.CniPlugin;
import io.podnet.cni.runtime.CniRequest;
import io.podnet.cni.spec.CniException;
import io.podnet.cni.spec.CniResult;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;
import java.util.stream.Collectors;

/**
 * The {@code calico-ipam} plugin: one /32 per pod from the shared {@link CalicoDatastore} (the
 * node's affine blocks first, another node's block last), under the handle {@code
 * <network>.<containerID>}; DEL releases the handle and succeeds when it holds nothing. When every
 * pool is full ADD fails with code 999 and Calico's text ({@code failed to request IPv4 addresses:
 * Assigned 0 out of 1 requested IPv4 addresses; No IPs available in pools: [10.244.0.0/29]}).
 */
public final class CalicoIpam implements CniPlugin {

  @Override
  public CniResult add(CniRequest request) {
    CalicoDatastore store = datastore(request);
    if (store.pools().isEmpty()) {
      throw CniException.of(999, "no configured Calico pools for node " + node(request));
    }
    Ipv4Address ip =
        store
            .assign(node(request), handle(request), request.node().random("calico-ipam"))
            .orElseThrow(() -> CniException.of(999, exhausted(store)));
    return CniResult.builder(request.cniVersion())
        .addIp(new CniResult.IpConfig(IfAddress.of(ip, 32), null, -1))
        .build();
  }

  @Override
  public void del(CniRequest request) {
    datastore(request).release(handle(request));
  }

  @Override
  public void check(CniRequest request) {
    if (!datastore(request).allocations().containsValue(handle(request))) {
      throw CniException.of(999, "no IP allocated for handle " + handle(request));
    }
  }

  /**
   * The plugin's error when every pool is full: libcalico-go's {@code PartialFulfillmentError}
   * ({@code Assigned 0 out of 1 requested IPv4 addresses}, then the message {@code No IPs available
   * in pools: [<cidr> ...]} of its non-affine search, the pools as Go prints a string slice),
   * wrapped by calico-ipam as {@code failed to request IPv4 addresses: ...}.
   */
  private static String exhausted(CalicoDatastore store) {
    return "failed to request IPv4 addresses: Assigned 0 out of 1 requested IPv4 addresses;"
        + " No IPs available in pools: "
        + store.pools().stream()
            .map(p -> p.cidr().toString())
            .collect(Collectors.joining(" ", "[", "]"));
  }

  static CalicoDatastore datastore(CniRequest request) {
    return request.node().host().network().shared(CalicoDatastore.class, CalicoDatastore::new);
  }

  private static String node(CniRequest request) {
    return request.node().host().name();
  }

  private static String handle(CniRequest request) {
    return request.networkName() + "." + request.containerId();
  }
}
