package io.podnet.core.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The names {@code getservbyport(3)} gives TCP ports, from the {@code /etc/services} of Debian 12's
 * netbase ({@code services-tcp.txt} next to this class): what {@code nc -v} prints in brackets
 * ({@code [tcp/http]}), or {@code *} for a port the file does not name.
 */
final class ServiceNames {

  private static final Map<Integer, String> TCP = load();

  private ServiceNames() {}

  /** The service name of TCP port {@code port}, or {@code *} when it has none. */
  static String tcp(int port) {
    return TCP.getOrDefault(port, "*");
  }

  private static Map<Integer, String> load() {
    Map<Integer, String> names = new HashMap<>();
    try (InputStream in =
            Objects.requireNonNull(
                ServiceNames.class.getResourceAsStream("services-tcp.txt"), "services-tcp.txt");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.startsWith("#") && !line.isBlank()) {
          String[] f = line.split(" ");
          names.put(Integer.parseInt(f[0]), f[1]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.copyOf(names);
  }
}
