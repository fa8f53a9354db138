package io.rerankflow.jobs;

import static io.rerankflow.jobs.ResumableRuns.RUN_BOUND;
import static io.rerankflow.jobs.ResumableRuns.assertResumed;
import static io.rerankflow.jobs.ResumableRuns.killAfterACommittedCheckpoint;
import static io.rerankflow.jobs.ResumableRuns.resumeToTheEnd;
import static io.rerankflow.jobs.ResumableRuns.summaryRequests;
import static java.nio.file.StandardOpenOption.APPEND;
import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.cli.CommandLineErrors;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.testing.GeneratedRequest;
import io.rerankflow.testing.JarProcess;
import io.rerankflow.testing.TinyModelExpectations;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A file run in a child JVM, started as {@code scripts/rerank} starts it, killed with SIGKILL once
 * a checkpoint has completed and some results are committed, then run again with the same command:
 * it resumes, and the results hold every request exactly once, each the tiny model's failure-free
 * answer computed in Java.
 */
class ResumeAfterKillITCase {
  /** Enough requests that the run is still scoring when its first checkpoint commits results. */
  private static final int REQUESTS = 20_000;

  private static final Path JAR = Path.of("target", "rerankflow-jobs.jar");

  @TempDir static Path shared;
  private static TinyModelExpectations tiny;
  private static Map<String, GeneratedRequest> requests;

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
            JarProcess.start(JAR, dir.resolve("killed.log"), args),
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

    String console = resumeToTheEnd(JarProcess.start(JAR, dir.resolve("resumed.log"), args));
    assertResumed(console, committed, LINES, pairs);
    assertEveryLineOnce(ResultFiles.jsonl(out));

    try (JarProcess again = JarProcess.start(JAR, dir.resolve("again.log"), args)) {
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
            JarProcess.start(JAR, dir.resolve("killed.log"), args),
            out,
            () -> ResultFiles.parquet(out).size(),
            LINES);

    String console = resumeToTheEnd(JarProcess.start(JAR, dir.resolve("resumed.log"), args));
    assertResumed(console, committed, LINES, pairs);
    assertEveryLineOnce(ResultFiles.parquet(out));

    List<String> fresh = new ArrayList<>(args);
    fresh.add("--fresh");
    String again = resumeToTheEnd(JarProcess.start(JAR, dir.resolve("fresh.log"), fresh));
    assertThat(again).doesNotContain("Resuming:");
    assertThat(summaryRequests(again)).as("requests scored again").isEqualTo(LINES);
    assertEveryLineOnce(ResultFiles.parquet(out));
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
}
