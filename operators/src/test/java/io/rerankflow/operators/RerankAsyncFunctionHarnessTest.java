package io.rerankflow.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rerankflow.inference.BatchModel;
import io.rerankflow.inference.BatchingSettings;
import io.rerankflow.inference.Device;
import io.rerankflow.inference.EncodedSequence;
import io.rerankflow.inference.EngineSettings;
import io.rerankflow.inference.LoadedModel;
import io.rerankflow.inference.ModelDirectory;
import io.rerankflow.inference.PreparedBatch;
import io.rerankflow.inference.SessionSettings;
import io.rerankflow.schemas.RawRequest;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.schemas.TransportHeaders;
import io.rerankflow.testing.TestModelDirs;
import io.rerankflow.testing.TinyCrossEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reranking operator inside Flink's AsyncWaitOperator, driven by the operator harness. */
class RerankAsyncFunctionHarnessTest {
  private static final TypeSerializer<RawRequest> SERIALIZER =
      TypeInformation.of(RawRequest.class).createSerializer(new SerializerConfigImpl());

  @TempDir static Path models;
  private static String tinyModel;

  @BeforeAll
  static void writeModel() {
    tinyModel =
        TestModelDirs.crossEncoder(
                models.resolve("tiny"), "tiny", TinyCrossEncoder.builder().seed(3).build(), 64)
            .toString();
  }

  @Test
  void goodAndBadRequestsEachYieldExactlyOneOutput() throws Exception {
    try (var harness = harness(tinyModel, 60_000)) {
      harness.processElement(record("1", request("good", "tiny", 3)));
      harness.processElement(record("2", "{not json"));
      harness.processElement(record("3", request("unknown", "other", 2)));
      endInput(harness);

      List<RerankOutput> outputs = harness.extractOutputValues();
      assertThat(outputs).hasSize(3);
      RerankOutput good = byId(outputs, "good");
      assertThat(good.isError()).isFalse();
      assertThat(good.indices).containsExactlyInAnyOrder(0, 1, 2);
      assertThat(byId(outputs, "2").errorStatus).isEqualTo(400);
      assertThat(byId(outputs, "unknown").errorStatus).isEqualTo(404);
    }
  }

  @Test
  void timeoutBecomesAnErrorRecordInsteadOfAFailure() throws Exception {
    EngineSettings settings =
        new EngineSettings(List.of(tinyModel), Device.CPU, 1, new BatchingSettings(4096, 32));
    Gate gate = new Gate();
    try (var harness = unopened(new GatedRerank(settings, gate), 1_000)) {
      harness.open();
      // The model holds the request at its gate until the operator's timer has fired: the
      // timeout is decided by the harness's clock, not by how fast the model is.
      harness.processElement(record("1", request("slow", "tiny", 3)));
      gate.awaitPreparedRows(3);
      harness.setProcessingTime(10_000);
      gate.runs.release(1_000);
      endInput(harness);

      List<RerankOutput> outputs = harness.extractOutputValues();
      assertThat(outputs).singleElement();
      RerankOutput out = outputs.get(0);
      assertThat(out.id).isEqualTo("slow");
      assertThat(out.errorType).isEqualTo("timeout");
      assertThat(out.errorStatus).isEqualTo(504);
    }
  }

  @Test
  void requestsInFlightAtACheckpointAreRerunAfterRestoreWithTheSameResult() throws Exception {
    String body = request("in-flight", "tiny", 40);
    OperatorSubtaskState snapshot;
    try (var first = harness(tinyModel, 60_000)) {
      first.processElement(record("1", body));
      // Results are emitted by the task thread (this one), so the request is still in the
      // operator's queue when the snapshot is taken, and must be part of it.
      snapshot = first.snapshot(1L, 1L);
      assertThat(first.extractOutputValues()).isEmpty();
    }

    List<RerankOutput> restored;
    try (var second = harness(tinyModel, 60_000, snapshot)) {
      endInput(second);
      restored = second.extractOutputValues();
    }
    List<RerankOutput> reference;
    try (var clean = harness(tinyModel, 60_000)) {
      clean.processElement(record("1", body));
      endInput(clean);
      reference = clean.extractOutputValues();
    }
    assertThat(restored).singleElement().isEqualTo(reference.get(0));
  }

  @Test
  void aRequestPastTheDeadlineTheEdgeStampedIsAnsweredTimeoutAndTheOthersAreScored()
      throws Exception {
    long now = System.currentTimeMillis();
    try (var harness = harness(tinyModel, 60_000)) {
      harness.processElement(record("1", request("late", "tiny", 3), deadline(now - 1_000)));
      harness.processElement(record("2", request("in-time", "tiny", 3), deadline(now + 600_000)));
      harness.processElement(record("3", request("no-deadline", "tiny", 2)));
      endInput(harness);

      List<RerankOutput> outputs = harness.extractOutputValues();
      assertThat(outputs).hasSize(3);
      RerankOutput late = byId(outputs, "late");
      assertThat(late.errorType).isEqualTo("timeout");
      assertThat(late.errorStatus).isEqualTo(504);
      assertThat(late.errorMessage).contains("deadline");
      assertThat(late.headers).containsKey(TransportHeaders.DEADLINE);
      assertThat(byId(outputs, "in-time").indices).containsExactlyInAnyOrder(0, 1, 2);
      assertThat(byId(outputs, "no-deadline").indices).containsExactlyInAnyOrder(0, 1);
    }
  }

  @Test
  void anErrorInsideTheEngineFailsTheTaskInsteadOfWritingBackendFailures() throws Exception {
    EngineSettings settings =
        new EngineSettings(List.of(tinyModel), Device.CPU, 1, new BatchingSettings(4096, 32));
    CompletableFuture<Throwable> taskFailure = new CompletableFuture<>();
    try (var harness = unopened(new ErrorOnFirstBatch(settings), 60_000)) {
      harness.getEnvironment().setExternalFailureCauseConsumer(taskFailure::complete);
      harness.open();

      harness.processElement(record("1", request("doomed", "tiny", 3)));

      assertThat(taskFailure.get(60, TimeUnit.SECONDS))
          .as("the task was failed")
          .hasRootCauseInstanceOf(Injected.class);
      assertThatThrownBy(() -> harness.processElement(record("2", request("next", "tiny", 1))))
          .hasRootCauseInstanceOf(Injected.class);
      assertThat(harness.extractOutputValues()).as("no backend_failure record written").isEmpty();
    }
  }

  @Test
  void aRequestTimedOutInTheOperatorLeavesTheEngineUnscored() throws Exception {
    EngineSettings settings =
        new EngineSettings(List.of(tinyModel), Device.CPU, 1, new BatchingSettings(4096, 32));
    Gate gate = new Gate();
    try (var harness = unopened(new GatedRerank(settings, gate), 1_000)) {
      harness.open();
      // "running" holds the model at its gate, "ahead" the batch prepared behind it.
      harness.processElement(record("1", pairs("running", "the wood", "a road")));
      gate.awaitPreparedRows(2);
      harness.processElement(record("2", pairs("ahead", "an wood", "it road")));
      gate.awaitPreparedRows(4);
      harness.processElement(
          record("3", pairs("abandoned", "two roads", "yellow wood", "less traveled")));
      harness.setProcessingTime(10_000);
      // Its rows were withdrawn before this one's arrived: they would share its batch.
      harness.processElement(record("4", pairs("after", "one road")));
      gate.runs.release(1_000);
      endInput(harness);

      List<RerankOutput> outputs = harness.extractOutputValues();
      assertThat(byId(outputs, "abandoned").errorType).isEqualTo("timeout");
      assertThat(byId(outputs, "after").indices).containsExactly(0);
      assertThat(gate.preparedRows()).as("rows batched: none of the abandoned").isEqualTo(5);
    }
  }

  /** The production operator with {@link GatedModel} around its model, held by one test's gate. */
  private static final class GatedRerank extends RerankAsyncFunction {
    // The harness runs this very instance (it is not serialised), so the test's gate reaches it.
    private final transient Gate gate;

    GatedRerank(EngineSettings settings, Gate gate) {
      super(settings);
      this.gate = gate;
    }

    @Override
    protected LoadedModel load(ModelDirectory dir, SessionSettings session) {
      LoadedModel real = super.load(dir, session);
      return new LoadedModel(real.spec(), real.encoder(), new GatedModel(real.model(), gate));
    }
  }

  /** One test's gate before each model run, and its count of the rows batched. */
  private static final class Gate {
    final Semaphore runs = new Semaphore(0);
    private int preparedRows;

    synchronized void prepared(int rows) {
      preparedRows += rows;
      notifyAll();
    }

    synchronized int preparedRows() {
      return preparedRows;
    }

    /** Waits until exactly {@code rows} rows were batched; the bound is for a hang only. */
    synchronized void awaitPreparedRows(int rows) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (preparedRows < rows) {
        long left = deadline - System.nanoTime();
        assertThat(left).as("%d rows batched (so far %d)", rows, preparedRows).isPositive();
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      assertThat(preparedRows).isEqualTo(rows);
    }
  }

  /** Counts the rows batched and waits at the gate before each run. */
  private static final class GatedModel implements BatchModel {
    private final BatchModel real;
    private final Gate gate;

    GatedModel(BatchModel real, Gate gate) {
      this.real = real;
      this.gate = gate;
    }

    @Override
    public PreparedBatch prepare(List<EncodedSequence> rows) throws Exception {
      PreparedBatch prepared = real.prepare(rows);
      gate.prepared(rows.size());
      return prepared;
    }

    @Override
    public float[][] run(PreparedBatch batch) throws Exception {
      gate.runs.acquire();
      return real.run(batch);
    }

    @Override
    public void close() {
      real.close();
    }
  }

  /** A request for the tiny model whose pairs all have the same length (two-word passages). */
  private static String pairs(String id, String... passages) {
    return "{\"id\":\""
        + id
        + "\",\"model\":\"tiny\",\"query\":{\"text\":\"which road\"},\"passages\":["
        + Arrays.stream(passages)
            .map(p -> "{\"text\":\"" + p + "\"}")
            .collect(Collectors.joining(","))
        + "]}";
  }

  /** The production operator with a model whose first batch throws an {@link Error}. */
  private static final class ErrorOnFirstBatch extends RerankAsyncFunction {
    ErrorOnFirstBatch(EngineSettings settings) {
      super(settings);
    }

    @Override
    protected LoadedModel load(ModelDirectory dir, SessionSettings session) {
      LoadedModel real = super.load(dir, session);
      BatchModel throwing =
          new BatchModel() {
            @Override
            public PreparedBatch prepare(List<EncodedSequence> rows) throws Exception {
              return real.model().prepare(rows);
            }

            @Override
            public float[][] run(PreparedBatch batch) {
              batch.close();
              throw new Injected();
            }

            @Override
            public void close() {
              real.model().close();
            }
          };
      return new LoadedModel(real.spec(), real.encoder(), throwing);
    }
  }

  /** Stands for an {@link Error} inside ONNX Runtime. */
  private static final class Injected extends Error {
    Injected() {
      super("injected");
    }
  }

  private static Map<String, byte[]> deadline(long epochMillis) {
    return Map.of(TransportHeaders.DEADLINE, TransportHeaders.deadlineValue(epochMillis));
  }

  private static StreamRecord<RawRequest> record(
      String line, String json, Map<String, byte[]> headers) {
    return new StreamRecord<>(
        new RawRequest(
            line, "line " + line + " of test", json.getBytes(StandardCharsets.UTF_8), headers));
  }

  private static OneInputStreamOperatorTestHarness<RawRequest, RerankOutput> harness(
      String model, long timeoutMillis) throws Exception {
    return harness(model, timeoutMillis, null);
  }

  private static OneInputStreamOperatorTestHarness<RawRequest, RerankOutput> harness(
      String model, long timeoutMillis, OperatorSubtaskState state) throws Exception {
    EngineSettings settings =
        new EngineSettings(List.of(model), Device.CPU, 1, new BatchingSettings(4096, 32));
    var harness = unopened(new RerankAsyncFunction(settings), timeoutMillis);
    if (state != null) {
      harness.initializeState(state);
    }
    harness.open();
    return harness;
  }

  private static OneInputStreamOperatorTestHarness<RawRequest, RerankOutput> unopened(
      RerankAsyncFunction function, long timeoutMillis) throws Exception {
    var harness =
        new OneInputStreamOperatorTestHarness<RawRequest, RerankOutput>(
            new AsyncWaitOperatorFactory<>(
                function, timeoutMillis, 16, AsyncDataStream.OutputMode.UNORDERED),
            SERIALIZER);
    harness.setup(
        TypeInformation.of(RerankOutput.class).createSerializer(new SerializerConfigImpl()));
    return harness;
  }

  private static void endInput(OneInputStreamOperatorTestHarness<RawRequest, RerankOutput> h)
      throws Exception {
    synchronized (h.getCheckpointLock()) {
      h.endInput();
    }
  }

  private static StreamRecord<RawRequest> record(String line, String json) {
    return new StreamRecord<>(
        new RawRequest(line, "line " + line + " of test", json.getBytes(StandardCharsets.UTF_8)));
  }

  private static String request(String id, String model, int passages) {
    return "{\"id\":\""
        + id
        + "\",\"model\":\""
        + model
        + "\",\"query\":{\"text\":\"which road\"},\"passages\":["
        + IntStream.range(0, passages)
            .mapToObj(i -> "{\"text\":\"" + "the long road down ".repeat(1 + i % 7) + i + "\"}")
            .collect(Collectors.joining(","))
        + "]}";
  }

  private static RerankOutput byId(List<RerankOutput> outputs, String id) {
    return outputs.stream().filter(o -> id.equals(o.id)).findFirst().orElseThrow();
  }
}
