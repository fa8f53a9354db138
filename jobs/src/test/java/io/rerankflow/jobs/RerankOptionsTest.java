package io.rerankflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rerankflow.inference.BatchingSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class RerankOptionsTest {

  private static RerankOptions parse(String... args) {
    return CommandLine.populateCommand(new RerankOptions(), args);
  }

  @Test
  void fileToFileIsTheDefault() {
    RerankOptions options = parse("--input", "in.jsonl", "--output", "out");
    options.validate();
    assertThat(options.source()).isEqualTo(SourceKind.FILE);
    assertThat(options.sink()).isEqualTo(SinkKind.FILE);
  }

  @Test
  void kafkaDefaultsAreExactlyOnceWithATransactionTimeoutBelowTheBrokerMaximum() {
    RerankOptions options =
        parse(
            "--source",
            "kafka",
            "--sink",
            "kafka",
            "--bootstrap-servers",
            "127.0.0.1:9092",
            "--requests-topic",
            "in",
            "--results-topic",
            "out");
    options.validate();
    KafkaOptions kafka = options.kafka();
    assertThat(kafka.delivery()).isEqualTo(Delivery.EXACTLY_ONCE);
    assertThat(kafka.transactionTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(kafka.startingOffsets()).isEqualTo(StartingOffsets.COMMITTED);
    assertThat(kafka.groupId()).isEqualTo("rerankflow");
    assertThat(kafka.transactionalIdPrefix()).isEqualTo("rerankflow-out");
    assertThat(kafka.correlationHeaders()).contains("reply-to", "kafka_correlationId");
  }

  @Test
  void kafkaSourceNeedsServersAndTopic() {
    assertThatThrownBy(() -> parse("--source", "kafka", "--output", "out").validate())
        .hasMessageContaining("--bootstrap-servers");
    assertThatThrownBy(
            () ->
                parse("--source", "kafka", "--output", "out", "--bootstrap-servers", "h:1")
                    .validate())
        .hasMessageContaining("--requests-topic");
  }

  @Test
  void sinksNeedTheirDestination() {
    assertThatThrownBy(() -> parse("--input", "in.jsonl", "--sink", "parquet").validate())
        .hasMessageContaining("--output is needed with --sink parquet");
    assertThatThrownBy(
            () ->
                parse("--input", "in.jsonl", "--sink", "kafka", "--bootstrap-servers", "h:1")
                    .validate())
        .hasMessageContaining("--results-topic");
    assertThatThrownBy(() -> parse("--output", "out").validate())
        .hasMessageContaining("--input is needed with --source file");
  }

  @Test
  void deadLettersNeedAKafkaSource() {
    assertThatThrownBy(
            () ->
                parse("--input", "in.jsonl", "--output", "out", "--dead-letter-topic", "dlq")
                    .validate())
        .hasMessageContaining("--dead-letter-topic needs --source kafka");
  }

  @Test
  void exactlyOnceRefusesATransactionTimeoutShorterThanTheCheckpointInterval() {
    assertThatThrownBy(
            () ->
                parse(
                        "--source",
                        "kafka",
                        "--sink",
                        "kafka",
                        "--bootstrap-servers",
                        "h:1",
                        "--requests-topic",
                        "in",
                        "--results-topic",
                        "out",
                        "--checkpoint-interval",
                        "2m")
                    .validate())
        .hasMessageContaining("--transaction-timeout");
  }

  @Test
  void unknownSinkNamesTheValidOnes() {
    assertThatThrownBy(() -> parse("--input", "in.jsonl", "--sink", "csv"))
        .hasMessageContaining("expected one of file, parquet, kafka");
    assertThat(parse("--input", "x", "--delivery", "at-least-once").kafka().delivery())
        .isEqualTo(Delivery.AT_LEAST_ONCE);
  }

  @Test
  void batchDefaultsFollowTheDeviceAndGivenValuesWin() {
    BatchingSettings cpu = parse("--input", "x").engine().engineSettings().batching();
    BatchingSettings gpu =
        parse("--input", "x", "--device", "cuda:0").engine().engineSettings().batching();
    BatchingSettings given =
        parse("--input", "x", "--device", "cuda", "--max-batch-size", "16")
            .engine()
            .engineSettings()
            .batching();

    assertThat(cpu).isEqualTo(BatchingSettings.DEFAULTS).isEqualTo(new BatchingSettings(768, 8));
    assertThat(gpu).isEqualTo(BatchingSettings.GPU_DEFAULTS);
    assertThat(given).isEqualTo(new BatchingSettings(16_384, 16));
  }
}
