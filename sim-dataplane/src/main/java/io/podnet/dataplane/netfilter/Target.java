package io.podnet.dataplane.netfilter;

import io.podnet.core.addr.Ipv4Address;
import org.jspecify.annotations.Nullable;

/** What a rule does when it matches ({@code -j} or {@code -g}), printed as iptables-save does. */
sealed interface Target {

  /** Appends {@code -j NAME options}. */
  void appendSave(StringBuilder out);

  /** ACCEPT, DROP or RETURN. */
  record Verdict(String name) implements Target {
    @Override
    public void appendSave(StringBuilder out) {
      out.append(" -j ").append(name);
    }
  }

  /** {@code -j CHAIN} (a call that returns) or {@code -g CHAIN} (a goto). */
  record Jump(String chain, boolean isGoto) implements Target {
    @Override
    public void appendSave(StringBuilder out) {
      out.append(isGoto ? " -g " : " -j ").append(chain);
    }
  }

  /** {@code -j REJECT --reject-with icmp-...}: drops and answers with an ICMP error. */
  record Reject(String with, int code) implements Target {
    static final String[] NAMES = {
      "icmp-net-unreachable", "icmp-host-unreachable", "icmp-proto-unreachable",
      "icmp-port-unreachable", "icmp-net-prohibited", "icmp-host-prohibited",
      "icmp-admin-prohibited"
    };
    static final int[] CODES = {0, 1, 2, 3, 9, 10, 13};

    @Override
    public void appendSave(StringBuilder out) {
      out.append(" -j REJECT --reject-with ").append(with);
    }
  }

  /** {@code -j MARK --set-xmark value/mask}: {@code mark = (mark & ~mask) ^ value}. */
  record SetMark(int value, int mask) implements Target {
    @Override
    public void appendSave(StringBuilder out) {
      out.append(" -j MARK --set-xmark ");
      Match.hex(out, value);
      out.append('/');
      Match.hex(out, mask);
    }
  }

  /**
   * DNAT ({@code --to-destination}), SNAT ({@code --to-source}) or MASQUERADE (the address of the
   * output device); a port bound of -1 keeps the port; {@code address} is null for MASQUERADE.
   */
  record Nat(
      String kind, @Nullable Ipv4Address address, int portLo, int portHi, boolean randomFully)
      implements Target {
    boolean isDestination() {
      return kind.equals("DNAT");
    }

    @Override
    public void appendSave(StringBuilder out) {
      out.append(" -j ").append(kind);
      if (address != null) {
        out.append(isDestination() ? " --to-destination " : " --to-source ").append(address);
        if (portLo >= 0) {
          out.append(':').append(portLo);
          if (portHi != portLo) {
            out.append('-').append(portHi);
          }
        }
      } else if (portLo >= 0) {
        out.append(" --to-ports ").append(portLo);
        if (portHi != portLo) {
          out.append('-').append(portHi);
        }
      }
      if (randomFully) {
        out.append(" --random-fully");
      }
    }
  }

  /** {@code -j LOG}: counted, otherwise a no-op here (the simulator has no kernel log). */
  record Log(@Nullable String prefix, int level) implements Target {
    @Override
    public void appendSave(StringBuilder out) {
      out.append(" -j LOG");
      if (prefix != null) {
        out.append(" --log-prefix");
        Match.saveString(out, prefix);
      }
      if (level != 4) {
        out.append(" --log-level ").append(level);
      }
    }
  }
}
