package io.rerankflow.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rerankflow.jobs.RerankJob;
import io.rerankflow.jobs.RerankOptions;
import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.testing.TestModelDirs;
import io.rerankflow.testing.TinyCrossEncoder;
import io.rerankflow.testing.TinyModelCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * What the SQL tests share: a tiny fp32 cross-encoder, generated NIM request lines, the file job
 * run on the same lines as the oracle, and readers of the SQL sinks' JSON rows.
 */
final class SqlFixtures {
  private SqlFixtures() {}

  static final int MAX_LENGTH = 24;
  static final TinyCrossEncoder TINY = TinyCrossEncoder.builder().tokenTypes(true).seed(11).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String[] WORDS = {
    "the", "road", "wood", "two", "roads", "diverged", "yellow", "travel", "long", "down"
  };

  static Path tinyModel(Path dir) {
    return TestModelDirs.crossEncoder(dir, "tiny", TINY, MAX_LENGTH);
  }

  /** The tiny model in the cluster extension's directory, shared by a test class. */
  static Path tinyModel(TinyModelCluster cluster) {
    return cluster.crossEncoder("tiny", TINY, MAX_LENGTH);
  }

  /**
   * A valid NIM request line with an id, whose words are all in the tiny vocabulary; passages
   * differ in number and length so rankings are not trivial and some pairs get truncated.
   */
  static String generated(String id, long seed, String truncate) {
    Random random = new Random(seed);
    String query = words(random, 2 + random.nextInt(3));
    List<String> passages = new ArrayList<>();
    int count = 1 + random.nextInt(7);
    for (int p = 0; p < count; p++) {
      passages.add(words(random, 1 + random.nextInt(24)));
    }
    return request(id, "{\"text\":\"" + query + "\"}", passages, truncate);
  }

  /**
   * A valid request line whose pairs all fit the tiny model's {@link #MAX_LENGTH} tokens, so the
   * oracle needs no truncation: 2-4 query words, 1-6 passages of 1-12 words.
   */
  static String fitting(String id, long seed) {
    Random random = new Random(seed);
    String query = words(random, 2 + random.nextInt(3));
    List<String> passages = new ArrayList<>();
    int count = 1 + random.nextInt(6);
    for (int p = 0; p < count; p++) {
      passages.add(words(random, 1 + random.nextInt(12)));
    }
    return request(id, "{\"text\":\"" + query + "\"}", passages, "NONE");
  }

  /**
   * The tiny model's ranking of a request line computed without the provider: Hugging Face's
   * tokenizer for the pairs and the model's arithmetic in Java ({@link TinyCrossEncoder}).
   */
  static RerankOutput tinyOracle(Path modelDir, String requestLine) throws IOException {
    JsonNode request = JSON.readTree(requestLine);
    String query = request.get("query").get("text").textValue();
    JsonNode passages = request.get("passages");
    float[] logits = new float[passages.size()];
    int tokens = 0;
    try (HuggingFaceTokenizer tokenizer =
        HuggingFaceTokenizer.newInstance(
            modelDir.resolve("tokenizer.json"),
            Map.of("padding", "false", "truncation", "false"))) {
      for (int p = 0; p < logits.length; p++) {
        Encoding pair = tokenizer.encode(query, passages.get(p).get("text").textValue());
        long[] ids = pair.getIds();
        assertThat(ids.length).as("pair fits the model").isLessThanOrEqualTo(MAX_LENGTH);
        long[] mask = new long[ids.length];
        Arrays.fill(mask, 1L);
        logits[p] =
            TINY.expectedOutputs(
                    new long[][] {ids}, new long[][] {mask}, new long[][] {pair.getTypeIds()})[0][
                0];
        tokens += ids.length;
      }
    }
    return RerankOutput.ranked(request.get("id").textValue(), "tiny", logits, tokens);
  }

  /** A request line; {@code queryJson} is the query field's JSON as written. */
  static String request(String id, String queryJson, List<String> passages, String truncate) {
    return "{\"id\":\""
        + id
        + "\",\"model\":\"tiny\",\"query\":"
        + queryJson
        + ",\"passages\":["
        + passages.stream()
            .map(p -> p == null ? "{\"text\":null}" : "{\"text\":\"" + p + "\"}")
            .collect(Collectors.joining(","))
        + "],\"truncate\":\""
        + truncate
        + "\"}";
  }

  private static String words(Random random, int count) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < count; i++) {
      text.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
    }
    return text.toString();
  }

  /** The file job's outputs for a requests file, by id. */
  static Map<String, RerankOutput> fileJob(
      Path requests, Path output, Path model, String... extraOptions) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--input", requests.toString(),
                "--output", output.toString(),
                "--model", model.toString(),
                "--parallelism", "2"));
    args.addAll(List.of(extraOptions));
    int exit =
        new CommandLine(
                new RerankJob(
                    new RerankOptions(), new PrintStream(OutputStream.nullOutputStream())))
            .execute(args.toArray(String[]::new));
    assertThat(exit).as("file job exit code").isZero();
    Map<String, RerankOutput> outputs = new HashMap<>();
    for (String line : lines(output, "rankings")) {
      RerankOutput out = OutputJson.fromPipelineJson(line);
      assertThat(outputs.put(out.id, out)).as("file job duplicate %s", out.id).isNull();
    }
    return outputs;
  }

  /** Every JSON row under a directory (a filesystem sink's part files), by its id column. */
  static Map<String, JsonNode> sqlRows(Path dir) throws IOException {
    Map<String, JsonNode> rows = new HashMap<>();
    for (String line : lines(dir, "part-")) {
      JsonNode row = JSON.readTree(line);
      assertThat(rows.put(row.get("id").textValue(), row))
          .as("duplicate SQL row for %s", row.get("id"))
          .isNull();
    }
    return rows;
  }

  static JsonNode json(byte[] value) throws IOException {
    return JSON.readTree(value);
  }

  private static List<String> lines(Path dir, String prefix) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file :
          files
              .filter(Files::isRegularFile)
              .filter(f -> f.getFileName().toString().startsWith(prefix))
              .toList()) {
        Files.readAllLines(file).stream().filter(l -> !l.isBlank()).forEach(lines::add);
      }
    }
    return lines;
  }

  /**
   * Asserts that a SQL {@code rankings} array equals the file job's ranking: the same indices, and
   * logits equal up to float rounding (fp32 logits shift by a few ulps when a row is padded to
   * another batch length, see docs/benchmarks.md, "Numerical agreement").
   */
  static void assertSameRanking(String id, JsonNode rankings, RerankOutput expected) {
    assertThat(expected.isError()).as("file job ranked %s", id).isFalse();
    assertThat(rankings.isArray()).as("%s has rankings", id).isTrue();
    assertThat(rankings.size()).as(id).isEqualTo(expected.indices.length);
    for (int rank = 0; rank < expected.indices.length; rank++) {
      JsonNode ranking = rankings.get(rank);
      assertThat(ranking.get("index").intValue())
          .as("%s rank %d", id, rank)
          .isEqualTo(expected.indices[rank]);
      assertThat(ranking.get("logit").floatValue())
          .as("%s rank %d", id, rank)
          .isCloseTo(expected.logits[rank], within(1e-6f));
    }
  }

  /** The script, with its paths and model directory swapped for the test's. */
  static String script(
      Path requests,
      Path results,
      Path model,
      String outputColumns,
      String select,
      String truncate) {
    return """
        CREATE TABLE requests (
          id STRING,
          query ROW<text STRING>,
          passages ARRAY<ROW<text STRING>>
        ) WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json');

        CREATE TABLE results (
          id STRING,
          %s
        ) WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json');

        CREATE MODEL reranker
          INPUT (query ROW<text STRING>, passages ARRAY<ROW<text STRING>>)
          OUTPUT (rankings ARRAY<ROW<`index` INT, logit FLOAT>>, prompt_tokens INT,
                  error ROW<type STRING, message STRING, status INT>)
          WITH ('provider' = 'rerankflow', 'model' = '%s', 'truncate' = '%s');

        INSERT INTO results
        SELECT %s FROM ML_PREDICT(TABLE requests, MODEL reranker, DESCRIPTOR(query, passages));
        """
        .formatted(requests, outputColumns, results, model, truncate, select);
  }
}
