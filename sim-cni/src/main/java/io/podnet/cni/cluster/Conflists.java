package io.podnet.cni.cluster;

/**
 * The network configuration lists the presets install, in the shapes the real projects ship ({@code
 * 10-flannel.conflist}, {@code 10-calico.conflist}, {@code 05-cilium.conflist}) and the reference
 * plugins' examples; {@code ${podCIDR}} and {@code ${mtu}} are filled in per node.
 */
final class Conflists {

  private Conflists() {}

  static final String FLANNEL =
      """
      {
        "name": "cbr0",
        "cniVersion": "0.3.1",
        "plugins": [
          {
            "type": "flannel",
            "delegate": {
              "hairpinMode": true,
              "isDefaultGateway": true
            }
          },
          {
            "type": "portmap",
            "capabilities": {
              "portMappings": true
            }
          }
        ]
      }
      """;

  static final String CALICO =
      """
      {
        "name": "k8s-pod-network",
        "cniVersion": "0.3.1",
        "plugins": [
          {
            "type": "calico",
            "log_level": "info",
            "datastore_type": "kubernetes",
            "mtu": ${mtu},
            "ipam": {
              "type": "calico-ipam"
            },
            "policy": {
              "type": "k8s"
            },
            "kubernetes": {
              "kubeconfig": "/etc/cni/net.d/calico-kubeconfig"
            }
          },
          {
            "type": "portmap",
            "snat": true,
            "capabilities": {
              "portMappings": true
            }
          }
        ]
      }
      """;

  static final String CILIUM =
      """
      {
        "cniVersion": "0.3.1",
        "name": "cilium",
        "plugins": [
          {
             "type": "cilium-cni",
             "enable-debug": false,
             "log-file": "/var/run/cilium/cilium-cni.log"
          }
        ]
      }
      """;

  static final String BRIDGE =
      """
      {
        "cniVersion": "1.0.0",
        "name": "bridge",
        "plugins": [
          {
            "type": "bridge",
            "bridge": "cni0",
            "isGateway": true,
            "isDefaultGateway": true,
            "hairpinMode": true,
            "ipam": {
              "type": "host-local",
              "ranges": [[{"subnet": "${podCIDR}"}]]
            }
          },
          {
            "type": "portmap",
            "capabilities": {"portMappings": true}
          }
        ]
      }
      """;

  static final String PTP =
      """
      {
        "cniVersion": "1.0.0",
        "name": "ptp",
        "plugins": [
          {
            "type": "ptp",
            "ipam": {
              "type": "host-local",
              "ranges": [[{"subnet": "${podCIDR}"}]],
              "routes": [{"dst": "0.0.0.0/0"}]
            }
          },
          {
            "type": "portmap",
            "capabilities": {"portMappings": true}
          }
        ]
      }
      """;
}
