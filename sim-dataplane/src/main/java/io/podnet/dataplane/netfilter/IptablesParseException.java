package io.podnet.dataplane.netfilter;

/**
 * {@code iptables-restore} input that cannot be applied: names the file, the line, the column and
 * the offending token; the message reads {@code rules.v4:12:40: unknown target or chain KUBE-SVC-X
 * (at "KUBE-SVC-X")}. Nothing of the input was applied.
 */
public final class IptablesParseException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;
  private final int column;
  private final String token;

  IptablesParseException(String file, int line, int column, String token, String problem) {
    super(file + ":" + line + ":" + column + ": " + problem + " (at \"" + token + "\")");
    this.file = file;
    this.line = line;
    this.column = column;
    this.token = token;
  }

  /** The file name given to the parser. */
  public String file() {
    return file;
  }

  /** The 1-based line number. */
  public int line() {
    return line;
  }

  /** The 1-based column of the token. */
  public int column() {
    return column;
  }

  /** The offending token. */
  public String token() {
    return token;
  }
}
