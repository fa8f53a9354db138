package io.rerankflow.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rerankflow.schemas.RerankOutput;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka SQL connector in and out around {@code ML_PREDICT}, on a real in-JVM KRaft broker: every
 * request is answered exactly once in the committed results, ranked as the file job ranks it.
 */
class RerankSqlKafkaITCase {
  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir static Path shared;
  private static KafkaClusterTestKit kafka;
  private static Path tinyModel;

  @BeforeAll
  static void start() throws Exception {
    tinyModel = SqlFixtures.tinyModel(shared.resolve("tiny"));
    kafka =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(false)
                    .setNumControllerNodes(1)
                    .setNumBrokerNodes(1)
                    .setBootstrapMetadataVersion(MetadataVersion.LATEST_PRODUCTION)
                    .build())
            // One broker: internal topics cannot have more replicas than that.
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "2")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("transaction.state.log.num.partitions", "2")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("unstable.api.versions.enable", "false")
            .setConfigProp("unstable.feature.versions.enable", "false")
            .build();
    kafka.format();
    kafka.startup();
    kafka.waitForReadyBrokers();
  }

  @AfterAll
  static void stop() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void everyRequestIsAnsweredOnceUnderReadCommittedWithExactlyOnceDelivery(@TempDir Path dir)
      throws Exception {
    String bootstrap = kafka.bootstrapServers();
    Properties admin = new Properties();
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin client = Admin.create(admin)) {
      client
          .createTopics(
              List.of(
                  new NewTopic("sql-requests", 2, (short) 1),
                  new NewTopic("sql-results", 2, (short) 1)))
          .all()
          .get();
    }
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < 50; r++) {
      lines.add(SqlFixtures.generated("k" + r, 1000 + r, "END"));
    }
    lines.add(SqlFixtures.request("bad", "{\"text\":\"\"}", List.of("the road"), "END"));
    Properties producer = new Properties();
    producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaProducer<byte[], byte[]> out =
        new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (String line : lines) {
        out.send(new ProducerRecord<>("sql-requests", line.getBytes(StandardCharsets.UTF_8)));
      }
    }
    Path requests = dir.resolve("requests.jsonl");
    Files.write(requests, lines);
    Map<String, RerankOutput> expected =
        SqlFixtures.fileJob(requests, dir.resolve("file-out"), tinyModel);

    String script =
        """
        SET 'execution.checkpointing.interval' = '1 s';
        CREATE TABLE requests (
          id STRING,
          query ROW<text STRING>,
          passages ARRAY<ROW<text STRING>>
        ) WITH (
          'connector' = 'kafka', 'topic' = 'sql-requests',
          'properties.bootstrap.servers' = '%1$s', 'properties.group.id' = 'sql-it',
          'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',
          'format' = 'json');
        CREATE TABLE results (
          id STRING,
          rankings ARRAY<ROW<`index` INT, logit FLOAT>>,
          error ROW<type STRING, message STRING, status INT>
        ) WITH (
          'connector' = 'kafka', 'topic' = 'sql-results',
          'properties.bootstrap.servers' = '%1$s',
          'sink.delivery-guarantee' = 'exactly-once',
          'sink.transactional-id-prefix' = 'rerank-sql-it',
          -- below the broker's transaction.max.timeout.ms (15 minutes)
          'properties.transaction.timeout.ms' = '60000',
          'format' = 'json');
        CREATE MODEL reranker
          INPUT (query ROW<text STRING>, passages ARRAY<ROW<text STRING>>)
          OUTPUT (rankings ARRAY<ROW<`index` INT, logit FLOAT>>,
                  error ROW<type STRING, message STRING, status INT>)
          WITH ('provider' = 'rerankflow', 'model' = '%2$s', 'truncate' = 'END');
        INSERT INTO results
        SELECT id, rankings, error
        FROM ML_PREDICT(TABLE requests, MODEL reranker, DESCRIPTOR(query, passages));
        """
            .formatted(bootstrap, tinyModel);
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    tEnv.getConfig().set("parallelism.default", "2");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    boolean ok =
        new SqlRunner(
                tEnv,
                new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8))
            .runScript(script);
    assertThat(ok).as(err.toString(StandardCharsets.UTF_8)).isTrue();

    Map<String, JsonNode> answers = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : readCommitted(bootstrap, "sql-results")) {
      JsonNode row = SqlFixtures.json(record.value());
      assertThat(answers.put(row.get("id").textValue(), row))
          .as("answered twice: %s", row.get("id"))
          .isNull();
    }
    assertThat(answers.keySet()).isEqualTo(expected.keySet()).hasSize(lines.size());
    expected.forEach(
        (id, out) -> {
          if (out.isError()) {
            assertThat(answers.get(id).get("error").get("status").intValue())
                .isEqualTo(out.errorStatus);
            assertThat(answers.get(id).get("rankings").isNull()).isTrue();
          } else {
            SqlFixtures.assertSameRanking(id, answers.get(id).get("rankings"), out);
          }
        });
  }

  /** The whole topic as a read_committed consumer sees it now. */
  private static List<ConsumerRecord<byte[], byte[]>> readCommitted(
      String bootstrap, String topic) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline
          && end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }
}
