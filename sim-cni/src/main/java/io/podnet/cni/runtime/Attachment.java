package io.podnet.cni.runtime;

import java.util.regex.Pattern;

/**
 * A container's attachment to a network, the spec's unit of ADD and DEL: a container id and an
 * interface name, both validated as the spec requires.
 *
 * @param containerId the container (sandbox) id
 * @param ifName the interface name inside the container
 */
public record Attachment(String containerId, String ifName) {

  private static final Pattern CONTAINER_ID = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$");

  /** Validates both parts. */
  public Attachment {
    if (!CONTAINER_ID.matcher(containerId).matches()) {
      throw new IllegalArgumentException(
          "invalid container id \"" + containerId + "\" (expected ^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$)");
    }
    if (ifName.isEmpty()
        || ifName.length() > 15
        || ifName.equals(".")
        || ifName.equals("..")
        || ifName.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c))) {
      throw new IllegalArgumentException(
          "invalid interface name \""
              + ifName
              + "\" (expected 1-15 characters, not . or .., without '/', ':' or whitespace)");
    }
  }
}
