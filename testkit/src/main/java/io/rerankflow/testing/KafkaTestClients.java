package io.rerankflow.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
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
      return readTo(consumer, consumer.endOffsets(consumer.assignment()));
    }
  }

  /**
   * Every committed record of the topic, once no transaction on it is open. Called when its writers
   * are gone (a job drained by {@code RunningJob.drain} or finished), this is everything that will
   * ever be committed there: "nothing more arrives" is then a fact, not a wait that a slow machine
   * outlasts. A commit's markers reach the partitions just after the commit returns, so this first
   * waits (a bound only a hang reaches) until every partition's committed end is its log end.
   */
  public static List<ConsumerRecord<byte[], byte[]>> readSettled(
      String bootstrapServers, String topic) throws InterruptedException {
    try (KafkaConsumer<byte[], byte[]> committed = reader(bootstrapServers, topic, true);
        KafkaConsumer<byte[], byte[]> uncommitted = reader(bootstrapServers, topic, false)) {
      Set<TopicPartition> partitions = committed.assignment();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      Map<TopicPartition, Long> logEnd = uncommitted.endOffsets(partitions);
      Map<TopicPartition, Long> committedEnd = committed.endOffsets(partitions);
      while (!committedEnd.equals(logEnd)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "a transaction stays open on "
                  + topic
                  + ": committed ends "
                  + committedEnd
                  + ", log ends "
                  + logEnd);
        }
        Thread.sleep(50);
        logEnd = uncommitted.endOffsets(partitions);
        committedEnd = committed.endOffsets(partitions);
      }
      return readTo(committed, committedEnd);
    }
  }

  /** Reads {@code consumer} until its position reaches {@code end} on every partition. */
  private static List<ConsumerRecord<byte[], byte[]>> readTo(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("could not read to " + end + " within the hang bound");
      }
      consumer.poll(Duration.ofMillis(200)).forEach(records::add);
    }
    return records;
  }
}
