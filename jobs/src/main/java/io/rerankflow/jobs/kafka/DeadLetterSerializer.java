package io.rerankflow.jobs.kafka;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * A dead letter as a Kafka record: the original key and bytes, with its headers. One that the added
 * headers push over the producer's limit goes without its value (a header says so): a refused
 * record would fail the sink and restart the job into it again.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
  private static final long serialVersionUID = 1L;

  /** On a dead letter sent without its value: the value's size and why it was left out. */
  public static final String VALUE_OMITTED_HEADER = "rerankflow.value.omitted";

  private final String topic;
  private final int maxRecordBytes;

  /**
   * @param maxRecordBytes the producer's {@code max.request.size}: the largest record it sends
   */
  public DeadLetterSerializer(String topic, int maxRecordBytes) {
    this.topic = topic;
    this.maxRecordBytes = maxRecordBytes;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      DeadLetter letter, KafkaSinkContext context, Long timestamp) {
    List<Header> headers = ResultRecordSerializer.headers(letter.headers);
    byte[] value = letter.value;
    int size = ResultRecordSerializer.recordSize(letter.key, value, headers);
    if (size > maxRecordBytes) {
      headers.add(
          new RecordHeader(
              VALUE_OMITTED_HEADER,
              (value.length
                      + " bytes; with the headers the record exceeds max.request.size of "
                      + maxRecordBytes)
                  .getBytes(StandardCharsets.UTF_8)));
      value = null;
    }
    return new ProducerRecord<>(topic, null, null, letter.key, value, headers);
  }
}
