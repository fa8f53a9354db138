package io.rerankflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rerankflow.inference.BatchingSettings;
import io.rerankflow.jobs.kafka.Delivery;
import io.rerankflow.jobs.kafka.StartingOffsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RerankOptionsTest {
  @TempDir static Path dir;
  private static String inputFile;

  @BeforeAll
  static void writeInput() throws IOException {
    inputFile = Files.writeString(dir.resolve("in.jsonl"), "{}\n").toString();
  }

  private static RerankOptions parse(String... args) {
    return CommandLine.populateCommand(new RerankOptions(), args);
  }

  @Test
  void fileToFileIsTheDefault() {
    RerankOptions options = parse("--input", inputFile, "--output", "out");
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
    assertThatThrownBy(() -> parse("--input", inputFile, "--sink", "parquet").validate())
        .hasMessageContaining("--output is needed with --sink parquet");
    assertThatThrownBy(
            () ->
                parse("--input", inputFile, "--sink", "kafka", "--bootstrap-servers", "h:1")
                    .validate())
        .hasMessageContaining("--results-topic");
    assertThatThrownBy(() -> parse("--output", "out").validate())
        .hasMessageContaining("--input is needed with --source file");
  }

  @Test
  void deadLettersNeedAKafkaSource() {
    assertThatThrownBy(
            () ->
                parse("--input", inputFile, "--output", "out", "--dead-letter-topic", "dlq")
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
  void onlyKafkaSinksAreHeldToTheTransactionTimeout() {
    // A file run and a Kafka source into files keep no transaction open between checkpoints.
    assertThatCode(
            () ->
                parse("--input", inputFile, "--output", "out", "--checkpoint-interval", "2m")
                    .validate())
        .doesNotThrowAnyException();
    String[] kafkaToFiles = {
      "--source",
      "kafka",
      "--bootstrap-servers",
      "h:1",
      "--requests-topic",
      "in",
      "--output",
      "out",
      "--checkpoint-interval",
      "2m"
    };
    assertThatCode(() -> parse(kafkaToFiles).validate()).doesNotThrowAnyException();
    // Dead letters go out in transactions of their own.
    String[] withDeadLetters = Arrays.copyOf(kafkaToFiles, kafkaToFiles.length + 2);
    withDeadLetters[kafkaToFiles.length] = "--dead-letter-topic";
    withDeadLetters[kafkaToFiles.length + 1] = "dlq";
    assertThatThrownBy(() -> parse(withDeadLetters).validate())
        .hasMessageContaining("--transaction-timeout");
  }

  @Test
  void inputMustExistAndOutputMustNotBeAFile() {
    assertThatThrownBy(
            () ->
                parse("--input", dir.resolve("nope.jsonl").toString(), "--output", "out")
                    .validate())
        .hasMessageContaining("nope.jsonl does not exist");
    assertThatThrownBy(() -> parse("--input", inputFile, "--output", inputFile).validate())
        .hasMessageContaining("is a file; give a directory");
  }

  @Test
  void optionsBuiltInCodeGetTheSameDefaultsAsParsedOnes() {
    RerankOptions parsed = parse("--input", inputFile, "--output", "out");
    RerankOptions built =
        RerankOptions.of(Path.of(inputFile), Path.of("out"), false, parsed.engine());
    assertThat(built.source()).isEqualTo(parsed.source());
    assertThat(built.sink()).isEqualTo(parsed.sink());
    assertThat(built.kafka().checkpointInterval()).isEqualTo(parsed.kafka().checkpointInterval());
    assertThat(built.kafka().delivery()).isEqualTo(parsed.kafka().delivery());
    built.validate();
  }

  @Test
  void batchingDefaultsOfTheCommandLineAreTheEnginesDefaults() {
    // The engine's tests and benches use BatchingSettings.DEFAULTS; the job must run the same.
    assertThat(parse("--input", inputFile, "--output", "out").engineSettings().batching())
        .isEqualTo(BatchingSettings.DEFAULTS);
  }

  @Test
  void unknownSinkNamesTheValidOnes() {
    assertThatThrownBy(() -> parse("--input", inputFile, "--sink", "csv"))
        .hasMessageContaining("expected one of file, parquet, kafka");
    assertThat(parse("--input", inputFile, "--delivery", "at-least-once").kafka().delivery())
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
