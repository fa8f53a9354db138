package io.rerankflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.schemas.OutputAvro;
import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RerankOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;

/** The committed results of a file job (in-progress files are hidden, dot-prefixed). */
public final class ResultFiles {
  private ResultFiles() {}

  /** Every line of the committed JSONL result files, duplicates included. */
  public static List<RerankOutput> jsonl(Path dir) throws IOException {
    List<RerankOutput> rows = new ArrayList<>();
    for (Path file : committed(dir, RerankJob.OUTPUT_SUFFIX)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        rows.add(OutputJson.fromPipelineJson(line));
      }
    }
    return rows;
  }

  /** Every row of the committed Parquet result files, duplicates included. */
  public static List<RerankOutput> parquet(Path dir) throws IOException {
    List<RerankOutput> rows = new ArrayList<>();
    for (Path file : committed(dir, RerankJob.PARQUET_SUFFIX)) {
      try (ParquetReader<GenericRecord> reader =
          AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file)).build()) {
        for (GenericRecord record = reader.read(); record != null; record = reader.read()) {
          rows.add(OutputAvro.fromRecord(record));
        }
      }
    }
    return rows;
  }

  /** The rows by id, failing on an id written twice. */
  public static Map<String, RerankOutput> byId(List<RerankOutput> rows) {
    Map<String, RerankOutput> byId = new HashMap<>();
    for (RerankOutput row : rows) {
      assertThat(byId.put(row.id, row)).as("duplicate row %s", row.id).isNull();
    }
    return byId;
  }

  private static List<Path> committed(Path dir, String suffix) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().startsWith(RerankJob.OUTPUT_PREFIX))
          .filter(f -> f.getFileName().toString().endsWith(suffix))
          .sorted()
          .toList();
    }
  }
}
