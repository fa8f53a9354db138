package io.rerankflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;

/**
 * The {@code sql} mode of {@code scripts/bench}: the same requests file to file through {@code
 * ML_PREDICT} over the rerankflow provider, on the embedded Flink, start-up included, as the {@code
 * pipeline} mode runs the DataStream job.
 */
final class SqlBench {
  private SqlBench() {}

  /** Rows in flight per slot, as the DataStream job's default {@code --capacity}. */
  static final int IN_FLIGHT = 256;

  static Measurement run(Path requests, String model, Path work) throws Exception {
    Path out = work.resolve("sql-out");
    deleteTree(out);
    long start = System.nanoTime();
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    tEnv.getConfig().set("parallelism.default", "1");
    tEnv.getConfig()
        .set("table.exec.async-ml-predict.max-concurrent-operations", String.valueOf(IN_FLIGHT));
    tEnv.getConfig().set("table.exec.async-ml-predict.output-mode", "ALLOW_UNORDERED");
    tEnv.executeSql(
        """
        CREATE TABLE requests (id STRING, query ROW<text STRING>, passages ARRAY<ROW<text STRING>>)
          WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json')
        """
            .formatted(requests));
    tEnv.executeSql(
        """
        CREATE TABLE results (id STRING, rankings ARRAY<ROW<`index` INT, logit FLOAT>>,
            error ROW<type STRING, message STRING, status INT>)
          WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json')
        """
            .formatted(out));
    tEnv.executeSql(
        """
        CREATE MODEL reranker
          INPUT (query ROW<text STRING>, passages ARRAY<ROW<text STRING>>)
          OUTPUT (rankings ARRAY<ROW<`index` INT, logit FLOAT>>,
                  error ROW<type STRING, message STRING, status INT>)
          WITH ('provider' = 'rerankflow', 'model' = '%s', 'truncate' = 'END')
        """
            .formatted(model));
    tEnv.executeSql(
            """
            INSERT INTO results SELECT id, rankings, error
              FROM ML_PREDICT(TABLE requests, MODEL reranker, DESCRIPTOR(query, passages))
            """)
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
                + " unordered, start-up timed; %d requests, %d errors",
            IN_FLIGHT,
            rows,
            errors));
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
