package io.rerankflow.jobs.files;

import io.rerankflow.schemas.RawRequest;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.impl.StreamFormatAdapter;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.RecordAndPosition;

/**
 * JSONL requests as {@link RawRequest}s that know their line: the fallback id is the line number
 * ({@code file:line} when the input is a directory of files), and the origin names the file.
 *
 * <p>A {@link BulkFormat} rather than a stream format because only a bulk reader sees the split,
 * and so the file it is reading.
 */
public final class JsonLinesFormat implements BulkFormat<RawRequest, FileSourceSplit> {
  private static final long serialVersionUID = 1L;

  private final StreamFormatAdapter<Tuple2<Long, byte[]>> lines =
      new StreamFormatAdapter<>(new NumberedLineFormat());
  private final boolean qualifyIdsWithFileName;

  /**
   * @param qualifyIdsWithFileName true when several files are read, so line numbers alone would
   *     collide
   */
  public JsonLinesFormat(boolean qualifyIdsWithFileName) {
    this.qualifyIdsWithFileName = qualifyIdsWithFileName;
  }

  @Override
  public Reader<RawRequest> createReader(Configuration config, FileSourceSplit split)
      throws IOException {
    return tag(lines.createReader(config, split), split);
  }

  @Override
  public Reader<RawRequest> restoreReader(Configuration config, FileSourceSplit split)
      throws IOException {
    return tag(lines.restoreReader(config, split), split);
  }

  private Reader<RawRequest> tag(Reader<Tuple2<Long, byte[]>> reader, FileSourceSplit split) {
    String file = split.path().getName();
    return new Reader<>() {
      @Override
      public RecordIterator<RawRequest> readBatch() throws IOException {
        RecordIterator<Tuple2<Long, byte[]>> batch = reader.readBatch();
        if (batch == null) {
          return null;
        }
        return new RecordIterator<>() {
          @Override
          public RecordAndPosition<RawRequest> next() {
            RecordAndPosition<Tuple2<Long, byte[]>> next = batch.next();
            if (next == null) {
              return null;
            }
            return new RecordAndPosition<>(
                toRequest(file, next.getRecord()), next.getOffset(), next.getRecordSkipCount());
          }

          @Override
          public void releaseBatch() {
            batch.releaseBatch();
          }
        };
      }

      @Override
      public void close() throws IOException {
        reader.close();
      }
    };
  }

  private RawRequest toRequest(String file, Tuple2<Long, byte[]> line) {
    String number = Long.toString(line.f0);
    return new RawRequest(
        qualifyIdsWithFileName ? file + ":" + number : number,
        "line " + number + " of " + file,
        line.f1);
  }

  @Override
  public boolean isSplittable() {
    return false;
  }

  @Override
  public TypeInformation<RawRequest> getProducedType() {
    return TypeInformation.of(RawRequest.class);
  }
}
