package io.podnet.cni.spec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The error result of the CNI spec (section "Error"): a well-known or plugin-specific code (100 and
 * up), a short message and optional details. Rendered as libcni's {@code types.Error} prints it:
 * {@code msg} or {@code msg; details}.
 */
public final class CniError {

  /** Incompatible CNI version. */
  public static final int INCOMPATIBLE_VERSION = 1;

  /** Unsupported field in network configuration. */
  public static final int UNSUPPORTED_FIELD = 2;

  /** Container unknown or does not exist. */
  public static final int UNKNOWN_CONTAINER = 3;

  /** Invalid necessary environment variables, like CNI_COMMAND or CNI_CONTAINERID. */
  public static final int INVALID_ENVIRONMENT = 4;

  /** I/O failure, for example failed to read network config bytes from stdin. */
  public static final int IO_FAILURE = 5;

  /** Failed to decode content, for example failed to unmarshal network config from bytes. */
  public static final int DECODE_FAILURE = 6;

  /** Invalid network config: valid JSON that is not a usable configuration. */
  public static final int INVALID_CONFIG = 7;

  /** Try again later: a transient condition such as a locked resource. */
  public static final int TRY_AGAIN_LATER = 11;

  /** The plugin is not available (STATUS): it cannot service ADD requests. */
  public static final int PLUGIN_NOT_AVAILABLE = 50;

  /** The plugin has limited connectivity (STATUS): ADD works but may give limited connectivity. */
  public static final int LIMITED_CONNECTIVITY = 51;

  private final int code;
  private final String msg;
  private final String details;

  private CniError(int code, String msg, String details) {
    if (code < 0) {
      throw new IllegalArgumentException("CNI error code must not be negative: " + code);
    }
    this.code = code;
    this.msg = Objects.requireNonNull(msg, "msg");
    this.details = Objects.requireNonNull(details, "details");
  }

  /** Returns an error without details. */
  public static CniError of(int code, String msg) {
    return new CniError(code, msg, "");
  }

  /** Returns an error with details ({@code ""} for none). */
  public static CniError of(int code, String msg, String details) {
    return new CniError(code, msg, details);
  }

  /** Returns the numeric code. */
  public int code() {
    return code;
  }

  /** Returns the short message. */
  public String msg() {
    return msg;
  }

  /** Returns the details, {@code ""} when there are none. */
  public String details() {
    return details;
  }

  /** Returns {@code msg}, or {@code msg; details} when there are details (libcni's Error()). */
  public String render() {
    return details.isEmpty() ? msg : msg + "; " + details;
  }

  /**
   * Returns the error as a plugin writes it to stdout: {@code cniVersion} (omitted when empty),
   * {@code code}, {@code msg}, and {@code details} when not empty.
   */
  public ObjectNode toJson(String cniVersion) {
    ObjectNode node = Json.mapper().createObjectNode();
    if (!cniVersion.isEmpty()) {
      node.put("cniVersion", cniVersion);
    }
    node.put("code", code);
    node.put("msg", msg);
    if (!details.isEmpty()) {
      node.put("details", details);
    }
    return node;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof CniError
        && ((CniError) o).code == code
        && ((CniError) o).msg.equals(msg)
        && ((CniError) o).details.equals(details);
  }

  @Override
  public int hashCode() {
    return Objects.hash(code, msg, details);
  }

  /** Returns {@link #render()}. */
  @Override
  public String toString() {
    return render();
  }
}
