package io.rerankflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.testing.GeneratedRequest;
import io.rerankflow.testing.KafkaTestClients;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Sources and sinks chosen independently: Kafka in with Parquet out, files in with Kafka out. */
class SourceSinkCombinationsITCase {
  @RegisterExtension
  static final KafkaJobExtension KAFKA = KafkaJobExtension.withTaskManagers(1, 2);

  @Test
  void kafkaRequestsBecomeParquetRowsReadableWithAParquetReader(@TempDir Path dir)
      throws Exception {
    String requests = "parquet-requests";
    KAFKA.broker().createTopics(2, requests);
    Map<String, GeneratedRequest> good = new HashMap<>();
    try (KafkaProducer<byte[], byte[]> producer =
        KafkaTestClients.producer(KAFKA.broker().bootstrapServers())) {
      for (int r = 0; r < 200; r++) {
        GeneratedRequest request = GeneratedRequest.generated("pq-" + r, 9000 + r);
        good.put(request.id(), request);
        producer.send(new ProducerRecord<>(requests, request.bytes(true)));
      }
      producer.send(
          new ProducerRecord<>(
              requests,
              ("{\"id\":\"pq-unknown\",\"model\":\"nope\",\"query\":{\"text\":\"a\"},"
                      + "\"passages\":[{\"text\":\"b\"}]}")
                  .getBytes(StandardCharsets.UTF_8)));
      producer.flush();
    }
    int sent = good.size() + 1;
    Path out = dir.resolve("parquet");

    Map<String, RerankOutput> rows;
    try (RunningJob job =
        KAFKA.startJob(
            "kafka to parquet",
            "--source",
            "kafka",
            "--sink",
            "parquet",
            "--output",
            out.toString(),
            "--requests-topic",
            requests,
            "--group-id",
            "parquet",
            "--starting-offsets",
            "earliest",
            "--parallelism",
            "2")) {
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (readParquet(out).size() < sent && System.nanoTime() < deadline) {
        Thread.sleep(250);
      }
      assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
      // Drained, the job has written every file it ever will: nothing else may be there.
      job.drain(dir.resolve("savepoints"));
      rows = readParquet(out);
    }
    Map<String, RerankOutput> written = rows;
    assertThat(written).hasSize(sent);
    good.forEach((id, request) -> KAFKA.tiny().assertRanking(written.get(id), request, id));
    RerankOutput unknown = written.get("pq-unknown");
    assertThat(unknown.errorType).isEqualTo("model_not_found");
    assertThat(unknown.errorStatus).isEqualTo(404);
    assertThat(unknown.indices).isNull();
  }

  @Test
  void jsonLinesFilesBecomeCommittedKafkaRecords(@TempDir Path dir) throws Exception {
    String results = "file-results";
    KAFKA.broker().createTopics(1, results);
    Map<String, GeneratedRequest> good = new HashMap<>();
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < 100; r++) {
      GeneratedRequest request = GeneratedRequest.generated("file-" + r, 7000 + r);
      good.put(request.id(), request);
      lines.add(request.json(true));
    }
    lines.add("not json");
    Path input = dir.resolve("requests.jsonl");
    Files.write(input, lines);

    try (RunningJob job =
        KAFKA.startJob(
            "files to kafka",
            "--input",
            input.toString(),
            "--sink",
            "kafka",
            "--results-topic",
            results,
            "--parallelism",
            "2")) {
      assertThat(job.awaitTermination(Duration.ofSeconds(90))).isEqualTo(JobStatus.FINISHED);
    }
    Map<String, RerankOutput> outputs = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record :
        KafkaTestClients.readSettled(KAFKA.broker().bootstrapServers(), results)) {
      RerankOutput out =
          OutputJson.fromPipelineJson(new String(record.value(), StandardCharsets.UTF_8));
      assertThat(outputs.put(out.id, out)).as("duplicate %s", out.id).isNull();
      assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(out.id);
    }
    assertThat(outputs).hasSize(lines.size());
    good.forEach((id, request) -> KAFKA.tiny().assertRanking(outputs.get(id), request, id));
    assertThat(outputs.get(Integer.toString(lines.size())).errorType).isEqualTo("malformed_json");
  }

  private static Map<String, RerankOutput> readParquet(Path dir) throws IOException {
    return ResultFiles.byId(ResultFiles.parquet(dir));
  }
}
