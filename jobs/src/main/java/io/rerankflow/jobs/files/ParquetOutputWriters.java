package io.rerankflow.jobs.files;

import io.rerankflow.schemas.OutputAvro;
import io.rerankflow.schemas.RerankOutput;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.formats.parquet.ParquetWriterFactory;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Writes outputs as Parquet rows of {@link OutputAvro#SCHEMA} (Snappy, standard 3-level lists), for
 * a bulk-format {@code FileSink}, which rolls a file on every checkpoint.
 */
public final class ParquetOutputWriters implements BulkWriter.Factory<RerankOutput> {
  private static final long serialVersionUID = 1L;

  private final ParquetWriterFactory<GenericRecord> records =
      new ParquetWriterFactory<>(
          out ->
              AvroParquetWriter.<GenericRecord>builder(out)
                  .withSchema(schema())
                  .withDataModel(GenericData.get())
                  .withCompressionCodec(CompressionCodecName.SNAPPY)
                  .config(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, "false")
                  .build());

  // Avro schemas are not serialisable; the writer factory looks it up where it runs.
  private static Schema schema() {
    return OutputAvro.SCHEMA;
  }

  @Override
  public BulkWriter<RerankOutput> create(FSDataOutputStream stream) throws IOException {
    BulkWriter<GenericRecord> writer = records.create(stream);
    return new BulkWriter<>() {
      @Override
      public void addElement(RerankOutput out) throws IOException {
        writer.addElement(OutputAvro.toRecord(out));
      }

      @Override
      public void flush() throws IOException {
        writer.flush();
      }

      @Override
      public void finish() throws IOException {
        writer.finish();
      }
    };
  }
}
