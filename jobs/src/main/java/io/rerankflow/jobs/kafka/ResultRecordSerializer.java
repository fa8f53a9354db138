package io.rerankflow.jobs.kafka;

import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RerankFailure;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.schemas.TransportHeaders;
import io.rerankflow.schemas.TransportHeaders.Stage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;

/**
 * A result as a Kafka record: key = request id, value = the pipeline JSON line (ranking or error
 * record), headers = the request's correlation and transport headers ({@link TransportHeaders}),
 * with the {@link Stage#WRITTEN} stamp added on a traced request.
 *
 * <p>A ranking too large for the producer (e.g. {@code return_text} over long passages) is written
 * as that request's {@code response_too_large} error record instead: the producer would refuse it,
 * fail the sink and restart the job into the same record forever.
 */
public final class ResultRecordSerializer implements KafkaRecordSerializationSchema<RerankOutput> {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private final int maxRecordBytes;

  /**
   * @param maxRecordBytes the producer's {@code max.request.size}: the largest record it sends
   */
  public ResultRecordSerializer(String topic, int maxRecordBytes) {
    this.topic = topic;
    this.maxRecordBytes = maxRecordBytes;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      RerankOutput out, KafkaSinkContext context, Long timestamp) {
    byte[] key = out.id.getBytes(StandardCharsets.UTF_8);
    List<Header> headers = headers(out.headers);
    if (TransportHeaders.traced(out.headers)) {
      headers.add(
          new RecordHeader(
              Stage.WRITTEN.header(), TransportHeaders.microsValue(TransportHeaders.nowMicros())));
    }
    byte[] value = json(out);
    int size = recordSize(key, value, headers);
    if (size > maxRecordBytes) {
      value = json(tooLarge(out, size));
    }
    return new ProducerRecord<>(topic, null, null, key, value, headers);
  }

  /**
   * The size the producer checks against {@code max.request.size}, computed the producer's way
   * (before compression, with the record batch's overhead).
   */
  static int recordSize(byte[] key, byte[] value, List<Header> headers) {
    return AbstractRecords.estimateSizeInBytesUpperBound(
        RecordBatch.CURRENT_MAGIC_VALUE,
        CompressionType.NONE,
        key,
        value,
        headers.toArray(Header[]::new));
  }

  private RerankOutput tooLarge(RerankOutput out, int size) {
    RerankOutput error =
        RerankOutput.failed(
            out.id,
            out.model,
            new RerankFailure(
                ErrorKind.RESPONSE_TOO_LARGE,
                "The result is "
                    + size
                    + " bytes as a Kafka record, more than the results producer's"
                    + " max.request.size of "
                    + maxRecordBytes
                    + " bytes; ask for fewer rankings (top_n) or without return_text, or raise"
                    + " the limit (--kafka-property max.request.size=..., and the topic's"
                    + " max.message.bytes)"));
    error.headers = out.headers;
    return error;
  }

  private static byte[] json(RerankOutput out) {
    return OutputJson.toPipelineJson(out).getBytes(StandardCharsets.UTF_8);
  }

  static List<Header> headers(Map<String, byte[]> headers) {
    List<Header> list = new ArrayList<>();
    if (headers != null) {
      headers.forEach((key, value) -> list.add(new RecordHeader(key, value)));
    }
    return list;
  }
}
