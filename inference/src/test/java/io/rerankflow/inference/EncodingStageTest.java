package io.rerankflow.inference;

import static io.rerankflow.inference.EncodedSubmissions.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RerankException;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.schemas.Truncate;
import io.rerankflow.testing.TinyTokenizers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The encoding stage: requests are tokenised on its own threads and scored as if encoded on the
 * caller's, the caller blocks once the queued pairs reach the bound, a tokenizer or callback
 * failure fails only its request, and an {@link Error} is reported rather than swallowed. Also the
 * engine's close: once, and from any thread.
 */
class EncodingStageTest {
  private static final String MODEL = "fake";
  private static final long LIVENESS_SECONDS = 30;

  @TempDir Path dir;

  private final List<AutoCloseable> opened = new ArrayList<>();
  private final Set<String> encodingThreads = ConcurrentHashMap.newKeySet();
  private final Set<String> encodedIds = ConcurrentHashMap.newKeySet();
  private final CountDownLatch encoderGate = new CountDownLatch(1);
  private final AtomicInteger modelCloses = new AtomicInteger();
  private volatile boolean gated;

  @AfterEach
  void close() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  @Test
  void requestsAreEncodedOnTheStagesThreadsAndScoredAsWhenEncodedByTheCaller() throws Exception {
    Map<String, LoadedModel> models = models();
    InferenceEngine engine = engine(models);
    EncodingStage stage = stage(engine, 2, 64);
    List<RankingRequest> requests = new ArrayList<>();
    for (int r = 0; r < 40; r++) {
      requests.add(
          request(
              "q" + r,
              TinyTokenizers.WORDS.get(r % 20) + " way",
              List.of("two roads", TinyTokenizers.WORDS.get(r % 7) + " wood", "a yellow wood")));
    }
    LinkedBlockingQueue<RerankOutput> viaStage = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<RerankOutput> direct = new LinkedBlockingQueue<>();
    for (RankingRequest request : requests) {
      stage.submit(request, Deadline.NONE, viaStage::add);
      submit(engine, request, direct::add);
    }

    Map<String, RerankOutput> staged = collect(viaStage, requests.size());
    Map<String, RerankOutput> expected = collect(direct, requests.size());
    for (RankingRequest request : requests) {
      RerankOutput got = staged.get(request.id());
      assertThat(got.isError()).isFalse();
      assertThat(got.indices).containsExactly(expected.get(request.id()).indices);
      assertThat(got.logits).containsExactly(expected.get(request.id()).logits);
    }
    assertThat(encodingThreads).anyMatch(name -> name.startsWith("enc-"));
  }

  @Test
  void callerBlocksWhileTheQueuedPairsReachTheBound() throws Exception {
    Map<String, LoadedModel> models = models();
    EncodingStage stage = stage(engine(models), 1, 4);
    gated = true;
    LinkedBlockingQueue<RerankOutput> outputs = new LinkedBlockingQueue<>();
    // Four pairs: the whole bound, held while the one thread is stuck encoding them.
    stage.submit(
        request("first", "go", List.of("a", "two", "roads", "wood")), Deadline.NONE, outputs::add);
    AtomicBoolean secondSubmitted = new AtomicBoolean();
    Thread caller =
        new Thread(
            () -> {
              try {
                stage.submit(request("second", "go", List.of("wood")), Deadline.NONE, outputs::add);
                secondSubmitted.set(true);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    caller.start();
    awaitBlocked(caller);

    assertThat(secondSubmitted).isFalse();
    assertThat(stage.queuedPairs()).isEqualTo(4);
    encoderGate.countDown();
    caller.join(TimeUnit.SECONDS.toMillis(LIVENESS_SECONDS));
    assertThat(secondSubmitted).isTrue();
    assertThat(collect(outputs, 2)).containsOnlyKeys("first", "second");
  }

  @Test
  void aTokenizerFailureFailsOnlyItsRequestAsBackendFailure() throws Exception {
    Map<String, LoadedModel> models = models();
    EncodingStage stage = stage(engine(models), 2, 64);
    LinkedBlockingQueue<RerankOutput> outputs = new LinkedBlockingQueue<>();

    stage.submit(request("bad", "boom", List.of("two roads")), Deadline.NONE, outputs::add);
    stage.submit(request("good", "which way", List.of("two roads")), Deadline.NONE, outputs::add);

    Map<String, RerankOutput> out = collect(outputs, 2);
    assertThat(out.get("bad").failure().kind()).isEqualTo(ErrorKind.BACKEND_FAILURE);
    assertThat(out.get("bad").failure().message()).contains("tokenizer exploded on 'boom'");
    assertThat(out.get("good").isError()).isFalse();
    assertThat(out.get("good").logits).hasSize(1);
  }

  @Test
  void aCallbackThatThrowsFailsOnlyItsOwnRequestAndTheEncodingThreadGoesOn() throws Exception {
    Map<String, LoadedModel> models = models();
    EncodingStage stage = stage(engine(models), 1, 64);
    LinkedBlockingQueue<RerankOutput> outputs = new LinkedBlockingQueue<>();

    // Answered on the one encoding thread (its tokenizer fails), by a callback that throws.
    stage.submit(
        request("bad", "boom", List.of("two roads")),
        Deadline.NONE,
        out -> {
          outputs.add(out);
          throw new IllegalStateException("the caller's callback is broken");
        });
    stage.submit(request("next", "which way", List.of("two roads")), Deadline.NONE, outputs::add);

    Map<String, RerankOutput> out = collect(outputs, 2);
    assertThat(out.get("bad").failure().kind()).isEqualTo(ErrorKind.BACKEND_FAILURE);
    assertThat(out.get("next").isError()).as("the same thread encoded the next request").isFalse();
    assertThat(stage.failure()).isEmpty();
  }

  @Test
  void anErrorOnAnEncodingThreadAnswersItsRequestAndIsReportedNotSwallowed() throws Exception {
    Map<String, LoadedModel> models = models();
    EncodingStage stage = stage(engine(models), 1, 64);
    LinkedBlockingQueue<RerankOutput> outputs = new LinkedBlockingQueue<>();

    stage.submit(request("fatal", "fatal", List.of("two roads")), Deadline.NONE, outputs::add);

    RerankOutput answer = collect(outputs, 1).get("fatal");
    assertThat(answer.failure().kind()).isEqualTo(ErrorKind.BACKEND_FAILURE);
    // close() joins the thread, which reports the Error at its barrier before it ends.
    stage.close();
    assertThat(stage.failure())
        .hasValueSatisfying(
            cause -> assertThat(cause).hasMessage("the tokenizer's native code is broken"));
    assertThatThrownBy(
            () ->
                stage.submit(
                    request("later", "which way", List.of("wood")), Deadline.NONE, outputs::add))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("an encoding thread died");
  }

  @Test
  void theEngineClosesItsModelsOnceHoweverOftenItIsClosed() {
    InferenceEngine engine = engine(models());

    engine.close();
    engine.close();

    assertThat(modelCloses).hasValue(1);
  }

  @Test
  void aCallbackOnTheBatchingThreadMayCloseTheEngine() throws Exception {
    Map<String, LoadedModel> models = models();
    InferenceEngine engine = engine(models);
    EncodingStage stage = stage(engine, 1, 64);
    CountDownLatch closedFromCallback = new CountDownLatch(1);
    List<String> callbackThreads = new ArrayList<>();

    stage.submit(
        request("closer", "which way", List.of("two roads")),
        Deadline.NONE,
        out -> {
          callbackThreads.add(Thread.currentThread().getName());
          engine.close();
          closedFromCallback.countDown();
        });

    assertThat(closedFromCallback.await(LIVENESS_SECONDS, TimeUnit.SECONDS))
        .as("close() from the batching thread returned")
        .isTrue();
    assertThat(callbackThreads).containsExactly("eng-batcher");
    // A later close() waits for the first to finish: the models are closed, once.
    engine.close();
    assertThat(modelCloses).hasValue(1);
  }

  @Test
  void overLongRequestUnderNoneIsA422FromTheStage() throws Exception {
    Map<String, LoadedModel> models = models();
    EncodingStage stage = stage(engine(models), 1, 64);
    LinkedBlockingQueue<RerankOutput> outputs = new LinkedBlockingQueue<>();
    String longPassage = String.join(" ", java.util.Collections.nCopies(100, "wood"));

    stage.submit(request("long", "go", List.of(longPassage)), Deadline.NONE, outputs::add);

    RerankOutput tooLong = collect(outputs, 1).get("long");
    assertThat(tooLong.failure().kind()).isEqualTo(ErrorKind.INPUT_TOO_LONG);
    assertThat(tooLong.errorStatus).isEqualTo(422);
    // [CLS] go [SEP] wood x 100 [SEP]
    assertThat(tooLong.errorMessage)
        .isEqualTo("Input length 104 exceeds maximum allowed token size 64");
  }

  @Test
  void closeAnswersEveryRequestStillWaiting() throws Exception {
    Map<String, LoadedModel> models = models();
    InferenceEngine engine = engine(models);
    EncodingStage stage = new EncodingStage(engine, 1, 64, EngineListener.NONE, "enc");
    gated = true;
    LinkedBlockingQueue<RerankOutput> outputs = new LinkedBlockingQueue<>();
    for (int r = 0; r < 5; r++) {
      stage.submit(request("r" + r, "go", List.of("two roads")), Deadline.NONE, outputs::add);
    }
    Thread closer = new Thread(stage::close);
    closer.start();
    encoderGate.countDown();
    closer.join(TimeUnit.SECONDS.toMillis(LIVENESS_SECONDS));
    assertThat(closer.isAlive()).as("the stage's close() returned").isFalse();

    // Each request has exactly one output, a ranking or the shutdown error.
    Map<String, RerankOutput> out = collect(outputs, 5);
    assertThat(out).hasSize(5);
    // Nothing can answer any more once the engine, too, is closed: a second answer would be here.
    engine.close();
    assertThat(outputs).isEmpty();
  }

  @Test
  void aRequestWithdrawnWhileQueuedIsNeitherEncodedNorAnswered() throws Exception {
    Map<String, LoadedModel> models = models();
    InferenceEngine engine = engine(models);
    EncodingStage stage = stage(engine, 1, 64);
    gated = true;
    LinkedBlockingQueue<RerankOutput> outputs = new LinkedBlockingQueue<>();
    stage.submit(request("first", "go", List.of("two roads")), Deadline.NONE, outputs::add);
    Submission second =
        stage.submit(request("second", "go", List.of("wood", "a")), Deadline.NONE, outputs::add);

    assertThat(second.cancel()).isTrue();
    assertThat(stage.queuedPairs()).as("the withdrawn request's pairs are free").isEqualTo(1);
    encoderGate.countDown();

    assertThat(collect(outputs, 1)).containsOnlyKeys("first");
    // Closing answers whatever still waits; the withdrawn request is not among it.
    stage.close();
    engine.close();
    assertThat(outputs).isEmpty();
    assertThat(encodedIds).containsExactly("first");
    assertThat(second.cancel()).as("withdrawn once").isFalse();
  }

  @Test
  void aRequestPastItsDeadlineIsAnsweredTimeoutWithoutBeingEncoded() throws Exception {
    Map<String, LoadedModel> models = models();
    EncodingStage stage = stage(engine(models), 1, 64);
    LinkedBlockingQueue<RerankOutput> outputs = new LinkedBlockingQueue<>();

    stage.submit(
        request("late", "go", List.of("two roads")),
        Deadline.atEpochMillis(System.currentTimeMillis() - 1_000),
        outputs::add);

    assertThat(collect(outputs, 1).get("late").failure().kind()).isEqualTo(ErrorKind.TIMEOUT);
    assertThat(encodedIds).isEmpty();
  }

  @Test
  void aDeadlineThatPassesWhileQueuedIsAnsweredTimeoutWithoutBeingEncoded() throws Exception {
    Map<String, LoadedModel> models = models();
    EncodingStage stage = stage(engine(models), 1, 64);
    gated = true;
    LinkedBlockingQueue<RerankOutput> outputs = new LinkedBlockingQueue<>();
    stage.submit(request("first", "go", List.of("two roads")), Deadline.NONE, outputs::add);
    Deadline soon = Deadline.after(java.time.Duration.ofMillis(20));
    stage.submit(request("second", "go", List.of("wood")), soon, outputs::add);
    while (!soon.passed()) {
      Thread.sleep(5);
    }
    encoderGate.countDown();

    Map<String, RerankOutput> out = collect(outputs, 2);
    assertThat(out.get("first").isError()).isFalse();
    assertThat(out.get("second").failure().kind()).isEqualTo(ErrorKind.TIMEOUT);
    assertThat(encodedIds).containsExactly("first");
  }

  private EncodingStage stage(InferenceEngine engine, int threads, int maxPairs) {
    EncodingStage stage = new EncodingStage(engine, threads, maxPairs, EngineListener.NONE, "enc");
    opened.add(stage);
    return stage;
  }

  private InferenceEngine engine(Map<String, LoadedModel> models) {
    InferenceEngine engine = new InferenceEngine(models, new BatchingSettings(256, 8), "eng");
    opened.add(0, engine);
    return engine;
  }

  private Map<String, LoadedModel> models() {
    TextTokenizer tokenizer = new TextTokenizer(TinyTokenizers.wordPiece(dir), 64);
    RequestEncoder real = new CrossEncoderRequests(tokenizer, null);
    RequestEncoder watched =
        new RequestEncoder() {
          @Override
          public EncodedRequest encode(RankingRequest request) throws RerankException {
            encodingThreads.add(Thread.currentThread().getName());
            encodedIds.add(request.id());
            if (gated) {
              try {
                encoderGate.await(LIVENESS_SECONDS, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            if (request.query().equals("boom")) {
              throw new IllegalStateException("tokenizer exploded on 'boom'");
            }
            if (request.query().equals("fatal")) {
              throw new AssertionError("the tokenizer's native code is broken");
            }
            return real.encode(request);
          }

          @Override
          public float[] logits(float[][] outputs) {
            return real.logits(outputs);
          }

          @Override
          public void close() {
            real.close();
          }
        };
    ModelSpec spec =
        new ModelSpec(
            MODEL,
            List.of(),
            ModelKind.CROSS_ENCODER,
            ModelFamily.BERT,
            64,
            Pooling.CLS,
            "",
            "",
            null,
            PaddingSide.RIGHT,
            0);
    // The logit depends on every id and its position, so a misaligned row changes it.
    BatchModel model =
        new ForwardOnlyModel() {
          @Override
          public float[][] forward(List<EncodedSequence> rows) {
            float[][] out = new float[rows.size()][];
            for (int i = 0; i < out.length; i++) {
              long[] ids = rows.get(i).ids();
              float logit = 0;
              for (int t = 0; t < ids.length; t++) {
                logit += ids[t] * (t + 1) * 0.01f;
              }
              out[i] = new float[] {logit};
            }
            return out;
          }

          @Override
          public void close() {
            modelCloses.incrementAndGet();
          }
        };
    return Map.of(MODEL, new LoadedModel(spec, watched, model));
  }

  private static RankingRequest request(String id, String query, List<String> passages) {
    return new RankingRequest(id, MODEL, query, passages, Truncate.NONE);
  }

  private static Map<String, RerankOutput> collect(LinkedBlockingQueue<RerankOutput> queue, int n)
      throws InterruptedException {
    Map<String, RerankOutput> out = new ConcurrentHashMap<>();
    for (int i = 0; i < n; i++) {
      RerankOutput o = queue.poll(LIVENESS_SECONDS, TimeUnit.SECONDS);
      assertThat(o).as("output %d of %d", i + 1, n).isNotNull();
      assertThat(out.put(o.id, o)).as("a second output for %s", o.id).isNull();
    }
    return out;
  }

  private static void awaitBlocked(Thread thread) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIVENESS_SECONDS);
    while (thread.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(thread.getState()).isEqualTo(Thread.State.WAITING);
  }
}
