package io.podnet.cni.plugins;

import io.podnet.cni.runtime.CniPlugin;
import io.podnet.cni.runtime.CniRequest;
import io.podnet.cni.spec.CniException;
import io.podnet.cni.spec.CniResult;
import io.podnet.core.addr.IfAddress;
import io.podnet.core.addr.MacAddress;
import io.podnet.core.net.NetNamespace;

/**
 * The reference {@code loopback} plugin: brings {@code lo} up in the container, which gives it
 * {@code 127.0.0.1/8}; DEL takes it down and succeeds when the namespace is gone.
 */
public final class LoopbackPlugin implements CniPlugin {

  @Override
  public CniResult add(CniRequest request) {
    NetNamespace ns = request.containerNamespace();
    ns.loopback().up();
    return CniResult.builder(request.cniVersion())
        .addInterface(new CniResult.Interface("lo", MacAddress.ZERO, 0, request.netns()))
        .addIp(new CniResult.IpConfig(IfAddress.parse("127.0.0.1/8"), null, 0))
        .build();
  }

  @Override
  public void del(CniRequest request) {
    request.node().namespaceAt(request.netns()).ifPresent(ns -> ns.loopback().down());
  }

  @Override
  public void check(CniRequest request) {
    if (!request.containerNamespace().loopback().isUp()) {
      throw CniException.of(3, "loopback interface is down");
    }
  }
}
