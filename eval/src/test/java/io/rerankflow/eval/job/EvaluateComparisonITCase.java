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
import io.rerankflow.eval.TrecRun;
import io.rerankflow.testing.TestModelDirs;
import io.rerankflow.testing.TinyCrossEncoder;
import io.rerankflow.testing.TinyModelCluster;
import io.rerankflow.testing.TinyTokenizers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two tiny fp32 cross-encoders compared in one evaluation job over a generated BEIR set: each
 * model's run and metrics are those of its own logits, the table's p-values are those of an exact
 * sign-flip enumeration, a request that only one model cannot score takes its query out of every
 * column, and the report holds one SVG per plot with one bar per query.
 */
class EvaluateComparisonITCase {
  private static final int QUERIES = 11;
  private static final int CANDIDATES = 6;
  private static final int SHORT_LIMIT = 24;
  private static final int LONG_LIMIT = 64;
  // q7's first candidate is longer than SHORT_LIMIT tokens with its query: "one" refuses it under
  // truncate NONE, "two" scores it.
  private static final String LONG_QUERY = "q7";
  private static final TinyCrossEncoder ONE = TinyCrossEncoder.builder().seed(23).build();
  private static final TinyCrossEncoder TWO = TinyCrossEncoder.builder().seed(5).build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<Metric> METRICS =
      List.of(
          Metric.NDCG_AT_10,
          Metric.MRR_AT_10,
          Metric.RECALL_AT_100,
          Metric.MAP,
          Metric.parse("ndcg@3"));
  private static final List<String> WORDS =
      TinyTokenizers.WORD_PIECE_VOCAB.stream().filter(w -> w.matches("[a-z]+")).toList();

  @RegisterExtension static final TinyModelCluster CLUSTER = TinyModelCluster.withSlots(2);

  @Test
  void comparesBothModelsInOneJobWithExactPairedTestsAndAReport(@TempDir Path dir)
      throws Exception {
    Path one = TestModelDirs.crossEncoder(dir.resolve("one"), "tiny-one", ONE, SHORT_LIMIT);
    Path two = TestModelDirs.crossEncoder(dir.resolve("two"), "tiny-two", TWO, LONG_LIMIT);
    Beir beir = Beir.write(dir.resolve("beir"), new Random(11));
    Path out = dir.resolve("out");
    ByteArrayOutputStream console = new ByteArrayOutputStream();

    int exit =
        EvaluateJob.command(new EvaluateJob(new PrintStream(console, true)))
            .execute(
                "--beir",
                beir.root.toString(),
                "--run",
                beir.run.toString(),
                "--output",
                out.toString(),
                "--truncate",
                "NONE",
                "--model",
                "one=" + one,
                "--model",
                "two=" + two,
                "--metric",
                "ndcg@3",
                "--parallelism",
                "2");
    String printed = console.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(printed).isZero();

    Qrels qrels = Qrels.read(beir.root.resolve("qrels/test.tsv"));
    Map<String, Evaluation> systems = new LinkedHashMap<>();
    systems.put("first-stage", evaluate(qrels, out.resolve("first-stage.run")));
    for (String model : List.of("one", "two")) {
      TinyCrossEncoder tiny = model.equals("one") ? ONE : TWO;
      Path run = out.resolve(EvaluateJob.rerankedRun(model));
      Map<String, List<String>> expected =
          beir.oracleRankings(tiny, one.resolve("tokenizer.json"), model.equals("one"));
      TrecRun written = TrecRun.read(run);
      assertThat(written.queryIds()).containsExactlyInAnyOrderElementsOf(expected.keySet());
      expected.forEach(
          (query, docs) ->
              assertThat(written.ranking(query).stream().map(d -> d.docId()).toList())
                  .as("%s ranks %s by its own logits", model, query)
                  .isEqualTo(docs));
      Evaluation alone = evaluate(qrels, run);
      JsonNode report = JSON.readTree(out.resolve(EvaluateJob.metricsJson(model)).toFile());
      assertThat(report.path("queries").asInt()).isEqualTo(alone.queryCount());
      for (JsonNode row : report.path("metrics")) {
        Metric metric = Metric.parse(row.path("metric").asText());
        assertThat(row.path("reranked").asDouble()).as(model).isEqualTo(alone.mean(metric));
      }
      systems.put(model, alone);
    }
    assertThat(systems.get("one").perQuery()).doesNotContainKey(LONG_QUERY);
    assertThat(systems.get("two").perQuery()).containsKey(LONG_QUERY);

    JsonNode comparison = JSON.readTree(out.resolve(EvaluateJob.COMPARISON_JSON).toFile());
    assertThat(comparison.path("leftOutQueries").toString()).isEqualTo("[\"" + LONG_QUERY + "\"]");
    int compared = comparison.path("queries").asInt();
    assertThat(compared).isEqualTo(systems.get("two").queryCount() - 1).isLessThanOrEqualTo(12);
    JsonNode means = comparison.path("systems");
    assertThat(means).hasSize(3);
    assertThat(means.get(0).path("means").has("NDCG@3")).as("--metric adds a column").isTrue();
    int trials = comparison.path("significanceTest").path("trials").asInt();
    int tests = 0;
    for (JsonNode test : comparison.path("tests")) {
      Metric metric = Metric.parse(test.path("metric").asText());
      double[] first = values(systems.get(test.path("first").asText()), metric, LONG_QUERY);
      double[] second = values(systems.get(test.path("second").asText()), metric, LONG_QUERY);
      assertThat(first).hasSize(compared);
      double exact = exactSignFlipPValue(first, second);
      double p = test.path("pValue").asDouble();
      // p is a Monte Carlo estimate of exact from `trials` sign flips; allow 4 standard errors.
      double tolerance = 4 * Math.sqrt(exact * (1 - exact) / trials) + 2.0 / trials;
      assertThat(p)
          .as("%s %s vs %s", metric, test.path("first"), test.path("second"))
          .isCloseTo(exact, within(tolerance));
      assertThat(test.path("adjustedPValue").asDouble()).isBetween(p, 1.0);
      tests++;
    }
    assertThat(tests).as("3 pairs x 5 metrics").isEqualTo(15);
    assertThat(comparison.path("models").get(0).path("failed").asInt()).isEqualTo(1);
    assertThat(comparison.path("models").get(1).path("failed").asInt()).isZero();
    assertThat(comparison.path("models").get(0).path("pairs").asInt())
        .isEqualTo((QUERIES - 1) * CANDIDATES);
    assertThat(comparison.path("models").get(1).path("pairs").asInt())
        .isEqualTo(QUERIES * CANDIDATES);
    for (JsonNode model : comparison.path("models")) {
      JsonNode probe = model.path("costProbe");
      assertThat(probe.path("realTokens").asLong()).as("%s", model).isPositive();
      assertThat(probe.path("paddedTokens").asLong())
          .isGreaterThanOrEqualTo(probe.path("realTokens").asLong());
      assertThat(probe.path("pairsPerSecond").asDouble()).isPositive();
    }
    assertThat(printed)
        .contains("first-stage")
        .contains("1 of " + QUERIES + " requests failed")
        .contains("failed " + LONG_QUERY + ": input_too_long 422");
    for (String file : List.of("comparison.md", "comparison.tex", "metrics-two.txt")) {
      assertThat(out.resolve(file)).isRegularFile();
    }

    Document html = Jsoup.parse(out.resolve(EvaluateJob.REPORT_HTML).toFile());
    assertThat(html.select("script, link[href^=http], img[src^=http]")).as("no network").isEmpty();
    assertThat(html.select("svg")).as("two delta plots and one distribution").hasSize(3);
    for (Element plot : html.select("div.delta svg")) {
      long bars =
          plot.getElementsByTag("g").stream()
              .filter(g -> g.attr("jfreesvg:ref").contains("columnKey"))
              .count();
      assertThat(bars).as("one bar per compared query").isEqualTo(compared);
    }
    assertThat(html.select("#comparison tr")).hasSize(4);
    assertThat(html.select("#failures li").text()).contains(LONG_QUERY);
  }

  private static Evaluation evaluate(Qrels qrels, Path run) throws IOException {
    return Evaluation.evaluate(qrels, TrecRun.read(run), METRICS);
  }

  private static double[] values(Evaluation evaluation, Metric metric, String leftOut) {
    List<Double> kept = new ArrayList<>();
    evaluation
        .perQuery()
        .forEach(
            (query, values) -> {
              if (!query.equals(leftOut)) {
                kept.add(values.get(metric));
              }
            });
    return kept.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** Two-sided p of the mean difference over all 2^n sign assignments, counted exactly. */
  private static double exactSignFlipPValue(double[] first, double[] second) {
    int n = first.length;
    double[] deltas = new double[n];
    double observed = 0;
    double magnitude = 0;
    for (int i = 0; i < n; i++) {
      deltas[i] = second[i] - first[i];
      observed += deltas[i];
      magnitude += Math.abs(deltas[i]);
    }
    double threshold = Math.abs(observed) - 1e-9 * magnitude;
    long extreme = 0;
    for (long signs = 0; signs < (1L << n); signs++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += ((signs >> i) & 1) == 0 ? deltas[i] : -deltas[i];
      }
      if (Math.abs(sum) >= threshold) {
        extreme++;
      }
    }
    return (double) extreme / (1L << n);
  }

  /** A generated BEIR set in the tiny vocabulary: QUERIES judged queries, CANDIDATES each. */
  private record Beir(
      Path root,
      Path run,
      Map<String, String> queries,
      Map<String, String> passages,
      Map<String, List<String>> candidates) {

    static Beir write(Path root, Random random) throws IOException {
      Files.createDirectories(root.resolve("qrels"));
      Map<String, String> queries = new LinkedHashMap<>();
      Map<String, String> passages = new LinkedHashMap<>();
      Map<String, List<String>> candidates = new LinkedHashMap<>();
      List<String> corpus = new ArrayList<>();
      List<String> qrels = new ArrayList<>(List.of("query-id\tcorpus-id\tscore"));
      List<String> run = new ArrayList<>();
      for (int q = 1; q <= QUERIES; q++) {
        String query = "q" + q;
        queries.put(query, words(random, 3));
        List<String> docs = new ArrayList<>();
        for (int c = 0; c < CANDIDATES; c++) {
          String doc = query + "d" + c;
          boolean longOne = query.equals(LONG_QUERY) && c == 0;
          String text = words(random, longOne ? SHORT_LIMIT + 4 : 2 + random.nextInt(5));
          passages.put(doc, text);
          corpus.add("{\"_id\":\"" + doc + "\",\"title\":\"\",\"text\":\"" + text + "\"}");
          docs.add(doc);
          run.add(query + " Q0 " + doc + " " + (c + 1) + " " + (30 - c) + " bm25");
        }
        candidates.put(query, docs);
        // Two relevant documents per query, one of them graded 2, at seeded positions.
        int first = random.nextInt(CANDIDATES);
        int second = (first + 1 + random.nextInt(CANDIDATES - 1)) % CANDIDATES;
        qrels.add(query + "\t" + docs.get(first) + "\t2");
        qrels.add(query + "\t" + docs.get(second) + "\t1");
      }
      List<String> queryLines = new ArrayList<>();
      queries.forEach(
          (id, text) -> queryLines.add("{\"_id\":\"" + id + "\",\"text\":\"" + text + "\"}"));
      Files.write(root.resolve("corpus.jsonl"), corpus);
      Files.write(root.resolve("queries.jsonl"), queryLines);
      Files.write(root.resolve("qrels/test.tsv"), qrels);
      Path runFile = root.resolve("first-stage.run");
      Files.write(runFile, run);
      return new Beir(root, runFile, queries, passages, candidates);
    }

    private static String words(Random random, int count) {
      List<String> words = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        words.add(WORDS.get(random.nextInt(WORDS.size())));
      }
      return String.join(" ", words);
    }

    /**
     * Each query's candidates sorted by the tiny model's own arithmetic on the pair (ties by
     * first-stage order), leaving out the long query for the model with the short limit.
     */
    Map<String, List<String>> oracleRankings(
        TinyCrossEncoder model, Path tokenizerFile, boolean shortLimit) throws IOException {
      Map<String, List<String>> rankings = new LinkedHashMap<>();
      try (HuggingFaceTokenizer tokenizer =
          HuggingFaceTokenizer.newInstance(
              tokenizerFile, Map.of("padding", "false", "truncation", "false"))) {
        for (Map.Entry<String, List<String>> query : candidates.entrySet()) {
          if (shortLimit && query.getKey().equals(LONG_QUERY)) {
            continue;
          }
          Map<String, Float> logits = new LinkedHashMap<>();
          for (String doc : query.getValue()) {
            Encoding pair = tokenizer.encode(queries.get(query.getKey()), passages.get(doc));
            long[] ids = pair.getIds();
            long[] mask = new long[ids.length];
            Arrays.fill(mask, 1L);
            logits.put(
                doc,
                model
                    .expectedOutputs(
                        new long[][] {ids}, new long[][] {mask}, new long[][] {pair.getTypeIds()})[
                    0][0]);
          }
          List<String> ranked = new ArrayList<>(query.getValue());
          ranked.sort(Comparator.comparing((String doc) -> -logits.get(doc)));
          rankings.put(query.getKey(), ranked);
        }
      }
      return rankings;
    }
  }
}
