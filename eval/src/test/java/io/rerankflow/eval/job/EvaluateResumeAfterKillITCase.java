package io.rerankflow.eval.job;

import static io.rerankflow.jobs.ResumableRuns.RUN_BOUND;
import static io.rerankflow.jobs.ResumableRuns.assertResumed;
import static io.rerankflow.jobs.ResumableRuns.killAfterACommittedCheckpoint;
import static io.rerankflow.jobs.ResumableRuns.resumeToTheEnd;
import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.jobs.ResultFiles;
import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.testing.GeneratedRequest;
import io.rerankflow.testing.JarProcess;
import io.rerankflow.testing.TinyModelExpectations;
import java.io.IOException;
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

/**
 * An evaluation in a child JVM, started as {@code scripts/evaluate} starts it, killed with SIGKILL
 * once a checkpoint has completed and some responses are committed, then run again with the same
 * command: it resumes, and the responses hold every request exactly once, each the tiny model's
 * answer computed in Java.
 */
class EvaluateResumeAfterKillITCase {
  /** Enough requests that the run is still scoring when its first checkpoint commits results. */
  private static final int REQUESTS = 20_000;

  private static final Path JAR = Path.of("target", "rerankflow-eval.jar");

  @TempDir static Path shared;
  private static TinyModelExpectations tiny;
  private static Map<String, GeneratedRequest> requests;
  private static Path input;
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
    input = Files.write(shared.resolve("evaluation-requests.jsonl"), lines);
  }

  @AfterAll
  static void closeTokenizer() {
    tiny.close();
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
            JarProcess.start(JAR, dir.resolve("killed.log"), args),
            responses,
            () -> ResultFiles.jsonl(responses).size(),
            REQUESTS);

    String console = resumeToTheEnd(JarProcess.start(JAR, dir.resolve("resumed.log"), args));
    assertResumed(console, committed, REQUESTS, pairs);
    List<RerankOutput> ranked = new ArrayList<>();
    for (String line :
        Files.readAllLines(
            out.resolve(EvaluateJob.responsesFile("tiny")), StandardCharsets.UTF_8)) {
      ranked.add(OutputJson.fromPipelineJson(line));
    }
    assertEveryRequestOnce(ranked);

    try (JarProcess again = JarProcess.start(JAR, dir.resolve("again.log"), args)) {
      assertThat(again.exitCode(RUN_BOUND)).as(again.console()).isZero();
      assertThat(again.console()).contains("Evaluation complete: ");
    }
  }

  private static void assertEveryRequestOnce(List<RerankOutput> rows) {
    Map<String, RerankOutput> byId = ResultFiles.byId(rows);
    assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(requests.keySet());
    requests.forEach((id, request) -> tiny.assertRanking(byId.get(id), request, id));
  }
}
