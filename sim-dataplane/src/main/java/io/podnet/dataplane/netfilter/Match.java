package io.podnet.dataplane.netfilter;

import io.podnet.core.addr.Ipv4Address;

/**
 * One {@code -m} match module of a rule with its options, printed the way the module's {@code save}
 * function in iptables' extensions prints it. The fast evaluator compiles the common ones (ports,
 * marks, connection states) into primitive arrays; the others are checked by {@link Netfilter}.
 */
sealed interface Match {

  /** Appends {@code -m name options} as iptables-save prints it. */
  void appendSave(StringBuilder out);

  /**
   * {@code -m tcp}, {@code -m udp} or {@code -m sctp}: source and destination port or range, each
   * possibly negated; a bound of -1 means the option is absent.
   */
  record Ports(
      String module,
      int sportLo,
      int sportHi,
      boolean invSport,
      int dportLo,
      int dportHi,
      boolean invDport)
      implements Match {
    @Override
    public void appendSave(StringBuilder out) {
      out.append(" -m ").append(module);
      if (sportLo >= 0) {
        port(out, invSport, "--sport", sportLo, sportHi);
      }
      if (dportLo >= 0) {
        port(out, invDport, "--dport", dportLo, dportHi);
      }
    }

    private static void port(StringBuilder out, boolean inv, String opt, int lo, int hi) {
      out.append(inv ? " ! " : " ").append(opt).append(' ').append(lo);
      if (hi != lo) {
        out.append(':').append(hi);
      }
    }
  }

  /** {@code -m comment --comment text}: matches everything, documents the rule. */
  record Comment(String text) implements Match {
    @Override
    public void appendSave(StringBuilder out) {
      out.append(" -m comment --comment");
      saveString(out, text);
    }
  }

  /**
   * {@code -m nfacct --nfacct-name NAME}: extended accounting, which counts the packets into a
   * named accounting object and always matches; PodNet keeps no accounting objects.
   */
  record Nfacct(String name) implements Match {
    @Override
    public void appendSave(StringBuilder out) {
      out.append(" -m nfacct --nfacct-name ").append(name);
    }
  }

  /**
   * {@code -m addrtype}: the routing type of the source and destination address ({@code LOCAL},
   * {@code UNICAST}, {@code BROADCAST}, {@code MULTICAST}); null for an absent side.
   */
  record AddrType(
      @org.jspecify.annotations.Nullable String srcType,
      boolean invSrc,
      @org.jspecify.annotations.Nullable String dstType,
      boolean invDst)
      implements Match {
    @Override
    public void appendSave(StringBuilder out) {
      out.append(" -m addrtype");
      if (srcType != null) {
        out.append(invSrc ? " ! " : " ").append("--src-type ").append(srcType);
      }
      if (dstType != null) {
        out.append(invDst ? " ! " : " ").append("--dst-type ").append(dstType);
      }
    }
  }

  /** {@code -m mark --mark value/mask}: {@code (skb->mark & mask) == value}. */
  record Mark(int value, int mask, boolean inverted) implements Match {
    @Override
    public void appendSave(StringBuilder out) {
      out.append(" -m mark").append(inverted ? " ! " : " ").append("--mark ");
      hex(out, value);
      if (mask != -1) {
        out.append('/');
        hex(out, mask);
      }
    }
  }

  /**
   * {@code -m statistic --mode random --probability p}: the kernel keeps p as a 31-bit fraction
   * ({@code lround(p * 2^31)}) and matches when a random 31-bit draw is below it; iptables-save
   * prints the stored fraction with 11 decimals, so {@code 0.3333333333} comes back as {@code
   * 0.33333333349}.
   */
  record Statistic(long probability, boolean inverted) implements Match {
    @Override
    public void appendSave(StringBuilder out) {
      out.append(" -m statistic --mode random")
          .append(inverted ? " ! " : " ")
          .append("--probability ")
          .append(String.format(java.util.Locale.ROOT, "%.11f", probability / 2147483648.0));
    }
  }

  /**
   * {@code -m recent}: a named list of recently seen addresses with their last-seen times ({@code
   * --set} adds, {@code --rcheck} checks, {@code --update} checks and refreshes, {@code --remove}
   * deletes; {@code --seconds} bounds the age; {@code --reap} drops older entries), keyed by the
   * source ({@code --rsource}) or destination ({@code --rdest}) address under {@code --mask}.
   */
  record Recent(
      int command,
      int seconds,
      boolean reap,
      int hitCount,
      String name,
      int mask,
      boolean source,
      boolean inverted)
      implements Match {
    static final int SET = 1;
    static final int CHECK = 2;
    static final int UPDATE = 3;
    static final int REMOVE = 4;

    @Override
    public void appendSave(StringBuilder out) {
      out.append(" -m recent");
      if (inverted) {
        out.append(" !");
      }
      out.append(
          switch (command) {
            case SET -> " --set";
            case CHECK -> " --rcheck";
            case UPDATE -> " --update";
            default -> " --remove";
          });
      if (seconds > 0) {
        out.append(" --seconds ").append(seconds);
      }
      if (reap) {
        out.append(" --reap");
      }
      if (hitCount > 0) {
        out.append(" --hitcount ").append(hitCount);
      }
      out.append(" --name ").append(name).append(" --mask ").append(Ipv4Address.of(mask));
      out.append(source ? " --rsource" : " --rdest");
    }
  }

  /** {@code -m conntrack --ctstate}: the packet's connection tracking state, a set of bits. */
  record CtState(int states, boolean inverted) implements Match {
    static final String[] NAMES = {
      "INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED", "SNAT", "DNAT"
    };
    static final int INVALID = 1;
    static final int NEW = 2;
    static final int RELATED = 4;
    static final int ESTABLISHED = 8;
    static final int UNTRACKED = 16;
    static final int SNAT = 32;
    static final int DNAT = 64;

    @Override
    public void appendSave(StringBuilder out) {
      out.append(" -m conntrack").append(inverted ? " ! " : " ").append("--ctstate ");
      boolean first = true;
      for (int i = 0; i < NAMES.length; i++) {
        if ((states & 1 << i) != 0) {
          out.append(first ? "" : ",").append(NAMES[i]);
          first = false;
        }
      }
    }
  }

  /**
   * An interface wildcard ({@code -i veth+}) compiled for the slow path; the rule prints it with
   * its basic options, so it prints nothing itself.
   */
  record Wildcard(String prefix, boolean in, boolean inverted) implements Match {
    @Override
    public void appendSave(StringBuilder out) {}
  }

  /** Appends {@code 0x...} in lower-case hex, as iptables prints marks. */
  static void hex(StringBuilder out, int value) {
    out.append("0x").append(Integer.toHexString(value));
  }

  /**
   * Appends a space and {@code value} the way {@code xtables_save_string} does: bare when it is
   * only letters, digits, {@code _} and {@code -}, else in double quotes with {@code "}, {@code \}
   * and {@code '} escaped by a backslash.
   */
  static void saveString(StringBuilder out, String value) {
    boolean bare = !value.isEmpty();
    for (int i = 0; i < value.length() && bare; i++) {
      char c = value.charAt(i);
      bare =
          c == '_'
              || c == '-'
              || (c >= '0' && c <= '9')
              || (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z');
    }
    out.append(' ');
    if (bare) {
      out.append(value);
      return;
    }
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\' || c == '\'') {
        out.append('\\');
      }
      out.append(c);
    }
    out.append('"');
  }
}
