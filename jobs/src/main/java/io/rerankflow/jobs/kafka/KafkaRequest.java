package io.rerankflow.jobs.kafka;

import io.rerankflow.schemas.RawRequest;
import io.rerankflow.schemas.TransportHeaders;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A request record as read from Kafka: its coordinates, value and headers. A Flink POJO.
 *
 * <p>It lives only between the Kafka source and {@link KafkaRequestRouter}, which turns it into a
 * {@link RawRequest} (and a {@link DeadLetter} when the value is not a JSON object).
 */
public class KafkaRequest {
  public String topic;
  public int partition;
  public long offset;

  /** The record key; null when it had none. */
  public byte[] key;

  /** The record value; null for a tombstone. */
  public byte[] value;

  /** Every header of the record (the last value where a key repeats). */
  public Map<String, byte[]> headers;

  public KafkaRequest() {}

  public KafkaRequest(
      String topic,
      int partition,
      long offset,
      byte[] key,
      byte[] value,
      Map<String, byte[]> headers) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.key = key;
    this.value = value;
    this.headers = headers;
  }

  /** The id of a request without its own {@code id} field: stable across re-reads. */
  public String fallbackId() {
    return topic + "-" + partition + "-" + offset;
  }

  /** Where the record came from, for error messages. */
  public String origin() {
    return "topic " + topic + ", partition " + partition + ", offset " + offset;
  }

  /**
   * The request the operator sees, carrying only the headers named for correlation and the edge's
   * transport headers (deadline, stage timestamps: {@link TransportHeaders}).
   */
  public RawRequest toRawRequest(Set<String> correlationHeaders) {
    Map<String, byte[]> kept = null;
    if (headers != null) {
      for (Map.Entry<String, byte[]> header : headers.entrySet()) {
        if (correlationHeaders.contains(header.getKey())
            || TransportHeaders.isTransportHeader(header.getKey())) {
          if (kept == null) {
            kept = new LinkedHashMap<>();
          }
          kept.put(header.getKey(), header.getValue());
        }
      }
    }
    return new RawRequest(fallbackId(), origin(), value == null ? new byte[0] : value, kept);
  }
}
