package io.rerankflow.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Plain Kafka clients for tests: a producer, and a reader of a whole topic. */
public final class KafkaTestClients {
  private KafkaTestClients() {}

  public static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** A consumer of the whole topic from the start, with the given isolation level. */
  public static KafkaConsumer<byte[], byte[]> reader(
      String bootstrapServers, String topic, boolean readCommitted) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        readCommitted ? "read_committed" : "read_uncommitted");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
      partitions.add(new TopicPartition(topic, info.partition()));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }

  /**
   * Polls {@code consumer} into {@code into} until {@code done} holds for what was read or the
   * timeout passes.
   */
  public static List<ConsumerRecord<byte[], byte[]>> pollUntil(
      KafkaConsumer<byte[], byte[]> consumer,
      List<ConsumerRecord<byte[], byte[]>> into,
      Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
      Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.test(into) && System.nanoTime() < deadline) {
      consumer.poll(Duration.ofMillis(200)).forEach(into::add);
    }
    return into;
  }

  /** Everything in the topic now (reads until the end offsets seen at the start). */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(
      String bootstrapServers, String topic, boolean readCommitted) {
    try (KafkaConsumer<byte[], byte[]> consumer = reader(bootstrapServers, topic, readCommitted)) {
      Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline
          && end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }
}
