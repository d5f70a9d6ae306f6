package io.podnet.cni.plugins;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.cni.runtime.CniPlugin;
import io.podnet.cni.runtime.CniRequest;
import io.podnet.cni.spec.CniError;
import io.podnet.cni.spec.CniException;
import io.podnet.cni.spec.CniResult;

/**
 * The reference {@code portmap} plugin, chained only ({@code capabilities: {"portMappings":
 * true}}). Without port mappings it passes the previous result through. With mappings it needs the
 * netfilter model (the {@code CNI-HOSTPORT-DNAT} chains), which PodNet does not have yet, so it
 * refuses them with code 2 rather than pretend.
 */
public final class PortmapPlugin implements CniPlugin {

  @Override
  public CniResult add(CniRequest request) {
    CniResult prev =
        request
            .prevResult()
            .orElseThrow(
                () -> CniException.of(CniError.INVALID_CONFIG, "must be called as chained plugin"));
    JsonNode mappings = request.runtimeConfig().path("portMappings");
    if (mappings.isArray() && !mappings.isEmpty()) {
      throw CniException.of(
          CniError.UNSUPPORTED_FIELD,
          "portMappings need the netfilter model, which PodNet does not have yet");
    }
    return prev;
  }

  @Override
  public void del(CniRequest request) {
    // Nothing was programmed, so there is nothing to remove.
  }

  @Override
  public void check(CniRequest request) {
    request
        .prevResult()
        .orElseThrow(
            () -> CniException.of(CniError.INVALID_CONFIG, "must be called as chained plugin"));
  }
}
