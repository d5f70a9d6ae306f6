package io.podnet.dataplane.netfilter;

import io.podnet.core.addr.Ipv4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One rule of a chain: the basic matches ({@code -s}, {@code -d}, {@code -i}, {@code -o}, {@code
 * -p}, each possibly negated with {@code !}), the {@code -m} modules in the order given, and the
 * target. Immutable; {@link #toString()} is the rule as {@code iptables-save} prints it, which is
 * also the text packet walks show when the rule matches.
 */
public final class Rule {

  /** A word of a rule line with its 1-based column, for error messages. */
  record Token(String text, int column) {}

  /** A parse failure at a token; the caller adds the file and line. */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final Token token;

    Failure(Token token, String message) {
      super(message, null, false, false);
      this.token = token;
    }
  }

  final String chain;
  final int src;
  final int srcPrefix;
  final boolean invSrc;
  final int dst;
  final int dstPrefix;
  final boolean invDst;
  final @Nullable String in;
  final boolean invIn;
  final @Nullable String out;
  final boolean invOut;
  final int proto;
  final boolean invProto;
  final List<Match> matches;
  final @Nullable Target target;
  final @Nullable Token targetToken;

  /** The iptables-save text, made the first time it is asked for (most rules never are). */
  private @Nullable String text;

  private Rule(Builder b, String chain) {
    this.chain = chain;
    this.src = b.src;
    this.srcPrefix = b.srcPrefix;
    this.invSrc = b.invSrc;
    this.dst = b.dst;
    this.dstPrefix = b.dstPrefix;
    this.invDst = b.invDst;
    this.in = b.in;
    this.invIn = b.invIn;
    this.out = b.out;
    this.invOut = b.invOut;
    this.proto = b.proto;
    this.invProto = b.invProto;
    this.matches = List.copyOf(b.matches);
    this.target = b.target;
    this.targetToken = b.targetToken;
  }

  /** The chain the rule is in. */
  public String chain() {
    return chain;
  }

  /** The rule as iptables-save prints it: {@code -A CHAIN ... -j TARGET ...}. */
  @Override
  public String toString() {
    String t = text;
    if (t == null) {
      t = render();
      text = t;
    }
    return t;
  }

  /** Whether {@code o} is the same rule: same chain, matches and target. */
  boolean sameAs(Rule o) {
    return chain.equals(o.chain)
        && src == o.src
        && srcPrefix == o.srcPrefix
        && invSrc == o.invSrc
        && dst == o.dst
        && dstPrefix == o.dstPrefix
        && invDst == o.invDst
        && Objects.equals(in, o.in)
        && invIn == o.invIn
        && Objects.equals(out, o.out)
        && invOut == o.invOut
        && proto == o.proto
        && invProto == o.invProto
        && matches.equals(o.matches)
        && Objects.equals(target, o.target);
  }

  private String render() {
    StringBuilder sb = new StringBuilder("-A ").append(chain);
    if (srcPrefix >= 0) {
      sb.append(invSrc ? " ! -s " : " -s ")
          .append(Ipv4Address.of(src))
          .append('/')
          .append(srcPrefix);
    }
    if (dstPrefix >= 0) {
      sb.append(invDst ? " ! -d " : " -d ")
          .append(Ipv4Address.of(dst))
          .append('/')
          .append(dstPrefix);
    }
    if (in != null) {
      sb.append(invIn ? " ! -i " : " -i ").append(in);
    }
    if (out != null) {
      sb.append(invOut ? " ! -o " : " -o ").append(out);
    }
    if (proto >= 0) {
      sb.append(invProto ? " ! -p " : " -p ").append(protoName(proto));
    }
    for (Match m : matches) {
      m.appendSave(sb);
    }
    if (target != null) {
      target.appendSave(sb);
    }
    return sb.toString();
  }

  static String protoName(int proto) {
    return switch (proto) {
      case 1 -> "icmp";
      case 6 -> "tcp";
      case 17 -> "udp";
      case 132 -> "sctp";
      default -> Integer.toString(proto);
    };
  }

  private static int protoNumber(Token t) {
    return switch (t.text().toLowerCase(Locale.ROOT)) {
      case "icmp" -> 1;
      case "tcp" -> 6;
      case "udp" -> 17;
      case "sctp" -> 132;
      case "all" -> -1;
      default -> {
        int n = number(t, 0, 255, "protocol");
        yield n == 0 ? -1 : n;
      }
    };
  }

  // ---------------------------------------------------------------- parsing

  /**
   * Parses the options of one rule, {@code tokens[from..]}, for {@code chain}; targets are checked
   * against built-in names only (chains are resolved by the caller).
   */
  static Rule parse(String chain, List<Token> tokens, int from) {
    Builder b = new Builder();
    int i = from;
    while (i < tokens.size()) {
      Token t = tokens.get(i++);
      boolean inv = false;
      if (t.text().equals("!")) {
        inv = true;
        if (i >= tokens.size()) {
          throw new Failure(t, "'!' must be followed by an option");
        }
        t = tokens.get(i++);
      }
      String opt = t.text();
      if (b.target != null && !opt.startsWith("--")) {
        throw new Failure(t, "unexpected " + opt + " after the target");
      }
      switch (opt) {
        case "-s", "--source" -> {
          Token v = value(tokens, i++, t);
          int[] c = cidr(v);
          b.src = c[0];
          b.srcPrefix = c[1];
          b.invSrc = inv;
        }
        case "-d", "--destination" -> {
          Token v = value(tokens, i++, t);
          int[] c = cidr(v);
          b.dst = c[0];
          b.dstPrefix = c[1];
          b.invDst = inv;
        }
        case "-i", "--in-interface" -> {
          b.in = iface(value(tokens, i++, t));
          b.invIn = inv;
        }
        case "-o", "--out-interface" -> {
          b.out = iface(value(tokens, i++, t));
          b.invOut = inv;
        }
        case "-p", "--protocol" -> {
          b.protoToken = t;
          b.proto = protoNumber(value(tokens, i++, t));
          b.invProto = inv;
        }
        case "-m", "--match" -> {
          noInvert(inv, t);
          Token name = value(tokens, i++, t);
          b.modules.add(new Module(name));
          b.matchesPlaceholder(b.modules.size() - 1);
        }
        case "-j", "--jump", "-g", "--goto" -> {
          noInvert(inv, t);
          Token name = value(tokens, i++, t);
          b.targetToken = name;
          b.startTarget(name, opt.startsWith("-g") || opt.equals("--goto"));
        }
        default -> {
          if (!opt.startsWith("--")) {
            throw new Failure(
                t, "unknown option " + opt + " (expected an option such as -s, -p, -m, -j)");
          }
          i = b.option(t, inv, tokens, i);
        }
      }
    }
    return b.build(chain);
  }

  private static void noInvert(boolean inv, Token t) {
    if (inv) {
      throw new Failure(t, "'!' is not allowed before " + t.text());
    }
  }

  static Token value(List<Token> tokens, int i, Token option) {
    if (i >= tokens.size()) {
      throw new Failure(option, option.text() + " needs a value");
    }
    return tokens.get(i);
  }

  private static String iface(Token t) {
    String s = t.text();
    if (s.isEmpty() || s.length() > 15 || s.indexOf('/') >= 0) {
      throw new Failure(t, "bad interface name: " + s);
    }
    return s;
  }

  /** An address with an optional prefix, as {address, prefix}, the address masked. */
  static int[] cidr(Token t) {
    String s = t.text();
    int slash = s.indexOf('/');
    try {
      int addr = Ipv4Address.parse(slash < 0 ? s : s.substring(0, slash)).toInt();
      int prefix = 32;
      if (slash >= 0) {
        String p = s.substring(slash + 1);
        prefix =
            p.indexOf('.') >= 0 ? maskLength(t, Ipv4Address.parse(p).toInt()) : Integer.parseInt(p);
      }
      if (prefix < 0 || prefix > 32) {
        throw new Failure(t, "prefix length must be in [0, 32]: " + s);
      }
      return new int[] {addr & mask(prefix), prefix};
    } catch (IllegalArgumentException e) {
      throw new Failure(t, "bad address: " + s + " (expected a.b.c.d or a.b.c.d/len)");
    }
  }

  private static int maskLength(Token t, int mask) {
    int len = Integer.bitCount(mask);
    if (mask != mask(len)) {
      throw new Failure(t, "non-contiguous mask: " + t.text());
    }
    return len;
  }

  static int mask(int prefix) {
    return prefix == 0 ? 0 : -1 << (32 - prefix);
  }

  static int number(Token t, long min, long max, String what) {
    String s = t.text();
    try {
      long v =
          s.startsWith("0x") || s.startsWith("0X")
              ? Long.parseLong(s.substring(2), 16)
              : Long.parseLong(s);
      if (v < min || v > max) {
        throw new Failure(t, what + " must be in [" + min + ", " + max + "]: " + s);
      }
      return (int) v;
    } catch (NumberFormatException e) {
      throw new Failure(
          t, "bad " + what + ": " + s + " (expected a number from " + min + " to " + max + ")");
    }
  }

  /** {lo, hi} of {@code port} or {@code lo:hi}. */
  static int[] portRange(Token t, char sep) {
    String s = t.text();
    int c = s.indexOf(sep);
    Token lo = new Token(c < 0 ? s : s.substring(0, c), t.column());
    Token hi = new Token(c < 0 ? s : s.substring(c + 1), t.column());
    int a = number(lo, 0, 65535, "port");
    int b = number(hi, 0, 65535, "port");
    if (a > b) {
      throw new Failure(t, "bad port range: " + s + " (expected lo" + sep + "hi with lo <= hi)");
    }
    return new int[] {a, b};
  }

  /** A {@code -m} module being parsed. */
  private static final class Module {
    final Token name;
    // ports
    int sportLo = -1;
    int sportHi = -1;
    boolean invSport;
    int dportLo = -1;
    int dportHi = -1;
    boolean invDport;
    // comment
    @Nullable String comment;
    // nfacct
    @Nullable String nfacctName;
    // addrtype
    @Nullable String srcType;
    boolean invSrcType;
    @Nullable String dstType;
    boolean invDstType;
    // mark
    int markValue;
    int markMask = -1;
    boolean markSet;
    boolean inverted;
    // statistic
    @Nullable String mode;
    long probability = -1;
    // recent
    int command;
    int seconds;
    boolean reap;
    int hitCount;
    String recentName = "DEFAULT";
    int recentMask = -1;
    boolean recentSource = true;
    // conntrack
    int states;

    Module(Token name) {
      this.name = name;
      if (!List.of(
              "tcp",
              "udp",
              "sctp",
              "comment",
              "nfacct",
              "addrtype",
              "mark",
              "statistic",
              "recent",
              "conntrack")
          .contains(name.text())) {
        throw new Failure(
            name,
            "unknown match module "
                + name.text()
                + " (expected tcp, udp, sctp, comment, nfacct, addrtype, mark, statistic, recent or"
                + " conntrack)");
      }
    }

    boolean isPorts() {
      String n = name.text();
      return n.equals("tcp") || n.equals("udp") || n.equals("sctp");
    }

    /** Consumes an option; returns the next index, or -1 when the option is not this module's. */
    int option(Token t, boolean inv, List<Token> tokens, int i) {
      String n = name.text();
      String opt = t.text();
      if (isPorts()) {
        switch (opt) {
          case "--sport", "--source-port" -> {
            int[] r = portRange(value(tokens, i, t), ':');
            sportLo = r[0];
            sportHi = r[1];
            invSport = inv;
            return i + 1;
          }
          case "--dport", "--destination-port" -> {
            int[] r = portRange(value(tokens, i, t), ':');
            dportLo = r[0];
            dportHi = r[1];
            invDport = inv;
            return i + 1;
          }
          default -> {
            return -1;
          }
        }
      }
      switch (n) {
        case "comment" -> {
          if (!opt.equals("--comment")) {
            return -1;
          }
          comment = value(tokens, i, t).text();
          return i + 1;
        }
        case "nfacct" -> {
          if (!opt.equals("--nfacct-name")) {
            return -1;
          }
          nfacctName = value(tokens, i, t).text();
          return i + 1;
        }
        case "addrtype" -> {
          if (!opt.equals("--src-type") && !opt.equals("--dst-type")) {
            return -1;
          }
          Token v = value(tokens, i, t);
          String type = v.text();
          if (!List.of("LOCAL", "UNICAST", "BROADCAST", "MULTICAST").contains(type)) {
            throw new Failure(v, "unknown address type " + type);
          }
          if (opt.equals("--src-type")) {
            srcType = type;
            invSrcType = inv;
          } else {
            dstType = type;
            invDstType = inv;
          }
          return i + 1;
        }
        case "mark" -> {
          if (!opt.equals("--mark")) {
            return -1;
          }
          Token v = value(tokens, i, t);
          int[] vm = valueMask(v);
          markValue = vm[0];
          markMask = vm[1];
          markSet = true;
          inverted = inv;
          return i + 1;
        }
        case "statistic" -> {
          switch (opt) {
            case "--mode" -> {
              Token v = value(tokens, i, t);
              if (!v.text().equals("random")) {
                throw new Failure(
                    v, "unsupported statistic mode " + v.text() + " (expected random)");
              }
              mode = v.text();
              return i + 1;
            }
            case "--probability" -> {
              Token v = value(tokens, i, t);
              double p;
              try {
                p = Double.parseDouble(v.text());
              } catch (NumberFormatException e) {
                throw new Failure(v, "bad probability: " + v.text());
              }
              if (!(p >= 0 && p <= 1)) {
                throw new Failure(v, "probability must be in [0, 1]: " + v.text());
              }
              probability = Math.round(p * 2147483648.0);
              inverted = inv;
              return i + 1;
            }
            default -> {
              return -1;
            }
          }
        }
        case "recent" -> {
          switch (opt) {
            case "--set" -> command = Match.Recent.SET;
            case "--rcheck" -> command = Match.Recent.CHECK;
            case "--update" -> command = Match.Recent.UPDATE;
            case "--remove" -> command = Match.Recent.REMOVE;
            case "--seconds" -> {
              seconds = number(value(tokens, i, t), 1, Integer.MAX_VALUE, "seconds");
              return i + 1;
            }
            case "--hitcount" -> {
              hitCount = number(value(tokens, i, t), 1, 255, "hitcount");
              return i + 1;
            }
            case "--reap" -> reap = true;
            case "--name" -> {
              recentName = value(tokens, i, t).text();
              return i + 1;
            }
            case "--mask" -> {
              Token v = value(tokens, i, t);
              try {
                recentMask = Ipv4Address.parse(v.text()).toInt();
              } catch (IllegalArgumentException e) {
                throw new Failure(v, "bad mask: " + v.text());
              }
              return i + 1;
            }
            case "--rsource" -> recentSource = true;
            case "--rdest" -> recentSource = false;
            default -> {
              return -1;
            }
          }
          if (inv) {
            inverted = true;
          }
          return i;
        }
        case "conntrack" -> {
          if (!opt.equals("--ctstate")) {
            return -1;
          }
          Token v = value(tokens, i, t);
          for (String s : v.text().split(",", -1)) {
            int bit = List.of(Match.CtState.NAMES).indexOf(s);
            if (bit < 0) {
              throw new Failure(v, "unknown connection state " + s);
            }
            states |= 1 << bit;
          }
          inverted = inv;
          return i + 1;
        }
        default -> {
          return -1;
        }
      }
    }

    Match build(int proto) {
      String n = name.text();
      if (isPorts()) {
        int want = n.equals("tcp") ? 6 : n.equals("udp") ? 17 : 132;
        if (proto != want) {
          throw new Failure(name, "-m " + n + " needs -p " + n);
        }
        return new Match.Ports(n, sportLo, sportHi, invSport, dportLo, dportHi, invDport);
      }
      return switch (n) {
        case "comment" -> {
          if (comment == null) {
            throw new Failure(name, "-m comment needs --comment");
          }
          yield new Match.Comment(comment);
        }
        case "nfacct" -> {
          if (nfacctName == null) {
            throw new Failure(name, "-m nfacct needs --nfacct-name");
          }
          yield new Match.Nfacct(nfacctName);
        }
        case "addrtype" -> new Match.AddrType(srcType, invSrcType, dstType, invDstType);
        case "mark" -> {
          if (!markSet) {
            throw new Failure(name, "-m mark needs --mark");
          }
          yield new Match.Mark(markValue, markMask, inverted);
        }
        case "statistic" -> {
          if (mode == null || probability < 0) {
            throw new Failure(name, "-m statistic needs --mode random --probability p");
          }
          yield new Match.Statistic(probability, inverted);
        }
        case "recent" -> {
          if (command == 0) {
            throw new Failure(name, "-m recent needs one of --set, --rcheck, --update, --remove");
          }
          yield new Match.Recent(
              command, seconds, reap, hitCount, recentName, recentMask, recentSource, inverted);
        }
        default -> {
          if (states == 0) {
            throw new Failure(name, "-m conntrack needs --ctstate");
          }
          yield new Match.CtState(states, inverted);
        }
      };
    }
  }

  static int[] valueMask(Token v) {
    String s = v.text();
    int slash = s.indexOf('/');
    int value =
        number(
            new Token(slash < 0 ? s : s.substring(0, slash), v.column()), 0, 0xFFFFFFFFL, "mark");
    int mask =
        slash < 0
            ? -1
            : number(new Token(s.substring(slash + 1), v.column()), 0, 0xFFFFFFFFL, "mask");
    return new int[] {value, mask};
  }

  /** Collects a rule while parsing. */
  private static final class Builder {
    int src;
    int srcPrefix = -1;
    boolean invSrc;
    int dst;
    int dstPrefix = -1;
    boolean invDst;
    @Nullable String in;
    boolean invIn;
    @Nullable String out;
    boolean invOut;
    int proto = -1;
    boolean invProto;
    @Nullable Token protoToken;
    final List<Module> modules = new ArrayList<>();
    final List<Object> order = new ArrayList<>();
    final List<Match> matches = new ArrayList<>();
    @Nullable Target target;
    @Nullable Token targetToken;
    @Nullable String targetName;
    // target options
    @Nullable Token natToken;
    @Nullable Ipv4Address natAddress;
    int natLo = -1;
    int natHi = -1;
    boolean randomFully;
    @Nullable String rejectWith;
    int rejectCode = 3;
    int xmarkValue;
    int xmarkMask;
    boolean xmarkSet;
    @Nullable String logPrefix;
    int logLevel = 4;

    void matchesPlaceholder(int moduleIndex) {
      order.add(moduleIndex);
    }

    void startTarget(Token name, boolean isGoto) {
      String n = name.text();
      targetName = n;
      switch (n) {
        case "ACCEPT", "DROP", "RETURN" -> target = new Target.Verdict(n);
        case "REJECT", "MARK", "DNAT", "SNAT", "MASQUERADE", "LOG" ->
            target = new Target.Verdict(n);
        default -> {
          if (n.isEmpty() || n.startsWith("-") || n.length() > 28) {
            throw new Failure(name, "bad target name " + n);
          }
          target = new Target.Jump(n, isGoto);
        }
      }
      if (isGoto && !(target instanceof Target.Jump)) {
        throw new Failure(name, "-g needs a chain, not " + n);
      }
    }

    int option(Token t, boolean inv, List<Token> tokens, int i) {
      if (targetName != null) {
        return targetOption(t, inv, tokens, i);
      }
      for (int m = modules.size() - 1; m >= 0; m--) {
        int next = modules.get(m).option(t, inv, tokens, i);
        if (next >= 0) {
          return next;
        }
      }
      if ((proto == 6 || proto == 17 || proto == 132)
          && (t.text().equals("--dport") || t.text().equals("--sport"))) {
        // iptables loads the protocol's match implicitly: "-p tcp --dport 80" is "-m tcp --dport
        // 80"
        Module implicit = new Module(new Token(protoName(proto), t.column()));
        modules.add(implicit);
        order.add(modules.size() - 1);
        return implicit.option(t, inv, tokens, i);
      }
      throw new Failure(
          t,
          "unknown option " + t.text() + " (expected an option of the rule's matches or target)");
    }

    private int targetOption(Token t, boolean inv, List<Token> tokens, int i) {
      if (inv) {
        throw new Failure(t, "'!' is not allowed before target option " + t.text());
      }
      String n = targetName;
      String opt = t.text();
      switch (n + " " + opt) {
        case "REJECT --reject-with" -> {
          Token v = value(tokens, i, t);
          int k = List.of(Target.Reject.NAMES).indexOf(v.text());
          if (k < 0) {
            throw new Failure(v, "unsupported --reject-with " + v.text());
          }
          rejectWith = v.text();
          rejectCode = Target.Reject.CODES[k];
          return i + 1;
        }
        case "MARK --set-xmark", "MARK --set-mark" -> {
          int[] vm = valueMask(value(tokens, i, t));
          xmarkValue = vm[0];
          xmarkMask = vm[1];
          if (opt.equals("--set-mark")) {
            xmarkMask = vm[1] == -1 ? -1 : vm[1] | vm[0];
          }
          xmarkSet = true;
          return i + 1;
        }
        case "MARK --or-mark" -> {
          int v = number(value(tokens, i, t), 0, 0xFFFFFFFFL, "mark");
          xmarkValue = v;
          xmarkMask = v;
          xmarkSet = true;
          return i + 1;
        }
        case "MARK --xor-mark" -> {
          int v = number(value(tokens, i, t), 0, 0xFFFFFFFFL, "mark");
          xmarkValue = v;
          xmarkMask = 0;
          xmarkSet = true;
          return i + 1;
        }
        case "MARK --and-mark" -> {
          int v = number(value(tokens, i, t), 0, 0xFFFFFFFFL, "mark");
          xmarkValue = 0;
          xmarkMask = ~v;
          xmarkSet = true;
          return i + 1;
        }
        case "DNAT --to-destination", "SNAT --to-source" -> {
          Token v = value(tokens, i, t);
          natToken = v;
          String s = v.text();
          int colon = s.indexOf(':');
          try {
            natAddress = Ipv4Address.parse(colon < 0 ? s : s.substring(0, colon));
          } catch (IllegalArgumentException e) {
            throw new Failure(v, "bad address: " + s + " (expected a.b.c.d or a.b.c.d:port)");
          }
          if (colon >= 0) {
            int[] r = portRange(new Token(s.substring(colon + 1), v.column()), '-');
            natLo = r[0];
            natHi = r[1];
          }
          return i + 1;
        }
        case "MASQUERADE --to-ports" -> {
          int[] r = portRange(value(tokens, i, t), '-');
          natLo = r[0];
          natHi = r[1];
          return i + 1;
        }
        case "MASQUERADE --random-fully", "SNAT --random-fully", "DNAT --random-fully" -> {
          randomFully = true;
          return i;
        }
        case "MASQUERADE --random", "SNAT --random", "DNAT --random" -> {
          return i;
        }
        case "LOG --log-prefix" -> {
          logPrefix = value(tokens, i, t).text();
          return i + 1;
        }
        case "LOG --log-level" -> {
          logLevel = number(value(tokens, i, t), 0, 7, "log level");
          return i + 1;
        }
        default ->
            throw new Failure(
                t,
                "unknown option "
                    + opt
                    + " for target "
                    + n
                    + " (expected one of "
                    + n
                    + "'s options)");
      }
    }

    Rule build(String chain) {
      for (Object o : order) {
        matches.add(modules.get((Integer) o).build(proto));
      }
      if (invProto && !modules.isEmpty() && modules.stream().anyMatch(Module::isPorts)) {
        throw new Failure(protoToken, "port matches need a non-negated -p");
      }
      String n = targetName;
      if (n != null) {
        Token tt = targetToken;
        switch (n) {
          case "REJECT" ->
              target =
                  new Target.Reject(
                      rejectWith == null ? "icmp-port-unreachable" : rejectWith, rejectCode);
          case "MARK" -> {
            if (!xmarkSet) {
              throw new Failure(
                  tt, "MARK needs --set-xmark, --set-mark, --or-mark, --xor-mark or --and-mark");
            }
            target = new Target.SetMark(xmarkValue, xmarkMask);
          }
          case "DNAT", "SNAT" -> {
            if (natAddress == null) {
              throw new Failure(
                  tt, n + " needs " + (n.equals("DNAT") ? "--to-destination" : "--to-source"));
            }
            if (natLo >= 0 && proto != 6 && proto != 17 && proto != 132) {
              throw new Failure(natToken, "a port needs -p tcp, udp or sctp");
            }
            target = new Target.Nat(n, natAddress, natLo, natHi, randomFully);
          }
          case "MASQUERADE" -> target = new Target.Nat(n, null, natLo, natHi, randomFully);
          case "LOG" -> target = new Target.Log(logPrefix, logLevel);
          default -> {
            // ACCEPT, DROP, RETURN and jumps are complete
          }
        }
      }
      return new Rule(this, chain);
    }
  }
}
