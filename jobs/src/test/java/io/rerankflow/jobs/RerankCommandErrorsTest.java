package io.rerankflow.jobs;

import static io.rerankflow.testing.CommandRun.assertOneLine;
import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.cli.CommandLineErrors;
import io.rerankflow.testing.CommandRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
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

  private static CommandRun rerank(String... args) {
    PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
    return CommandRun.execute(
        CommandLineErrors.install(new CommandLine(new RerankJob(new RerankOptions(), quiet))),
        args);
  }

  @Test
  void wrongModelPathIsOneLineWithExitCodeTwo() {
    CommandRun run =
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
    CommandRun run = rerank("--input", input, "--output", output, "--modle", "default");
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
    CommandRun run =
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
