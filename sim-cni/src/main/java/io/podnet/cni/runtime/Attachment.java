package io.podnet.cni.runtime;

/**
 * A container's attachment to a network, the spec's unit of ADD and DEL: a container id and an
 * interface name, both validated as the spec requires.
 *
 * @param containerId the container (sandbox) id
 * @param ifName the interface name inside the container
 */
public record Attachment(String containerId, String ifName) {

  /** Validates both parts. */
  public Attachment {
    if (!isContainerId(containerId)) {
      throw new IllegalArgumentException(
          "invalid container id \"" + containerId + "\" (expected ^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$)");
    }
    if (ifName.isEmpty()
        || ifName.length() > 15
        || ifName.equals(".")
        || ifName.equals("..")
        || hasForbiddenChar(ifName)) {
      throw new IllegalArgumentException(
          "invalid interface name \""
              + ifName
              + "\" (expected 1-15 characters, not . or .., without '/', ':' or whitespace)");
    }
  }

  /** Whether {@code id} matches {@code ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$}, checked without a regex. */
  private static boolean isContainerId(String id) {
    if (id.isEmpty() || !isAsciiAlphanumeric(id.charAt(0))) {
      return false;
    }
    for (int i = 1; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!isAsciiAlphanumeric(c) && c != '_' && c != '.' && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean isAsciiAlphanumeric(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  /** Whether {@code name} has a {@code '/'}, a {@code ':'} or whitespace. */
  private static boolean hasForbiddenChar(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == ':' || Character.isWhitespace(c)) {
        return true;
      }
    }
    return false;
  }
}
