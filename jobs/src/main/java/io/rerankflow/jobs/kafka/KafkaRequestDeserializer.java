package io.rerankflow.jobs.kafka;

import io.rerankflow.schemas.TransportHeaders;
import io.rerankflow.schemas.TransportHeaders.Stage;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Reads every request record as it is, bytes and headers; judging them is the router's job. A
 * traced request ({@link TransportHeaders#traced}) gets its {@link Stage#READ} stamp here.
 */
public final class KafkaRequestDeserializer
    implements KafkaRecordDeserializationSchema<KafkaRequest> {
  private static final long serialVersionUID = 1L;

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<KafkaRequest> out) {
    Map<String, byte[]> headers = null;
    for (Header header : record.headers()) {
      if (headers == null) {
        headers = new LinkedHashMap<>();
      }
      headers.put(header.key(), header.value());
    }
    if (TransportHeaders.traced(headers)) {
      headers.put(Stage.READ.header(), TransportHeaders.microsValue(TransportHeaders.nowMicros()));
    }
    out.collect(
        new KafkaRequest(
            record.topic(),
            record.partition(),
            record.offset(),
            record.key(),
            record.value(),
            headers));
  }

  @Override
  public TypeInformation<KafkaRequest> getProducedType() {
    return TypeInformation.of(KafkaRequest.class);
  }
}
