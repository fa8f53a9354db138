package io.rerankflow.eval.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rerankflow.eval.Evaluation;
import io.rerankflow.eval.Metric;
import io.rerankflow.eval.Qrels;
import io.rerankflow.eval.ScoredDoc;
import io.rerankflow.eval.TrecRun;
import io.rerankflow.testing.TinyCrossEncoder;
import io.rerankflow.testing.TinyModelCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evaluation mode end to end on a MiniCluster with a tiny cross-encoder: BEIR input and request
 * input, the written runs, and a report whose numbers are those of the written runs.
 */
class EvaluateJobITCase {
  private static final int MAX_LENGTH = 32;
  private static final int TOP_K = 4;
  private static final TinyCrossEncoder TINY =
      TinyCrossEncoder.builder().tokenTypes(true).seed(23).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final TinyModelCluster CLUSTER = TinyModelCluster.withSlots(2);

  private static Path tinyModel;

  @BeforeAll
  static void writeModel() {
    tinyModel = CLUSTER.crossEncoder("tiny", TINY, MAX_LENGTH);
  }

  @Test
  void beirEvaluationWritesAValidRerankedRunAndReportsItsMetrics(@TempDir Path dir)
      throws Exception {
    Beir beir = Beir.write(dir.resolve("beir"));
    Path out = dir.resolve("out");
    ByteArrayOutputStream console = new ByteArrayOutputStream();

    int exit =
        EvaluateJob.command(new EvaluateJob(new PrintStream(console, true)))
            .execute(
                "--beir", beir.root.toString(),
                "--run", beir.run.toString(),
                "--top-k", Integer.toString(TOP_K),
                "--output", out.toString(),
                "--model", tinyModel.toString(),
                "--parallelism", "2");
    assertThat(exit).as(console.toString(StandardCharsets.UTF_8)).isZero();

    TrecRun firstStage = TrecRun.read(beir.run);
    Map<String, List<String[]>> lines = runLines(out.resolve(EvaluateJob.rerankedRun("tiny")));
    assertThat(lines.keySet()).as("judged queries of the run").containsExactly("q1", "q2", "q3");
    Map<String, Float> expected = beir.expectedLogits(tinyModel);
    for (Map.Entry<String, List<String[]>> query : lines.entrySet()) {
      List<String[]> ranking = query.getValue();
      Set<String> candidates = new HashSet<>();
      firstStage.ranking(query.getKey()).stream()
          .limit(TOP_K)
          .forEach(doc -> candidates.add(doc.docId()));
      Set<String> written = new HashSet<>();
      for (int i = 0; i < ranking.size(); i++) {
        String[] fields = ranking.get(i);
        assertThat(fields[1]).isEqualTo("Q0");
        assertThat(fields[3]).as("rank").isEqualTo(Integer.toString(i + 1));
        assertThat(fields[5]).isEqualTo("rerankflow");
        if (i > 0) {
          assertThat(Double.parseDouble(fields[4]))
              .as("scores strictly decrease")
              .isLessThan(Double.parseDouble(ranking.get(i - 1)[4]));
        }
        written.add(fields[2]);
        assertThat(Double.parseDouble(fields[4]))
            .as("score of %s for %s is the model's logit", fields[2], query.getKey())
            .isCloseTo(expected.get(query.getKey() + "/" + fields[2]), within(1e-4));
      }
      assertThat(written).as("every top-%d candidate, once", TOP_K).isEqualTo(candidates);
      assertThat(ranking).hasSize(candidates.size());
    }

    Qrels qrels = Qrels.read(beir.root.resolve("qrels/test.tsv"));
    Evaluation reranked =
        Evaluation.evaluate(qrels, TrecRun.read(out.resolve(EvaluateJob.rerankedRun("tiny"))));
    Map<String, List<ScoredDoc>> topK = new LinkedHashMap<>();
    for (String query : List.of("q1", "q2", "q3")) {
      topK.put(query, firstStage.ranking(query).subList(0, TOP_K));
    }
    Evaluation before = Evaluation.evaluate(qrels, TrecRun.of(topK));
    JsonNode report = JSON.readTree(out.resolve(EvaluateJob.metricsJson("tiny")).toFile());
    assertThat(report.path("queries").asInt()).isEqualTo(reranked.queryCount()).isEqualTo(2);
    assertThat(report.path("requests").path("failed").asInt()).isZero();
    assertThat(report.path("metrics")).hasSize(Metric.DEFAULTS.size());
    for (JsonNode row : report.path("metrics")) {
      Metric metric = metricLabelled(row.path("metric").asText());
      assertThat(row.path("reranked").asDouble())
          .as(metric.label())
          .isEqualTo(reranked.mean(metric));
      assertThat(row.path("firstStage").asDouble())
          .as(metric.label())
          .isEqualTo(before.mean(metric));
    }
    assertThat(report.path("perQueryDeltas").has("q1")).isTrue();
    assertThat(report.path("perQueryDeltas").has("q3"))
        .as("no relevant document: skipped")
        .isFalse();
    assertThat(console.toString(StandardCharsets.UTF_8))
        .contains("NDCG@10")
        .contains("0 of 3 requests failed");
    assertThat(Files.readString(out.resolve(EvaluateJob.metricsText("tiny"))))
        .startsWith("model: tiny\nmetric      first-stage  reranked");
  }

  @Test
  void requestInputReportsFailedRequestsAndEvaluatesTheRest(@TempDir Path dir) throws Exception {
    Path requests = dir.resolve("requests.jsonl");
    Files.write(
        requests,
        List.of(
            request("a", "tiny", "the yellow wood", "two roads diverged", "the yellow wood"),
            request("b", "tiny", "the long road", "the long road down", "one wood", "sorry"),
            "{\"id\":\"c\",\"model\":\"tiny\",\"query\":{\"text\":\"the road\"},"
                + "\"passages\":[{\"text\":\""
                + "a road ".repeat(20).strip()
                + "\"}],\"truncate\":\"NONE\"}",
            "this line is not a request"));
    Path candidates = dir.resolve("candidates.tsv");
    Files.write(candidates, List.of("a 0 d1", "a 1 d2", "b 0 d3", "b 1 d4", "b 2 d5", "c 0 d6"));
    Path qrels = dir.resolve("qrels.tsv");
    Files.write(qrels, List.of("query-id\tcorpus-id\tscore", "a\td2\t1", "b\td3\t2", "c\td6\t1"));
    Path out = dir.resolve("out");
    ByteArrayOutputStream console = new ByteArrayOutputStream();

    int exit =
        EvaluateJob.command(new EvaluateJob(new PrintStream(console, true)))
            .execute(
                "--requests", requests.toString(),
                "--candidates", candidates.toString(),
                "--qrels", qrels.toString(),
                "--output", out.toString(),
                "--model", tinyModel.toString(),
                "--model", "again=" + tinyModel);
    assertThat(exit).as(console.toString(StandardCharsets.UTF_8)).isZero();

    for (String model : List.of("tiny", "again")) {
      JsonNode report = JSON.readTree(out.resolve(EvaluateJob.metricsJson(model)).toFile());
      assertThat(report.path("model").asText()).isEqualTo(model);
      assertThat(report.path("requests").path("total").asInt()).isEqualTo(4);
      assertThat(report.path("requests").path("failed").asInt()).isEqualTo(2);
      JsonNode failure = report.path("failures").get(0);
      assertThat(failure.path("id").asText()).isEqualTo("c");
      assertThat(failure.path("type").asText()).isEqualTo("input_too_long");
      assertThat(failure.path("status").asInt()).isEqualTo(422);
      JsonNode unreadable = report.path("failures").get(1);
      assertThat(unreadable.path("id").asText())
          .as("named by its line in the given file, whichever model it was sent to")
          .isEqualTo("4");
      assertThat(unreadable.path("type").asText()).isEqualTo("malformed_json");
    }
    assertThat(console.toString(StandardCharsets.UTF_8))
        .contains("tiny: ")
        .contains("again: ")
        .contains("2 of 4 requests failed")
        .contains("failed c: input_too_long 422");
    TrecRun again = TrecRun.read(out.resolve(EvaluateJob.rerankedRun("again")));
    for (String query : List.of("a", "b")) {
      assertThat(again.ranking(query).stream().map(ScoredDoc::docId))
          .as("the same model under two names ranks alike")
          .containsExactlyElementsOf(
              TrecRun.read(out.resolve(EvaluateJob.rerankedRun("tiny"))).ranking(query).stream()
                  .map(ScoredDoc::docId)
                  .toList());
    }

    TrecRun firstStage = TrecRun.read(out.resolve(EvaluateJob.FIRST_STAGE_RUN));
    assertThat(firstStage.queryIds()).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(firstStage.ranking("b").stream().map(ScoredDoc::docId))
        .as("first stage is the passage order")
        .containsExactly("d3", "d4", "d5");
    TrecRun reranked = TrecRun.read(out.resolve(EvaluateJob.rerankedRun("tiny")));
    assertThat(reranked.queryIds()).containsExactlyInAnyOrder("a", "b");
    assertThat(reranked.ranking("b").stream().map(ScoredDoc::docId))
        .containsExactlyInAnyOrder("d3", "d4", "d5");
    Evaluation after = Evaluation.evaluate(Qrels.read(qrels), reranked);
    JsonNode report = JSON.readTree(out.resolve(EvaluateJob.metricsJson("tiny")).toFile());
    for (JsonNode row : report.path("metrics")) {
      Metric metric = metricLabelled(row.path("metric").asText());
      assertThat(row.path("reranked").asDouble()).isEqualTo(after.mean(metric));
    }
  }

  @Test
  void refusesToMixTheTwoInputKindsWithAMessageSayingWhatToGive(@TempDir Path dir) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    var command = EvaluateJob.command(new EvaluateJob(new PrintStream(OutputStreamSink.NULL)));
    command.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));

    int exit = command.execute("--output", dir.toString(), "--model", tinyModel.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "evaluate: give either --beir DIR --run FILE, or --requests FILE --candidates FILE"
                + " --qrels FILE"
                + System.lineSeparator());
  }

  private static Metric metricLabelled(String label) {
    return Metric.DEFAULTS.stream().filter(m -> m.label().equals(label)).findFirst().orElseThrow();
  }

  private static Map<String, List<String[]>> runLines(Path run) throws IOException {
    Map<String, List<String[]>> byQuery = new LinkedHashMap<>();
    for (String line : Files.readAllLines(run)) {
      String[] fields = line.split(" ");
      assertThat(fields).hasSize(6);
      byQuery.computeIfAbsent(fields[0], q -> new ArrayList<>()).add(fields);
    }
    return byQuery;
  }

  private static String request(String id, String model, String query, String... passages) {
    StringBuilder json =
        new StringBuilder(
                "{\"id\":\"" + id + "\",\"model\":\"" + model + "\",\"query\":{\"text\":\"")
            .append(query)
            .append("\"},\"passages\":[");
    for (int i = 0; i < passages.length; i++) {
      json.append(i == 0 ? "" : ",").append("{\"text\":\"").append(passages[i]).append("\"}");
    }
    return json.append("]}").toString();
  }

  /**
   * A BEIR directory whose words are all in the tiny vocabulary: three judged queries (q3 with no
   * relevant document), one unjudged query, six candidates each in the run.
   */
  private record Beir(Path root, Path run, Map<String, String> queries, Map<String, String> docs) {
    static Beir write(Path root) throws IOException {
      Files.createDirectories(root.resolve("qrels"));
      Map<String, String> queries = new LinkedHashMap<>();
      queries.put("q1", "which road should i travel");
      queries.put("q2", "the yellow wood");
      queries.put("q3", "two roads diverged");
      queries.put("q4", "the difference");
      Map<String, String[]> docs = new LinkedHashMap<>();
      String[] texts = {
        "the road less traveled by",
        "a long road down",
        "i could not travel both",
        "two roads diverged in a yellow wood",
        "and that has made all the difference",
        "i took the one less traveled",
        "looked down one as far as i could",
        "the woods",
        "way leads on to way",
        "and sorry i could not",
        "i stood",
        "it was grassy"
      };
      for (int d = 0; d < texts.length; d++) {
        docs.put("d" + d, new String[] {d % 3 == 0 ? "" : "the road", texts[d]});
      }
      List<String> corpus = new ArrayList<>();
      Map<String, String> passages = new LinkedHashMap<>();
      docs.forEach(
          (id, doc) -> {
            corpus.add(
                "{\"_id\":\""
                    + id
                    + "\",\"title\":\""
                    + doc[0]
                    + "\",\"text\":\""
                    + doc[1]
                    + "\"}");
            passages.put(id, (doc[0] + " " + doc[1]).strip());
          });
      Files.write(root.resolve("corpus.jsonl"), corpus);
      List<String> queryLines = new ArrayList<>();
      queries.forEach(
          (id, text) -> queryLines.add("{\"_id\":\"" + id + "\",\"text\":\"" + text + "\"}"));
      Files.write(root.resolve("queries.jsonl"), queryLines);
      Files.write(
          root.resolve("qrels/test.tsv"),
          List.of(
              "query-id\tcorpus-id\tscore",
              "q1\td0\t2",
              "q1\td5\t1",
              "q1\td9\t1",
              "q2\td3\t1",
              "q3\td1\t0"));
      List<String> run = new ArrayList<>();
      int[][] candidates = {{1, 2, 3, 4, 0, 5}, {7, 8, 9, 10, 3, 11}, {0, 1, 2, 3, 4, 5}, {6, 7}};
      for (int q = 0; q < candidates.length; q++) {
        for (int r = 0; r < candidates[q].length; r++) {
          run.add(
              "q"
                  + (q + 1)
                  + " Q0 d"
                  + candidates[q][r]
                  + " "
                  + (r + 1)
                  + " "
                  + (20 - r)
                  + " bm25");
        }
      }
      Path runFile = root.resolve("first-stage.run");
      Files.write(runFile, run);
      return new Beir(root, runFile, queries, passages);
    }

    /** "query/doc" → the tiny model's logit for the query and the doc's passage text. */
    Map<String, Float> expectedLogits(Path model) throws IOException {
      Map<String, Float> logits = new LinkedHashMap<>();
      try (HuggingFaceTokenizer tokenizer =
          HuggingFaceTokenizer.newInstance(
              model.resolve("tokenizer.json"), Map.of("padding", "false", "truncation", "false"))) {
        queries.forEach(
            (queryId, query) ->
                docs.forEach(
                    (docId, passage) -> {
                      Encoding pair = tokenizer.encode(query, passage);
                      long[] ids = pair.getIds();
                      long[] mask = new long[ids.length];
                      Arrays.fill(mask, 1L);
                      logits.put(
                          queryId + "/" + docId,
                          TINY.expectedOutputs(
                                  new long[][] {ids},
                                  new long[][] {mask},
                                  new long[][] {pair.getTypeIds()})[0][0]);
                    }));
      }
      return logits;
    }
  }

  /** Discards console output that is not under test. */
  private static final class OutputStreamSink {
    static final java.io.OutputStream NULL = java.io.OutputStream.nullOutputStream();
  }
}
