package io.rerankflow.jobs;

import static io.rerankflow.cli.OptionChecks.require;

import io.rerankflow.cli.DurationConverter;
import io.rerankflow.jobs.kafka.Delivery;
import io.rerankflow.jobs.kafka.StartingOffsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerConfig;
import picocli.CommandLine.Option;

/** The Kafka and streaming options of {@link RerankOptions}, checked in {@link #validate}. */
public final class KafkaOptions {
  static final Duration KAFKA_CHECKPOINT_INTERVAL = Duration.ofSeconds(5);
  static final Duration FILE_CHECKPOINT_INTERVAL = Duration.ofMinutes(1);

  @Option(
      names = "--bootstrap-servers",
      description = "Kafka brokers, e.g. 127.0.0.1:9092 (needed with a Kafka source or sink).")
  String bootstrapServers;

  @Option(names = "--requests-topic", description = "Topic of NIM ranking requests (JSON values).")
  String requestsTopic;

  @Option(
      names = "--group-id",
      defaultValue = "rerankflow",
      description =
          "Consumer group; offsets are committed to it on each checkpoint. Default:"
              + " ${DEFAULT-VALUE}.")
  String groupId;

  @Option(
      names = "--starting-offsets",
      defaultValue = "committed",
      converter = StartingOffsets.Converter.class,
      description =
          "Where a fresh job starts reading: committed (earliest when the group has none),"
              + " earliest or latest. A restore from a checkpoint ignores it. Default:"
              + " ${DEFAULT-VALUE}.")
  StartingOffsets startingOffsets;

  @Option(
      names = "--results-topic",
      description = "Topic for results and error records (key = request id).")
  String resultsTopic;

  @Option(
      names = "--dead-letter-topic",
      description =
          "Topic for request records whose bytes are not a JSON object: the original bytes and"
              + " headers plus reason, source topic, partition and offset headers. They still get"
              + " their error record in the results.")
  String deadLetterTopic;

  @Option(
      names = "--correlation-header",
      split = ",",
      defaultValue =
          "reply-to,correlation-id,traceparent,tracestate,kafka_replyTopic,"
              + "kafka_replyPartition,kafka_correlationId",
      description =
          "Request headers copied onto the result record; repeatable or comma-separated."
              + " Default: ${DEFAULT-VALUE}.")
  List<String> correlationHeaders = new ArrayList<>();

  @Option(
      names = "--delivery",
      defaultValue = "exactly-once",
      converter = Delivery.Converter.class,
      description =
          "Guarantee of the Kafka sinks (results, dead letters): exactly-once (transactions"
              + " committed on checkpoints; read with isolation.level=read_committed) or"
              + " at-least-once. Default: ${DEFAULT-VALUE}.")
  Delivery delivery;

  @Option(
      names = "--transactional-id-prefix",
      description =
          "Prefix of the Kafka sinks' transactional ids (the dead letters' add"
              + " -dead-letters); unique per job on a cluster. Default: rerankflow-<results topic>"
              + " (the requests topic without a Kafka sink).")
  String transactionalIdPrefix;

  @Option(
      names = "--transaction-timeout",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description =
          "transaction.timeout.ms of the exactly-once Kafka sinks; must stay below the broker's"
              + " transaction.max.timeout.ms (15m by default) and above the checkpoint interval."
              + " Default: ${DEFAULT-VALUE}.")
  Duration transactionTimeout;

  @Option(
      names = "--checkpoint-interval",
      converter = DurationConverter.class,
      description =
          "Checkpoint interval. With Kafka exactly-once results become visible at this pace."
              + " A file run resumes from its last checkpoint, so at most this much scoring is"
              + " redone after a crash; each checkpoint also commits one results file per slot."
              + " Default: 5s with --source kafka, 1m with --source file.")
  Duration checkpointInterval;

  @Option(
      names = "--buffer-timeout",
      defaultValue = "0ms",
      converter = DurationConverter.class,
      description =
          "With --source kafka, how long a Flink exchange may hold records to fill a network"
              + " buffer (execution.buffer-timeout.interval): 0ms sends each record at once, for"
              + " the edge's synchronous callers (Flink's own default is 100ms, paid at each of"
              + " the job's exchanges; a file run keeps it). Default: ${DEFAULT-VALUE}.")
  Duration bufferTimeout;

  @Option(
      names = "--kafka-property",
      description =
          "Extra Kafka client property for the source and sinks, e.g."
              + " --kafka-property security.protocol=SASL_SSL; repeatable.")
  Map<String, String> properties = new LinkedHashMap<>();

  void validate(boolean kafkaSource, boolean kafkaSink) {
    boolean kafka = kafkaSource || kafkaSink;
    require(
        !kafka || present(bootstrapServers),
        "--bootstrap-servers is needed with a Kafka source or sink, e.g. 127.0.0.1:9092");
    require(
        !kafkaSource || present(requestsTopic), "--requests-topic is needed with --source kafka");
    require(!kafkaSource || present(groupId), "--group-id must not be empty");
    require(!kafkaSink || present(resultsTopic), "--results-topic is needed with --sink kafka");
    require(
        kafkaSource || deadLetterTopic == null,
        "--dead-letter-topic needs --source kafka (file input has no record to dead-letter)");
    require(
        validRecordLimit(),
        "--kafka-property "
            + ProducerConfig.MAX_REQUEST_SIZE_CONFIG
            + " must be a positive number of bytes, e.g. 1048576");
    require(
        checkpointInterval == null
            || !checkpointInterval.isNegative() && !checkpointInterval.isZero(),
        "--checkpoint-interval must be positive, e.g. 5s");
    require(!bufferTimeout.isNegative(), "--buffer-timeout must be 0ms or more, e.g. 0ms or 5ms");
    // Only the Kafka sinks (results, dead letters) keep a transaction open between checkpoints.
    boolean transactions =
        delivery == Delivery.EXACTLY_ONCE && (kafkaSink || deadLetterTopic != null);
    require(
        !transactions || transactionTimeout.compareTo(checkpointInterval()) > 0,
        "--transaction-timeout ("
            + transactionTimeout
            + ") must be longer than --checkpoint-interval ("
            + checkpointInterval()
            + "): a transaction stays open from one checkpoint to the next");
  }

  /**
   * The largest record the sinks' producers send: {@code max.request.size} from {@code
   * --kafka-property}, else Kafka's default (1 MiB).
   */
  public int maxRecordBytes() {
    String value = properties.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    return value == null
        ? (Integer)
            ProducerConfig.configDef().defaultValues().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)
        : Integer.parseInt(value.trim());
  }

  private boolean validRecordLimit() {
    try {
      return maxRecordBytes() > 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }

  /** The Kafka client properties every source and sink gets. */
  public Properties clientProperties() {
    Properties props = new Properties();
    props.putAll(properties);
    return props;
  }

  public String transactionalIdPrefix() {
    return transactionalIdPrefix != null
        ? transactionalIdPrefix
        : "rerankflow-" + (resultsTopic != null ? resultsTopic : requestsTopic);
  }

  Set<String> correlationHeaders() {
    return new LinkedHashSet<>(correlationHeaders);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public String requestsTopic() {
    return requestsTopic;
  }

  public String groupId() {
    return groupId;
  }

  public StartingOffsets startingOffsets() {
    return startingOffsets;
  }

  public String resultsTopic() {
    return resultsTopic;
  }

  public String deadLetterTopic() {
    return deadLetterTopic;
  }

  public Delivery delivery() {
    return delivery;
  }

  public Duration transactionTimeout() {
    return transactionTimeout;
  }

  /** The checkpoint interval of a Kafka job: {@code --checkpoint-interval}, else 5 s. */
  public Duration checkpointInterval() {
    return checkpointInterval != null ? checkpointInterval : KAFKA_CHECKPOINT_INTERVAL;
  }

  /**
   * The checkpoint interval of a file run: {@code --checkpoint-interval}, else 1 min. A minute is
   * the most scoring a crash costs, while each checkpoint's cost (one results file per slot, the
   * in-flight requests copied into the checkpoint) stays negligible over a night.
   */
  public Duration fileCheckpointInterval() {
    return checkpointInterval != null ? checkpointInterval : FILE_CHECKPOINT_INTERVAL;
  }

  public Duration bufferTimeout() {
    return bufferTimeout;
  }
}
