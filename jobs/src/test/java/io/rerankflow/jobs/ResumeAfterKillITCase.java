package io.rerankflow.jobs;

import static java.nio.file.StandardOpenOption.APPEND;
import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RerankOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A file run in a child JVM, started as {@code scripts/rerank} and {@code scripts/evaluate} start
 * it, killed with SIGKILL once a checkpoint has completed and some results are committed, then run
 * again with the same command: it resumes, and the results hold every request exactly once, each
 * the tiny model's failure-free answer computed in Java.
 */
class ResumeAfterKillITCase {
  /** Enough requests that the run is still scoring when its first checkpoint commits results. */
  private static final int REQUESTS = 20_000;

  private static final Duration START_BOUND = Duration.ofMinutes(3);
  private static final Duration RUN_BOUND = Duration.ofMinutes(6);
  private static final Pattern RESUMING =
      Pattern.compile(
          "(?m)^Resuming: (\\d+) requests \\((\\d+) pairs\\) already done, from checkpoint chk-\\d+");
  private static final Pattern SUMMARY =
      Pattern.compile("(?m)^Summary: (\\d+) requests, (\\d+) pairs scored");

  @TempDir static Path shared;
  private static TinyModelExpectations tiny;
  private static Map<String, GeneratedRequest> requests;

  /** The requests alone (the evaluation's input). */
  private static Path input;

  /** The requests with a line that is not JSON and a request for an unknown model among them. */
  private static Path inputWithBadLines;

  private static final int MALFORMED_LINE = 7_001;
  private static final String UNKNOWN_MODEL = "night-unknown-model";
  private static final int LINES = REQUESTS + 2;
  private static long pairs;

  @BeforeAll
  static void writeModelAndRequests() throws IOException {
    tiny = new TinyModelExpectations(shared);
    requests = new LinkedHashMap<>();
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < REQUESTS; r++) {
      GeneratedRequest request = GeneratedRequest.generated("night-" + r, 50_000 + r);
      requests.put(request.id(), request);
      lines.add(request.json(true));
      pairs += request.passages().size();
    }
    input = shared.resolve("evaluation-requests.jsonl");
    Files.write(input, lines);
    lines.add(MALFORMED_LINE - 1, "not json");
    lines.add(
        13_000,
        "{\"id\":\""
            + UNKNOWN_MODEL
            + "\",\"model\":\"nope\",\"query\":{\"text\":\"the road\"},"
            + "\"passages\":[{\"text\":\"two roads\"}]}");
    inputWithBadLines = shared.resolve("requests.jsonl");
    Files.write(inputWithBadLines, lines);
  }

  @AfterAll
  static void closeTokenizer() {
    tiny.close();
  }

  @Test
  void killedJsonLinesRunResumedByTheSameCommandWritesEveryRequestOnce(@TempDir Path dir)
      throws Exception {
    Path out = dir.resolve("out");
    List<String> args = rerankArgs(out, "file", tiny.modelDir().toString());
    int committed =
        killAfterACommittedCheckpoint(
            JarProcess.rerank(dir.resolve("killed.log"), args),
            out,
            () -> ResultFiles.jsonl(out).size(),
            LINES);

    // Another model or an edited input on the interrupted run's output is refused, naming --fresh.
    assertRefused(rerankArgs(out, "file", "tiny=" + tiny.modelDir()), "--model changed");
    byte[] original = Files.readAllBytes(inputWithBadLines);
    try {
      Files.writeString(inputWithBadLines, "{\"id\":\"edited\"}\n", StandardCharsets.UTF_8, APPEND);
      assertRefused(args, "--input requests.jsonl changed");
    } finally {
      Files.write(inputWithBadLines, original);
    }

    String console = resumeToTheEnd(JarProcess.rerank(dir.resolve("resumed.log"), args));
    assertResumed(console, committed, LINES);
    assertEveryLineOnce(ResultFiles.jsonl(out));

    try (JarProcess again = JarProcess.rerank(dir.resolve("again.log"), args)) {
      assertThat(again.exitCode(RUN_BOUND)).as(again.console()).isZero();
      assertThat(again.console()).contains("Output complete: ").doesNotContain("Summary:");
    }
    assertEveryLineOnce(ResultFiles.jsonl(out));
  }

  @Test
  void killedParquetRunResumedByTheSameCommandWritesEveryRequestOnceAndFreshStartsOver(
      @TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    List<String> args = rerankArgs(out, "parquet", tiny.modelDir().toString());
    int committed =
        killAfterACommittedCheckpoint(
            JarProcess.rerank(dir.resolve("killed.log"), args),
            out,
            () -> ResultFiles.parquet(out).size(),
            LINES);

    String console = resumeToTheEnd(JarProcess.rerank(dir.resolve("resumed.log"), args));
    assertResumed(console, committed, LINES);
    assertEveryLineOnce(ResultFiles.parquet(out));

    List<String> fresh = new ArrayList<>(args);
    fresh.add("--fresh");
    String again = resumeToTheEnd(JarProcess.rerank(dir.resolve("fresh.log"), fresh));
    Matcher summary = SUMMARY.matcher(again);
    assertThat(summary.find()).as(again).isTrue();
    assertThat(again).doesNotContain("Resuming:");
    assertThat(Long.parseLong(summary.group(1))).as("requests scored again").isEqualTo(LINES);
    assertEveryLineOnce(ResultFiles.parquet(out));
  }

  @Test
  void killedEvaluationResumedByTheSameCommandRanksEveryRequestOnce(@TempDir Path dir)
      throws Exception {
    List<String> candidates = new ArrayList<>();
    List<String> qrels = new ArrayList<>(List.of("query-id\tcorpus-id\tscore"));
    for (GeneratedRequest request : requests.values()) {
      for (int p = 0; p < request.passages().size(); p++) {
        candidates.add(request.id() + " " + p + " " + request.id() + "-" + p);
      }
      qrels.add(request.id() + "\t" + request.id() + "-0\t1");
    }
    Path candidatesFile = Files.write(dir.resolve("candidates.tsv"), candidates);
    Path qrelsFile = Files.write(dir.resolve("qrels.tsv"), qrels);
    Path out = dir.resolve("evaluation");
    List<String> args =
        List.of(
            "--requests", input.toString(),
            "--candidates", candidatesFile.toString(),
            "--qrels", qrelsFile.toString(),
            "--output", out.toString(),
            "--model", tiny.modelDir().toString(),
            "--cost-sample", "0",
            "--parallelism", "2",
            "--checkpoint-interval", "200ms");
    Path responses = out.resolve(EvaluateJob.RESPONSES_DIR);
    int committed =
        killAfterACommittedCheckpoint(
            JarProcess.evaluate(dir.resolve("killed.log"), args),
            responses,
            () -> ResultFiles.jsonl(responses).size(),
            REQUESTS);

    String console = resumeToTheEnd(JarProcess.evaluate(dir.resolve("resumed.log"), args));
    assertResumed(console, committed, REQUESTS);
    List<RerankOutput> ranked = new ArrayList<>();
    for (String line :
        Files.readAllLines(
            out.resolve(EvaluateJob.responsesFile("tiny")), StandardCharsets.UTF_8)) {
      ranked.add(OutputJson.fromPipelineJson(line));
    }
    assertEveryRequestOnce(ranked);

    try (JarProcess again = JarProcess.evaluate(dir.resolve("again.log"), args)) {
      assertThat(again.exitCode(RUN_BOUND)).as(again.console()).isZero();
      assertThat(again.console()).contains("Evaluation complete: ");
    }
  }

  private static List<String> rerankArgs(Path out, String sink, String model) {
    return List.of(
        "--input",
        inputWithBadLines.toString(),
        "--output",
        out.toString(),
        "--sink",
        sink,
        "--model",
        model,
        "--parallelism",
        "2",
        "--checkpoint-interval",
        "200ms");
  }

  /**
   * Waits until a checkpoint has completed and results are committed, kills the run, and returns
   * how many results it had committed: some, not all.
   */
  private static int killAfterACommittedCheckpoint(JarProcess run, Path out, Rows rows, int lines)
      throws Exception {
    try (run) {
      boolean reached =
          run.awaitWhileRunning(
              () -> {
                try {
                  return RunState.in(out).latestCheckpoint().isPresent() && rows.count() > 0;
                } catch (IOException e) {
                  return false;
                }
              },
              START_BOUND);
      assertThat(reached).as("a committed checkpoint while running:\n%s", run.console()).isTrue();
      run.kill();
    }
    int committed = rows.count();
    assertThat(committed).as("results committed before the kill").isBetween(1, lines - 1);
    return committed;
  }

  private static String resumeToTheEnd(JarProcess run) throws Exception {
    try (run) {
      assertThat(run.exitCode(RUN_BOUND)).as(run.console()).isZero();
      return run.console();
    }
  }

  /** The re-run resumed what was committed and scored fewer pairs than the input holds. */
  private static void assertResumed(String console, int committed, int lines) {
    Matcher resuming = RESUMING.matcher(console);
    assertThat(resuming.find()).as(console).isTrue();
    assertThat(Long.parseLong(resuming.group(1)))
        .as("requests done at the checkpoint resumed from")
        .isBetween((long) committed, (long) lines - 1);
    Matcher summary = SUMMARY.matcher(console);
    assertThat(summary.find()).as(console).isTrue();
    assertThat(Long.parseLong(summary.group(1)) + Long.parseLong(resuming.group(1)))
        .as("requests of this run and resumed ones")
        .isEqualTo(lines);
    assertThat(Long.parseLong(summary.group(2))).as("pairs scored by the re-run").isLessThan(pairs);
    assertThat(console)
        .contains("Progress: " + lines + "/" + lines + " requests")
        .contains("requests resumed from the interrupted run");
  }

  private static void assertEveryRequestOnce(List<RerankOutput> rows) {
    Map<String, RerankOutput> byId = ResultFiles.byId(rows);
    assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(requests.keySet());
    requests.forEach((id, request) -> tiny.assertRanking(byId.get(id), request, id));
  }

  /** Every request once, the bad lines as their error records. */
  private static void assertEveryLineOnce(List<RerankOutput> rows) {
    Map<String, RerankOutput> byId = ResultFiles.byId(rows);
    assertThat(byId.get(Integer.toString(MALFORMED_LINE)).errorType).isEqualTo("malformed_json");
    assertThat(byId.get(UNKNOWN_MODEL).errorType).isEqualTo("model_not_found");
    assertEveryRequestOnce(
        rows.stream()
            .filter(r -> !r.id.equals(Integer.toString(MALFORMED_LINE)))
            .filter(r -> !r.id.equals(UNKNOWN_MODEL))
            .toList());
  }

  private static void assertRefused(List<String> args, String change) {
    StringWriter err = new StringWriter();
    int exit =
        CommandLineErrors.install(
                new CommandLine(
                    new RerankJob(
                        new RerankOptions(), new PrintStream(OutputStream.nullOutputStream()))))
            .setErr(new PrintWriter(err, true))
            .execute(args.toArray(String[]::new));
    String message = err.toString().strip();
    assertThat(exit).as(message).isEqualTo(2);
    assertThat(message.lines()).as(message).hasSize(1);
    assertThat(message).contains(change).contains("--fresh");
  }

  /** Rows of a result format, read from the files committed so far. */
  @FunctionalInterface
  private interface Rows {
    int count() throws IOException;
  }
}
