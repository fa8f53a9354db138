package io.rerankflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.testing.GeneratedRequest;
import io.rerankflow.testing.KafkaTestClients;
import io.rerankflow.testing.RerunComparison;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka in, Kafka out, exactly once across the loss of a TaskManager: two TaskManagers, checkpoints
 * every 500 ms, requests produced while the job runs, one TaskManager terminated mid-run, the job
 * drained before the results are read. A {@code read_committed} reader sees every request id
 * exactly once, with the failure-free ranking; records written twice around the failure (visible to
 * {@code read_uncommitted} only) are identical.
 */
class KafkaExactlyOnceITCase {
  private static final int REQUESTS = 3000;

  /** Requests the feeder sends at a time. */
  private static final int CHUNK = 50;

  /** Requests sent and not yet answered that the feeder allows before its next chunk. */
  private static final int WINDOW = 300;

  @RegisterExtension
  static final KafkaJobExtension KAFKA = KafkaJobExtension.withTaskManagers(2, 1);

  @Test
  void everyRequestYieldsExactlyOneCommittedResultAcrossTaskManagerLoss(
      @InjectMiniCluster MiniCluster miniCluster, @TempDir Path savepoints) throws Exception {
    String requests = "eo-requests";
    String results = "eo-results";
    KAFKA.broker().createTopics(2, requests, results);

    try (RunningJob job =
            KAFKA.startJob(
                "exactly-once under TaskManager loss",
                "--source",
                "kafka",
                "--sink",
                "kafka",
                "--requests-topic",
                requests,
                "--results-topic",
                results,
                "--group-id",
                "eo",
                "--starting-offsets",
                "earliest",
                "--parallelism",
                "2",
                "--capacity",
                "32",
                "--max-batch-size",
                "16");
        KafkaProducer<byte[], byte[]> producer =
            KafkaTestClients.producer(KAFKA.broker().bootstrapServers());
        KafkaConsumer<byte[], byte[]> committed =
            KafkaTestClients.reader(KAFKA.broker().bootstrapServers(), results, true)) {

      // Requests arrive while the job runs, paced by its progress rather than by the clock: each
      // chunk once results of all but the last WINDOW requests sent are written (committed or
      // not), so the failure hits a busy pipeline however fast the machine is. Every tenth has no
      // id and is known by its topic-partition-offset.
      Map<String, GeneratedRequest> sent = new ConcurrentHashMap<>();
      AtomicReference<Throwable> producerFailure = new AtomicReference<>();
      Thread feeder =
          new Thread(
              () -> {
                try (KafkaConsumer<byte[], byte[]> written =
                    KafkaTestClients.reader(KAFKA.broker().bootstrapServers(), results, false)) {
                  List<Future<RecordMetadata>> acks = new ArrayList<>();
                  List<GeneratedRequest> generated = new ArrayList<>();
                  int writtenSoFar = 0;
                  for (int r = 0; r < REQUESTS; r++) {
                    if (r % CHUNK == 0) {
                      long bound = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                      while (writtenSoFar < r - WINDOW) {
                        assertThat(System.nanoTime()).as("results written").isLessThan(bound);
                        writtenSoFar += written.poll(Duration.ofMillis(100)).count();
                      }
                    }
                    boolean withId = r % 10 != 0;
                    GeneratedRequest request = GeneratedRequest.generated("eo-" + r, r);
                    generated.add(request);
                    acks.add(
                        producer.send(new ProducerRecord<>(requests, null, request.bytes(withId))));
                  }
                  for (int r = 0; r < REQUESTS; r++) {
                    RecordMetadata meta = acks.get(r).get();
                    GeneratedRequest request = generated.get(r);
                    String id =
                        r % 10 != 0
                            ? request.id()
                            : meta.topic() + "-" + meta.partition() + "-" + meta.offset();
                    sent.put(id, request);
                  }
                } catch (Throwable e) {
                  producerFailure.set(e);
                }
              },
              "request-feeder");
      feeder.start();

      List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
      KafkaTestClients.pollUntil(committed, seen, s -> s.size() >= 300, Duration.ofSeconds(40));
      assertThat(seen).as("committed results before the failure").hasSizeGreaterThanOrEqualTo(300);
      int seenAtKill = seen.size();

      long killedAt = System.nanoTime();
      miniCluster.terminateTaskManager(0).get();
      miniCluster.startTaskManager();

      long restartedAt = 0;
      long resumedAt = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      Set<String> ids = new HashSet<>();
      while (System.nanoTime() < deadline) {
        committed.poll(Duration.ofMillis(100)).forEach(seen::add);
        if (restartedAt == 0 && KAFKA.restarts(job.id()) > 0 && job.status() == JobStatus.RUNNING) {
          restartedAt = System.nanoTime();
        }
        if (restartedAt != 0 && resumedAt == 0 && seen.size() > seenAtKill) {
          resumedAt = System.nanoTime();
        }
        feeder.join(1);
        if (!feeder.isAlive()) {
          ids.clear();
          seen.forEach(r -> ids.add(new String(r.key(), StandardCharsets.UTF_8)));
          if (ids.containsAll(sent.keySet()) && sent.size() == REQUESTS) {
            break;
          }
        }
      }
      long allVisibleAt = System.nanoTime();
      assertThat(producerFailure.get()).isNull();
      assertThat(KAFKA.restarts(job.id()))
          .as("the TaskManager loss restarted the job")
          .isGreaterThanOrEqualTo(1);
      // Drained, the job has written everything it ever will: a duplicate would be in the topic.
      job.drain(savepoints);

      List<ConsumerRecord<byte[], byte[]>> all =
          KafkaTestClients.readSettled(KAFKA.broker().bootstrapServers(), results);
      Map<String, RerankOutput> byId = new HashMap<>();
      int duplicates = 0;
      for (ConsumerRecord<byte[], byte[]> record : all) {
        RerankOutput out =
            OutputJson.fromPipelineJson(new String(record.value(), StandardCharsets.UTF_8));
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(out.id);
        if (byId.put(out.id, out) != null) {
          duplicates++;
        }
      }
      assertThat(duplicates).as("duplicates under read_committed").isZero();
      assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(sent.keySet());
      sent.forEach((id, request) -> KAFKA.tiny().assertRanking(byId.get(id), request, id));

      // Records of aborted transactions (written before the failure, re-run after the restore)
      // are visible uncommitted: a re-run must give the same record. The fp32 logits may differ
      // in the last bits where the re-run's batch is padded to another length.
      Map<String, RerankOutput> firstCopy = new HashMap<>();
      int rewritten = 0;
      int bitIdentical = 0;
      double maxLogitDiff = 0;
      for (ConsumerRecord<byte[], byte[]> record :
          KafkaTestClients.readAll(KAFKA.broker().bootstrapServers(), results, false)) {
        RerankOutput out =
            OutputJson.fromPipelineJson(new String(record.value(), StandardCharsets.UTF_8));
        RerankOutput earlier = firstCopy.putIfAbsent(out.id, out);
        if (earlier != null) {
          rewritten++;
          bitIdentical += out.equals(earlier) ? 1 : 0;
          maxLogitDiff = Math.max(maxLogitDiff, RerunComparison.maxLogitDifference(earlier, out));
        }
      }
      System.out.printf(
          "KafkaExactlyOnceITCase [%s]: sent %d, committed results %d, errors %d, duplicates %d,"
              + " re-run after restore %d (%d bit-identical, largest logit difference %.1e),"
              + " restarts %d; TaskManager killed after %d"
              + " committed results; job running again after %d ms, results flowing again after"
              + " %d ms, all %d visible %d ms after the kill%n",
          KAFKA.broker().describe(),
          sent.size(),
          all.size(),
          byId.values().stream().filter(RerankOutput::isError).count(),
          duplicates,
          rewritten,
          bitIdentical,
          maxLogitDiff,
          KAFKA.restarts(job.id()),
          seenAtKill,
          (restartedAt - killedAt) / 1_000_000,
          (resumedAt - killedAt) / 1_000_000,
          REQUESTS,
          (allVisibleAt - killedAt) / 1_000_000);
      assertThat(Arrays.asList(restartedAt, resumedAt)).doesNotContain(0L);
    }
  }
}
