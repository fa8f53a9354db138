package io.rerankflow.jobs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Reads a UTF-8 text file as (1-based line number, line) pairs, skipping blank lines.
 *
 * <p>Not splittable, so a file is read by one reader from its start and the numbering is exact; a
 * restore re-reads from the start and skips the records already emitted, keeping the numbers.
 */
final class NumberedLines extends SimpleStreamFormat<Tuple2<Long, String>> {
  private static final long serialVersionUID = 1L;

  @Override
  public StreamFormat.Reader<Tuple2<Long, String>> createReader(
      Configuration config, FSDataInputStream stream) {
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8), 1 << 16);
    return new StreamFormat.Reader<>() {
      private long lineNumber;

      @Override
      public Tuple2<Long, String> read() throws IOException {
        String line;
        while ((line = lines.readLine()) != null) {
          lineNumber++;
          if (!line.isBlank()) {
            return Tuple2.of(lineNumber, line);
          }
        }
        return null;
      }

      @Override
      public void close() throws IOException {
        lines.close();
      }
    };
  }

  @Override
  public TypeInformation<Tuple2<Long, String>> getProducedType() {
    return Types.TUPLE(Types.LONG, Types.STRING);
  }
}
