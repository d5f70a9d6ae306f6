package io.podnet.cni.spec;

import java.util.Objects;

/**
 * A CNI operation that failed with a {@link CniError}: what a plugin returns instead of a result,
 * and what the runtime wraps and reports. The message is the error's {@link CniError#render()}.
 */
public final class CniException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final CniError error;

  /** Wraps {@code error}. */
  public CniException(CniError error) {
    super(Objects.requireNonNull(error, "error").render());
    this.error = error;
  }

  /** Returns an exception carrying {@code CniError.of(code, msg)}. */
  public static CniException of(int code, String msg) {
    return new CniException(CniError.of(code, msg));
  }

  /** Returns an exception carrying {@code CniError.of(code, msg, details)}. */
  public static CniException of(int code, String msg, String details) {
    return new CniException(CniError.of(code, msg, details));
  }

  /** Returns the error. */
  public CniError error() {
    return error;
  }
}
