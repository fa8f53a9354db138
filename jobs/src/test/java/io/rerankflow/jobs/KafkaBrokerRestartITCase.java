package io.rerankflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.testing.GeneratedRequest;
import io.rerankflow.testing.KafkaTestClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker stops mid-run and comes back on the same address: the job resumes by itself, and a
 * {@code read_committed} reader still sees every request exactly once with its failure-free
 * ranking.
 */
class KafkaBrokerRestartITCase {
  private static final int REQUESTS = 1500;
  private static final Duration DOWNTIME = Duration.ofSeconds(3);

  @RegisterExtension
  static final KafkaJobExtension KAFKA = KafkaJobExtension.withTaskManagers(1, 2);

  @Test
  void jobResumesAfterBrokerRestartWithNothingLostOrDuplicated() throws Exception {
    String requests = "restart-requests";
    String results = "restart-results";
    KAFKA.broker().createTopics(2, requests, results);

    try (RunningJob job =
            KAFKA.startJob(
                "broker restart",
                "--source",
                "kafka",
                "--sink",
                "kafka",
                "--requests-topic",
                requests,
                "--results-topic",
                results,
                "--group-id",
                "restart",
                "--starting-offsets",
                "earliest",
                "--parallelism",
                "2");
        KafkaProducer<byte[], byte[]> producer =
            KafkaTestClients.producer(KAFKA.broker().bootstrapServers());
        KafkaConsumer<byte[], byte[]> committed =
            KafkaTestClients.reader(KAFKA.broker().bootstrapServers(), results, true)) {

      // Requests keep arriving (about 6 s) before, while and after the broker is away; the
      // producer buffers and retries across the outage.
      List<GeneratedRequest> generated = new ArrayList<>();
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      AtomicReference<Throwable> producerFailure = new AtomicReference<>();
      Thread feeder =
          new Thread(
              () -> {
                try {
                  for (int r = 0; r < REQUESTS; r++) {
                    GeneratedRequest request = GeneratedRequest.generated("restart-" + r, 5000 + r);
                    synchronized (generated) {
                      generated.add(request);
                      acks.add(producer.send(new ProducerRecord<>(requests, request.bytes(true))));
                    }
                    if (r % 25 == 24) {
                      Thread.sleep(100);
                    }
                  }
                } catch (Throwable e) {
                  producerFailure.set(e);
                }
              },
              "request-feeder");
      feeder.start();

      List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
      KafkaTestClients.pollUntil(committed, seen, s -> s.size() >= 200, Duration.ofSeconds(60));
      assertThat(seen).as("committed results before the outage").hasSizeGreaterThanOrEqualTo(200);
      int seenAtStop = seen.size();

      KAFKA.broker().stopBroker();
      Thread.sleep(DOWNTIME.toMillis());
      long backAt = System.nanoTime();
      KAFKA.broker().startBroker();
      long servingAt = System.nanoTime();

      long resumedAt = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
      while (System.nanoTime() < deadline) {
        committed.poll(Duration.ofMillis(200)).forEach(seen::add);
        if (resumedAt == 0 && seen.size() > seenAtStop) {
          resumedAt = System.nanoTime();
        }
        if (!feeder.isAlive() && seen.size() >= REQUESTS) {
          break;
        }
      }
      long allVisibleAt = System.nanoTime();
      feeder.join();
      assertThat(producerFailure.get()).isNull();
      for (Future<RecordMetadata> ack : acks) {
        ack.get();
      }
      KafkaTestClients.pollUntil(committed, seen, s -> false, Duration.ofSeconds(2));

      Map<String, RerankOutput> byId = new HashMap<>();
      int duplicates = 0;
      for (ConsumerRecord<byte[], byte[]> record :
          KafkaTestClients.readAll(KAFKA.broker().bootstrapServers(), results, true)) {
        RerankOutput out =
            OutputJson.fromPipelineJson(new String(record.value(), StandardCharsets.UTF_8));
        if (byId.put(out.id, out) != null) {
          duplicates++;
        }
      }
      assertThat(duplicates).as("duplicates under read_committed").isZero();
      assertThat(byId).hasSize(REQUESTS);
      for (GeneratedRequest request : generated) {
        KAFKA.tiny().assertRanking(byId.get(request.id()), request, request.id());
      }
      System.out.printf(
          "KafkaBrokerRestartITCase [%s]: sent %d, committed results %d, errors %d, duplicates %d,"
              + " job restarts %d; broker stopped after %d committed results for %d ms, serving"
              + " again %d ms after its start, results flowing %d ms after its start, all visible"
              + " %d ms after its start%n",
          KAFKA.broker().describe(),
          REQUESTS,
          byId.size(),
          byId.values().stream().filter(RerankOutput::isError).count(),
          duplicates,
          KAFKA.restarts(job.id()),
          seenAtStop,
          DOWNTIME.toMillis(),
          (servingAt - backAt) / 1_000_000,
          resumedAt == 0 ? -1 : (resumedAt - backAt) / 1_000_000,
          (allVisibleAt - backAt) / 1_000_000);
    }
  }
}
