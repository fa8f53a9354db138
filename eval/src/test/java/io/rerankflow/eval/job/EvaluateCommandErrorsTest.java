package io.rerankflow.eval.job;

import static io.rerankflow.testing.CommandRun.assertOneLine;

import io.rerankflow.testing.CommandRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  private static CommandRun evaluate(String... args) {
    return CommandRun.execute(
        EvaluateJob.command(new EvaluateJob(new PrintStream(PrintStream.nullOutputStream()))),
        args);
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
