package io.rerankflow.eval.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code scripts/evaluate}'s entry point as a user meets it: a mistake is one line on stderr naming
 * what is wrong, exit code 2, no stack trace unless {@code --verbose}.
 */
class EvaluateCommandErrorsTest {
  @TempDir static Path dir;
  private static String input;
  private static String output;

  @BeforeAll
  static void files() throws IOException {
    input =
        Files.writeString(
                dir.resolve("requests.jsonl"),
                "{\"model\":\"x\",\"query\":{\"text\":\"q\"},\"passages\":[{\"text\":\"p\"}]}\n")
            .toString();
    output = dir.resolve("out").toString();
  }

  /** What a run printed on stderr and the exit code it returned. */
  private record Run(int exitCode, String err) {
    List<String> lines() {
      return err.lines().toList();
    }
  }

  private static Run evaluate(String... args) {
    return run(
        EvaluateJob.command(new EvaluateJob(new PrintStream(PrintStream.nullOutputStream()))),
        args);
  }

  private static Run run(CommandLine command, String... args) {
    StringWriter err = new StringWriter();
    command.setErr(new PrintWriter(err, true));
    command.setOut(new PrintWriter(new StringWriter(), true));
    int exitCode = command.execute(args);
    return new Run(exitCode, err.toString());
  }

  private static void assertOneLine(Run run, int exitCode, String expected) {
    assertThat(run.lines()).as(run.err()).hasSize(1);
    assertThat(run.err()).contains(expected).doesNotContain("\tat ").doesNotContain("java.lang.");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(exitCode);
  }

  @Test
  void evaluateReportsMissingAndUnreadableInputsTheSameWay() {
    assertOneLine(
        evaluate("--beir", dir.toString()), 2, "evaluate: Missing required option: '--output");
    assertOneLine(
        evaluate("--beir", dir.toString(), "--run", input, "--output", output),
        2,
        "evaluate: --beir: " + dir.resolve("corpus.jsonl") + " is not a readable file");
    assertOneLine(
        evaluate("--beir", dir.toString(), "--run", input, "--output", output, "--top-k", "many"),
        2,
        "evaluate: Invalid value for option '--top-k'");
  }
}
