package io.podnet.cni.runtime;

import io.podnet.cni.spec.CniResult;
import io.podnet.cni.spec.CniVersions;
import java.util.List;

/**
 * A CNI plugin: what one executable in {@code /opt/cni/bin} does, as an object. The runtime calls
 * it with a {@link CniRequest} (the environment variables and the JSON on stdin); it reports
 * failure by throwing {@link io.podnet.cni.spec.CniException} with a spec error code. Register an
 * implementation in a {@link PluginRegistry} under its type name, and install it on a node with
 * {@link CniRuntime#installPlugin(String)}.
 */
public interface CniPlugin {

  /** The CNI versions this plugin supports (answered to VERSION). */
  default List<String> supportedVersions() {
    return CniVersions.SUPPORTED;
  }

  /**
   * Checks the plugin's own configuration (the request's stdin) without touching the node, so that
   * a bad configuration is refused before any pod uses it. Throws {@link
   * io.podnet.cni.spec.CniException} with the error ADD would give. The default accepts anything.
   */
  default void validate(CniRequest request) {}

  /** ADD: attach the container to the network and return the result. */
  CniResult add(CniRequest request);

  /** DEL: release what ADD created; must succeed when it is already gone. */
  void del(CniRequest request);

  /** CHECK: verify that what ADD created is still in place (the cached result is prevResult). */
  void check(CniRequest request);

  /** STATUS: whether the plugin is ready to accept ADDs; throws code 50 or 51 when not. */
  default void status(CniRequest request) {}

  /**
   * GC: release resources not owned by any of the valid attachments listed in the request's {@code
   * cni.dev/valid-attachments}.
   */
  default void gc(CniRequest request) {}
}
