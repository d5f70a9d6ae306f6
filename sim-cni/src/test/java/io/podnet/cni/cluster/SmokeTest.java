package io.podnet.cni.cluster;

import io.podnet.core.net.Iproute2;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void smoke() {
    Cluster c = Cluster.bridge().nodes(2).seed(7).build();
    Pod a = c.runPod("default/web-1");
    Pod b = c.runPod("web-2");
    Pod d = c.runPod("web-3");
    System.out.println(Kubectl.getPodsWide(c));
    System.out.println(Kubectl.describePod(c, "web-1"));
    System.out.println(a.requireNetns().ping(b.requireIp()));
    System.out.println(a.requireNetns().ping(d.requireIp()));
    System.out.println(Iproute2.ipLinkShow(c.node("node-1").host().root()));
    System.out.println(Iproute2.ipLinkShow(a.requireNetns()));
    System.out.println(Iproute2.ipRouteShow(a.requireNetns()));
    c.node("node-1").runtime().removePlugin("bridge");
    Pod e = c.runPod("web-4");
    System.out.println(Kubectl.getPodsWide(c));
    System.out.println(Kubectl.describePod(c, "web-4"));
    c.node("node-1").runtime().installPlugin("bridge");
    c.run(11_000_000_000L);
    System.out.println(Kubectl.getPodsWide(c));
    System.out.println(Kubectl.describePod(c, "web-4"));
    c.deletePod("web-1");
    System.out.println(Kubectl.getPodsWide(c));
    System.out.println(c.teardowns());
    System.out.println(c.node("node-1").host().files().paths());
  }
}
