package io.rerankflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.cli.CommandLineErrors;
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
 * {@code scripts/rerank}'s entry point as a user meets it: a mistake is one line on stderr naming
 * what is wrong, exit code 2, no stack trace unless {@code --verbose}.
 */
class RerankCommandErrorsTest {
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

  private static Run rerank(String... args) {
    PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
    return run(
        CommandLineErrors.install(new CommandLine(new RerankJob(new RerankOptions(), quiet))),
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
  void wrongModelPathIsOneLineWithExitCodeTwo() {
    Run run =
        rerank("--input", input, "--output", output, "--model", dir.resolve("nope").toString());
    assertOneLine(run, 2, "rerank: model directory " + dir.resolve("nope") + " does not exist");
    assertThat(run.err()).contains("pass a directory or 'default'");
  }

  @Test
  void missingInputIsOneLineWithExitCodeTwo() {
    assertOneLine(
        rerank("--input", dir.resolve("missing.jsonl").toString(), "--output", output),
        2,
        "rerank: --input " + dir.resolve("missing.jsonl") + " does not exist");
    assertOneLine(rerank("--output", output), 2, "rerank: --input is needed with --source file");
  }

  @Test
  void unknownOptionSuggestsTheRightOneAndPointsAtHelp() {
    Run run = rerank("--input", input, "--output", output, "--modle", "default");
    assertOneLine(run, 2, "rerank: Unknown options: '--modle', 'default'");
    assertThat(run.err()).contains("did you mean --model?").contains("(see rerank --help)");
  }

  @Test
  void badOptionValueSaysHowToWriteIt() {
    assertOneLine(
        rerank("--input", input, "--output", output, "--timeout", "5x"),
        2,
        "'5x' is not a duration; write e.g. 500ms, 90s, 10m or 1h");
    assertOneLine(
        rerank("--input", input, "--output", output, "--device", "gpu"),
        2,
        "device 'gpu' is not one of cpu, auto, cuda, cuda:N");
    assertOneLine(
        rerank("--input", input, "--output", output, "--parallelism", "0"),
        2,
        "rerank: --parallelism must be at least 1");
  }

  @Test
  void verboseAddsTheStackTraceAndKeepsTheLineLast() {
    Run run =
        rerank(
            "--input",
            input,
            "--output",
            output,
            "--model",
            dir.resolve("nope").toString(),
            "--verbose");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("java.lang.IllegalArgumentException").contains("\tat ");
    assertThat(run.lines().get(run.lines().size() - 1))
        .startsWith("rerank: model directory " + dir.resolve("nope"));
  }
}
