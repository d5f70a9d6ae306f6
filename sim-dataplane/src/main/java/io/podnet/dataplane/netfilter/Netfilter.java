package io.podnet.dataplane.netfilter;

import io.podnet.core.addr.Ipv4Address;
import io.podnet.core.engine.SimTime;
import io.podnet.core.engine.Simulation;
import io.podnet.core.net.Device;
import io.podnet.core.net.Drop;
import io.podnet.core.net.DropReason;
import io.podnet.core.net.Frame;
import io.podnet.core.net.HookPoint;
import io.podnet.core.net.HopAction;
import io.podnet.core.net.NetNamespace;
import io.podnet.core.net.PacketHook;
import io.podnet.core.packet.Checksum;
import io.podnet.core.packet.IcmpMessage;
import io.podnet.core.packet.IpProtocol;
import io.podnet.core.packet.Ipv4Header;
import io.podnet.core.packet.TcpHeader;
import io.podnet.core.packet.UdpHeader;
import io.podnet.dataplane.service.HashMapServiceLookup;
import io.podnet.dataplane.service.LookupResult;
import it.unimi.dsi.fastutil.HashCommon;
import it.unimi.dsi.fastutil.ints.Int2LongLinkedOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Netfilter in one namespace: the four tables evaluated at the namespace's hook points at the
 * kernel's priorities (raw -300, conntrack -200, mangle -150, nat DNAT -100, filter 0, nat SNAT
 * 100, conntrack confirm last), connection tracking with NAT, and {@code iptables-save} / {@code
 * iptables-restore} of its rules.
 *
 * <p>As in Linux, the nat table sees only the first packet of a flow: a DNAT, SNAT or MASQUERADE
 * target binds the flow, and conntrack rewrites every later packet of it, and the replies the other
 * way (the client of a Service sees the ClusterIP answer). Every rule a packet is compared with is
 * counted ({@link #rulesEvaluated()}, {@link #lastEvaluated()}), every rule that matches is a
 * {@link HopAction#RULE} hop of the packet's walk, and a drop by a rule is {@code Drop(FILTERED,
 * rule)}. Evaluation reads primitive arrays and allocates nothing for a rule that does not match; a
 * long run of rules that each match one destination (KUBE-SERVICES) is passed by an index to the
 * rules for the packet's destination, and the rules passed over are counted as the kernel compares
 * them. Each rule compared costs the packet {@link #NANOS_PER_RULE} of simulated time, added to its
 * processing time ({@link Frame#addProcessingNanos}): the first packet of a new flow waits for the
 * walk through {@code KUBE-SERVICES} on every node whose nat table sees it.
 *
 * <pre>{@code
 * Netfilter nf = Netfilter.install(node);
 * nf.restore(String.join("\n",
 *     "*nat", ":PREROUTING ACCEPT [0:0]",
 *     "-A PREROUTING -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.244.2.2:8080",
 *     "COMMIT", ""), "rules.v4");
 * pod.connectTcp(Ipv4Address.parse("10.96.0.10"), 80); // answered by 10.96.0.10:80
 * nf.conntrack().list();
 * }</pre>
 */
public final class Netfilter {

  /**
   * The simulated time one rule comparison takes: the low end of the 10-25 ns per rule traversed
   * measured on real clusters.
   */
  public static final long NANOS_PER_RULE = 10;

  private static final int ACCEPT = 0;
  private static final int DROP = 1;
  private static final int REJECT = 2;
  private static final int MAX_DEPTH = 64;

  private final NetNamespace ns;

  /** The source NAT the service map asks for: the output device's address, any free port. */
  private static final Target.Nat SERVICE_MASQUERADE =
      new Target.Nat("MASQUERADE", null, -1, -1, false);

  private final Simulation sim;
  private final RandomGenerator random;
  private final Conntrack conntrack;
  private final List<PacketHook> hooks = new ArrayList<>();
  private Ruleset rules;
  private final EnumMap<Table, Program> programs = new EnumMap<>(Table.class);

  /** Packets that matched each rule, by {@link #counter}; only matched rules appear. */
  private final Long2LongOpenHashMap packets = new Long2LongOpenHashMap();

  private final Map<String, Int2LongLinkedOpenHashMap> recent = new TreeMap<>();
  private final Chain[] stackChain = new Chain[MAX_DEPTH];
  private final int[] stackRule = new int[MAX_DEPTH];
  private long rulesEvaluated;
  private int lastEvaluated;

  // the packet being evaluated
  private int pSrc;
  private int pDst;
  private int pProto;
  private int pSport;
  private int pDport;
  private int pIn;
  private int pOut;
  private int pMark;
  private int pCt;
  private @Nullable Chain lastChain;
  private int lastRule;

  // a dry run (see dryRun): nothing counted, traced or drawn; a rule whose outcome is not
  // fixed by the packet's fields marks the run uncertain
  private boolean dry;
  private boolean uncertain;

  /** The prefixes a dry run compared with: side (0 source, 1 destination), address, mask. */
  private final IntArrayList compared = new IntArrayList();

  // connection tracking of the packet being processed (the kernel's skb->_nfct)
  private long ctFrame = -1;
  // where that packet's IP header was: a decapsulated inner packet keeps its outer packet's id but
  // not its offset, and starts with no conntrack entry (the kernel's skb_scrub_packet on decap)
  private int ctL3 = -1;
  private @Nullable HashMapServiceLookup serviceMap;
  private Conntrack.@Nullable Flow ctFlow;
  private boolean ctReply;
  private boolean ctRelated;

  private Netfilter(NetNamespace ns) {
    this.ns = ns;
    this.sim = ns.host().network().simulation();
    this.random = sim.random().stream("netfilter/" + ns.label());
    this.conntrack = new Conntrack(sim);
    this.rules = ns.host().network().shared(EmptyRules.class, EmptyRules::new).rules;
  }

  /**
   * The empty ruleset every netfilter of a network starts from: one object, so that hosts applying
   * the same restores to it share the results (see {@link Ruleset}).
   */
  private static final class EmptyRules {
    final Ruleset rules = new Ruleset();
  }

  /** Creates netfilter for {@code ns} with empty tables and registers its hooks there. */
  public static Netfilter install(NetNamespace ns) {
    Netfilter nf = new Netfilter(ns);
    nf.hook(HookPoint.PREROUTING, -200, nf::track);
    nf.hook(HookPoint.OUTPUT, -200, nf::track);
    for (Table t : Table.values()) {
      for (HookPoint h : t.hooks()) {
        if (t == Table.NAT) {
          nf.hook(h, t.priority(h), nf::nat);
        } else {
          nf.hook(h, t.priority(h), (p, f, in, out) -> nf.filter(t, p, f, in, out));
        }
      }
    }
    nf.hook(HookPoint.INPUT, Integer.MAX_VALUE, nf::confirm);
    nf.hook(HookPoint.POSTROUTING, Integer.MAX_VALUE, nf::confirm);
    return nf;
  }

  private void hook(HookPoint point, int priority, PacketHook hook) {
    hooks.add(hook);
    ns.addHook(point, priority, hook);
  }

  /** Whether {@code hook} is one of the hooks this netfilter registered in its namespace. */
  public boolean owns(PacketHook hook) {
    for (PacketHook h : hooks) {
      if (h == hook) {
        return true;
      }
    }
    return false;
  }

  /** The namespace this netfilter belongs to. */
  public NetNamespace namespace() {
    return ns;
  }

  /** The connection tracking table. */
  public Conntrack conntrack() {
    return conntrack;
  }

  /** Rules compared with packets so far, matching or not. */
  public long rulesEvaluated() {
    return rulesEvaluated;
  }

  /** Rules compared during the last table traversal. */
  public int lastEvaluated() {
    return lastEvaluated;
  }

  /** The current rules (a snapshot). */
  public Ruleset ruleset() {
    return rules.sharingTables();
  }

  // ---------------------------------------------------------------- rules

  /**
   * {@code iptables-restore}: replaces every table named in {@code text}; on any error nothing
   * changes and an {@link IptablesParseException} names {@code file}, line, column and token.
   */
  public void restore(String text, String file) {
    restore(text, file, false);
  }

  /** {@code iptables-restore --noflush}: declared chains are created or flushed, others kept. */
  public void restoreNoflush(String text, String file) {
    restore(text, file, true);
  }

  /**
   * Applies restore input, or takes the result another host got applying the same input to the same
   * ruleset.
   */
  private void restore(String text, String file, boolean noflush) {
    Ruleset.Applied last = rules.applied;
    Ruleset shared = last == null ? null : last.result().get();
    if (shared != null && last.noflush() == noflush && last.text().equals(text)) {
      install(shared);
      return;
    }
    Ruleset next = IptablesSave.apply(rules, text, file, noflush);
    rules.applied = new Ruleset.Applied(text, noflush, new WeakReference<>(next));
    install(next);
  }

  /** {@code iptables -t table -N chain}. */
  public void newChain(Table table, String chain) {
    restoreNoflush("*" + table + "\n-N " + chain + "\nCOMMIT\n", "iptables -N");
  }

  /**
   * {@code iptables -t table -A ...}: {@code rule} is an iptables-save line ({@code -A CHAIN ...}).
   */
  public void append(Table table, String rule) {
    restoreNoflush("*" + table + "\n" + rule + "\nCOMMIT\n", "iptables");
  }

  /** {@code iptables -t table -P chain policy}. */
  public void setPolicy(Table table, String chain, String policy) {
    if (!table.isBuiltin(chain)) {
      throw new IllegalArgumentException("not a built-in chain of " + table + ": " + chain);
    }
    restoreNoflush("*" + table + "\n:" + chain + " " + policy + " [0:0]\nCOMMIT\n", "iptables -P");
  }

  /** {@code iptables-save}, dated by the simulated clock. */
  public String save() {
    return IptablesSave.render(rules, sim.now());
  }

  /**
   * Packets that matched rule {@code number} (1-based, as {@code iptables -L --line-numbers}) of
   * {@code chain} in {@code table}.
   */
  public long packets(Table table, String chain, int number) {
    Program p = programs.get(table);
    Chain c = p == null ? null : p.chain(chain);
    if (c == null) {
      throw new IllegalArgumentException("no chain " + chain + " in table " + table);
    }
    if (number < 1 || number > c.size()) {
      throw new IllegalArgumentException("rule number must be in [1, " + c.size() + "]: " + number);
    }
    return packets.get(counter(table, c, number - 1));
  }

  /** The key of rule {@code r} of {@code chain} in {@code table} in the counters. */
  private static long counter(Table table, Chain chain, int r) {
    return ((long) chain.id << 32 | r) << 2 | table.ordinal();
  }

  private void install(Ruleset next) {
    rules = next;
    programs.clear();
    packets.clear();
    next.tables.forEach((t, tr) -> programs.put(t, tr.program(t, next.names)));
  }

  // ---------------------------------------------------------------- hooks

  @Nullable Drop filter(
      Table table, HookPoint point, Frame frame, @Nullable Device in, @Nullable Device out) {
    Program p = programs.get(table);
    Chain hook = p == null ? null : p.hook(point);
    if (hook == null || hook.size() == 0 && !p.hookPolicyDrop[point.ordinal()]) {
      return null; // an empty chain with policy ACCEPT: nothing to read the packet for
    }
    load(p, frame, in, out);
    int verdict = evaluate(p, point, frame, in, out);
    if (verdict == ACCEPT) {
      return null;
    }
    return dropped(p, point, verdict, frame, in);
  }

  private Drop dropped(Program p, HookPoint point, int verdict, Frame frame, @Nullable Device in) {
    Chain last = lastChain;
    String why =
        last == null ? p.table + " -P " + point + " DROP" : last.traceText(p.table, lastRule);
    Conntrack.Flow f = ctFlow;
    boolean unconfirmed = tracked(frame) && f != null && !f.confirmed && !ctRelated;
    if (verdict == REJECT && last != null) {
      Target.Reject r = (Target.Reject) Objects.requireNonNull(last.rules[lastRule].target);
      ns.sendIcmpError(in, frame, IcmpMessage.DEST_UNREACHABLE, r.code());
    }
    if (unconfirmed && f != null) {
      conntrack.remove(f); // the flow dies with its first packet, as an unconfirmed conntrack
    }
    ctFrame = -1;
    return Drop.of(DropReason.FILTERED, why);
  }

  /** Whether conntrack already looked at this packet (this one, not the packet it came in). */
  private boolean tracked(Frame frame) {
    return ctFrame == frame.id() && ctL3 == frame.l3Offset();
  }

  /** Conntrack at PREROUTING and OUTPUT: finds or creates the packet's flow. */
  private @Nullable Drop track(
      HookPoint point, Frame frame, @Nullable Device in, @Nullable Device out) {
    if (tracked(frame)) {
      return null; // already tracked here (a packet looping back through lo)
    }
    byte[] b = frame.buffer();
    int ip = frame.l3Offset();
    int proto = Ipv4Header.protocol(b, ip);
    int src = Ipv4Header.src(b, ip);
    int dst = Ipv4Header.dst(b, ip);
    int l4 = ip + Ipv4Header.headerLength(b, ip);
    boolean first = Ipv4Header.fragmentOffset(b, ip) == 0;
    int sport = 0;
    int dport = 0;
    int tcpFlags = 0;
    ctRelated = false;
    if (first && (proto == IpProtocol.TCP || proto == IpProtocol.UDP || proto == 132)) {
      sport = UdpHeader.srcPort(b, l4);
      dport = UdpHeader.dstPort(b, l4);
      if (proto == IpProtocol.TCP) {
        tcpFlags = TcpHeader.flags(b, l4);
      }
    } else if (first && proto == IpProtocol.ICMP) {
      int type = IcmpMessage.type(b, l4);
      if (type == IcmpMessage.DEST_UNREACHABLE || type == IcmpMessage.TIME_EXCEEDED) {
        return related(frame, l4);
      }
      if (type != IcmpMessage.ECHO_REQUEST && type != IcmpMessage.ECHO_REPLY) {
        ctFrame = frame.id();
        ctL3 = frame.l3Offset();
        ctFlow = null;
        return null;
      }
      sport = IcmpMessage.echoId(b, l4);
    }
    Conntrack.Flow f = conntrack.find(proto, src, dst, sport, dport);
    boolean reply = conntrack.lastReply;
    if (f != null && !f.confirmed && !reply) {
      conntrack.remove(f); // left over from a packet that died before confirmation
      f = null;
    }
    if (f == null) {
      f =
          conntrack.create(
              proto,
              src,
              dst,
              sport,
              dport,
              proto == IpProtocol.ICMP ? sport : dport,
              proto == IpProtocol.ICMP ? 0 : sport);
      reply = false;
    }
    conntrack.seen(f, reply, tcpFlags);
    ctFrame = frame.id();
    ctL3 = frame.l3Offset();
    ctFlow = f;
    ctReply = reply;
    return null;
  }

  /** An ICMP error: RELATED to the flow of the packet it quotes, if any. */
  private @Nullable Drop related(Frame frame, int icmp) {
    byte[] b = frame.buffer();
    int inner = icmp + IcmpMessage.HEADER_LENGTH;
    ctFrame = frame.id();
    ctL3 = frame.l3Offset();
    ctFlow = null;
    if (inner + Ipv4Header.MIN_LENGTH + 8 > frame.l3Offset() + frame.l3Length()) {
      return null;
    }
    int iproto = Ipv4Header.protocol(b, inner);
    int il4 = inner + Ipv4Header.headerLength(b, inner);
    int isrc = Ipv4Header.src(b, inner);
    int idst = Ipv4Header.dst(b, inner);
    int isport = 0;
    int idport = 0;
    if (iproto == IpProtocol.TCP || iproto == IpProtocol.UDP || iproto == 132) {
      isport = UdpHeader.srcPort(b, il4);
      idport = UdpHeader.dstPort(b, il4);
    } else if (iproto == IpProtocol.ICMP) {
      isport = IcmpMessage.echoId(b, il4);
    }
    // look the quoted packet up inverted: the error travels the way its answer would
    Conntrack.Flow f =
        iproto == IpProtocol.ICMP
            ? conntrack.find(iproto, idst, isrc, isport, 0)
            : conntrack.find(iproto, idst, isrc, idport, isport);
    if (f != null) {
      ctFlow = f;
      ctReply = conntrack.lastReply;
      ctRelated = true;
    }
    return null;
  }

  private @Nullable Drop confirm(
      HookPoint point, Frame frame, @Nullable Device in, @Nullable Device out) {
    Conntrack.Flow f = ctFlow;
    if (tracked(frame) && f != null && !f.confirmed && !ctRelated) {
      f.confirmed = true;
    }
    return null;
  }

  /** The nat table and conntrack's NAT: binds new flows, rewrites every packet of bound ones. */
  private @Nullable Drop nat(
      HookPoint point, Frame frame, @Nullable Device in, @Nullable Device out) {
    Conntrack.Flow f = ctFlow;
    if (!tracked(frame) || f == null) {
      return null;
    }
    boolean dstHook = point == HookPoint.PREROUTING || point == HookPoint.OUTPUT;
    if (dstHook && serviceMap != null && !f.confirmed && !ctReply && !ctRelated && !f.dnatDone) {
      Drop d = serviceMapStage(f, frame, in != null ? in : out);
      if (d != null) {
        return d;
      }
    }
    if (!f.confirmed && !ctReply && !ctRelated && (dstHook ? !f.dnatDone : !f.snatDone)) {
      Program p = programs.get(Table.NAT);
      if (dstHook) {
        f.dnatDone = true;
      } else {
        f.snatDone = true;
      }
      boolean bound = false;
      if (p != null) {
        load(p, frame, in, out);
        int verdict = evaluate(p, point, frame, in, out);
        if (verdict != ACCEPT) {
          return dropped(p, point, verdict, frame, in);
        }
        Chain last = lastChain;
        if (last != null && last.rules[lastRule].target instanceof Target.Nat n) {
          bound = true;
          Drop d = bind(f, n, last.traceText(p.table, lastRule), dstHook, out);
          if (d != null) {
            return d;
          }
        }
      }
      if (!dstHook && !bound && f.serviceMasquerade) {
        Drop d = bind(f, SERVICE_MASQUERADE, "service map: masquerade", false, out);
        if (d != null) {
          return d;
        }
        ns.traceHop(out, HopAction.NAT, frame, "service map: masquerade");
      }
    }
    manip(f, frame, dstHook, in != null ? in : out);
    return null;
  }

  /**
   * Puts a service map in front of the nat table, the way an eBPF kube-proxy replacement does: the
   * first packet of a flow to a (VIP, port, protocol) in the map, or to a NodePort on one of the
   * node's addresses, is DNATed to the backend the map picks for the flow ({@link
   * HashMapServiceLookup#lookupFlow}), with one map lookup instead of a rule walk, and masqueraded
   * on its way out when the map says so; a Service without endpoints drops the packet; anything
   * else goes on to the nat table. Null removes the map.
   */
  public void setServiceMap(@Nullable HashMapServiceLookup lookup) {
    this.serviceMap = lookup;
  }

  /** The service map stage for the first packet of a flow; null to go on. */
  private @Nullable Drop serviceMapStage(Conntrack.Flow f, Frame frame, @Nullable Device dev) {
    HashMapServiceLookup map = serviceMap;
    if (map == null) {
      return null;
    }
    long flowHash =
        HashCommon.mix(
            ((long) f.t[0] << 32 | (f.t[2] & 0xFFFFL) << 16 | (f.t[3] & 0xFFFFL))
                ^ ((long) f.proto << 56));
    long result =
        map.lookupFlow(
            f.t[0],
            ns.isLocalAddress(f.t[0]),
            f.t[1],
            ns.isLocalAddress(f.t[1]),
            f.t[3],
            f.proto,
            flowHash,
            sim.now());
    if (result == LookupResult.NO_SERVICE) {
      return null;
    }
    String service = Ipv4Address.of(f.t[1]) + ":" + f.t[3] + "/" + IpProtocol.name(f.proto);
    if (result == LookupResult.NO_ENDPOINTS || result == LookupResult.DENIED) {
      return Drop.of(
          DropReason.FILTERED,
          "service map: "
              + service
              + (result == LookupResult.DENIED
                  ? " denied by loadBalancerSourceRanges"
                  : " has no endpoints"));
    }
    f.dnatDone = true;
    f.serviceMasquerade = LookupResult.masquerade(result);
    f.t[4] = LookupResult.ip(result);
    f.t[6] = LookupResult.port(result);
    conntrack.rehash(f);
    ns.traceHop(
        dev,
        HopAction.NAT,
        frame,
        "service map "
            + service
            + " -> "
            + LookupResult.format(result)
            + " ("
            + map.lastWork()
            + " probes)");
    return null;
  }

  /** Sets up a NAT binding: the reply tuple becomes the inverse of the rewritten packet. */
  private @Nullable Drop bind(
      Conntrack.Flow f, Target.Nat n, String rule, boolean dstHook, @Nullable Device out) {
    boolean ports = f.proto == IpProtocol.TCP || f.proto == IpProtocol.UDP || f.proto == 132;
    if (dstHook) {
      if (n.address() == null) {
        return null;
      }
      f.t[4] = n.address().toInt();
      if (ports && n.portLo() >= 0) {
        f.t[6] = n.portLo();
      }
      conntrack.rehash(f);
      return null;
    }
    int addr;
    if (n.address() != null) {
      addr = n.address().toInt();
    } else {
      int a = out == null ? 0 : ns.primaryAddress(out, f.t[1]);
      if (a == 0) {
        return Drop.of(DropReason.FILTERED, rule + " (no address on " + out + ")");
      }
      addr = a;
    }
    int lo = n.portLo() >= 0 ? n.portLo() : 1024;
    int hi = n.portLo() >= 0 ? n.portHi() : 65535;
    int port = f.t[7];
    if (ports) {
      int span = hi - lo + 1;
      if (n.randomFully()) {
        port = lo + random.nextInt(span);
      } else if (n.portLo() >= 0 && (port < lo || port > hi)) {
        port = lo;
      }
      for (int tries = 0;
          tries < span && conntrack.taken(f.proto, f.t[4], addr, f.t[6], port, f);
          tries++) {
        port = port >= hi ? lo : port + 1;
      }
    }
    f.t[5] = addr;
    f.t[7] = port;
    conntrack.rehash(f);
    return null;
  }

  /** Rewrites the packet towards the flow's other tuple, inverted (and an ICMP error's quote). */
  private void manip(Conntrack.Flow f, Frame frame, boolean dstHook, @Nullable Device dev) {
    int at = ctReply ? 0 : 4;
    int wantSrc = f.t[at + 1];
    int wantDst = f.t[at];
    int wantSport = f.t[at + 3];
    int wantDport = f.t[at + 2];
    byte[] b = frame.buffer();
    int ip = frame.l3Offset();
    if (ctRelated) {
      // an ICMP flow keeps its echo id in the source-port slots (reply's t[6]) and 0 in the
      // others, so only its addresses tell whether it was NATed
      boolean echo = f.proto == IpProtocol.ICMP;
      boolean dnat = f.t[4] != f.t[1] || !echo && f.t[6] != f.t[3];
      boolean snat = f.t[5] != f.t[0] || !echo && f.t[7] != f.t[2];
      if (!(dstHook != ctReply ? dnat : snat)) {
        return; // nothing to undo for this manipulation
      }
      int icmp = ip + Ipv4Header.headerLength(b, ip);
      int inner = icmp + IcmpMessage.HEADER_LENGTH;
      // the quoted packet went the other way: it gets that direction's own tuple, with the
      // opposite manipulation (nf_nat_icmp_reply_translation)
      boolean changed;
      if (dstHook) {
        changed = rewrite(b, ip, false, wantDst, -1, false);
        changed |= rewrite(b, inner, true, f.t[at], f.t[at + 2], false);
      } else {
        changed = rewrite(b, ip, true, wantSrc, -1, false);
        changed |= rewrite(b, inner, false, f.t[at + 1], f.t[at + 3], false);
      }
      if (changed) {
        int icmpLen = Ipv4Header.totalLength(b, ip) - (icmp - ip);
        b[icmp + 2] = 0;
        b[icmp + 3] = 0;
        int sum = Checksum.internet(b, icmp, icmpLen);
        b[icmp + 2] = (byte) (sum >>> 8);
        b[icmp + 3] = (byte) sum;
        ns.traceHop(dev, HopAction.NAT, frame, "icmp error related to " + flowText(f));
      }
      return;
    }
    boolean ports = f.proto == IpProtocol.TCP || f.proto == IpProtocol.UDP;
    int l4 = ip + Ipv4Header.headerLength(b, ip);
    if (dstHook) {
      int oldDst = Ipv4Header.dst(b, ip);
      int oldPort = ports ? UdpHeader.dstPort(b, l4) : 0;
      if (oldDst != wantDst || (ports && oldPort != wantDport)) {
        rewrite(b, ip, false, wantDst, ports ? wantDport : -1, true);
        ns.traceHop(
            dev,
            HopAction.NAT,
            frame,
            "dnat "
                + endpoint(oldDst, oldPort, ports)
                + " -> "
                + endpoint(wantDst, wantDport, ports));
      }
    } else {
      int oldSrc = Ipv4Header.src(b, ip);
      int oldPort = ports ? UdpHeader.srcPort(b, l4) : 0;
      if (oldSrc != wantSrc || (ports && oldPort != wantSport)) {
        rewrite(b, ip, true, wantSrc, ports ? wantSport : -1, true);
        ns.traceHop(
            dev,
            HopAction.NAT,
            frame,
            "snat "
                + endpoint(oldSrc, oldPort, ports)
                + " -> "
                + endpoint(wantSrc, wantSport, ports));
      }
    }
  }

  private static String flowText(Conntrack.Flow f) {
    boolean ports = f.proto != IpProtocol.ICMP;
    return endpoint(f.t[0], f.t[2], ports) + " > " + endpoint(f.t[1], f.t[3], ports);
  }

  private static String endpoint(int addr, int port, boolean ports) {
    String a = io.podnet.core.addr.Ipv4Address.of(addr).toString();
    return ports ? a + ":" + port : a;
  }

  /**
   * Rewrites the source or destination address (and port, unless -1) of the IPv4 packet at {@code
   * ip}, fixing the IP checksum and, when {@code fixL4}, the TCP or UDP checksum (RFC 1624).
   * Returns whether anything changed.
   */
  static boolean rewrite(byte[] b, int ip, boolean source, int addr, int port, boolean fixL4) {
    int old = source ? Ipv4Header.src(b, ip) : Ipv4Header.dst(b, ip);
    int proto = Ipv4Header.protocol(b, ip);
    int l4 = ip + Ipv4Header.headerLength(b, ip);
    boolean first = Ipv4Header.fragmentOffset(b, ip) == 0;
    int csum = -1;
    if (fixL4 && first) {
      if (proto == IpProtocol.TCP) {
        csum = l4 + 16;
      } else if (proto == IpProtocol.UDP && ((b[l4 + 6] | b[l4 + 7]) != 0)) {
        csum = l4 + 6;
      }
    }
    boolean changed = false;
    if (old != addr) {
      if (source) {
        Ipv4Header.setSrc(b, ip, addr);
      } else {
        Ipv4Header.setDst(b, ip, addr);
      }
      if (csum >= 0) {
        adjust(b, csum, old >>> 16, addr >>> 16);
        adjust(b, csum, old & 0xFFFF, addr & 0xFFFF);
      }
      changed = true;
    }
    boolean hasPorts = proto == IpProtocol.TCP || proto == IpProtocol.UDP || proto == 132;
    if (port >= 0 && first && hasPorts) {
      int at = source ? l4 : l4 + 2;
      int oldPort = (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
      if (oldPort != port) {
        b[at] = (byte) (port >>> 8);
        b[at + 1] = (byte) port;
        if (csum >= 0) {
          adjust(b, csum, oldPort, port);
        }
        changed = true;
      }
    }
    if (csum >= 0 && proto == IpProtocol.UDP && b[csum] == 0 && b[csum + 1] == 0) {
      b[csum] = (byte) 0xFF; // RFC 768: a computed zero is sent as all ones
      b[csum + 1] = (byte) 0xFF;
    }
    return changed;
  }

  private static void adjust(byte[] b, int at, int oldWord, int newWord) {
    int old = (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    int sum = Checksum.adjust(old, oldWord & 0xFFFF, newWord & 0xFFFF);
    b[at] = (byte) (sum >>> 8);
    b[at + 1] = (byte) sum;
  }

  // ---------------------------------------------------------------- analysis

  /**
   * The hook points a packet passes in one namespace, for {@link #dryRun}: the kernel's three paths
   * through netfilter.
   */
  public enum Path {
    /** Routed through (or bridged between two ports): PREROUTING, FORWARD, POSTROUTING. */
    FORWARDED(HookPoint.PREROUTING, HookPoint.FORWARD, HookPoint.POSTROUTING),
    /** Delivered to this namespace: PREROUTING, INPUT. */
    DELIVERED(HookPoint.PREROUTING, HookPoint.INPUT),
    /** Generated in this namespace: OUTPUT, POSTROUTING. */
    SENT(HookPoint.OUTPUT, HookPoint.POSTROUTING);

    private final List<HookPoint> points;

    Path(HookPoint... points) {
      this.points = List.of(points);
    }
  }

  /** The tables that run at each hook point, in priority order. */
  private static final Map<HookPoint, List<Table>> TABLES_AT = tablesAt();

  private static Map<HookPoint, List<Table>> tablesAt() {
    Map<HookPoint, List<Table>> at = new EnumMap<>(HookPoint.class);
    for (HookPoint point : HookPoint.values()) {
      List<Table> tables = new ArrayList<>();
      for (Table t : Table.values()) {
        if (t.hooks().contains(point)) {
          tables.add(t);
        }
      }
      tables.sort(Comparator.comparingInt(t -> t.priority(point)));
      at.put(point, List.copyOf(tables));
    }
    return at;
  }

  /**
   * What a dry run found ({@link #dryRun}): whether the packet passes unchanged, and the unsigned
   * ranges around its source and destination in which no address match it met changes (no prefix a
   * rule it was compared with starts or ends inside, and no service-map frontend lies inside but
   * the destination itself). Any packet whose source and destination lie in these ranges, with the
   * same fields otherwise, meets the same rules with the same outcome.
   *
   * @param passes whether the packet passes unchanged
   * @param sourceFrom the lowest source of the range, unsigned
   * @param sourceTo the highest source of the range, unsigned
   * @param destinationFrom the lowest destination of the range, unsigned
   * @param destinationTo the highest destination of the range, unsigned
   */
  public record DryRun(
      boolean passes, int sourceFrom, int sourceTo, int destinationFrom, int destinationTo) {}

  /**
   * Runs the first packet of a new flow with these fields, from any source port, through every hook
   * point of {@code path} here without sending it: it passes unchanged when every table accepts it,
   * no NAT rule or service-map frontend takes it, and no rule it reaches matches on its source
   * port, at random ({@code statistic}) or by history ({@code recent}). Nothing is counted, traced,
   * tracked or drawn. The answer holds for every packet whose addresses lie in the same {@linkplain
   * DryRun ranges}, are local here or not alike, and whose devices are alike for every {@linkplain
   * #interfacePatterns interface pattern}, with the same protocol and destination port.
   *
   * @param in the device the packet came in by (ignored for {@link Path#SENT})
   * @param out the device it leaves by (ignored for {@link Path#DELIVERED})
   */
  public DryRun dryRun(
      Path path,
      int src,
      int dst,
      int proto,
      int dport,
      @Nullable Device in,
      @Nullable Device out) {
    dry = true;
    uncertain = false;
    compared.clear();
    int mark = 0;
    boolean ports = proto == IpProtocol.TCP || proto == IpProtocol.UDP || proto == 132;
    boolean passes = true;
    try {
      for (HookPoint point : path.points) {
        Device hin = path == Path.SENT ? null : in;
        Device hout = point == HookPoint.PREROUTING || point == HookPoint.INPUT ? null : out;
        boolean dstHook = point == HookPoint.PREROUTING || point == HookPoint.OUTPUT;
        for (Table t : TABLES_AT.get(point)) {
          if (t == Table.NAT && dstHook && frontend(dst, dport, proto)) {
            passes = false;
            break;
          }
          Program p = programs.get(t);
          if (p == null) {
            continue;
          }
          pSrc = src;
          pDst = dst;
          pProto = proto;
          pSport = 0;
          pDport = ports ? dport : 0;
          pIn = hin == null ? -2 : p.ifaceId(hin.name());
          pOut = hout == null ? -2 : p.ifaceId(hout.name());
          pMark = mark;
          pCt = t == Table.RAW ? Match.CtState.INVALID : Match.CtState.NEW;
          int verdict = evaluate(p, point, null, hin, hout);
          mark = pMark;
          if (uncertain
              || verdict != ACCEPT
              || (lastChain != null
                  && lastChain.data[lastRule * Chain.STRIDE + Chain.KIND] == Chain.T_NAT)) {
            passes = false;
            break;
          }
        }
        if (!passes) {
          break;
        }
      }
      long source = src & 0xFFFF_FFFFL;
      long destination = dst & 0xFFFF_FFFFL;
      long[] range = {0, 0xFFFF_FFFFL, 0, 0xFFFF_FFFFL}; // source from, to; destination from, to
      for (int k = 0; k < compared.size(); k += 3) {
        int side = compared.getInt(k);
        long start = compared.getInt(k + 1) & 0xFFFF_FFFFL;
        long address = side == 0 ? source : destination;
        narrow(range, 2 * side, address, start);
        narrow(range, 2 * side, address, start + (~compared.getInt(k + 2) & 0xFFFF_FFFFL) + 1);
      }
      HashMapServiceLookup map = serviceMap;
      if (map != null) {
        long[] gap = map.frontendRange(dst);
        range[2] = Math.max(range[2], gap[0]);
        range[3] = Math.min(range[3], gap[1]);
      }
      return new DryRun(passes, (int) range[0], (int) range[1], (int) range[2], (int) range[3]);
    } finally {
      dry = false;
    }
  }

  /**
   * Narrows the range at {@code range[at]}, {@code range[at + 1]} around {@code address} to one
   * side of the boundary {@code bound}, the first address of a new interval.
   */
  private static void narrow(long[] range, int at, long address, long bound) {
    if (bound <= address) {
      range[at] = Math.max(range[at], bound);
    } else {
      range[at + 1] = Math.min(range[at + 1], bound - 1);
    }
  }

  /** Whether the service map would take a new flow to {@code dst:dport}. */
  private boolean frontend(int dst, int dport, int proto) {
    HashMapServiceLookup map = serviceMap;
    return map != null
        && (map.hasFrontend(dst, dport, proto)
            || (ns.isLocalAddress(dst) && map.hasFrontend(0, dport, proto)));
  }

  /**
   * The interface names the rules match on ({@code -i}, {@code -o}), each once, sorted; a name
   * ending in {@code +} matches every device whose name starts with the rest. Two devices that
   * every pattern matches alike are matched alike by every rule.
   */
  public List<String> interfacePatterns() {
    TreeSet<String> names = new TreeSet<>();
    for (Program p : programs.values()) {
      names.addAll(p.interfacePatterns());
    }
    return List.copyOf(names);
  }

  // ---------------------------------------------------------------- evaluation

  /** Reads the fields rules match on, once per hook. */
  private void load(Program p, Frame frame, @Nullable Device in, @Nullable Device out) {
    byte[] b = frame.buffer();
    int ip = frame.l3Offset();
    pSrc = Ipv4Header.src(b, ip);
    pDst = Ipv4Header.dst(b, ip);
    pProto = Ipv4Header.protocol(b, ip);
    pSport = 0;
    pDport = 0;
    if (Ipv4Header.fragmentOffset(b, ip) == 0
        && (pProto == IpProtocol.TCP || pProto == IpProtocol.UDP || pProto == 132)) {
      int l4 = ip + Ipv4Header.headerLength(b, ip);
      pSport = UdpHeader.srcPort(b, l4);
      pDport = UdpHeader.dstPort(b, l4);
    }
    pIn = in == null ? -2 : p.ifaceId(in.name());
    pOut = out == null ? -2 : p.ifaceId(out.name());
    pMark = frame.mark();
    Conntrack.Flow f = ctFlow;
    if (!tracked(frame)) {
      pCt = Match.CtState.INVALID;
    } else if (f == null) {
      pCt = ctRelated ? Match.CtState.INVALID : Match.CtState.UNTRACKED;
    } else if (ctRelated) {
      pCt = Match.CtState.RELATED;
    } else {
      pCt = ctReply || f.seenReply ? Match.CtState.ESTABLISHED : Match.CtState.NEW;
    }
  }

  /**
   * Runs the built-in chain of {@code point} in {@code p}: ACCEPT, DROP or REJECT, with {@link
   * #lastChain} and {@link #lastRule} the deciding rule (null for the policy).
   */
  private int evaluate(
      Program p,
      HookPoint point,
      @Nullable Frame frame,
      @Nullable Device in,
      @Nullable Device out) {
    Chain chain = p.hook(point);
    lastChain = null;
    lastRule = -1;
    if (chain == null) {
      return ACCEPT;
    }
    int r = 0;
    int end = chain.size();
    int sp = 0;
    int evaluated = 0;
    int verdict;
    @Nullable Device dev = in != null ? in : out;
    while (true) {
      if (r >= end) {
        if (sp == 0) {
          verdict = p.hookPolicyDrop[point.ordinal()] ? DROP : ACCEPT;
          lastChain = null;
          lastRule = -1;
          break;
        }
        sp--;
        chain = stackChain[sp];
        r = stackRule[sp];
        end = chain.size();
        continue;
      }
      int to = chain.skip(r, pDst);
      if (to != r) {
        if (dry) {
          long[] around = chain.destinationsAround(pDst);
          for (long a : around) {
            if (a >= 0) {
              compare(1, (int) a, -1);
            }
          }
        }
        evaluated += to - r;
        r = to;
        continue;
      }
      evaluated++;
      int[] data = chain.data;
      int at = r * Chain.STRIDE;
      if (!matches(data, at, chain, r, in, out)) {
        r++;
        continue;
      }
      if (frame != null) {
        packets.addTo(counter(p.table, chain, r), 1);
        ns.traceHop(dev, HopAction.RULE, frame, chain.traceText(p.table, r));
      }
      int kind = data[at + Chain.KIND];
      if (kind == Chain.T_NONE || kind == Chain.T_LOG) {
        r++;
      } else if (kind == Chain.T_ACCEPT || kind == Chain.T_NAT) {
        verdict = ACCEPT;
        lastChain = chain;
        lastRule = r;
        break;
      } else if (kind == Chain.T_DROP) {
        verdict = DROP;
        lastChain = chain;
        lastRule = r;
        break;
      } else if (kind == Chain.T_REJECT) {
        verdict = REJECT;
        lastChain = chain;
        lastRule = r;
        break;
      } else if (kind == Chain.T_RETURN) {
        r = end;
      } else if (kind == Chain.T_MARK) {
        Target.SetMark m = (Target.SetMark) Objects.requireNonNull(chain.rules[r].target);
        pMark = (pMark & ~m.mask()) ^ m.value();
        if (frame != null) {
          frame.setMark(pMark);
        }
        r++;
      } else {
        Chain target = p.chain(data[at + Chain.JUMP]);
        if (kind == Chain.T_JUMP) {
          if (sp == MAX_DEPTH) {
            verdict = DROP;
            lastChain = chain;
            lastRule = r;
            break;
          }
          stackChain[sp] = chain;
          stackRule[sp] = r + 1;
          sp++;
        }
        chain = target;
        r = 0;
        end = chain.size();
      }
    }
    if (frame != null) {
      rulesEvaluated += evaluated;
      lastEvaluated = evaluated;
      frame.addProcessingNanos(evaluated * NANOS_PER_RULE, sim.now());
    }
    return verdict;
  }

  private boolean matches(
      int[] d, int at, Chain chain, int r, @Nullable Device in, @Nullable Device out) {
    int f = d[at + Chain.FLAGS];
    if (dry) {
      compare(0, d[at + Chain.SRC], d[at + Chain.SRC_MASK]);
      compare(1, d[at + Chain.DST], d[at + Chain.DST_MASK]);
    }
    if (((pSrc & d[at + Chain.SRC_MASK]) == d[at + Chain.SRC]) == ((f & Chain.INV_SRC) != 0)) {
      return false;
    }
    if (((pDst & d[at + Chain.DST_MASK]) == d[at + Chain.DST]) == ((f & Chain.INV_DST) != 0)) {
      return false;
    }
    int proto = d[at + Chain.PROTO];
    if (proto >= 0 && (pProto == proto) == ((f & Chain.INV_PROTO) != 0)) {
      return false;
    }
    int inIf = d[at + Chain.IN_IF];
    if (inIf >= 0 && (pIn == inIf) == ((f & Chain.INV_IN) != 0)) {
      return false;
    }
    int outIf = d[at + Chain.OUT_IF];
    if (outIf >= 0 && (pOut == outIf) == ((f & Chain.INV_OUT) != 0)) {
      return false;
    }
    if (dry && (d[at + Chain.SPORT_LO] != 0 || d[at + Chain.SPORT_HI] != 65535)) {
      uncertain = true; // the source port of a dry run is any
    }
    if ((pSport >= d[at + Chain.SPORT_LO] && pSport <= d[at + Chain.SPORT_HI])
        == ((f & Chain.INV_SPORT) != 0)) {
      return false;
    }
    if ((pDport >= d[at + Chain.DPORT_LO] && pDport <= d[at + Chain.DPORT_HI])
        == ((f & Chain.INV_DPORT) != 0)) {
      return false;
    }
    if (((pMark & d[at + Chain.MARK_MASK]) == d[at + Chain.MARK_VALUE])
        == ((f & Chain.INV_MARK) != 0)) {
      return false;
    }
    int ct = d[at + Chain.CT_STATES];
    if (ct != 0 && ((pCt & ct) != 0) == ((f & Chain.INV_CT) != 0)) {
      return false;
    }
    return (f & Chain.SLOW) == 0 || slowMatches(Objects.requireNonNull(chain.slow)[r], in, out);
  }

  /** Notes, in a dry run, a source (0) or destination (1) prefix a rule compares with. */
  private void compare(int side, int address, int mask) {
    if (mask != 0) {
      compared.add(side);
      compared.add(address & mask);
      compared.add(mask);
    }
  }

  private boolean slowMatches(Match[] list, @Nullable Device in, @Nullable Device out) {
    for (Match m : list) {
      boolean ok;
      if (m instanceof Match.Wildcard w) {
        Device d = w.in() ? in : out;
        ok = (d != null && d.name().startsWith(w.prefix())) != w.inverted();
      } else if (m instanceof Match.AddrType a) {
        ok =
            (a.srcType() == null || addrType(pSrc, a.srcType()) != a.invSrc())
                && (a.dstType() == null || addrType(pDst, a.dstType()) != a.invDst());
      } else if (dry && (m instanceof Match.Statistic || m instanceof Match.Recent)) {
        uncertain = true; // random or stateful: a dry run draws nothing and changes nothing
        ok = false;
      } else if (m instanceof Match.Statistic s) {
        ok = ((random.nextInt() & 0x7FFF_FFFF) < s.probability()) != s.inverted();
      } else if (m instanceof Match.Recent rc) {
        ok = recent(rc);
      } else {
        ok = true;
      }
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private boolean addrType(int addr, String type) {
    boolean multicast = (addr >>> 28) == 0xE;
    boolean broadcast = addr == -1;
    boolean local = ns.isLocalAddress(addr);
    return switch (type) {
      case "LOCAL" -> local;
      case "MULTICAST" -> multicast;
      case "BROADCAST" -> broadcast;
      default -> !local && !multicast && !broadcast && addr != 0;
    };
  }

  /** {@code xt_recent}: lists of addresses with their last-seen time, on the simulated clock. */
  private boolean recent(Match.Recent rc) {
    Int2LongLinkedOpenHashMap list =
        recent.computeIfAbsent(rc.name(), k -> new Int2LongLinkedOpenHashMap());
    int key = (rc.source() ? pSrc : pDst) & rc.mask();
    long now = sim.now();
    boolean hit;
    switch (rc.command()) {
      case Match.Recent.SET -> {
        list.put(key, now);
        hit = true;
      }
      case Match.Recent.REMOVE -> {
        hit = list.containsKey(key);
        list.remove(key);
      }
      default -> {
        hit = list.containsKey(key);
        if (hit && rc.seconds() > 0) {
          boolean fresh = now - list.get(key) <= rc.seconds() * SimTime.SECOND;
          if (!fresh && rc.reap()) {
            list.remove(key);
          }
          hit = fresh;
        }
        if (hit && rc.command() == Match.Recent.UPDATE) {
          list.put(key, now);
        }
      }
    }
    return hit != rc.inverted();
  }

  @Override
  public String toString() {
    return "netfilter in " + ns.label();
  }
}
