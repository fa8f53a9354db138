package io.rerankflow.inference;

import static io.rerankflow.inference.EncodedSubmissions.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.schemas.Truncate;
import io.rerankflow.testing.TinyTokenizers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine under abandoned work, overload and failures, with a fake model whose logit depends on
 * the row and which records every row it ran: what was scored is counted, not assumed.
 */
class InferenceEngineHardeningTest {
  private static final String MODEL = "fake";
  private static final int MAX_LENGTH = 64;
  // Far beyond any healthy run; only bounds how long a broken engine can hang the build.
  private static final long LIVENESS_SECONDS = 60;
  private static final List<String> WORDS = TinyTokenizers.WORDS;

  @TempDir Path dir;

  private final List<InferenceEngine> engines = new ArrayList<>();
  private TextTokenizer tokenizer;

  @BeforeEach
  void openTokenizer() {
    tokenizer = new TextTokenizer(TinyTokenizers.wordPiece(dir), MAX_LENGTH);
  }

  @AfterEach
  void closeEngines() {
    engines.forEach(InferenceEngine::close);
  }

  @Test
  void requestsWhoseDeadlinePassesWhileQueuedAreAnsweredTimeoutAndNeverScored() throws Exception {
    RecordingModel model = new RecordingModel();
    model.gate = new Semaphore(0);
    InferenceEngine engine = engine(model, new BatchingSettings(10_000, 2), 1_000, 8);
    Answers answers = new Answers();
    // "running" occupies the model, "ahead" the batch prepared behind it; the rest waits in the
    // pool.
    submit(engine, request("running", 0, 2), answers.of("running"));
    assertThat(model.entered.await(LIVENESS_SECONDS, TimeUnit.SECONDS)).isTrue();
    submit(engine, request("ahead", 1, 2), answers.of("ahead"));
    awaitTrue(() -> engine.waitingRows() == 0 && engine.inboxSize() == 0);
    List<RankingRequest> expiring = new ArrayList<>();
    for (int r = 0; r < 5; r++) {
      RankingRequest request = request("expiring-" + r, 10 + r, 3);
      expiring.add(request);
      submit(engine, request, Deadline.after(Duration.ofMillis(50)), answers.of(request.id()));
    }
    RankingRequest patient = request("patient", 20, 3);
    submit(engine, patient, Deadline.after(Duration.ofHours(1)), answers.of("patient"));

    answers.await(expiring.stream().map(RankingRequest::id).toList());
    model.gate.release(1_000);
    answers.await(List.of("running", "ahead", "patient"));

    for (RankingRequest request : expiring) {
      RerankOutput out = answers.only(request.id());
      assertThat(out.failure().kind()).isEqualTo(ErrorKind.TIMEOUT);
      assertThat(out.errorStatus).isEqualTo(504);
      assertThat(model.rowsOf(request)).as("rows of %s scored", request.id()).isZero();
    }
    assertScored(answers.only("patient"), patient);
    assertThat(model.rowsOf(patient)).isEqualTo(3);
    assertThat(model.rowCount()).as("rows the model ran").isEqualTo(2 + 2 + 3);
    awaitTrue(() -> engine.inFlight() == 0 && engine.queuedRows() == 0);
  }

  @Test
  void aRequestPastItsDeadlineOnArrivalIsAnsweredAtOnceWithoutReachingTheModel() {
    RecordingModel model = new RecordingModel();
    InferenceEngine engine = engine(model, BatchingSettings.DEFAULTS, 1_000, 8);
    List<RerankOutput> outputs = new ArrayList<>();

    Submission submission =
        submit(
            engine,
            request("late", 0, 4),
            Deadline.atEpochMillis(System.currentTimeMillis() - 1),
            outputs::add);

    assertThat(outputs)
        .singleElement()
        .satisfies(
            out -> {
              assertThat(out.id).isEqualTo("late");
              assertThat(out.failure().kind()).isEqualTo(ErrorKind.TIMEOUT);
            });
    assertThat(submission.cancel()).isFalse();
    assertThat(engine.inFlight()).isZero();
    assertThat(model.rowCount()).isZero();
  }

  @Test
  void aWithdrawnRequestIsNeitherAnsweredNorScoredAndGivesItsRoomBack() throws Exception {
    RecordingModel model = new RecordingModel();
    model.gate = new Semaphore(0);
    InferenceEngine engine = engine(model, new BatchingSettings(10_000, 2), 20, 8);
    Answers answers = new Answers();
    submit(engine, request("running", 0, 2), answers.of("running"));
    assertThat(model.entered.await(LIVENESS_SECONDS, TimeUnit.SECONDS)).isTrue();
    submit(engine, request("ahead", 1, 2), answers.of("ahead"));
    RankingRequest abandoned = request("abandoned", 2, 12);
    Submission submission = submit(engine, abandoned, answers.of("abandoned"));
    awaitTrue(() -> engine.waitingRows() == 12);

    assertThat(submission.cancel()).isTrue();
    assertThat(submission.cancel()).as("withdrawn once").isFalse();
    awaitTrue(() -> engine.waitingRows() == 0);
    // The 12 rows' room is back: a request of 16 rows fits beside the 4 in the model.
    RankingRequest next = request("next", 3, 16);
    submit(engine, next, answers.of("next"));
    model.gate.release(1_000);
    answers.await(List.of("running", "ahead", "next"));
    // Closed, the engine answers whatever it still holds: the withdrawn request is not among it.
    engine.close();

    assertThat(answers.of.get("abandoned")).isNull();
    assertThat(model.rowsOf(abandoned)).isZero();
    assertScored(answers.only("next"), next);
  }

  @Test
  void queuesStayBoundedAndSubmittersWaitWhileArrivalsOutrunScoring() throws Exception {
    int bound = 48;
    RecordingModel model = new RecordingModel();
    // Arrivals outrun scoring for certain: the model holds its first batch until the submitters
    // have filled the engine to its bound and wait.
    Semaphore gate = new Semaphore(0);
    model.gate = gate;
    InferenceEngine engine = engine(model, new BatchingSettings(10_000, 4), bound, 8);
    int producers = 4;
    int perProducer = 300;
    Answers answers = new Answers();
    List<RankingRequest> all = new CopyOnWriteArrayList<>();
    AtomicBoolean producing = new AtomicBoolean(true);
    int[] max = new int[3];
    AtomicInteger samples = new AtomicInteger();
    Thread sampler =
        new Thread(
            () -> {
              while (producing.get()) {
                max[0] = Math.max(max[0], engine.queuedRows());
                max[1] = Math.max(max[1], engine.waitingRows());
                max[2] = Math.max(max[2], engine.inboxSize());
                samples.incrementAndGet();
                LockSupport.parkNanos(20_000);
              }
            });
    sampler.start();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int producer = p;
      Thread thread =
          new Thread(
              () -> {
                Random random = new Random(producer);
                for (int r = 0; r < perProducer; r++) {
                  int n = producer * perProducer + r;
                  RankingRequest request = request("r" + n, n, 1 + random.nextInt(6));
                  all.add(request);
                  submit(engine, request, answers.of(request.id()));
                }
              });
      threads.add(thread);
      thread.start();
    }
    awaitTrue(() -> engine.queuedRows() > bound - 6);
    assertThat(threads)
        .as("every submitter still has requests to hand in, and waits")
        .allMatch(Thread::isAlive);
    assertThat(engine.queuedRows()).as("queued rows at the bound").isLessThanOrEqualTo(bound);
    model.gate = null;
    gate.release(Integer.MAX_VALUE / 2);
    for (Thread thread : threads) {
      thread.join();
    }
    answers.await(all.stream().map(RankingRequest::id).toList());
    producing.set(false);
    sampler.join();

    int pairs = all.stream().mapToInt(r -> r.passages().size()).sum();
    System.out.printf(
        "InferenceEngineHardeningTest: %d requests (%d pairs) from %d unpaused submitters, row"
            + " bound %d; peak queued rows %d, peak pool rows %d, peak inbox events %d (%d"
            + " samples)%n",
        all.size(), pairs, producers, bound, max[0], max[1], max[2], samples.get());
    assertThat(max[0]).as("queued rows").isLessThanOrEqualTo(bound);
    assertThat(max[1]).as("rows waiting in the pool").isLessThanOrEqualTo(bound);
    // Submitted events hold at least one row each; scored batches are at most two in flight.
    assertThat(max[2]).as("inbox events").isLessThanOrEqualTo(bound + 2);
    assertThat(max[0]).as("the bound was reached: submitters waited").isGreaterThan(bound - 6);
    for (RankingRequest request : all) {
      assertScored(answers.only(request.id()), request);
    }
    assertThat(engine.queuedRows()).isZero();
  }

  @Test
  void aLongRowIsScoredWithinTheWaitBoundUnderASteadyStreamOfShortRows() throws Exception {
    int bound = 3;
    RecordingModel model = new RecordingModel();
    model.gate = new Semaphore(0);
    // Two rows per batch, two fresh short rows before every batch: shortest first alone would
    // leave the long row waiting for as long as the stream lasts.
    InferenceEngine engine = engine(model, new BatchingSettings(10_000, 2), 10_000, bound);
    Answers answers = new Answers();
    // Occupy the model and the batch prepared behind it, so the long row meets a full pipeline.
    submit(engine, request("s0", 100, 2), answers.of("s0"));
    assertThat(model.entered.await(LIVENESS_SECONDS, TimeUnit.SECONDS)).isTrue();
    submit(engine, request("s1", 101, 2), answers.of("s1"));
    awaitTrue(() -> engine.waitingRows() == 0 && engine.inboxSize() == 0);
    RankingRequest longOne =
        new RankingRequest(
            "long", MODEL, "go", List.of(String.join(" ", WORDS.subList(0, 30))), Truncate.NONE);
    submit(engine, longOne, answers.of("long"));
    for (int b = 0; b < 40 && answers.of.get("long") == null; b++) {
      submit(engine, request("short-" + b, 102 + b, 2), answers.of("short-" + b));
      int ran = b + 1;
      model.gate.release();
      awaitTrue(() -> model.batches.size() >= ran);
    }
    model.gate.release(1_000);
    answers.await(List.of("long"));

    // The released short rows may still be running: read one snapshot of the batches so far.
    var batches = List.copyOf(model.batches);
    int longAt = -1;
    for (int b = 0; b < batches.size(); b++) {
      if (batches.get(b).stream().anyMatch(row -> row.length() > 30)) {
        longAt = b + 1;
      }
    }
    // Two batches were taken when it arrived; it then saw {@code bound} more leave without it.
    assertThat(longAt).as("batch that scored the long row").isEqualTo(2 + bound + 1);
    assertThat(batches.subList(0, longAt - 1))
        .as("short rows went first while the long row was young")
        .allSatisfy(batch -> assertThat(batch).allMatch(row -> row.length() < 10));
    assertScored(answers.only("long"), longOne);
  }

  @Test
  void anErrorInTheModelFailsTheEngineAndEveryRequestIsAnsweredBackendFailure() throws Exception {
    RecordingModel model = new RecordingModel();
    model.gate = new Semaphore(0);
    model.throwIf = batch -> true;
    InferenceEngine engine = engine(model, new BatchingSettings(10_000, 2), 1_000, 8);
    Answers answers = new Answers();
    submit(engine, request("running", 0, 2), answers.of("running"));
    assertThat(model.entered.await(LIVENESS_SECONDS, TimeUnit.SECONDS)).isTrue();
    submit(engine, request("queued-1", 1, 3), answers.of("queued-1"));
    submit(engine, request("queued-2", 2, 1), answers.of("queued-2"));
    awaitTrue(() -> engine.inboxSize() == 0);

    model.gate.release(1_000);
    answers.await(List.of("running", "queued-1", "queued-2"));
    List<RerankOutput> later = new ArrayList<>();
    submit(engine, request("later", 3, 1), later::add);

    assertThat(engine.failure()).get().isInstanceOf(InjectedError.class);
    for (String id : List.of("running", "queued-1", "queued-2")) {
      RerankOutput out = answers.only(id);
      assertThat(out.failure().kind()).as(id).isEqualTo(ErrorKind.BACKEND_FAILURE);
      assertThat(out.errorMessage).as(id).contains("inference engine failed");
    }
    assertThat(later)
        .singleElement()
        .satisfies(
            out -> {
              assertThat(out.failure().kind()).isEqualTo(ErrorKind.BACKEND_FAILURE);
              assertThat(out.errorMessage).contains("inference engine failed");
            });
    assertThat(engine.inFlight()).isZero();
    assertThat(model.rowCount()).as("rows run: only the batch that threw").isEqualTo(2);
  }

  @Test
  void anErrorInACallbackFailsTheEngineAndTheOtherRequestsAreStillAnswered() throws Exception {
    RecordingModel model = new RecordingModel();
    model.gate = new Semaphore(0);
    InferenceEngine engine = engine(model, new BatchingSettings(10_000, 1), 1_000, 8);
    Answers answers = new Answers();
    submit(
        engine,
        request("poison", 0, 1),
        out -> {
          throw new InjectedError();
        });
    submit(engine, request("other", 1, 3), answers.of("other"));

    model.gate.release(1_000);
    answers.await(List.of("other"));

    assertThat(engine.failure()).get().isInstanceOf(InjectedError.class);
    assertThat(answers.only("other").failure().kind()).isEqualTo(ErrorKind.BACKEND_FAILURE);
  }

  @Test
  void anExceptionInACallbackFailsOnlyItsOwnRequest() throws Exception {
    RecordingModel model = new RecordingModel();
    InferenceEngine engine = engine(model, new BatchingSettings(10_000, 2), 1_000, 8);
    Answers answers = new Answers();
    CountDownLatch thrown = new CountDownLatch(1);
    submit(
        engine,
        request("careless", 0, 3),
        out -> {
          thrown.countDown();
          throw new IllegalStateException("the caller's own bug");
        });
    assertThat(thrown.await(LIVENESS_SECONDS, TimeUnit.SECONDS)).isTrue();
    RankingRequest next = request("next", 1, 3);
    submit(engine, next, answers.of("next"));
    answers.await(List.of("next"));

    assertThat(engine.failure()).isEmpty();
    assertScored(answers.only("next"), next);
  }

  private InferenceEngine engine(
      RecordingModel model, BatchingSettings batching, int maxQueuedRows, int maxWaitBatches) {
    InferenceEngine engine =
        new InferenceEngine(
            Map.of(
                MODEL, new LoadedModel(spec(), new CrossEncoderRequests(tokenizer, null), model)),
            batching,
            "hardening",
            EngineListener.NONE,
            maxQueuedRows,
            maxWaitBatches);
    engines.add(engine);
    return engine;
  }

  private static ModelSpec spec() {
    return new ModelSpec(
        MODEL,
        List.of(),
        ModelKind.CROSS_ENCODER,
        ModelFamily.BERT,
        MAX_LENGTH,
        Pooling.CLS,
        "",
        "",
        null,
        PaddingSide.RIGHT,
        0);
  }

  /** A request whose two-word query is unique to {@code n}, so its rows name it. */
  private static RankingRequest request(String id, int n, int passages) {
    String query = WORDS.get(n % WORDS.size()) + " " + WORDS.get((n / WORDS.size()) % WORDS.size());
    List<String> texts = new ArrayList<>();
    for (int p = 0; p < passages; p++) {
      texts.add(WORDS.get((n + p) % WORDS.size()) + " " + WORDS.get(p % WORDS.size()));
    }
    return new RankingRequest(id, MODEL, query, texts, Truncate.NONE);
  }

  /** [CLS] query [SEP] passage [SEP]: every vocabulary word is one token. */
  private static long[] pairIds(String query, String passage) {
    List<Long> ids = new ArrayList<>();
    ids.add(TinyTokenizers.id(TinyTokenizers.CLS));
    Arrays.stream(query.split(" ")).map(TinyTokenizers::id).forEach(ids::add);
    ids.add(TinyTokenizers.id(TinyTokenizers.SEP));
    Arrays.stream(passage.split(" ")).map(TinyTokenizers::id).forEach(ids::add);
    ids.add(TinyTokenizers.id(TinyTokenizers.SEP));
    return ids.stream().mapToLong(Long::longValue).toArray();
  }

  /** A ranking of every passage, each with the fake's logit of its own pair. */
  private static void assertScored(RerankOutput out, RankingRequest request) {
    assertThat(out.isError()).as("%s: %s", request.id(), out.errorMessage).isFalse();
    assertThat(out.indices).hasSize(request.passages().size());
    for (int k = 0; k < out.indices.length; k++) {
      long[] ids = pairIds(request.query(), request.passages().get(out.indices[k]));
      assertThat(out.logits[k])
          .as("%s passage %d", request.id(), out.indices[k])
          .isCloseTo(RecordingModel.logit(ids), within(1e-4f));
    }
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIVENESS_SECONDS);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("condition within liveness bound").isNegative();
      Thread.sleep(1);
    }
  }

  /** What the test injects: an {@link Error}, as ONNX Runtime or a callback might throw. */
  private static final class InjectedError extends Error {
    InjectedError() {
      super("injected");
    }
  }

  /** Every answer by request id. */
  private static final class Answers {
    private final Map<String, List<RerankOutput>> of = new ConcurrentHashMap<>();

    Consumer<RerankOutput> of(String id) {
      return out -> of.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(out);
    }

    void await(List<String> ids) throws InterruptedException {
      awaitTrue(() -> ids.stream().allMatch(of::containsKey));
    }

    RerankOutput only(String id) {
      assertThat(of.get(id)).as("answers of %s", id).hasSize(1);
      return of.get(id).get(0);
    }
  }

  /**
   * A model whose logit is {@code sum(ids) x 0.001 + length}; it records every row it ran, may wait
   * at a gate before each batch, and may throw an {@link InjectedError}.
   */
  private static final class RecordingModel extends ForwardOnlyModel {
    private final List<List<EncodedSequence>> batches = new CopyOnWriteArrayList<>();
    private final CountDownLatch entered = new CountDownLatch(1);
    private volatile Semaphore gate;
    private volatile Predicate<List<EncodedSequence>> throwIf = batch -> false;

    static float logit(long[] ids) {
      return Arrays.stream(ids).sum() * 0.001f + ids.length;
    }

    @Override
    public float[][] forward(List<EncodedSequence> batch) throws InterruptedException {
      entered.countDown();
      if (gate != null) {
        gate.acquire();
      }
      batches.add(List.copyOf(batch));
      if (throwIf.test(batch)) {
        throw new InjectedError();
      }
      float[][] out = new float[batch.size()][];
      for (int r = 0; r < batch.size(); r++) {
        out[r] = new float[] {logit(batch.get(r).ids())};
      }
      return out;
    }

    int rowCount() {
      return batches.stream().mapToInt(List::size).sum();
    }

    /** Rows run whose query part is {@code request}'s query. */
    int rowsOf(RankingRequest request) {
      long[] query =
          Arrays.stream(request.query().split(" ")).mapToLong(TinyTokenizers::id).toArray();
      int count = 0;
      for (List<EncodedSequence> batch : batches) {
        for (EncodedSequence row : batch) {
          long[] ids = row.ids();
          if (ids.length > query.length + 1
              && Arrays.equals(Arrays.copyOfRange(ids, 1, 1 + query.length), query)
              && ids[1 + query.length] == TinyTokenizers.id(TinyTokenizers.SEP)) {
            count++;
          }
        }
      }
      return count;
    }

    @Override
    public void close() {}
  }
}
