package io.rerankflow.sql;

import static org.apache.flink.table.api.Expressions.$;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.testing.TinyModelCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.ColumnList;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code ML_PREDICT} over the rerankflow provider on a real MiniCluster and the real planner. */
class RerankSqlITCase {
  @RegisterExtension static final TinyModelCluster CLUSTER = TinyModelCluster.withSlots(2);

  private static Path tinyModel;

  @BeforeAll
  static void writeModel() {
    tinyModel = SqlFixtures.tinyModel(CLUSTER);
  }

  private static TableEnvironment tableEnvironment() {
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    tEnv.getConfig().set("parallelism.default", "2");
    return tEnv;
  }

  /**
   * Runs one of the fixtures' scripts on the table environment: each statement (they end with a
   * {@code ;} at a line's end) through {@code executeSql}, each {@code INSERT} awaited.
   */
  private static void execute(TableEnvironment tEnv, String script) throws Exception {
    for (String statement : script.split(";\\s*\\n")) {
      if (!statement.isBlank()) {
        tEnv.executeSql(statement).await();
      }
    }
  }

  @Test
  void theIssuesScriptWritesOneRowPerRequestRankedAsTheFileJob(@TempDir Path dir) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < 60; r++) {
      lines.add(SqlFixtures.generated("r" + r, r, "END"));
    }
    Path requests = dir.resolve("requests.jsonl");
    Files.write(requests, lines);
    Map<String, RerankOutput> expected =
        SqlFixtures.fileJob(requests, dir.resolve("file-out"), tinyModel);

    execute(
        tableEnvironment(),
        SqlFixtures.script(
            requests,
            dir.resolve("sql-out"),
            tinyModel,
            "rankings ARRAY<ROW<`index` INT, logit FLOAT>>",
            "id, rankings",
            "END"));

    Map<String, JsonNode> rows = SqlFixtures.sqlRows(dir.resolve("sql-out"));
    assertThat(rows.keySet()).isEqualTo(expected.keySet()).hasSize(60);
    expected.forEach(
        (id, out) -> SqlFixtures.assertSameRanking(id, rows.get(id).get("rankings"), out));
    assertThat(SharedEngines.open()).as("every function released its engine").isZero();
  }

  @Test
  void badRowsYieldTheFileJobsErrorKindsMessagesAndStatusesAndTheJobGoesOn(@TempDir Path dir)
      throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add(SqlFixtures.generated("good-1", 1, "NONE"));
    lines.add(SqlFixtures.request("empty-query", "{\"text\":\"\"}", List.of("the road"), "NONE"));
    lines.add(SqlFixtures.request("null-query", "null", List.of("the road"), "NONE"));
    lines.add(SqlFixtures.request("null-query-text", "{\"text\":null}", List.of("a"), "NONE"));
    lines.add(SqlFixtures.request("no-passages", "{\"text\":\"the road\"}", List.of(), "NONE"));
    lines.add(
        SqlFixtures.request(
            "null-passage-text",
            "{\"text\":\"the road\"}",
            Arrays.asList("the wood", null),
            "NONE"));
    lines.add(
        SqlFixtures.request(
            "too-many", "{\"text\":\"the road\"}", Collections.nCopies(513, "wood"), "NONE"));
    lines.add(
        SqlFixtures.request(
            "too-long",
            "{\"text\":\"" + "the long road ".repeat(20).strip() + "\"}",
            List.of("the wood"),
            "NONE"));
    lines.add(SqlFixtures.generated("good-2", 2, "NONE"));
    Path requests = dir.resolve("requests.jsonl");
    Files.write(requests, lines);
    Map<String, RerankOutput> expected =
        SqlFixtures.fileJob(requests, dir.resolve("file-out"), tinyModel);
    assertThat(expected.values().stream().filter(RerankOutput::isError)).hasSize(7);

    execute(
        tableEnvironment(),
        SqlFixtures.script(
            requests,
            dir.resolve("sql-out"),
            tinyModel,
            "rankings ARRAY<ROW<`index` INT, logit FLOAT>>, prompt_tokens INT,"
                + " error ROW<type STRING, message STRING, status INT>",
            "id, rankings, prompt_tokens, error",
            "NONE"));

    Map<String, JsonNode> rows = SqlFixtures.sqlRows(dir.resolve("sql-out"));
    assertThat(rows.keySet()).isEqualTo(expected.keySet());
    expected.forEach(
        (id, out) -> {
          JsonNode row = rows.get(id);
          if (out.isError()) {
            assertThat(row.get("rankings").isNull()).as(id).isTrue();
            assertThat(row.get("prompt_tokens").isNull()).as(id).isTrue();
            JsonNode error = row.get("error");
            assertThat(error.get("type").textValue()).as(id).isEqualTo(out.errorType);
            assertThat(error.get("message").textValue()).as(id).isEqualTo(out.errorMessage);
            assertThat(error.get("status").intValue()).as(id).isEqualTo(out.errorStatus);
          } else {
            SqlFixtures.assertSameRanking(id, row.get("rankings"), out);
            assertThat(row.get("prompt_tokens").intValue()).as(id).isEqualTo(out.promptTokens);
            assertThat(row.get("error").isNull()).as(id).isTrue();
          }
        });
    assertThat(expected.get("too-long").errorType).isEqualTo("input_too_long");
    assertThat(expected.get("too-many").errorStatus).isEqualTo(400);
  }

  @Test
  void theTableApiPredictGivesBitIdenticalRowsToTheFileJobRowByRow(@TempDir Path dir)
      throws Exception {
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < 20; r++) {
      lines.add(SqlFixtures.generated("t" + r, 100 + r, "END"));
    }
    Path requests = dir.resolve("requests.jsonl");
    Files.write(requests, lines);
    // One row per batch on both sides: no padding, so fp32 logits must agree to the bit.
    Map<String, RerankOutput> expected =
        SqlFixtures.fileJob(requests, dir.resolve("file-out"), tinyModel, "--max-batch-size", "1");

    TableEnvironment tEnv = tableEnvironment();
    execute(
        tEnv,
        SqlFixtures.script(
                requests,
                dir.resolve("unused"),
                tinyModel,
                "rankings ARRAY<ROW<`index` INT, logit FLOAT>>",
                "id, rankings",
                "END")
            .replace("'truncate' = 'END'", "'truncate' = 'END', 'max-batch-size' = '1'")
            .replaceAll("(?s)INSERT INTO results.*", ""));

    Table predicted =
        tEnv.fromModel("reranker")
            .predict(tEnv.from("requests"), ColumnList.of("query", "passages"))
            .select($("id"), $("rankings"));
    int rows = 0;
    try (CloseableIterator<Row> it = predicted.execute().collect()) {
      while (it.hasNext()) {
        Row row = it.next();
        String id = (String) row.getField("id");
        Row[] rankings = (Row[]) row.getField("rankings");
        RerankOutput out = expected.get(id);
        assertThat(out).as(id).isNotNull();
        assertThat(rankings).as(id).hasSize(out.indices.length);
        for (int rank = 0; rank < rankings.length; rank++) {
          assertThat(rankings[rank].getField(0)).as(id).isEqualTo(out.indices[rank]);
          assertThat(rankings[rank].getField(1)).as(id).isEqualTo(out.logits[rank]);
        }
        rows++;
      }
    }
    assertThat(rows).isEqualTo(20);
  }

  @Test
  void plainStringColumnsRankAsTheNimShapedRows(@TempDir Path dir) throws Exception {
    List<String> nimLines = new ArrayList<>();
    List<String> plainLines = new ArrayList<>();
    for (int r = 0; r < 20; r++) {
      String line = SqlFixtures.generated("s" + r, 200 + r, "END");
      nimLines.add(line);
      JsonNode nim = SqlFixtures.json(line.getBytes(StandardCharsets.UTF_8));
      ObjectNode plain = JsonNodeFactory.instance.objectNode();
      plain.put("id", nim.get("id").textValue());
      plain.put("query", nim.get("query").get("text").textValue());
      ArrayNode passages = plain.putArray("passages");
      nim.get("passages").forEach(p -> passages.add(p.get("text").textValue()));
      plainLines.add(plain.toString());
    }
    Path nimRequests = dir.resolve("nim.jsonl");
    Files.write(nimRequests, nimLines);
    Path plainRequests = dir.resolve("plain.jsonl");
    Files.write(plainRequests, plainLines);
    Map<String, RerankOutput> expected =
        SqlFixtures.fileJob(nimRequests, dir.resolve("file-out"), tinyModel);

    String script =
        SqlFixtures.script(
                plainRequests,
                dir.resolve("sql-out"),
                tinyModel,
                "rankings ARRAY<ROW<`index` INT, logit FLOAT>>",
                "id, rankings",
                "END")
            .replace("query ROW<text STRING>", "query STRING")
            .replace("passages ARRAY<ROW<text STRING>>", "passages ARRAY<STRING>");
    execute(tableEnvironment(), script);
    Map<String, JsonNode> rows = SqlFixtures.sqlRows(dir.resolve("sql-out"));
    assertThat(rows.keySet()).isEqualTo(expected.keySet()).hasSize(20);
    expected.forEach(
        (id, out) -> SqlFixtures.assertSameRanking(id, rows.get(id).get("rankings"), out));
  }

  @Test
  void topNKeepsEachRowsBestRankingsInTheFileJobsOrder(@TempDir Path dir) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < 10; r++) {
      lines.add(SqlFixtures.generated("n" + r, 300 + r, "END"));
    }
    Path requests = dir.resolve("requests.jsonl");
    Files.write(requests, lines);
    Map<String, RerankOutput> expected =
        SqlFixtures.fileJob(requests, dir.resolve("file-out"), tinyModel);

    String script =
        SqlFixtures.script(
                requests,
                dir.resolve("sql-out"),
                tinyModel,
                "rankings ARRAY<ROW<`index` INT, logit FLOAT>>",
                "id, rankings",
                "END")
            .replace("'truncate' = 'END'", "'truncate' = 'END', 'top-n' = '2'");
    execute(tableEnvironment(), script);
    Map<String, JsonNode> rows = SqlFixtures.sqlRows(dir.resolve("sql-out"));
    assertThat(rows.keySet()).isEqualTo(expected.keySet());
    expected.forEach(
        (id, out) -> {
          RerankOutput best = new RerankOutput();
          int keep = Math.min(2, out.indices.length);
          best.indices = Arrays.copyOf(out.indices, keep);
          best.logits = Arrays.copyOf(out.logits, keep);
          SqlFixtures.assertSameRanking(id, rows.get(id).get("rankings"), best);
        });
  }

  @Test
  void twoPredictionsOverOneModelInOneStatementSetBothRankAsTheFileJob(@TempDir Path dir)
      throws Exception {
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < 20; r++) {
      lines.add(SqlFixtures.generated("m" + r, 400 + r, "END"));
    }
    Path requests = dir.resolve("requests.jsonl");
    Files.write(requests, lines);
    Map<String, RerankOutput> expected =
        SqlFixtures.fileJob(requests, dir.resolve("file-out"), tinyModel);

    String ddl =
        SqlFixtures.script(
                requests,
                dir.resolve("sql-out"),
                tinyModel,
                "rankings ARRAY<ROW<`index` INT, logit FLOAT>>",
                "id, rankings",
                "END")
            .replaceAll("(?s)INSERT INTO results.*", "");
    TableEnvironment tEnv = tableEnvironment();
    execute(
        tEnv,
        ddl
            + "CREATE TABLE results2 (id STRING, rankings ARRAY<ROW<`index` INT, logit FLOAT>>)"
            + " WITH ('connector' = 'filesystem', 'path' = '"
            + dir.resolve("sql-out2")
            + "', 'format' = 'json');\n");
    tEnv.createStatementSet()
        .addInsertSql(
            "INSERT INTO results SELECT id, rankings FROM ML_PREDICT(TABLE requests, MODEL"
                + " reranker, DESCRIPTOR(query, passages))")
        .addInsertSql(
            "INSERT INTO results2 SELECT id, rankings FROM ML_PREDICT(TABLE requests, MODEL"
                + " reranker, DESCRIPTOR(query, passages)) WHERE id LIKE 'm1%'")
        .execute()
        .await();

    Map<String, JsonNode> all = SqlFixtures.sqlRows(dir.resolve("sql-out"));
    Map<String, JsonNode> some = SqlFixtures.sqlRows(dir.resolve("sql-out2"));
    assertThat(all.keySet()).isEqualTo(expected.keySet());
    assertThat(some.keySet())
        .containsExactlyInAnyOrder(
            IntStream.of(1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19)
                .mapToObj(i -> "m" + i)
                .toArray(String[]::new));
    all.forEach(
        (id, row) -> SqlFixtures.assertSameRanking(id, row.get("rankings"), expected.get(id)));
    some.forEach(
        (id, row) -> SqlFixtures.assertSameRanking(id, row.get("rankings"), expected.get(id)));
    assertThat(SharedEngines.open()).as("every function released its engine").isZero();
  }

  @Test
  void aModelsFirstPredictionFailsNamingTheFix(@TempDir Path dir) {
    String input = "INPUT (query ROW<text STRING>, passages ARRAY<ROW<text STRING>>)";
    String output = "OUTPUT (rankings ARRAY<ROW<`index` INT, logit FLOAT>>)";
    String with = "'provider' = 'rerankflow', 'model' = '" + tinyModel + "'";
    assertPredictionFails(
        "INPUT (query INT, passages ARRAY<ROW<text STRING>>) " + output + " WITH (" + with + ")",
        "input column query (the query) is INT; expected INPUT (query STRING or ROW<text"
            + " STRING>, passages ARRAY<STRING> or ARRAY<ROW<text STRING>>)");
    assertPredictionFails(
        input + " OUTPUT (score DOUBLE) WITH (" + with + ")",
        "output column score DOUBLE is not one this provider produces; declare any of OUTPUT"
            + " (rankings ARRAY<ROW<`index` INT, `logit` FLOAT>>, prompt_tokens INT");
    assertPredictionFails(
        input + " " + output + " WITH (" + with + ", 'batch-size' = '4')", "batch-size");
    assertPredictionFails(
        input + " " + output + " WITH (" + with + ", 'batch-size' = '4')", "max-batch-size");
    assertPredictionFails(
        input
            + " "
            + output
            + " WITH ('provider' = 'rerankflow', 'model' = '"
            + dir.resolve("missing")
            + "')",
        "'model' = '"
            + dir.resolve("missing")
            + "': model directory "
            + dir.resolve("missing")
            + " does not exist (pass a directory or 'default')");
    assertPredictionFails(
        input + " " + output + " WITH (" + with + ", 'truncate' = 'START')", "truncate");
  }

  /**
   * Flink creates a model's provider when it plans the first {@code ML_PREDICT} over it: that is
   * where a bad column or option fails, with the provider's message in the cause chain.
   */
  private static void assertPredictionFails(String definition, String message) {
    TableEnvironment tEnv = tableEnvironment();
    // The table's columns are the model's input, so only the provider can object.
    Matcher input = Pattern.compile("INPUT \\((.*?)\\) OUTPUT").matcher(definition);
    assertThat(input.find()).as(definition).isTrue();
    tEnv.executeSql(
        "CREATE TABLE requests (id STRING, "
            + input.group(1)
            + ") WITH ('connector' = 'filesystem', 'path' = '/nonexistent', 'format' = 'json')");
    tEnv.executeSql("CREATE MODEL reranker " + definition);
    assertThatThrownBy(
            () ->
                tEnv.explainSql(
                    "SELECT * FROM ML_PREDICT(TABLE requests, MODEL reranker,"
                        + " DESCRIPTOR(query, passages))"))
        .as(definition)
        .satisfies(
            e ->
                assertThat(
                        Stream.iterate(e, t -> t != null, Throwable::getCause)
                            .map(Throwable::getMessage)
                            .filter(m -> m != null && m.contains(message)))
                    .as("a cause names %s", message)
                    .isNotEmpty());
  }
}
