package io.podnet.examples.scenario;

import java.util.List;

/**
 * A scenario file that cannot run: every problem found, one line each, as {@code file:line:column:
 * what was expected}.
 */
public final class ScenarioException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  ScenarioException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  /** The problems, one line each, in file order. */
  public List<String> problems() {
    return problems;
  }
}
