package io.podnet.dataplane.netfilter;

import io.podnet.core.net.HookPoint;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One table compiled for evaluation: the rules of all its chains laid out in flat primitive arrays
 * (address and mask, protocol, port ranges, interface ids, mark, connection states, flags), so that
 * a rule that does not match costs a few array reads and compares and allocates nothing. Rarely
 * used matches (addrtype, statistic, recent, interface wildcards) are flagged as slow and checked
 * from their {@link Match} objects. Immutable once compiled, so every host holding the same table
 * shares one program: interface names get ids of the program's own, and the counters live in each
 * host's {@link Netfilter}.
 */
final class Program {

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

  static final byte T_NONE = 0;
  static final byte T_ACCEPT = 1;
  static final byte T_DROP = 2;
  static final byte T_RETURN = 3;
  static final byte T_JUMP = 4;
  static final byte T_GOTO = 5;
  static final byte T_REJECT = 6;
  static final byte T_MARK = 7;
  static final byte T_NAT = 8;
  static final byte T_LOG = 9;

  final Table table;
  final String[] chainNames;
  private final Object2IntOpenHashMap<String> chainIndex;
  final int[] chainStart;
  final int[] chainEnd;

  /** Chain index of each hook's built-in chain, by {@link HookPoint#ordinal()}, or -1. */
  final int[] hookChain = new int[HookPoint.values().length];

  /** Whether each hook's policy is DROP. */
  final boolean[] hookPolicyDrop = new boolean[HookPoint.values().length];

  final int[] src;
  final int[] srcMask;
  final int[] dst;
  final int[] dstMask;
  final int[] flags;
  final int[] proto;
  final int[] sportLo;
  final int[] sportHi;
  final int[] dportLo;
  final int[] dportHi;
  final int[] inIf;
  final int[] outIf;
  final int[] markValue;
  final int[] markMask;
  final int[] ctStates;
  final Match[][] slow;
  final byte[] kind;
  final int[] jump;
  final @Nullable Target[] targets;
  final Rule[] rules;
  private final @Nullable String[] traceTexts;
  private final Object2IntOpenHashMap<String> ifaceIds = new Object2IntOpenHashMap<>();

  Program(Table table, Ruleset.TableRules t) {
    this.table = table;
    ifaceIds.defaultReturnValue(-1);
    Map<String, List<Rule>> all = t.all();
    int n = 0;
    for (List<Rule> c : all.values()) {
      n += c.size();
    }
    chainNames = all.keySet().toArray(new String[0]);
    chainIndex = new Object2IntOpenHashMap<>(chainNames.length);
    chainIndex.defaultReturnValue(-1);
    for (int i = 0; i < chainNames.length; i++) {
      chainIndex.put(chainNames[i], i);
    }
    chainStart = new int[chainNames.length];
    chainEnd = new int[chainNames.length];
    src = new int[n];
    srcMask = new int[n];
    dst = new int[n];
    dstMask = new int[n];
    flags = new int[n];
    proto = new int[n];
    sportLo = new int[n];
    sportHi = new int[n];
    dportLo = new int[n];
    dportHi = new int[n];
    inIf = new int[n];
    outIf = new int[n];
    markValue = new int[n];
    markMask = new int[n];
    ctStates = new int[n];
    slow = new Match[n][];
    kind = new byte[n];
    jump = new int[n];
    targets = new Target[n];
    rules = new Rule[n];
    traceTexts = new String[n];
    java.util.Arrays.fill(hookChain, -1);
    for (HookPoint h : table.hooks()) {
      hookChain[h.ordinal()] = indexOf(h.name());
      hookPolicyDrop[h.ordinal()] = "DROP".equals(t.policies.get(h.name()));
    }
    int r = 0;
    int c = 0;
    for (List<Rule> chain : all.values()) {
      chainStart[c] = r;
      for (Rule rule : chain) {
        compile(r++, rule);
      }
      chainEnd[c++] = r;
    }
  }

  /** The id the rules know interface {@code name} by, or -1 if no rule names it. */
  int ifaceId(String name) {
    return ifaceIds.getInt(name);
  }

  /** Rule {@code r} as a trace shows it: {@code nat -A KUBE-SERVICES ...}. */
  String traceText(int r) {
    String text = traceTexts[r];
    if (text == null) {
      text = table.text() + " " + rules[r];
      traceTexts[r] = text;
    }
    return text;
  }

  /** The index of {@code chain} in {@link #chainNames}, or -1; constant time. */
  int indexOf(String chain) {
    return chainIndex.getInt(chain);
  }

  private void compile(int r, Rule rule) {
    rules[r] = rule;
    int f = 0;
    if (rule.srcPrefix >= 0) {
      src[r] = rule.src;
      srcMask[r] = Rule.mask(rule.srcPrefix);
      f |= rule.invSrc ? INV_SRC : 0;
    }
    if (rule.dstPrefix >= 0) {
      dst[r] = rule.dst;
      dstMask[r] = Rule.mask(rule.dstPrefix);
      f |= rule.invDst ? INV_DST : 0;
    }
    proto[r] = rule.proto;
    f |= rule.invProto ? INV_PROTO : 0;
    List<Match> slowMatches = new ArrayList<>();
    inIf[r] = iface(rule.in, true, rule.invIn, ifaceIds, slowMatches);
    f |= rule.invIn ? INV_IN : 0;
    outIf[r] = iface(rule.out, false, rule.invOut, ifaceIds, slowMatches);
    f |= rule.invOut ? INV_OUT : 0;
    sportHi[r] = 65535;
    dportHi[r] = 65535;
    for (Match m : rule.matches) {
      if (m instanceof Match.Ports p) {
        if (p.sportLo() >= 0) {
          sportLo[r] = p.sportLo();
          sportHi[r] = p.sportHi();
          f |= p.invSport() ? INV_SPORT : 0;
        }
        if (p.dportLo() >= 0) {
          dportLo[r] = p.dportLo();
          dportHi[r] = p.dportHi();
          f |= p.invDport() ? INV_DPORT : 0;
        }
      } else if (m instanceof Match.Mark k) {
        markValue[r] = k.value() & k.mask();
        markMask[r] = k.mask();
        f |= k.inverted() ? INV_MARK : 0;
      } else if (m instanceof Match.CtState s) {
        ctStates[r] = s.states();
        f |= s.inverted() ? INV_CT : 0;
      } else if (!(m instanceof Match.Comment) && !(m instanceof Match.Nfacct)) {
        slowMatches.add(m);
      }
    }
    if (!slowMatches.isEmpty()) {
      slow[r] = slowMatches.toArray(new Match[0]);
      f |= SLOW;
    }
    flags[r] = f;
    Target t = rule.target;
    targets[r] = t;
    if (t == null) {
      kind[r] = T_NONE;
    } else if (t instanceof Target.Verdict v) {
      kind[r] =
          switch (v.name()) {
            case "ACCEPT" -> T_ACCEPT;
            case "DROP" -> T_DROP;
            default -> T_RETURN;
          };
    } else if (t instanceof Target.Jump j) {
      kind[r] = j.isGoto() ? T_GOTO : T_JUMP;
      jump[r] = indexOf(j.chain());
    } else if (t instanceof Target.Reject) {
      kind[r] = T_REJECT;
    } else if (t instanceof Target.SetMark) {
      kind[r] = T_MARK;
    } else if (t instanceof Target.Nat) {
      kind[r] = T_NAT;
    } else {
      kind[r] = T_LOG;
    }
  }

  /** An interface id for an exact name (registering it), -1 for none; wildcards go slow. */
  private static int iface(
      @Nullable String name,
      boolean in,
      boolean inverted,
      Object2IntOpenHashMap<String> ids,
      List<Match> slowMatches) {
    if (name == null) {
      return -1;
    }
    if (name.endsWith("+")) {
      slowMatches.add(new Match.Wildcard(name.substring(0, name.length() - 1), in, inverted));
      return -1;
    }
    int id = ids.getInt(name);
    if (id < 0) {
      id = ids.size();
      ids.put(name, id);
    }
    return id;
  }
}
