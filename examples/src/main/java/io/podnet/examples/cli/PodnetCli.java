package io.podnet.examples.cli;

import io.podnet.examples.demo.Demo;
import io.podnet.examples.scenario.Scenario;
import io.podnet.examples.scenario.ScenarioException;
import io.podnet.examples.scenario.ScenarioRunner;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
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
      PodnetCli.ValidateCommand.class
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
  private static @Nullable Scenario load(Path file, PrintWriter err) {
    try {
      Scenario scenario = Scenario.load(file);
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

    @Override
    public Integer call() {
      PrintWriter out =
          spec == null ? new PrintWriter(System.out, true) : spec.commandLine().getOut();
      PrintWriter err =
          spec == null ? new PrintWriter(System.err, true) : spec.commandLine().getErr();
      Scenario scenario = load(file, err);
      if (scenario == null) {
        return 2;
      }
      ScenarioRunner.Result result;
      try {
        result = ScenarioRunner.run(scenario);
      } catch (ScenarioException e) {
        for (String problem : e.problems()) {
          err.println("podnet: " + problem);
        }
        err.flush();
        return 2;
      }
      out.print(result.transcript());
      out.flush();
      return result.exitCode();
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

    @Override
    public Integer call() {
      PrintWriter out =
          spec == null ? new PrintWriter(System.out, true) : spec.commandLine().getOut();
      PrintWriter err =
          spec == null ? new PrintWriter(System.err, true) : spec.commandLine().getErr();
      Scenario scenario = load(file, err);
      if (scenario == null) {
        return 2;
      }
      out.println(file + ": valid (" + scenario.name() + ")");
      out.flush();
      return 0;
    }
  }
}
