package io.podnet.cni.spec;

import java.util.Objects;

/**
 * A network configuration file that cannot be used, with the libcni text and where in the file the
 * problem is: {@code 10-bridge.conflist:1:1: error parsing configuration list: no name}. The code
 * is {@link CniError#DECODE_FAILURE} for content that is not JSON, {@link CniError#INVALID_CONFIG}
 * for JSON that is not a valid configuration, and {@link CniError#INCOMPATIBLE_VERSION} for a
 * version no plugin speaks.
 */
public final class CniConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final CniError error;
  private final String file;
  private final int line;
  private final int column;

  /**
   * Creates the exception; {@code line} and {@code column} are 1-based, 0 when not known.
   *
   * @throws IllegalArgumentException if a position is negative
   */
  public CniConfigException(CniError error, String file, int line, int column) {
    super(format(error, file, line, column));
    if (line < 0 || column < 0) {
      throw new IllegalArgumentException("line and column must be >= 0: " + line + ":" + column);
    }
    this.error = error;
    this.file = file;
    this.line = line;
    this.column = column;
  }

  private static String format(CniError error, String file, int line, int column) {
    Objects.requireNonNull(error, "error");
    StringBuilder sb = new StringBuilder(Objects.requireNonNull(file, "file"));
    if (line > 0) {
      sb.append(':').append(line);
      if (column > 0) {
        sb.append(':').append(column);
      }
    }
    String text = error.render().replace('\n', ' ');
    return sb.append(": ").append(text).toString();
  }

  /** Returns the error (code and libcni text). */
  public CniError error() {
    return error;
  }

  /** Returns the file name as given to the parser. */
  public String file() {
    return file;
  }

  /** Returns the 1-based line of the problem, 0 when not known. */
  public int line() {
    return line;
  }

  /** Returns the 1-based column of the problem, 0 when not known. */
  public int column() {
    return column;
  }
}
