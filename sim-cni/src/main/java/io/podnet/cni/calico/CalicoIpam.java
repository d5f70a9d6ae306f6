package io.podnet.cni.calico;

import io.podnet.cni.runtime.CniPlugin;
import io.podnet.cni.runtime.CniRequest;
import io.podnet.cni.spec.CniException;
import io.podnet.cni.spec.CniResult;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.Ipv4Address;

/**
 * The {@code calico-ipam} plugin: one /32 per pod from the node's affine blocks in the shared
 * {@link CalicoDatastore}, under the handle {@code <network>.<containerID>}; DEL releases the
 * handle and succeeds when it holds nothing.
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
            .orElseThrow(
                () ->
                    CniException.of(
                        999,
                        "failed to request IPv4 addresses: no more free affine blocks and"
                            + " strict affinity is not enabled"));
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
