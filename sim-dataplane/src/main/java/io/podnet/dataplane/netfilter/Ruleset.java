package io.podnet.dataplane.netfilter;

import io.podnet.core.net.HookPoint;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A ruleset as {@code iptables-save} shows it: the rules of the four tables: per table its built-in
 * chains with their policies and its user chains (sorted by name, as iptables-save lists them),
 * each a compiled {@link Chain}. A table is present once something created it; iptables-save prints
 * present tables only. Never changed once installed: {@code iptables-restore} builds a new ruleset
 * that shares the tables, and within a table the chains, the restore left alone, and swaps it in
 * only when it parsed. So the hosts of a cluster that apply the same restore input to the same
 * ruleset share the result (see {@link #applied}) and its compiled tables: 5,000 nodes with the
 * same kube-proxy rules hold one copy of them, and a kube-proxy sync that rewrote a few Services'
 * chains compiles only those.
 */
public final class Ruleset {

  /**
   * The numbers of the chain and interface names of a family of rulesets (one that a restore was
   * applied to and the ones it gave): given once and never changed, so that a compiled chain is
   * valid in every ruleset of the family. Only grows; one simulation's thread uses it.
   */
  static final class Names {
    private final Object2IntOpenHashMap<String> chains = new Object2IntOpenHashMap<>();
    private final Object2IntOpenHashMap<String> ifaces = new Object2IntOpenHashMap<>();

    Names() {
      chains.defaultReturnValue(-1);
      ifaces.defaultReturnValue(-1);
    }

    /** The number of chain {@code name}, given now if it has none. */
    int chain(String name) {
      return number(chains, name);
    }

    /** The number of chain {@code name}, or -1. */
    int chainIfPresent(String name) {
      return chains.getInt(name);
    }

    /** How many chain names have numbers. */
    int chains() {
      return chains.size();
    }

    /** The number of interface {@code name}, given now if it has none. */
    int iface(String name) {
      return number(ifaces, name);
    }

    /** The number of interface {@code name}, or -1 if no rule names it. */
    int ifaceIfPresent(String name) {
      return ifaces.getInt(name);
    }

    private static int number(Object2IntOpenHashMap<String> numbers, String name) {
      int id = numbers.getInt(name);
      if (id < 0) {
        id = numbers.size();
        numbers.put(name, id);
      }
      return id;
    }
  }

  /** One table's chains; not changed once committed, and then linked once for evaluation. */
  static final class TableRules {
    final Map<String, String> policies = new LinkedHashMap<>();
    final Map<String, Chain> chains = new LinkedHashMap<>();
    final TreeMap<String, Chain> userChains = new TreeMap<>();
    private @Nullable Program program;

    TableRules(Table table, Names names) {
      for (HookPoint h : table.hooks()) {
        policies.put(h.name(), "ACCEPT");
        chains.put(h.name(), Chain.compile(h.name(), List.of(), names));
      }
    }

    private TableRules(TableRules from) {
      policies.putAll(from.policies);
      chains.putAll(from.chains);
      userChains.putAll(from.userChains);
    }

    @Nullable Chain chain(String name) {
      Chain c = chains.get(name);
      return c != null ? c : userChains.get(name);
    }

    /** Whether the table has chain {@code name}. */
    boolean has(String name) {
      return chains.containsKey(name) || userChains.containsKey(name);
    }

    /** Puts {@code chain} in place of the chain of its name. */
    void put(Chain chain) {
      if (chains.containsKey(chain.name)) {
        chains.put(chain.name, chain);
      } else {
        userChains.put(chain.name, chain);
      }
    }

    /** A table holding the same chains, for a restore to replace some of them. */
    TableRules copy() {
      return new TableRules(this);
    }

    /** This table linked for evaluation, the first time it is asked for. */
    Program program(Table table, Names names) {
      Program p = program;
      if (p == null) {
        p = new Program(table, this, names);
        program = p;
      }
      return p;
    }

    /** Every chain's rules, built-in first in hook order, then user chains by name. */
    Map<String, List<Rule>> all() {
      Map<String, List<Rule>> all = new LinkedHashMap<>();
      chains.forEach((k, v) -> all.put(k, v.list()));
      userChains.forEach((k, v) -> all.put(k, v.list()));
      return all;
    }

    /** Every chain, built-in first in hook order, then user chains by name. */
    List<Chain> chainList() {
      List<Chain> all = new ArrayList<>(chains.size() + userChains.size());
      all.addAll(chains.values());
      all.addAll(userChains.values());
      return all;
    }
  }

  /**
   * A restore applied to a ruleset, and the ruleset it gave while some host still holds that: the
   * hosts of a cluster apply the same sync one after the other, and once all have gone on to later
   * rules neither the result nor (through its own {@link #applied}) any later restore input stays
   * reachable from this ruleset. Whether another host finds the result or parses the input again
   * changes nothing but the work.
   */
  record Applied(String text, boolean noflush, WeakReference<Ruleset> result) {}

  final EnumMap<Table, TableRules> tables = new EnumMap<>(Table.class);

  /** The numbering of this ruleset's family. */
  final Names names;

  /**
   * The last restore applied to this ruleset: a host whose rules are this ruleset and that applies
   * the same input gets the same result without parsing it again.
   */
  @Nullable Applied applied;

  Ruleset() {
    this(new Names());
  }

  private Ruleset(Names names) {
    this.names = names;
  }

  /** The tables present, in iptables-save order. */
  public Set<Table> tables() {
    return Collections.unmodifiableSet(tables.keySet());
  }

  /** The rules of {@code chain} in {@code table}, as iptables-save prints them. */
  public List<String> rules(Table table, String chain) {
    TableRules t = tables.get(table);
    Chain c = t == null ? null : t.chain(chain);
    if (c == null) {
      throw new IllegalArgumentException("no chain " + chain + " in table " + table);
    }
    return c.list().stream().map(Rule::toString).toList();
  }

  /** The compiled chain {@code chain} of {@code table}, or null. */
  @Nullable Chain chain(Table table, String chain) {
    TableRules t = tables.get(table);
    return t == null ? null : t.chain(chain);
  }

  /** The ruleset in iptables-save format without the two comment lines per table. */
  @Override
  public String toString() {
    return IptablesSave.render(this, -1);
  }

  /** A ruleset of the same family holding this one's tables themselves. */
  Ruleset sharingTables() {
    Ruleset r = new Ruleset(names);
    r.tables.putAll(tables);
    return r;
  }
}
