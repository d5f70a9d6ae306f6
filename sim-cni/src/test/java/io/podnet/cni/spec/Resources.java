package io.podnet.cni.spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads test resources from {@code src/test/resources}. */
final class Resources {

  private Resources() {}

  static String conflist(String name) {
    try (InputStream in = Resources.class.getResourceAsStream("/conflists/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource /conflists/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
