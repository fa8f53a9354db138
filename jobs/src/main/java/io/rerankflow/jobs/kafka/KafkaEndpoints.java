package io.rerankflow.jobs.kafka;

import io.rerankflow.jobs.KafkaOptions;
import io.rerankflow.schemas.RerankOutput;
import java.util.Properties;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** Builds the job's Kafka source and sinks from {@link KafkaOptions}. */
public final class KafkaEndpoints {
  private KafkaEndpoints() {}

  /** Request records from {@code --requests-topic}, offsets committed on each checkpoint. */
  public static KafkaSource<KafkaRequest> requestSource(KafkaOptions options) {
    return KafkaSource.<KafkaRequest>builder()
        .setProperties(options.clientProperties())
        .setBootstrapServers(options.bootstrapServers())
        .setTopics(options.requestsTopic())
        .setGroupId(options.groupId())
        .setStartingOffsets(options.startingOffsets().initializer())
        .setDeserializer(new KafkaRequestDeserializer())
        // Requests written by a transactional producer count only once committed.
        .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
        .build();
  }

  /** Results and error records to {@code --results-topic}. */
  public static KafkaSink<RerankOutput> resultSink(KafkaOptions options) {
    return sink(
        options,
        new ResultRecordSerializer(options.resultsTopic(), options.maxRecordBytes()),
        options.transactionalIdPrefix());
  }

  /** Dead letters to {@code --dead-letter-topic}, in transactions of their own. */
  public static KafkaSink<DeadLetter> deadLetterSink(KafkaOptions options) {
    return sink(
        options,
        new DeadLetterSerializer(options.deadLetterTopic(), options.maxRecordBytes()),
        options.transactionalIdPrefix() + "-dead-letters");
  }

  private static <T> KafkaSink<T> sink(
      KafkaOptions options, KafkaRecordSerializationSchema<T> serializer, String idPrefix) {
    return KafkaSink.<T>builder()
        .setKafkaProducerConfig(producerProperties(options))
        .setBootstrapServers(options.bootstrapServers())
        .setRecordSerializer(serializer)
        .setDeliveryGuarantee(options.delivery().guarantee())
        .setTransactionalIdPrefix(idPrefix)
        // Below the broker's transaction.max.timeout.ms, or every commit fails and the job
        // restarts forever.
        .setProperty(
            ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
            Long.toString(options.transactionTimeout().toMillis()))
        .build();
  }

  /**
   * The sinks' producer settings: {@code --kafka-property} over these defaults. A result is sent at
   * once ({@code linger.ms=0}, Kafka's default is 5 ms): an edge's caller waits for it, and records
   * sent while earlier ones are in flight are batched anyway.
   */
  static Properties producerProperties(KafkaOptions options) {
    Properties props = new Properties();
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    props.putAll(options.clientProperties());
    return props;
  }
}
