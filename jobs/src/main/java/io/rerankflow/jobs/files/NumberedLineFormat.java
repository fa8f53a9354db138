package io.rerankflow.jobs.files;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Reads a JSONL file as (1-based line number, line bytes) pairs, skipping blank lines. The bytes
 * stay undecoded ({@link ByteLines}): the request parser is the one strict UTF-8 decoder.
 *
 * <p>Not splittable, so a file is read by one reader from its start and the numbering is exact; a
 * restore re-reads from the start and skips the records already emitted, keeping the numbers.
 */
final class NumberedLineFormat extends SimpleStreamFormat<Tuple2<Long, byte[]>> {
  private static final long serialVersionUID = 1L;

  @Override
  public StreamFormat.Reader<Tuple2<Long, byte[]>> createReader(
      Configuration config, FSDataInputStream stream) {
    ByteLines lines = new ByteLines(stream);
    return new StreamFormat.Reader<>() {
      private long lineNumber;

      @Override
      public Tuple2<Long, byte[]> read() throws IOException {
        byte[] line;
        while ((line = lines.next()) != null) {
          lineNumber++;
          if (!ByteLines.isBlank(line)) {
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
  public TypeInformation<Tuple2<Long, byte[]>> getProducedType() {
    return Types.TUPLE(Types.LONG, Types.PRIMITIVE_ARRAY(Types.BYTE));
  }
}
