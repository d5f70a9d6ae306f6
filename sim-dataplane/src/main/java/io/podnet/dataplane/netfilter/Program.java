package io.podnet.dataplane.netfilter;

import io.podnet.core.net.HookPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * One table ready for evaluation: its compiled {@link Chain}s found by number, so that a jump costs
 * an array read. Linking a table takes one store per chain and compiles nothing: a restore that
 * rewrote a few chains compiled only those. Immutable, so every host holding the same table shares
 * one program; the counters live in each host's {@link Netfilter}.
 */
final class Program {

  final Table table;
  private final Ruleset.Names names;

  /** The table's chains by number in {@link #names}; null for the numbers of other chains. */
  private final @Nullable Chain[] byId;

  /** Each hook's built-in chain, by {@link HookPoint#ordinal()}, or null. */
  private final @Nullable Chain[] hookChain = new Chain[HookPoint.values().length];

  /** {@link #interfacePatterns()}, worked out when first asked for. */
  private @Nullable List<String> interfacePatterns;

  /** Whether each hook's policy is DROP. */
  final boolean[] hookPolicyDrop = new boolean[HookPoint.values().length];

  Program(Table table, Ruleset.TableRules t, Ruleset.Names names) {
    this.table = table;
    this.names = names;
    byId = new Chain[names.chains()];
    t.chains.values().forEach(c -> byId[c.id] = c);
    t.userChains.values().forEach(c -> byId[c.id] = c);
    for (HookPoint h : table.hooks()) {
      hookChain[h.ordinal()] = t.chains.get(h.name());
      hookPolicyDrop[h.ordinal()] = "DROP".equals(t.policies.get(h.name()));
    }
  }

  /** The built-in chain run at {@code point}, or null. */
  @Nullable Chain hook(HookPoint point) {
    return hookChain[point.ordinal()];
  }

  /** The chain numbered {@code id}, which a rule of this table jumps to (so it exists). */
  Chain chain(int id) {
    return Objects.requireNonNull(byId[id]);
  }

  /** The table's chains, by number. */
  List<Chain> chains() {
    List<Chain> all = new ArrayList<>();
    for (Chain c : byId) {
      if (c != null) {
        all.add(c);
      }
    }
    return all;
  }

  /**
   * The interface names the table's rules match on, each once, sorted; worked out the first time it
   * is asked for.
   */
  List<String> interfacePatterns() {
    List<String> p = interfacePatterns;
    if (p == null) {
      TreeSet<String> names = new TreeSet<>();
      for (Chain c : byId) {
        if (c != null) {
          names.addAll(c.interfaces);
        }
      }
      p = List.copyOf(names);
      interfacePatterns = p;
    }
    return p;
  }

  /** The chain named {@code name}, or null. */
  @Nullable Chain chain(String name) {
    int id = names.chainIfPresent(name);
    return id < 0 || id >= byId.length ? null : byId[id];
  }

  /** Whether every jump of {@code chains} leads to a chain of the table. */
  boolean jumpsResolve(Iterable<Chain> chains) {
    for (Chain c : chains) {
      for (int r = 0; r < c.size(); r++) {
        int j = c.data[r * Chain.STRIDE + Chain.JUMP];
        if (j >= 0 && (j >= byId.length || byId[j] == null)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Whether a chain can reach itself through jumps starting from {@code from}: only chains a
   * restore rewrote can close a loop, as the table it changed had none.
   */
  boolean loops(Iterable<Chain> from) {
    byte[] state = new byte[byId.length]; // 0 unseen, 1 on the path, 2 done
    for (Chain c : from) {
      if (loops(c, state)) {
        return true;
      }
    }
    return false;
  }

  private boolean loops(Chain c, byte[] state) {
    if (state[c.id] == 2) {
      return false;
    }
    if (state[c.id] == 1) {
      return true;
    }
    state[c.id] = 1;
    for (int r = 0; r < c.size(); r++) {
      int j = c.data[r * Chain.STRIDE + Chain.JUMP];
      Chain target = j >= 0 && j < byId.length ? byId[j] : null;
      if (target != null && loops(target, state)) {
        return true;
      }
    }
    state[c.id] = 2;
    return false;
  }

  /** The id the rules know interface {@code name} by, or -1 if no rule names it. */
  int ifaceId(String name) {
    return names.ifaceIfPresent(name);
  }
}
