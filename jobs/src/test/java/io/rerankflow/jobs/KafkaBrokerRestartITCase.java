package io.rerankflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.testing.GeneratedRequest;
import io.rerankflow.testing.KafkaTestClients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker stops mid-run and comes back on the same address: the job resumes by itself, and a
 * {@code read_committed} reader still sees every request exactly once with its failure-free
 * ranking.
 */
class KafkaBrokerRestartITCase {
  private static final int REQUESTS = 1500;

  @RegisterExtension
  static final KafkaJobExtension KAFKA = KafkaJobExtension.withTaskManagers(1, 2);

  @Test
  void jobResumesAfterBrokerRestartWithNothingLostOrDuplicated(@TempDir Path savepoints)
      throws Exception {
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

      // A quarter of the requests are ranked before the broker stops, a quarter are sent just
      // before it stops, a quarter while it is away (the producer holds them and retries across
      // the outage), a quarter after it is back.
      List<GeneratedRequest> generated = new ArrayList<>();
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      send(producer, requests, 0, REQUESTS / 4, generated, acks);

      List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
      KafkaTestClients.pollUntil(committed, seen, s -> s.size() >= 200, Duration.ofSeconds(60));
      assertThat(seen).as("committed results before the outage").hasSizeGreaterThanOrEqualTo(200);
      int seenAtStop = seen.size();

      send(producer, requests, REQUESTS / 4, REQUESTS / 2, generated, acks);
      producer.flush();
      KAFKA.broker().stopBroker();
      long stoppedAt = System.nanoTime();
      // Sending blocks once the producer has lost the topic's metadata: a thread of its own.
      List<GeneratedRequest> sentDuringOutage = Collections.synchronizedList(new ArrayList<>());
      List<Future<RecordMetadata>> outageAcks = Collections.synchronizedList(new ArrayList<>());
      AtomicReference<Throwable> outageFailure = new AtomicReference<>();
      Thread outageFeeder =
          new Thread(
              () -> {
                try {
                  send(
                      producer,
                      requests,
                      REQUESTS / 2,
                      3 * REQUESTS / 4,
                      sentDuringOutage,
                      outageAcks);
                } catch (Throwable e) {
                  outageFailure.set(e);
                }
              },
              "outage-feeder");
      outageFeeder.start();
      // The broker stays away until it has been missed, not for a while: this test's producer and
      // reader have each lost every connection and then failed to open a new one (every client of
      // the broker, the job's too, is disconnected at the same moment).
      OutageWitness producerSaw = new OutageWitness(producer::metrics);
      OutageWitness readerSaw = new OutageWitness(committed::metrics);
      long bound = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!producerSaw.reconnectFailed() || !readerSaw.reconnectFailed()) {
        assertThat(System.nanoTime()).as("clients noticed the outage").isLessThan(bound);
        committed.poll(Duration.ofMillis(100)).forEach(seen::add);
      }
      synchronized (outageAcks) {
        assertThat(outageAcks)
            .as("requests sent during the outage wait for the broker")
            .noneMatch(Future::isDone);
      }
      long backAt = System.nanoTime();
      KAFKA.broker().startBroker();
      long servingAt = System.nanoTime();
      outageFeeder.join(Duration.ofSeconds(120).toMillis());
      assertThat(outageFeeder.isAlive()).as("outage feeder done").isFalse();
      assertThat(outageFailure.get()).isNull();
      generated.addAll(sentDuringOutage);
      acks.addAll(outageAcks);
      send(producer, requests, 3 * REQUESTS / 4, REQUESTS, generated, acks);

      long resumedAt = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
      while (seen.size() < REQUESTS && System.nanoTime() < deadline) {
        committed.poll(Duration.ofMillis(200)).forEach(seen::add);
        if (resumedAt == 0 && seen.size() > seenAtStop) {
          resumedAt = System.nanoTime();
        }
      }
      long allVisibleAt = System.nanoTime();
      for (Future<RecordMetadata> ack : acks) {
        ack.get();
      }
      // Drained, the job has written everything it ever will: a duplicate would be in the topic.
      job.drain(savepoints);

      Map<String, RerankOutput> byId = new HashMap<>();
      int duplicates = 0;
      for (ConsumerRecord<byte[], byte[]> record :
          KafkaTestClients.readSettled(KAFKA.broker().bootstrapServers(), results)) {
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
          (backAt - stoppedAt) / 1_000_000,
          (servingAt - backAt) / 1_000_000,
          resumedAt == 0 ? -1 : (resumedAt - backAt) / 1_000_000,
          (allVisibleAt - backAt) / 1_000_000);
    }
  }

  /** Sends requests {@code from} to {@code to}, not waiting for acks. */
  private static void send(
      KafkaProducer<byte[], byte[]> producer,
      String topic,
      int from,
      int to,
      List<GeneratedRequest> generated,
      List<Future<RecordMetadata>> acks) {
    for (int r = from; r < to; r++) {
      GeneratedRequest request = GeneratedRequest.generated("restart-" + r, 5000 + r);
      generated.add(request);
      acks.add(producer.send(new ProducerRecord<>(topic, request.bytes(true))));
    }
  }

  /**
   * Watches a Kafka client's connection metrics for the signs of a broker outage: every connection
   * lost, then an attempt to open one that failed.
   */
  private static final class OutageWitness {
    private final Supplier<Map<MetricName, ? extends Metric>> metrics;
    private double closesWhenAllLost = -1;

    OutageWitness(Supplier<Map<MetricName, ? extends Metric>> metrics) {
      this.metrics = metrics;
    }

    boolean reconnectFailed() {
      if (closesWhenAllLost < 0) {
        if (value("connection-count") == 0) {
          closesWhenAllLost = value("connection-close-total");
        }
        return false;
      }
      // Nothing was open: a further close is an attempt that failed.
      return value("connection-close-total") > closesWhenAllLost;
    }

    private double value(String name) {
      return metrics.get().entrySet().stream()
          .filter(e -> e.getKey().name().equals(name))
          .filter(e -> Set.of("producer-metrics", "consumer-metrics").contains(e.getKey().group()))
          .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
          .sum();
    }
  }
}
