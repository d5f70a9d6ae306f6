package io.podnet.dataplane.netfilter;

import io.podnet.core.net.HookPoint;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A ruleset as {@code iptables-save} shows it: the rules of the four tables: per table its built-in
 * chains with their policies and its user chains (sorted by name, as iptables-save lists them),
 * each a list of {@link Rule}s. A table is present once something created it; iptables-save prints
 * present tables only. Copied for transactions ({@code iptables-restore} builds a new ruleset and
 * swaps it in only when it parsed) and never changed once installed, so rulesets share the tables a
 * restore left alone, and the hosts of a cluster that apply the same restore input to the same
 * ruleset share the result (see {@link #applied}) and its compiled tables: 5,000 nodes with the
 * same kube-proxy rules hold one copy of them.
 */
public final class Ruleset {

  /** One table's chains; not changed once committed, and then compiled once for evaluation. */
  static final class TableRules {
    final Map<String, String> policies = new LinkedHashMap<>();
    final Map<String, List<Rule>> chains = new LinkedHashMap<>();
    final TreeMap<String, List<Rule>> userChains = new TreeMap<>();
    private @Nullable Program program;

    TableRules(Table table) {
      for (HookPoint h : table.hooks()) {
        policies.put(h.name(), "ACCEPT");
        chains.put(h.name(), new ArrayList<>());
      }
    }

    @Nullable List<Rule> chain(String name) {
      List<Rule> c = chains.get(name);
      return c != null ? c : userChains.get(name);
    }

    TableRules copy(Table table) {
      TableRules t = new TableRules(table);
      t.policies.putAll(policies);
      chains.forEach((k, v) -> t.chains.put(k, new ArrayList<>(v)));
      userChains.forEach((k, v) -> t.userChains.put(k, new ArrayList<>(v)));
      return t;
    }

    /** This table compiled for evaluation, the first time it is asked for. */
    Program program(Table table) {
      Program p = program;
      if (p == null) {
        p = new Program(table, this);
        program = p;
      }
      return p;
    }

    /** Every chain, built-in first in hook order, then user chains by name. */
    Map<String, List<Rule>> all() {
      Map<String, List<Rule>> all = new LinkedHashMap<>(chains);
      all.putAll(userChains);
      return all;
    }
  }

  /** A restore applied to a ruleset, and the ruleset it gave. */
  record Applied(String text, boolean noflush, Ruleset result) {}

  final EnumMap<Table, TableRules> tables = new EnumMap<>(Table.class);

  /**
   * The last restore applied to this ruleset: a host whose rules are this ruleset and that applies
   * the same input gets the same result without parsing it again.
   */
  @Nullable Applied applied;

  TableRules table(Table t) {
    return tables.computeIfAbsent(t, TableRules::new);
  }

  Ruleset() {}

  /** The tables present, in iptables-save order. */
  public java.util.Set<Table> tables() {
    return java.util.Collections.unmodifiableSet(tables.keySet());
  }

  /** The rules of {@code chain} in {@code table}, as iptables-save prints them. */
  public List<String> rules(Table table, String chain) {
    TableRules t = tables.get(table);
    List<Rule> c = t == null ? null : t.chain(chain);
    if (c == null) {
      throw new IllegalArgumentException("no chain " + chain + " in table " + table);
    }
    return c.stream().map(Rule::toString).toList();
  }

  /** The ruleset in iptables-save format without the two comment lines per table. */
  @Override
  public String toString() {
    return IptablesSave.render(this, -1);
  }

  /** A ruleset holding this one's tables themselves, for a restore to replace some of them. */
  Ruleset sharingTables() {
    Ruleset r = new Ruleset();
    r.tables.putAll(tables);
    return r;
  }

  Ruleset copy() {
    Ruleset r = new Ruleset();
    tables.forEach((k, v) -> r.tables.put(k, v.copy(k)));
    return r;
  }
}
