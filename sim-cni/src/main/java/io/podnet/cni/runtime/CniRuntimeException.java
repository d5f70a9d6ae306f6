package io.podnet.cni.runtime;

import io.podnet.cni.spec.CniError;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A failed network operation as the runtime reports it, with libcni's wrapping ({@code plugin
 * type="bridge" failed (add): ...}) and, when a plugin returned one, the spec error underneath.
 */
public final class CniRuntimeException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient @Nullable CniError error;

  CniRuntimeException(String message, @Nullable CniError error) {
    super(message);
    this.error = error;
  }

  /** The plugin's error result, if the failure came from a plugin rather than the runtime. */
  public Optional<CniError> error() {
    return Optional.ofNullable(error);
  }
}
