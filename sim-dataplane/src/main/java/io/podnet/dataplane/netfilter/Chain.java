package io.podnet.dataplane.netfilter;

import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * One chain's rules, compiled for evaluation: per rule a row of ints (address and mask, protocol,
 * port ranges, interface ids, mark, connection states, flags, the kind of target and the chain it
 * jumps to), so that a rule that does not match costs a few array reads and compares and allocates
 * nothing. Rarely used matches (addrtype, statistic, recent, interface wildcards) are flagged as
 * slow and checked from their {@link Match} objects. Chains and interfaces are named by their
 * numbers in the {@link Ruleset.Names} of the ruleset's family, which never change, so a chain is
 * compiled once and every later ruleset that holds it unchanged (the Services a kube-proxy restore
 * leaves alone) shares it: a table's {@link Program} only links its chains by number.
 */
final class Chain {

  static final int INV_SRC = 1;
  static final int INV_DST = 1 << 1;
  static final int INV_PROTO = 1 << 2;
  static final int INV_IN = 1 << 3;
  static final int INV_OUT = 1 << 4;
  static final int INV_SPORT = 1 << 5;
  static final int INV_DPORT = 1 << 6;
  static final int INV_MARK = 1 << 7;
  static final int INV_CT = 1 << 8;
  static final int SLOW = 1 << 9;

  static final int T_NONE = 0;
  static final int T_ACCEPT = 1;
  static final int T_DROP = 2;
  static final int T_RETURN = 3;
  static final int T_JUMP = 4;
  static final int T_GOTO = 5;
  static final int T_REJECT = 6;
  static final int T_MARK = 7;
  static final int T_NAT = 8;
  static final int T_LOG = 9;

  // the columns of a rule's row
  static final int SRC = 0;
  static final int SRC_MASK = 1;
  static final int DST = 2;
  static final int DST_MASK = 3;
  static final int FLAGS = 4;
  static final int PROTO = 5;
  static final int SPORT_LO = 6;
  static final int SPORT_HI = 7;
  static final int DPORT_LO = 8;
  static final int DPORT_HI = 9;
  static final int IN_IF = 10;
  static final int OUT_IF = 11;
  static final int MARK_VALUE = 12;
  static final int MARK_MASK = 13;
  static final int CT_STATES = 14;
  static final int KIND = 15;
  static final int JUMP = 16;
  static final int STRIDE = 17;

  final String name;

  /** The chain's number in its family's {@link Ruleset.Names}. */
  final int id;

  final Rule[] rules;

  /** {@link #STRIDE} ints per rule, row after row. */
  final int[] data;

  /** Each rule's slow matches, or null when no rule has any. */
  final Match @Nullable [][] slow;

  /** The interface names the rules match on ({@code -i}, {@code -o}), each once, sorted. */
  final List<String> interfaces;

  /** The fewest consecutive rules with one destination each that {@link #skip} indexes. */
  static final int MIN_RUN = 16;

  /**
   * For each rule of a run of at least {@link #MIN_RUN} consecutive rules that each match one
   * destination address ({@code -d a.b.c.d/32}, as KUBE-SERVICES holds one per Service port), the
   * index past the run; 0 for every other rule. Null when the chain has no such run.
   */
  private final int @Nullable [] runEnd;

  /**
   * The rules of the runs as {@code (destination ^ Integer.MIN_VALUE) << 32 | index}, ascending: by
   * destination as an unsigned number, then by index.
   */
  private final long @Nullable [] byDestination;

  private @Nullable String @Nullable [] traceTexts;

  private Chain(String name, int id, Rule[] rules, int[] data, Match @Nullable [][] slow) {
    this.name = name;
    this.id = id;
    this.rules = rules;
    this.data = data;
    this.slow = slow;
    TreeSet<String> names = new TreeSet<>();
    for (Rule rule : rules) {
      if (rule.in != null) {
        names.add(rule.in);
      }
      if (rule.out != null) {
        names.add(rule.out);
      }
    }
    this.interfaces = List.copyOf(names);
    int[] ends = null;
    LongArrayList index = new LongArrayList();
    int n = rules.length;
    for (int r = 0; r < n; ) {
      int end = r;
      while (end < n && oneDestination(data, end * STRIDE)) {
        end++;
      }
      if (end - r >= MIN_RUN) {
        if (ends == null) {
          ends = new int[n];
        }
        for (int i = r; i < end; i++) {
          ends[i] = end;
          index.add(indexKey(data[i * STRIDE + DST], i));
        }
      }
      r = Math.max(end, r + 1);
    }
    this.runEnd = ends;
    long[] sorted = index.toLongArray();
    Arrays.sort(sorted);
    this.byDestination = ends == null ? null : sorted;
  }

  private static long indexKey(int dst, int r) {
    return (long) (dst ^ Integer.MIN_VALUE) << 32 | r;
  }

  private static boolean oneDestination(int[] data, int at) {
    return data[at + DST_MASK] == -1 && (data[at + FLAGS] & INV_DST) == 0;
  }

  /**
   * The first rule from {@code r} on that a packet to {@code dst} may match without comparing it
   * with the rules between: {@code r} itself unless it lies in a run of one-destination rules, else
   * the next rule of the run for {@code dst}, or the index past the run. The rules skipped are
   * those the kernel compares and finds not matching, one by one.
   */
  int skip(int r, int dst) {
    int[] ends = runEnd;
    if (ends == null || ends[r] == 0) {
      return r;
    }
    long[] sorted = Objects.requireNonNull(byDestination);
    int at = insertion(sorted, indexKey(dst, r));
    if (at < sorted.length && destination(sorted[at]) == dst && (int) sorted[at] < ends[r]) {
      return (int) sorted[at];
    }
    return ends[r];
  }

  /**
   * The nearest destinations of the indexed runs below and above {@code dst} (unsigned), as
   * unsigned numbers in longs, -1 where there is none: a packet whose destination lies strictly
   * between them is passed over by the same rules as one to {@code dst}.
   */
  long[] destinationsAround(int dst) {
    long[] sorted = Objects.requireNonNull(byDestination);
    int at = insertion(sorted, indexKey(dst, 0));
    int above = at;
    while (above < sorted.length && destination(sorted[above]) == dst) {
      above++;
    }
    return new long[] {
      at == 0 ? -1 : destination(sorted[at - 1]) & 0xFFFF_FFFFL,
      above == sorted.length ? -1 : destination(sorted[above]) & 0xFFFF_FFFFL
    };
  }

  private static int destination(long key) {
    return (int) (key >>> 32) ^ Integer.MIN_VALUE;
  }

  private static int insertion(long[] sorted, long key) {
    int at = Arrays.binarySearch(sorted, key);
    return at < 0 ? -at - 1 : at;
  }

  /** Compiles {@code rules} of chain {@code name}, numbering names in {@code names}. */
  static Chain compile(String name, List<Rule> rules, Ruleset.Names names) {
    int n = rules.size();
    Rule[] array = rules.toArray(new Rule[0]);
    int[] data = new int[n * STRIDE];
    Match[][] slow = null;
    for (int r = 0; r < n; r++) {
      Match[] s = compile(array[r], data, r * STRIDE, names);
      if (s != null) {
        if (slow == null) {
          slow = new Match[n][];
        }
        slow[r] = s;
      }
    }
    return new Chain(name, names.chain(name), array, data, slow);
  }

  /** The number of rules. */
  int size() {
    return rules.length;
  }

  /** The rules as a list. */
  List<Rule> list() {
    return Arrays.asList(rules);
  }

  /** Whether {@code rules} are this chain's rules. */
  boolean sameRules(List<Rule> other) {
    if (other.size() != rules.length) {
      return false;
    }
    for (int r = 0; r < rules.length; r++) {
      if (!rules[r].sameAs(other.get(r))) {
        return false;
      }
    }
    return true;
  }

  /** Rule {@code r} as a trace shows it: {@code nat -A KUBE-SERVICES ...}. */
  String traceText(Table table, int r) {
    String[] texts = traceTexts;
    if (texts == null) {
      texts = new String[rules.length];
      traceTexts = texts;
    }
    String text = texts[r];
    if (text == null) {
      text = table.text() + " " + rules[r];
      texts[r] = text;
    }
    return text;
  }

  /** Writes rule's row at {@code at}; returns its slow matches, or null if it has none. */
  private static Match @Nullable [] compile(Rule rule, int[] data, int at, Ruleset.Names names) {
    int f = 0;
    if (rule.srcPrefix >= 0) {
      data[at + SRC] = rule.src;
      data[at + SRC_MASK] = Rule.mask(rule.srcPrefix);
      f |= rule.invSrc ? INV_SRC : 0;
    }
    if (rule.dstPrefix >= 0) {
      data[at + DST] = rule.dst;
      data[at + DST_MASK] = Rule.mask(rule.dstPrefix);
      f |= rule.invDst ? INV_DST : 0;
    }
    data[at + PROTO] = rule.proto;
    f |= rule.invProto ? INV_PROTO : 0;
    List<Match> slowMatches = new ArrayList<>(0);
    data[at + IN_IF] = iface(rule.in, true, rule.invIn, names, slowMatches);
    f |= rule.invIn ? INV_IN : 0;
    data[at + OUT_IF] = iface(rule.out, false, rule.invOut, names, slowMatches);
    f |= rule.invOut ? INV_OUT : 0;
    data[at + SPORT_HI] = 65535;
    data[at + DPORT_HI] = 65535;
    for (Match m : rule.matches) {
      if (m instanceof Match.Ports p) {
        if (p.sportLo() >= 0) {
          data[at + SPORT_LO] = p.sportLo();
          data[at + SPORT_HI] = p.sportHi();
          f |= p.invSport() ? INV_SPORT : 0;
        }
        if (p.dportLo() >= 0) {
          data[at + DPORT_LO] = p.dportLo();
          data[at + DPORT_HI] = p.dportHi();
          f |= p.invDport() ? INV_DPORT : 0;
        }
      } else if (m instanceof Match.Mark k) {
        data[at + MARK_VALUE] = k.value() & k.mask();
        data[at + MARK_MASK] = k.mask();
        f |= k.inverted() ? INV_MARK : 0;
      } else if (m instanceof Match.CtState s) {
        data[at + CT_STATES] = s.states();
        f |= s.inverted() ? INV_CT : 0;
      } else if (!(m instanceof Match.Comment) && !(m instanceof Match.Nfacct)) {
        slowMatches.add(m);
      }
    }
    if (!slowMatches.isEmpty()) {
      f |= SLOW;
    }
    data[at + FLAGS] = f;
    Target t = rule.target;
    data[at + JUMP] = -1;
    if (t == null) {
      data[at + KIND] = T_NONE;
    } else if (t instanceof Target.Verdict v) {
      data[at + KIND] =
          switch (v.name()) {
            case "ACCEPT" -> T_ACCEPT;
            case "DROP" -> T_DROP;
            default -> T_RETURN;
          };
    } else if (t instanceof Target.Jump j) {
      data[at + KIND] = j.isGoto() ? T_GOTO : T_JUMP;
      data[at + JUMP] = names.chain(j.chain());
    } else if (t instanceof Target.Reject) {
      data[at + KIND] = T_REJECT;
    } else if (t instanceof Target.SetMark) {
      data[at + KIND] = T_MARK;
    } else if (t instanceof Target.Nat) {
      data[at + KIND] = T_NAT;
    } else {
      data[at + KIND] = T_LOG;
    }
    return slowMatches.isEmpty() ? null : slowMatches.toArray(new Match[0]);
  }

  /** An interface id for an exact name, -1 for none; wildcards go slow. */
  private static int iface(
      @Nullable String name,
      boolean in,
      boolean inverted,
      Ruleset.Names names,
      List<Match> slowMatches) {
    if (name == null) {
      return -1;
    }
    if (name.endsWith("+")) {
      slowMatches.add(new Match.Wildcard(name.substring(0, name.length() - 1), in, inverted));
      return -1;
    }
    return names.iface(name);
  }
}
