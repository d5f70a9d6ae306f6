package io.podnet.cni.spec;

import java.util.Objects;

/**
 * A CNI operation that failed with a {@link CniError}: what a plugin returns instead of a result,
 * and what the runtime wraps and reports. The message is the error's {@link CniError#render()}.
 */
public final class CniException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final CniError error;
  private final String pointer;

  /** Wraps {@code error}. */
  public CniException(CniError error) {
    this(error, "");
  }

  private CniException(CniError error, String pointer) {
    super(Objects.requireNonNull(error, "error").render());
    this.error = error;
    this.pointer = Objects.requireNonNull(pointer, "pointer");
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

  /**
   * The same error, located at {@code pointer}: a JSON pointer into the plugin's configuration (its
   * stdin), such as {@code /ipam/ranges/0/0/subnet}, so a runtime can name the line and column of
   * the offending value.
   */
  public CniException at(String pointer) {
    return new CniException(error, pointer);
  }

  /** Where in the plugin's configuration the problem is, as a JSON pointer; "" when not known. */
  public String pointer() {
    return pointer;
  }
}
