package io.rerankflow.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import io.rerankflow.operators.EngineMetrics;
import io.rerankflow.testing.TinyModelCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQL door over the slot engine on a real MiniCluster: rankings are the tiny model's own
 * arithmetic on Hugging Face's token ids, and the {@code ML_PREDICT} operator reports the same
 * {@code rerankflow} metrics as the DataStream operator.
 */
class RerankSqlSlotEngineITCase {
  @RegisterExtension static final TinyModelCluster CLUSTER = TinyModelCluster.withMetrics(1);

  private static final String[] WORDS = {
    "the", "road", "wood", "two", "roads", "diverged", "yellow", "travel", "long", "down"
  };

  private record Request(String id, String query, List<String> passages) {}

  @Test
  void rowsRankAsTheTinyModelsArithmeticAndTheOperatorReportsRerankflowMetrics(@TempDir Path dir)
      throws Exception {
    Path model = SqlFixtures.tinyModel(dir.resolve("tiny"));
    Random random = new Random(21);
    List<Request> requests = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    Set<String> distinctPassages = new HashSet<>();
    int pairs = 0;
    for (int r = 0; r < 30; r++) {
      String query = words(random, 2 + random.nextInt(2));
      List<String> passages = new ArrayList<>();
      for (int p = 0, count = 1 + random.nextInt(5); p < count; p++) {
        // Short enough that no pair is truncated; drawn from few words, so passages repeat.
        passages.add(words(random, 1 + random.nextInt(3)));
      }
      requests.add(new Request("r" + r, query, passages));
      lines.add(SqlFixtures.request("r" + r, "{\"text\":\"" + query + "\"}", passages, "NONE"));
      distinctPassages.addAll(passages);
      pairs += passages.size();
    }
    Path input = dir.resolve("requests.jsonl");
    Files.write(input, lines);

    TableEnvironment tables = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    tables.getConfig().set("parallelism.default", "1");
    tables.getConfig().set(FlinkAsyncSettings.MAX_CONCURRENT_OPERATIONS, "64");
    for (String statement :
        SqlFixtures.script(
                input,
                dir.resolve("sql-out"),
                model,
                "rankings ARRAY<ROW<`index` INT, logit FLOAT>>, prompt_tokens INT",
                "id, rankings, prompt_tokens",
                "NONE")
            .split(";")) {
      if (statement.isBlank()) {
        continue;
      }
      TableResult result = tables.executeSql(statement);
      if (statement.strip().startsWith("INSERT")) {
        result.await();
        assertMetrics(
            result.getJobClient().orElseThrow().getJobID(),
            requests.size(),
            pairs,
            distinctPassages.size());
      }
    }

    Map<String, JsonNode> rows = SqlFixtures.sqlRows(dir.resolve("sql-out"));
    assertThat(rows).hasSize(requests.size());
    try (HuggingFaceTokenizer tokenizer =
        HuggingFaceTokenizer.newInstance(
            model.resolve("tokenizer.json"), Map.of("padding", "false", "truncation", "false"))) {
      for (Request request : requests) {
        assertRanking(tokenizer, request, rows.get(request.id()));
      }
    }
    assertThat(SharedEngines.open()).as("every function released its slot engine").isZero();
  }

  /** The ranking the tiny model's Java arithmetic gives on Hugging Face's own pair encoding. */
  private static void assertRanking(HuggingFaceTokenizer tokenizer, Request request, JsonNode row) {
    String id = request.id();
    assertThat(row).as("row %s", id).isNotNull();
    int passages = request.passages().size();
    float[] expected = new float[passages];
    int tokens = 0;
    for (int p = 0; p < passages; p++) {
      Encoding pair = tokenizer.encode(request.query(), request.passages().get(p));
      long[] ids = pair.getIds();
      long[] mask = new long[ids.length];
      Arrays.fill(mask, 1L);
      expected[p] =
          SqlFixtures.TINY
              .expectedOutputs(
                  new long[][] {ids}, new long[][] {mask}, new long[][] {pair.getTypeIds()})[0][0];
      tokens += ids.length;
    }
    JsonNode rankings = row.get("rankings");
    assertThat(rankings.size()).as(id).isEqualTo(passages);
    Set<Integer> seen = new HashSet<>();
    for (int rank = 0; rank < passages; rank++) {
      int index = rankings.get(rank).get("index").intValue();
      float logit = rankings.get(rank).get("logit").floatValue();
      assertThat(seen.add(index)).as("%s: index %d once", id, index).isTrue();
      assertThat(logit)
          .as("%s: logit of passage %d", id, index)
          .isCloseTo(expected[index], within(1e-5f));
      if (rank > 0) {
        assertThat(logit)
            .as("%s: sorted", id)
            .isLessThanOrEqualTo(rankings.get(rank - 1).get("logit").floatValue());
      }
    }
    assertThat(row.get("prompt_tokens").intValue()).as("%s: prompt tokens", id).isEqualTo(tokens);
  }

  private static void assertMetrics(JobID job, int requests, int pairs, int distinctPassages) {
    Map<String, Metric> metrics = CLUSTER.metrics().findMetrics(job, EngineMetrics.GROUP + ".");
    assertThat(counter(metrics, EngineMetrics.PAIRS_SCORED)).isEqualTo(pairs);
    long batches = counter(metrics, EngineMetrics.BATCHES);
    assertThat(batches).isPositive();
    assertThat(histogram(metrics, EngineMetrics.BATCH_ROWS).getCount()).isEqualTo(batches);
    assertThat(histogram(metrics, EngineMetrics.QUEUE_WAIT).getCount()).isEqualTo(requests);
    // Tokenised by the slot engine's encoding stage: each distinct passage encoded once.
    long misses = counter(metrics, EngineMetrics.CACHE_MISSES);
    assertThat(misses).isEqualTo(distinctPassages);
    assertThat(counter(metrics, EngineMetrics.CACHE_HITS) + misses).isEqualTo(pairs);
  }

  private static String words(Random random, int count) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < count; i++) {
      text.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
    }
    return text.toString();
  }

  private static Metric metric(Map<String, Metric> metrics, String name) {
    return metrics.entrySet().stream()
        .filter(e -> e.getKey().endsWith("." + EngineMetrics.GROUP + "." + name))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " not registered: " + metrics.keySet()));
  }

  private static long counter(Map<String, Metric> metrics, String name) {
    return ((Counter) metric(metrics, name)).getCount();
  }

  private static Histogram histogram(Map<String, Metric> metrics, String name) {
    return (Histogram) metric(metrics, name);
  }
}
