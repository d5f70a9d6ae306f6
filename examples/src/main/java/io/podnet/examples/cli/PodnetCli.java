package io.podnet.examples.cli;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.podnet.cni.cluster.Cluster;
import io.podnet.core.engine.SimTime;
import io.podnet.core.trace.TraceRecord;
import io.podnet.core.trace.TraceSink;
import io.podnet.examples.demo.Demo;
import io.podnet.examples.scenario.Inspection;
import io.podnet.examples.scenario.Scenario;
import io.podnet.examples.scenario.ScenarioException;
import io.podnet.examples.scenario.ScenarioRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.jspecify.annotations.Nullable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code podnet} command. Exit codes: 0 on success, 1 when the run fails, 2 for bad input (a
 * one-line message, no stack trace).
 */
@Command(
    name = "podnet",
    mixinStandardHelpOptions = true,
    version = "podnet 0.1.0",
    description = "A deterministic simulator of Kubernetes pod networking.",
    subcommands = {
      PodnetCli.DemoCommand.class,
      PodnetCli.RunCommand.class,
      PodnetCli.ValidateCommand.class,
      PodnetCli.InspectCommand.class,
      PodnetCli.VersionCommand.class,
      PodnetCli.CompletionCommand.class
    })
public final class PodnetCli implements Callable<Integer> {

  @CommandLine.Spec private CommandLine.Model.@Nullable CommandSpec spec;

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(
        execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams; returns the exit code. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new PodnetCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler(
        (ex, arguments) -> {
          ex.getCommandLine().getErr().println("podnet: " + ex.getMessage());
          return 2;
        });
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          commandLine.getErr().println("podnet: " + ex.getMessage());
          return ex instanceof IllegalArgumentException || ex instanceof UncheckedIOException
              ? 2
              : 1;
        });
    return cli.execute(args);
  }

  @Override
  public Integer call() {
    if (spec != null) {
      spec.commandLine().usage(spec.commandLine().getOut());
    }
    return 0;
  }

  /** {@code podnet demo}: the default scenario, printed as a transcript. */
  @Command(
      name = "demo",
      mixinStandardHelpOptions = true,
      description =
          "A two-node cluster whose pods get their network through the bridge CNI plugin: pings"
              + " pod to pod on one node and across nodes, then prints kubectl get pods -o wide,"
              + " ip link, ip route, a packet walk, the CNI contract check and the trace digest.")
  static final class DemoCommand implements Callable<Integer> {

    @CommandLine.Spec private CommandLine.Model.@Nullable CommandSpec spec;

    @Option(names = "--seed", description = "Master seed of the run (default: ${DEFAULT-VALUE}).")
    private long seed = 42;

    @Option(
        names = "--pcap",
        paramLabel = "DIR",
        description = "Write one pcap per node NIC and per pod eth0 into DIR.")
    private @Nullable Path pcap;

    @Override
    public Integer call() {
      String transcript = Demo.of(seed, pcap).run();
      PrintWriter out =
          spec == null ? new PrintWriter(System.out, true) : spec.commandLine().getOut();
      out.print(transcript);
      out.flush();
      return 0;
    }
  }

  /**
   * Loads a scenario, printing its warnings and, when it is invalid, every problem on {@code err}
   * (one {@code podnet: file:line:column: ...} line each); null when invalid.
   */
  private static @Nullable Scenario load(Path file, boolean allowOutside, PrintWriter err) {
    try {
      Scenario scenario = Scenario.load(file, allowOutside);
      for (String warning : scenario.warnings()) {
        err.println("podnet: " + warning);
      }
      err.flush();
      return scenario;
    } catch (ScenarioException e) {
      for (String problem : e.problems()) {
        err.println("podnet: " + problem);
      }
      err.flush();
      return null;
    }
  }

  /** The {@code --allow-outside} option of the commands that load a scenario. */
  static final class AllowOutside {
    @Option(
        names = "--allow-outside",
        description =
            "Let the scenario's conflist and manifest paths lead out of its folder (../, absolute"
                + " paths, symlinks).")
    boolean allowOutside;
  }

  /** The version line {@code podnet version} prints first. */
  static final String VERSION = "podnet 0.1.0";

  /** Wall time after which {@code podnet run} shows a progress bar on a terminal. */
  private static final long PROGRESS_AFTER_NANOS = 2_000_000_000L;

  /** Prints the problems of a scenario that cannot run, one line each. */
  private static void printProblems(ScenarioException e, PrintWriter err) {
    for (String problem : e.problems()) {
      err.println("podnet: " + problem);
    }
    err.flush();
  }

  /**
   * Collects every trace record as one JSON object per line ({@code trace.jsonl}) and as its
   * canonical line ({@code --trace}).
   */
  private static final class CollectingSink implements TraceSink {
    private final StringBuilder jsonl = new StringBuilder();
    private final StringBuilder lines = new StringBuilder();

    @Override
    public void accept(TraceRecord record, String canonicalLine) {
      jsonl.append("{\"time\":").append(record.time());
      jsonl.append(",\"at\":\"").append(SimTime.format(record.time())).append("s\"");
      jsonl.append(",\"kind\":");
      json(jsonl, record.getClass().getSimpleName());
      jsonl.append(",\"line\":");
      json(jsonl, canonicalLine);
      jsonl.append("}\n");
      lines.append(canonicalLine).append('\n');
    }

    /** Appends {@code text} as a JSON string, escaped by Jackson. */
    private static void json(StringBuilder sb, String text) {
      sb.append('"').append(JsonStringEncoder.getInstance().quoteAsString(text)).append('"');
    }
  }

  /**
   * A progress bar on stderr for runs that take more than a few seconds of wall time; it appears
   * only once that much time has passed, so short runs never show it.
   */
  private static final class ProgressDisplay implements ScenarioRunner.Progress, AutoCloseable {
    private final String name;
    private final long start = System.nanoTime();
    private @Nullable ProgressBar bar;

    ProgressDisplay(String name) {
      this.name = name;
    }

    @Override
    public void stepDone(int done, int total) {
      within(done, total, 0);
    }

    /** Steps are shown in hundredths, so a long step ({@code settle}) moves the bar too. */
    @Override
    public void within(int done, int total, double fraction) {
      if (bar == null && System.nanoTime() - start > PROGRESS_AFTER_NANOS) {
        bar =
            new ProgressBarBuilder()
                .setTaskName(name)
                .setInitialMax(100L * total)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .build();
      }
      if (bar != null) {
        bar.stepTo(100L * done + Math.round(100 * fraction));
      }
    }

    /** Closes the bar and, if it was shown, says on stderr how much wall time the run took. */
    @Override
    public void close() {
      if (bar != null) {
        bar.close();
        System.err.printf(
            Locale.ROOT,
            "podnet: %s ran in %.1f s of wall time%n",
            name,
            (System.nanoTime() - start) / 1e9);
      }
    }
  }

  /** {@code podnet run FILE}: replays a scenario file and prints its transcript. */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description =
          "Replays a scenario file on the simulated clock and prints what the real tools would"
              + " show. Exit 0 when every expectation held, 1 when one failed, 2 for bad input.")
  static final class RunCommand implements Callable<Integer> {

    @CommandLine.Spec private CommandLine.Model.@Nullable CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The scenario file (YAML).")
    private Path file = Path.of("scenario.yaml");

    @Option(
        names = "--out",
        paramLabel = "DIR",
        description = "Write transcript.txt, trace.jsonl and walks.txt into DIR.")
    private @Nullable Path outDir;

    @Option(names = "--seed", paramLabel = "N", description = "Override the file's seed.")
    private @Nullable Long seed;

    @Option(
        names = "--quiet",
        description = "Print no transcript (only errors); the exit code tells the outcome.")
    private boolean quiet;

    @Option(names = "--trace", description = "Print the trace lines after the transcript.")
    private boolean trace;

    @Option(
        names = "--pcap",
        description =
            "With --out: write one pcap per node eth0 (NODE-eth0.pcap) and per pod eth0"
                + " (NODE-POD-eth0.pcap), from the moment each device exists to the end of the run.")
    private boolean pcap;

    @Option(
        names = "--mermaid",
        description =
            "With --out: write topology.mmd (nodes, CNI devices, veths and pods as the run ended)"
                + " and cni-add.mmd (the CNI ADD sequence of the run's first pod).")
    private boolean mermaid;

    @CommandLine.Mixin private AllowOutside outside = new AllowOutside();

    @Override
    public Integer call() {
      PrintWriter out =
          spec == null ? new PrintWriter(System.out, true) : spec.commandLine().getOut();
      PrintWriter err =
          spec == null ? new PrintWriter(System.err, true) : spec.commandLine().getErr();
      Scenario scenario = load(file, outside.allowOutside, err);
      if (scenario == null) {
        return 2;
      }
      if (outDir != null && Files.exists(outDir) && !Files.isDirectory(outDir)) {
        err.println("podnet: --out: " + outDir + " is not a directory");
        err.flush();
        return 2;
      }
      if ((pcap || mermaid) && outDir == null) {
        err.println("podnet: " + (pcap ? "--pcap" : "--mermaid") + " needs --out DIR");
        err.flush();
        return 2;
      }
      if (pcap) {
        try {
          Files.createDirectories(outDir);
        } catch (IOException e) {
          err.println("podnet: --out: cannot write to " + outDir + ": " + e.getMessage());
          err.flush();
          return 2;
        }
      }
      RunArtifacts artifacts = new RunArtifacts(pcap ? outDir : null);
      CollectingSink sink = new CollectingSink();
      List<TraceSink> sinks = new ArrayList<>();
      if (outDir != null || trace) {
        sinks.add(sink);
      }
      ScenarioRunner.Result result;
      boolean showProgress = !quiet && System.console() != null;
      try (ProgressDisplay progress = new ProgressDisplay(scenario.name())) {
        result =
            ScenarioRunner.run(
                scenario,
                new ScenarioRunner.Options(
                    seed,
                    sinks,
                    showProgress ? progress : null,
                    pcap || mermaid ? artifacts::clusterBuilt : null));
      } catch (ScenarioException e) {
        printProblems(e, err);
        return 2;
      } finally {
        artifacts.closeCaptures();
      }
      String printed = trace ? result.transcript() + "\n" + sink.lines : result.transcript();
      if (outDir != null) {
        try {
          Files.createDirectories(outDir);
          Files.writeString(outDir.resolve("transcript.txt"), printed, StandardCharsets.UTF_8);
          Files.writeString(outDir.resolve("trace.jsonl"), sink.jsonl, StandardCharsets.UTF_8);
          Files.writeString(outDir.resolve("walks.txt"), result.walks(), StandardCharsets.UTF_8);
          if (mermaid) {
            Files.writeString(
                outDir.resolve("topology.mmd"),
                artifacts.topologyDiagram(),
                StandardCharsets.UTF_8);
            Files.writeString(
                outDir.resolve("cni-add.mmd"), artifacts.cniAddDiagram(), StandardCharsets.UTF_8);
          }
        } catch (IOException e) {
          err.println("podnet: --out: cannot write to " + outDir + ": " + e.getMessage());
          err.flush();
          return 2;
        }
      }
      if (!quiet) {
        out.print(printed);
        out.flush();
      }
      return result.exitCode();
    }
  }

  /** {@code podnet inspect FILE --at T --node NAME -- COMMAND}: one command at a simulated time. */
  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      description =
          "Runs a scenario up to a simulated time, then one inspection command (ip route,"
              + " iptables-save, ...) on a node or a pod, printing only its output. Exit 2 for"
              + " bad input.")
  static final class InspectCommand implements Callable<Integer> {

    @CommandLine.Spec private CommandLine.Model.@Nullable CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The scenario file (YAML).")
    private Path file = Path.of("scenario.yaml");

    @Parameters(
        index = "1..*",
        paramLabel = "COMMAND",
        description = "The command, after --, e.g. -- ip route.")
    private List<String> command = new ArrayList<>();

    @Option(names = "--at", required = true, description = "Simulated time, e.g. 5s or 500ms.")
    private String at = "0s";

    @Option(names = "--node", description = "Run the command on this node.")
    private @Nullable String node;

    @Option(names = "--pod", description = "Run the command in this pod.")
    private @Nullable String pod;

    @Option(names = "--seed", paramLabel = "N", description = "Override the file's seed.")
    private @Nullable Long seed;

    @CommandLine.Mixin private AllowOutside outside = new AllowOutside();

    @Override
    public Integer call() {
      PrintWriter out =
          spec == null ? new PrintWriter(System.out, true) : spec.commandLine().getOut();
      PrintWriter err =
          spec == null ? new PrintWriter(System.err, true) : spec.commandLine().getErr();
      long time;
      try {
        time = SimTime.parse(at);
        if (time < 0) {
          throw new IllegalArgumentException("must not be negative");
        }
      } catch (IllegalArgumentException e) {
        return fail(err, "--at: invalid time \"" + at + "\": " + e.getMessage());
      }
      if ((node == null) == (pod == null)) {
        return fail(err, "inspect: expected exactly one of --node NAME or --pod NAME");
      }
      if (command.isEmpty()) {
        return fail(err, "inspect: expected a command after --, e.g. -- ip route");
      }
      Scenario scenario = load(file, outside.allowOutside, err);
      if (scenario == null) {
        return 2;
      }
      String output;
      try {
        Cluster cluster =
            ScenarioRunner.runUntil(
                scenario, new ScenarioRunner.Options(seed, List.of(), null), time);
        output = Inspection.run(cluster, node, pod, command);
      } catch (ScenarioException e) {
        printProblems(e, err);
        return 2;
      } catch (IllegalArgumentException e) {
        return fail(err, e.getMessage());
      }
      out.print(output);
      out.flush();
      return 0;
    }

    private static int fail(PrintWriter err, String message) {
      err.println("podnet: " + message);
      err.flush();
      return 2;
    }
  }

  /** {@code podnet version}: the program's version and the Java it runs on. */
  @Command(
      name = "version",
      mixinStandardHelpOptions = true,
      description = "Prints podnet's version and the Java runtime's.")
  static final class VersionCommand implements Callable<Integer> {

    @CommandLine.Spec private CommandLine.Model.@Nullable CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out =
          spec == null ? new PrintWriter(System.out, true) : spec.commandLine().getOut();
      out.println(VERSION);
      out.println(
          "Java "
              + Runtime.version()
              + " ("
              + System.getProperty("java.vendor")
              + ", "
              + System.getProperty("java.vm.name")
              + ")");
      out.flush();
      return 0;
    }
  }

  /** {@code podnet completion}: a bash completion script, generated from the command model. */
  @Command(
      name = "completion",
      mixinStandardHelpOptions = true,
      description =
          "Prints a bash completion script for podnet; use it with: source <(podnet completion)")
  static final class CompletionCommand implements Callable<Integer> {

    @CommandLine.Spec private CommandLine.Model.@Nullable CommandSpec spec;

    @Override
    public Integer call() {
      if (spec == null) {
        throw new IllegalStateException("picocli injects the command spec");
      }
      PrintWriter out = spec.commandLine().getOut();
      out.print(AutoComplete.bash("podnet", spec.root().commandLine()));
      out.flush();
      return 0;
    }
  }

  /** {@code podnet validate FILE}: checks a scenario file without running it. */
  @Command(
      name = "validate",
      mixinStandardHelpOptions = true,
      description =
          "Checks a scenario file without running it: one line per problem with file, line and"
              + " column. Exit 0 when it is valid, 2 when not.")
  static final class ValidateCommand implements Callable<Integer> {

    @CommandLine.Spec private CommandLine.Model.@Nullable CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The scenario file (YAML).")
    private Path file = Path.of("scenario.yaml");

    @CommandLine.Mixin private AllowOutside outside = new AllowOutside();

    @Override
    public Integer call() {
      PrintWriter out =
          spec == null ? new PrintWriter(System.out, true) : spec.commandLine().getOut();
      PrintWriter err =
          spec == null ? new PrintWriter(System.err, true) : spec.commandLine().getErr();
      Scenario scenario = load(file, outside.allowOutside, err);
      if (scenario == null) {
        return 2;
      }
      out.println(file + ": valid (" + scenario.name() + ")");
      out.flush();
      return 0;
    }
  }
}
