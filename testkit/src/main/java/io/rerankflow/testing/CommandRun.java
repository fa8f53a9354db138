package io.rerankflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/**
 * One run of a command's entry point as a user meets it: what it printed on stderr and the exit
 * code it returned (stdout is dropped).
 */
public record CommandRun(int exitCode, String err) {

  /** Runs {@code command} with {@code args}. */
  public static CommandRun execute(CommandLine command, String... args) {
    StringWriter err = new StringWriter();
    command.setErr(new PrintWriter(err, true));
    command.setOut(new PrintWriter(new StringWriter(), true));
    int exitCode = command.execute(args);
    return new CommandRun(exitCode, err.toString());
  }

  public List<String> lines() {
    return err.lines().toList();
  }

  /** The run's stderr is one line holding {@code expected}, no stack trace, and its exit code. */
  public static void assertOneLine(CommandRun run, int exitCode, String expected) {
    assertThat(run.lines()).as(run.err()).hasSize(1);
    assertThat(run.err()).contains(expected).doesNotContain("\tat ").doesNotContain("java.lang.");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(exitCode);
  }
}
