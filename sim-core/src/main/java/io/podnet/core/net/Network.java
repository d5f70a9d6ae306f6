package io.podnet.core.net;

import io.podnet.core.addr.MacAddress;
import io.podnet.core.engine.Simulation;
import io.podnet.core.trace.Trace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The composition root of the kernel model: the hosts, the links between their NICs, the packet-id
 * counter and the MAC allocator of one simulation, and the trace they all write to. Everything
 * random (MACs, neighbour timers, ephemeral ports) draws from the simulation's named streams, so a
 * seed fixes the whole run.
 *
 * <pre>{@code
 * Simulation sim = Simulation.create(7);
 * Network net = Network.create(sim);
 * Host node1 = net.addHost("node-1");
 * Host node2 = net.addHost("node-2");
 * net.connect(node1.root().addNic("eth0"), node2.root().addNic("eth0"), LinkSpec.DEFAULT);
 * }</pre>
 */
public final class Network {

  private final Simulation simulation;
  private final Trace trace;
  private final Map<String, Host> hosts = new LinkedHashMap<>();
  private final List<Link> links = new ArrayList<>();
  private final RandomGenerator macs;
  private final Map<Class<?>, Object> shared = new LinkedHashMap<>();
  private long nextPacketId = 1;

  private Network(Simulation simulation, Trace trace) {
    this.simulation = simulation;
    this.trace = trace;
    this.macs = simulation.random().stream("mac");
  }

  /** A network on {@code simulation} with a digest-only trace. */
  public static Network create(Simulation simulation) {
    return new Network(simulation, Trace.digestOnly());
  }

  /** A network on {@code simulation} writing to {@code trace}. */
  public static Network create(Simulation simulation, Trace trace) {
    return new Network(simulation, trace);
  }

  /** The simulation (clock and events). */
  public Simulation simulation() {
    return simulation;
  }

  /** The trace every host writes to. */
  public Trace trace() {
    return trace;
  }

  /**
   * The network-wide instance of {@code type}, created by {@code factory} on first use: state that
   * every host's software shares, such as a cluster datastore that all nodes' plugins read and
   * write.
   */
  public <T> T shared(Class<T> type, Supplier<T> factory) {
    return type.cast(shared.computeIfAbsent(type, t -> factory.get()));
  }

  /** Adds a host; {@link IllegalArgumentException} if the name is taken or empty. */
  public Host addHost(String name) {
    if (name.isEmpty() || name.contains("/") || name.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(
          "invalid host name \""
              + name
              + "\" (expected a non-empty name without '/' or whitespace)");
    }
    if (hosts.containsKey(name)) {
      throw new IllegalArgumentException("host \"" + name + "\" already exists");
    }
    Host host = new Host(this, name);
    hosts.put(name, host);
    return host;
  }

  /** The host with this name; {@link IllegalArgumentException} if there is none. */
  public Host host(String name) {
    Host host = hosts.get(name);
    if (host == null) {
      throw new IllegalArgumentException(
          "host \"" + name + "\" does not exist (has " + hosts.keySet() + ")");
    }
    return host;
  }

  /** Every host, in creation order. */
  public List<Host> hosts() {
    return new ArrayList<>(hosts.values());
  }

  /** Every link, in creation order. */
  public List<Link> links() {
    return new ArrayList<>(links);
  }

  /**
   * Joins two NICs with a link; {@link IllegalStateException} if either is already connected. Both
   * NICs take the link's MTU.
   */
  public Link connect(Nic a, Nic b, LinkSpec spec) {
    if (a == b) {
      throw new IllegalArgumentException("cannot connect NIC " + a + " to itself");
    }
    if (a.link() != null) {
      throw new IllegalStateException("NIC " + a + " is already connected by a link");
    }
    if (b.link() != null) {
      throw new IllegalStateException("NIC " + b + " is already connected by a link");
    }
    Link link = new Link(a, b, spec, simulation);
    a.plug(link);
    b.plug(link);
    a.setMtu(spec.mtu());
    b.setMtu(spec.mtu());
    links.add(link);
    return link;
  }

  /**
   * Adds an underlay L2 switch: a host whose root namespace holds a bridge {@code br0}, up, with no
   * address. Plug nodes in with {@link #attachToSwitch}.
   */
  public Host addSwitch(String name) {
    Host sw = addHost(name);
    sw.root().addBridge("br0").up();
    sw.root().loopback().up();
    return sw;
  }

  /**
   * Creates NIC {@code nicName} on {@code host}, a port NIC on the switch, links them and enslaves
   * the port to the switch's bridge; both NICs are brought up. Returns the host's NIC.
   */
  public Nic attachToSwitch(Host host, String nicName, Host underlaySwitch, LinkSpec spec) {
    NetNamespace swNs = underlaySwitch.root();
    Bridge br0 = (Bridge) swNs.device("br0");
    String portName = "swp" + (br0.portCount() + 1);
    Nic nic = host.root().addNic(nicName);
    Nic port = swNs.addNic(portName);
    connect(nic, port, spec);
    br0.addPort(port);
    port.up();
    nic.up();
    return nic;
  }

  /** The next packet id (ids start at 1 and are never reused in a run). */
  long nextPacketId() {
    return nextPacketId++;
  }

  /**
   * A fresh locally administered unicast MAC, as the kernel gives virtual devices; devices built by
   * other modules (a VXLAN device, say) take theirs from here too, so MACs follow the seed.
   */
  public MacAddress newMac() {
    long bits = macs.nextLong() & 0xFFFF_FFFF_FFFFL;
    return MacAddress.of((bits & ~0x0100_0000_0000L) | 0x0200_0000_0000L);
  }

  /** A named random stream of this simulation. */
  RandomGenerator random(String name) {
    return simulation.random().stream(name);
  }
}
