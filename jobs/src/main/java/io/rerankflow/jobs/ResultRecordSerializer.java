package io.rerankflow.jobs;

import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RerankOutput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * A result as a Kafka record: key = request id, value = the pipeline JSON line (ranking or error
 * record), headers = the request's correlation headers.
 */
public final class ResultRecordSerializer implements KafkaRecordSerializationSchema<RerankOutput> {
  private static final long serialVersionUID = 1L;

  private final String topic;

  public ResultRecordSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      RerankOutput out, KafkaSinkContext context, Long timestamp) {
    return new ProducerRecord<>(
        topic,
        null,
        null,
        out.id.getBytes(StandardCharsets.UTF_8),
        OutputJson.toPipelineJson(out).getBytes(StandardCharsets.UTF_8),
        headers(out.headers));
  }

  static List<Header> headers(Map<String, byte[]> headers) {
    List<Header> list = new ArrayList<>();
    if (headers != null) {
      headers.forEach((key, value) -> list.add(new RecordHeader(key, value)));
    }
    return list;
  }
}
