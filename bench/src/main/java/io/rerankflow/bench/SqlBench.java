package io.rerankflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;

/**
 * The SQL door of {@code scripts/bench} ({@code sql} mode) and {@code scripts/bench feed}: the same
 * requests file to file through {@code ML_PREDICT} over the rerankflow provider, on the embedded
 * Flink, start-up included, as the {@code pipeline} mode runs the DataStream job. The statements go
 * straight to a {@link TableEnvironment}.
 */
final class SqlBench {
  private SqlBench() {}

  /** Rows in flight per slot, as the DataStream job's default {@code --capacity}. */
  static final int IN_FLIGHT = 256;

  /**
   * @param modelOptions extra {@code WITH} options of the model, e.g. {@code max-batch-size}
   * @param config the embedded Flink's configuration (e.g. a metrics reporter)
   */
  static Measurement run(
      Path requests,
      String model,
      Path work,
      Map<String, String> modelOptions,
      Configuration config)
      throws Exception {
    Path out = work.resolve("sql-out");
    deleteTree(out);
    Configuration flink = new Configuration(config);
    flink.setString("parallelism.default", "1");
    flink.setString(
        "table.exec.async-ml-predict.max-concurrent-operations", Integer.toString(IN_FLIGHT));
    flink.setString("table.exec.async-ml-predict.output-mode", "ALLOW_UNORDERED");
    String with =
        modelOptions.entrySet().stream()
            .map(e -> ", '" + e.getKey() + "' = '" + e.getValue() + "'")
            .collect(Collectors.joining());
    List<String> statements =
        List.of(
            """
            CREATE TABLE requests (id STRING, query ROW<text STRING>,
                passages ARRAY<ROW<text STRING>>)
              WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json')"""
                .formatted(requests),
            """
            CREATE TABLE results (id STRING, rankings ARRAY<ROW<`index` INT, logit FLOAT>>,
                error ROW<type STRING, message STRING, status INT>)
              WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json')"""
                .formatted(out),
            """
            CREATE MODEL reranker
              INPUT (query ROW<text STRING>, passages ARRAY<ROW<text STRING>>)
              OUTPUT (rankings ARRAY<ROW<`index` INT, logit FLOAT>>,
                      error ROW<type STRING, message STRING, status INT>)
              WITH ('provider' = 'rerankflow', 'model' = '%s', 'truncate' = 'END'%s)"""
                .formatted(model, with));
    long start = System.nanoTime();
    TableEnvironment tables =
        TableEnvironment.create(
            EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(flink).build());
    for (String statement : statements) {
      tables.executeSql(statement);
    }
    tables
        .executeSql(
            "INSERT INTO results SELECT id, rankings, error"
                + " FROM ML_PREDICT(TABLE requests, MODEL reranker, DESCRIPTOR(query, passages))")
        .await();
    double seconds = (System.nanoTime() - start) / 1e9;
    long pairs = 0;
    long rows = 0;
    long errors = 0;
    ObjectMapper json = new ObjectMapper();
    try (Stream<Path> files = Files.walk(out)) {
      for (Path file : files.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
        for (String line : Files.readAllLines(file)) {
          JsonNode row = json.readTree(line);
          rows++;
          if (row.get("rankings").isArray()) {
            pairs += row.get("rankings").size();
          } else {
            errors++;
          }
        }
      }
    }
    return new Measurement(
        "sql",
        pairs,
        seconds,
        0,
        0,
        0,
        0,
        Measurement.readPeakRssKb(),
        String.format(
            Locale.ROOT,
            "ML_PREDICT file to file, embedded Flink, parallelism 1, %d rows in flight,"
                + " unordered, start-up timed; %d requests, %d errors; model options %s",
            IN_FLIGHT,
            rows,
            errors,
            modelOptions));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
