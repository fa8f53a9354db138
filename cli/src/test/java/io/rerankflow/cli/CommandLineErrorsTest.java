package io.rerankflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** A failure no user can fix is still one line, with its cause, exit code 1. */
class CommandLineErrorsTest {
  /** A command failing the way no user can fix. */
  @Command(name = "broken")
  static final class Broken implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException("outer", new ArithmeticException("the real cause"));
    }
  }

  @Test
  void unexpectedFailureIsOneLineWithItsCauseAndExitCodeOne() {
    String err = run(CommandLineErrors.install(new CommandLine(new Broken())), 1);
    assertThat(err.lines()).as(err).hasSize(1);
    assertThat(err)
        .contains("broken: failed: ArithmeticException: the real cause")
        .contains("rerun with --verbose")
        .doesNotContain("\tat ");
  }

  private static String run(CommandLine command, int expectedExit) {
    StringWriter err = new StringWriter();
    command.setErr(new PrintWriter(err, true));
    command.setOut(new PrintWriter(new StringWriter(), true));
    assertThat(command.execute()).as(err.toString()).isEqualTo(expectedExit);
    return err.toString();
  }
}
