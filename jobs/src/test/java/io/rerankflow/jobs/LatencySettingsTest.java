package io.rerankflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.jobs.kafka.KafkaEndpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The latency settings of the Kafka path reach Flink's stream graph and the Kafka producers. */
class LatencySettingsTest {
  @TempDir Path dir;

  private static RerankOptions kafka(String... extra) {
    String[] base = {
      "--source", "kafka",
      "--sink", "kafka",
      "--bootstrap-servers", "127.0.0.1:9092",
      "--requests-topic", "in",
      "--results-topic", "out",
      "--delivery", "at-least-once"
    };
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    RerankOptions options = CommandLine.populateCommand(new RerankOptions(), args);
    options.validate();
    return options;
  }

  private static StreamGraph graph(RerankOptions options) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    new RerankJob(options, System.out).buildFromOptions(env);
    return env.getStreamGraph();
  }

  @Test
  void everyExchangeOfTheKafkaJobFlushesEachRecordByDefault() {
    StreamGraph graph = graph(kafka());

    assertThat(graph.getStreamNodes()).isNotEmpty();
    for (StreamNode node : graph.getStreamNodes()) {
      assertThat(node.getBufferTimeout()).as(node.getOperatorName()).isZero();
    }
  }

  @Test
  void aGivenBufferTimeoutReachesEveryExchange() {
    StreamGraph graph = graph(kafka("--buffer-timeout", "20ms"));

    for (StreamNode node : graph.getStreamNodes()) {
      assertThat(node.getBufferTimeout()).as(node.getOperatorName()).isEqualTo(20);
    }
  }

  @Test
  void theFileJobKeepsFlinksBufferTimeout() throws Exception {
    Path input = Files.writeString(dir.resolve("in.jsonl"), "{}\n");
    RerankOptions options =
        CommandLine.populateCommand(
            new RerankOptions(),
            "--input",
            input.toString(),
            "--output",
            dir.resolve("out").toString());
    options.validate();

    for (StreamNode node : graph(options).getStreamNodes()) {
      assertThat(node.getBufferTimeout()).as(node.getOperatorName()).isNotZero();
    }
  }

  @Test
  void theResultProducerSendsAtOnceUnlessAPropertySaysOtherwise() {
    assertThat(producerConfig(KafkaEndpoints.resultSink(kafka().kafka())))
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "0");
    assertThat(
            producerConfig(
                KafkaEndpoints.resultSink(kafka("--kafka-property", "linger.ms=20").kafka())))
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "20");
  }

  private static Properties producerConfig(KafkaSink<?> sink) {
    // The sink keeps the configuration its writers' producers are created with.
    return (Properties)
        org.assertj.core.util.introspection.FieldSupport.extraction()
            .fieldValue("kafkaProducerConfig", Properties.class, sink);
  }
}
