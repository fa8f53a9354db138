package io.rerankflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.inference.BatchModel;
import io.rerankflow.inference.EncodedSequence;
import io.rerankflow.inference.EngineSettings;
import io.rerankflow.inference.LoadedModel;
import io.rerankflow.inference.ModelDirectory;
import io.rerankflow.inference.PreparedBatch;
import io.rerankflow.inference.SessionSettings;
import io.rerankflow.jobs.kafka.KafkaEndpoints;
import io.rerankflow.jobs.kafka.KafkaRequestRouter;
import io.rerankflow.operators.RerankAsyncFunction;
import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RawRequest;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.testing.GeneratedRequest;
import io.rerankflow.testing.KafkaTestClients;
import io.rerankflow.testing.TestBroker;
import io.rerankflow.testing.TinyModelExpectations;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * An {@link Error} inside the inference thread (as ONNX Runtime might throw) mid-run: the engine
 * fails, the task fails with it instead of writing {@code backend_failure} records, Flink restores
 * it from the last checkpoint with a fresh engine, and a {@code read_committed} reader sees every
 * request exactly once with its failure-free ranking.
 */
class EngineErrorRecoveryITCase {
  private static final int REQUESTS = 600;

  @RegisterExtension
  static final KafkaJobExtension KAFKA = KafkaJobExtension.withTaskManagers(1, 1);

  @Test
  void anErrorInTheInferenceThreadFailsTheTaskAndTheJobRecoversEveryRequestExactlyOnce(
      @TempDir Path savepoints) throws Exception {
    TestBroker broker = KAFKA.broker();
    TinyModelExpectations tiny = KAFKA.tiny();
    String requests = "engine-error-requests";
    String results = "engine-error-results";
    broker.createTopics(1, requests, results);
    RerankOptions options =
        CommandLine.populateCommand(
            new RerankOptions(),
            "--source",
            "kafka",
            "--sink",
            "kafka",
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--requests-topic",
            requests,
            "--results-topic",
            results,
            "--group-id",
            "engine-error",
            "--starting-offsets",
            "earliest",
            "--checkpoint-interval",
            "500ms",
            "--model",
            tiny.modelDir().toString(),
            "--parallelism",
            "1",
            "--capacity",
            "16",
            "--max-batch-size",
            "8");
    options.validate();

    Map<String, GeneratedRequest> sent = new HashMap<>();
    try (SharedWithJob<Injection> shared = SharedWithJob.register(new Injection());
        RunningJob job = RunningJob.of(start(options, shared.key()));
        KafkaProducer<byte[], byte[]> producer =
            KafkaTestClients.producer(broker.bootstrapServers());
        KafkaConsumer<byte[], byte[]> committed =
            KafkaTestClients.reader(broker.bootstrapServers(), results, true)) {
      Injection injection = shared.value();
      List<ConsumerRecord<byte[], byte[]>> seen = new java.util.ArrayList<>();
      for (int r = 0; r < REQUESTS; r++) {
        GeneratedRequest request = GeneratedRequest.generated("ee-" + r, r);
        sent.put(request.id(), request);
        producer.send(new ProducerRecord<>(requests, null, request.bytes(true)));
        if (r == REQUESTS / 3) {
          producer.flush();
          KafkaTestClients.pollUntil(committed, seen, s -> !s.isEmpty(), Duration.ofSeconds(60));
          assertThat(seen).as("committed results before the injected Error").isNotEmpty();
          injection.armed.set(true);
        }
      }
      producer.flush();

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      Set<String> ids = new HashSet<>();
      while (System.nanoTime() < deadline && !ids.containsAll(sent.keySet())) {
        committed.poll(Duration.ofMillis(200)).forEach(seen::add);
        seen.forEach(record -> ids.add(new String(record.key(), StandardCharsets.UTF_8)));
      }
      assertThat(injection.injected.get()).as("Errors injected").isEqualTo(1);
      assertThat(KAFKA.restarts(job.id()))
          .as("the failed engine failed the task, and Flink restarted it")
          .isGreaterThanOrEqualTo(1);
      // Drained, the job has written everything it ever will: a duplicate would be in the topic.
      job.drain(savepoints);
      Map<String, RerankOutput> byId = new HashMap<>();
      int duplicates = 0;
      List<ConsumerRecord<byte[], byte[]>> all =
          KafkaTestClients.readSettled(broker.bootstrapServers(), results);
      for (ConsumerRecord<byte[], byte[]> record : all) {
        RerankOutput out =
            OutputJson.fromPipelineJson(new String(record.value(), StandardCharsets.UTF_8));
        if (byId.put(out.id, out) != null) {
          duplicates++;
        }
      }
      assertThat(duplicates).as("duplicates under read_committed").isZero();
      assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(sent.keySet());
      // No backend_failure (nor any other error) record: every request has its real ranking.
      sent.forEach((id, request) -> tiny.assertRanking(byId.get(id), request, id));
      System.out.printf(
          "EngineErrorRecoveryITCase: sent %d, committed %d, duplicates %d, restarts %d%n",
          sent.size(), all.size(), duplicates, KAFKA.restarts(job.id()));
    }
  }

  /** The production job's Kafka wiring, with the operator below in place of the plain one. */
  private static JobClient start(RerankOptions options, SharedWithJob.Key<Injection> injection)
      throws Exception {
    KafkaOptions kafka = options.kafka();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.enableCheckpointing(kafka.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    DataStream<RawRequest> raw =
        env.fromSource(
                KafkaEndpoints.requestSource(kafka), WatermarkStrategy.noWatermarks(), "requests")
            .process(new KafkaRequestRouter(kafka.correlationHeaders()));
    AsyncDataStream.unorderedWait(
            raw,
            new ErrorOnceRerank(options.engineSettings(), injection),
            options.timeout().toMillis(),
            TimeUnit.MILLISECONDS,
            options.capacity())
        .sinkTo(KafkaEndpoints.resultSink(kafka));
    return env.executeAsync("engine error recovery");
  }

  /** This test's switch: armed once results flow, the next batch to run throws, once. */
  private static final class Injection {
    final AtomicBoolean armed = new AtomicBoolean();
    final AtomicInteger injected = new AtomicInteger();
  }

  /** The production operator; its model throws an {@link Error} on the first batch once armed. */
  private static final class ErrorOnceRerank extends RerankAsyncFunction {
    private static final long serialVersionUID = 1L;

    private final SharedWithJob.Key<Injection> injection;

    ErrorOnceRerank(EngineSettings settings, SharedWithJob.Key<Injection> injection) {
      super(settings);
      this.injection = injection;
    }

    @Override
    protected LoadedModel load(ModelDirectory dir, SessionSettings session) {
      LoadedModel real = super.load(dir, session);
      Injection switches = injection.get();
      BatchModel model =
          new BatchModel() {
            @Override
            public PreparedBatch prepare(List<EncodedSequence> rows) throws Exception {
              return real.model().prepare(rows);
            }

            @Override
            public float[][] run(PreparedBatch batch) throws Exception {
              if (switches.armed.compareAndSet(true, false)) {
                switches.injected.incrementAndGet();
                batch.close();
                throw new InjectedError();
              }
              return real.model().run(batch);
            }

            @Override
            public void close() {
              real.model().close();
            }
          };
      return new LoadedModel(real.spec(), real.encoder(), model);
    }
  }

  /** Stands for an {@link Error} inside ONNX Runtime. */
  private static final class InjectedError extends Error {
    InjectedError() {
      super("injected into the inference thread");
    }
  }
}
