package io.rerankflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rerankflow.sql.SqlRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
    String script =
        """
        SET 'parallelism.default' = '1';
        SET 'table.exec.async-ml-predict.max-concurrent-operations' = '%3$d';
        SET 'table.exec.async-ml-predict.output-mode' = 'ALLOW_UNORDERED';
        CREATE TABLE requests (id STRING, query ROW<text STRING>, passages ARRAY<ROW<text STRING>>)
          WITH ('connector' = 'filesystem', 'path' = '%1$s', 'format' = 'json');
        CREATE TABLE results (id STRING, rankings ARRAY<ROW<`index` INT, logit FLOAT>>,
            error ROW<type STRING, message STRING, status INT>)
          WITH ('connector' = 'filesystem', 'path' = '%2$s', 'format' = 'json');
        CREATE MODEL reranker
          INPUT (query ROW<text STRING>, passages ARRAY<ROW<text STRING>>)
          OUTPUT (rankings ARRAY<ROW<`index` INT, logit FLOAT>>,
                  error ROW<type STRING, message STRING, status INT>)
          WITH ('provider' = 'rerankflow', 'model' = '%4$s', 'truncate' = 'END');
        INSERT INTO results SELECT id, rankings, error
          FROM ML_PREDICT(TABLE requests, MODEL reranker, DESCRIPTOR(query, passages));
        """
            .formatted(requests, out, IN_FLIGHT, model);
    long start = System.nanoTime();
    boolean ok =
        new SqlRunner(
                TableEnvironment.create(EnvironmentSettings.inStreamingMode()),
                new PrintStream(PrintStream.nullOutputStream(), true, StandardCharsets.UTF_8),
                System.err)
            .runScript(script);
    double seconds = (System.nanoTime() - start) / 1e9;
    if (!ok) {
      throw new IllegalStateException("the SQL run failed, see above");
    }
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
