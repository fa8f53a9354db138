package io.rerankflow.inference;

import static io.rerankflow.inference.EncodedSubmissions.encode;
import static io.rerankflow.inference.EncodedSubmissions.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.schemas.Truncate;
import io.rerankflow.testing.TinyCrossEncoder;
import io.rerankflow.testing.TinyTokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine with a fake model whose logit is a function of the row's own token ids, so any
 * misalignment between rows and requests, or any sorting slip, changes a logit.
 */
class InferenceEngineTest {
  private static final String MODEL = "fake";
  private static final int MAX_LENGTH = 64;
  // Far beyond any healthy run; only bounds how long a broken engine can hang the build.
  private static final long LIVENESS_SECONDS = 30;
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
  void concurrentRequestsEachGetTheirOwnCorrectlyAlignedAndSortedRanking() throws Exception {
    BatchingSettings batching = new BatchingSettings(120, 8);
    // The first batch waits until every request is queued, so the next window holds them all.
    CountDownLatch allSubmitted = new CountDownLatch(1);
    FakeModel model = new FakeModel(batch -> awaitQuietly(allSubmitted));
    InferenceEngine engine = engine(model, batching);
    Random random = new Random(42);
    List<RankingRequest> requests = new ArrayList<>();
    for (int r = 0; r < 120; r++) {
      requests.add(request("req-" + r, uniqueQuery(r), randomPassages(random, 1 + r % 12)));
    }
    Map<String, List<RerankOutput>> received = new ConcurrentHashMap<>();
    CountDownLatch done = new CountDownLatch(requests.size());

    ExecutorService callers = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> submitted = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        int thread = t;
        submitted.add(
            callers.submit(
                () -> {
                  for (int r = thread; r < requests.size(); r += 6) {
                    RankingRequest request = requests.get(r);
                    submit(engine, request, collectInto(received, request.id(), done));
                  }
                }));
      }
      for (Future<?> future : submitted) {
        future.get();
      }
    } finally {
      callers.shutdown();
    }
    allSubmitted.countDown();
    assertThat(done.await(LIVENESS_SECONDS, TimeUnit.SECONDS)).isTrue();

    assertThat(received).hasSize(requests.size());
    for (RankingRequest request : requests) {
      assertThat(received.get(request.id())).as(request.id()).hasSize(1);
      RerankOutput output = received.get(request.id()).get(0);
      assertThat(output.isError()).as(request.id()).isFalse();
      assertCorrectRanking(request, output);
    }
    assertBatchesWithinLimits(model.batches(), batching);
    assertThat(model.batches())
        .as("some batch holds rows of several requests")
        .anySatisfy(batch -> assertThat(owners(batch)).hasSizeGreaterThan(1));
    // Queries are unique per request, so identical rows only come from a passage repeated within
    // one request, whose rows join the pool together: each distinct pair runs exactly once.
    List<List<Long>> scored = new ArrayList<>();
    model.batches().forEach(batch -> batch.forEach(row -> scored.add(boxed(row.ids()))));
    Set<List<Long>> distinctPairs = new HashSet<>();
    for (RankingRequest request : requests) {
      request.passages().forEach(p -> distinctPairs.add(boxed(pairIds(request.query(), p))));
    }
    assertThat(scored)
        .as("every distinct pair is scored exactly once")
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(distinctPairs);
  }

  @Test
  void aRequestLargerThanOneBatchIsSplitAndReassembledInPassageOrder() throws Exception {
    BatchingSettings batching = new BatchingSettings(40, 3);
    FakeModel model = new FakeModel(batch -> {});
    InferenceEngine engine = engine(model, batching);
    RankingRequest request = request("big", "which way", randomPassages(new Random(3), 40));

    RerankOutput output = submitAndWait(engine, request);

    assertCorrectRanking(request, output);
    assertThat(model.batches()).hasSizeGreaterThanOrEqualTo(14);
    assertBatchesWithinLimits(model.batches(), batching);
  }

  @Test
  void aFailingBatchFailsItsRequestsWithBackendFailureAndTheEngineKeepsServing() throws Exception {
    long poison = TinyTokenizers.id("sorry");
    FakeModel model =
        new FakeModel(
            batch -> {
              if (batch.stream().anyMatch(row -> contains(row.ids(), poison))) {
                throw new IllegalStateException("poisoned batch");
              }
            });
    InferenceEngine engine = engine(model, new BatchingSettings(10_000, 2));
    // Six passages in batches of two: only the middle batch fails, yet the request fails once.
    RankingRequest poisoned = request("bad", "go", List.of("a", "the", "sorry", "an", "of", "to"));
    RankingRequest healthy = request("good", "go", List.of("the wood", "a road", "it"));

    List<RerankOutput> failed = submitAndCollect(engine, poisoned);
    RerankOutput served = submitAndWait(engine, healthy);

    assertThat(failed).hasSize(1);
    RerankOutput error = failed.get(0);
    assertThat(error.isError()).isTrue();
    assertThat(error.id).isEqualTo("bad");
    assertThat(error.failure().kind()).isEqualTo(ErrorKind.BACKEND_FAILURE);
    assertThat(error.errorStatus).isEqualTo(500);
    assertThat(error.errorMessage).contains("poisoned batch");
    assertCorrectRanking(healthy, served);
  }

  @Test
  void aModelReturningTooFewRowsIsABackendFailureNotADeadEngine() throws Exception {
    BatchModel dropsLastRow =
        new ForwardOnlyModel() {
          @Override
          public float[][] forward(List<EncodedSequence> batch) {
            float[][] out = new float[batch.size() - 1][];
            for (int r = 0; r < out.length; r++) {
              out[r] = new float[] {FakeModel.logit(batch.get(r).ids())};
            }
            return out;
          }

          @Override
          public void close() {}
        };
    InferenceEngine engine =
        new InferenceEngine(loaded(dropsLastRow), BatchingSettings.DEFAULTS, "short-model");
    engines.add(engine);

    RerankOutput failed = submitAndWait(engine, request("three", "go", List.of("a", "it", "of")));
    RerankOutput nothingScored = submitAndWait(engine, request("one", "go", List.of("a")));

    assertThat(failed.failure().kind()).isEqualTo(ErrorKind.BACKEND_FAILURE);
    assertThat(failed.errorMessage).contains("2 outputs for 3 rows");
    assertThat(nothingScored.failure().kind()).isEqualTo(ErrorKind.BACKEND_FAILURE);
    assertThat(nothingScored.errorMessage).contains("0 outputs for 1 rows");
  }

  @Test
  void anUnknownModelIsNotFoundOnTheCallersThread() {
    InferenceEngine engine = engine(new FakeModel(batch -> {}), BatchingSettings.DEFAULTS);
    List<RerankOutput> outputs = new ArrayList<>();

    submit(
        engine, new RankingRequest("x", "other", "go", List.of("a"), Truncate.NONE), outputs::add);

    assertThat(outputs).hasSize(1);
    assertThat(outputs.get(0).failure().kind()).isEqualTo(ErrorKind.MODEL_NOT_FOUND);
    assertThat(outputs.get(0).errorStatus).isEqualTo(404);
  }

  @Test
  void truncateEndScoresTheTruncatedPairAndCountsItsTokens() throws Exception {
    InferenceEngine engine = engine(new FakeModel(batch -> {}), BatchingSettings.DEFAULTS);
    String passage = String.join(" ", Collections.nCopies(70, "wood"));
    RankingRequest request =
        new RankingRequest("end", MODEL, "go", List.of(passage, "a"), Truncate.END);

    RerankOutput output = submitAndWait(engine, request);

    // The long passage keeps 64 - 3 - 1 = 60 of its words.
    long[] cut = pairIds("go", String.join(" ", Collections.nCopies(60, "wood")));
    assertThat(cut).hasSize(64);
    assertThat(output.promptTokens).isEqualTo(64 + 5);
    assertThat(logitOf(output, 0)).isCloseTo(FakeModel.logit(cut), within(1e-4f));
    assertThat(logitOf(output, 1)).isCloseTo(FakeModel.logit(pairIds("go", "a")), within(1e-4f));
  }

  @Test
  void closeWaitsForTheBatchInFlightBeforeClosingTheModel() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> events = new CopyOnWriteArrayList<>();
    FakeModel model =
        new FakeModel(
            batch -> {
              entered.countDown();
              awaitQuietly(release);
            },
            events);
    InferenceEngine engine = new InferenceEngine(loaded(model), BatchingSettings.DEFAULTS, "test");
    RankingRequest inFlight = request("in-flight", "go", List.of("the", "a road"));
    List<RerankOutput> outputs = new CopyOnWriteArrayList<>();
    submit(engine, inFlight, outputs::add);
    assertThat(entered.await(LIVENESS_SECONDS, TimeUnit.SECONDS)).isTrue();

    Thread closer = new Thread(engine::close, "closer");
    closer.start();
    awaitBlockedOrFinished(closer);
    release.countDown();
    closer.join(TimeUnit.SECONDS.toMillis(LIVENESS_SECONDS));

    assertThat(closer.isAlive()).isFalse();
    assertThat(events).containsExactly("forward-exit", "close");
    assertThat(outputs).hasSize(1);
    assertCorrectRanking(inFlight, outputs.get(0));
  }

  @Test
  void closeAnswersEveryRequestItDidNotScore() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    FakeModel model =
        new FakeModel(
            batch -> {
              entered.countDown();
              awaitQuietly(release);
            });
    // One row per batch: the first request's later rows are still planned when close() comes.
    InferenceEngine engine = new InferenceEngine(loaded(model), new BatchingSettings(1000, 1), "t");
    Map<String, List<RerankOutput>> received = new ConcurrentHashMap<>();
    CountDownLatch done = new CountDownLatch(3);
    RankingRequest split = request("split", "go", List.of("the", "a", "an"));
    submit(engine, split, collectInto(received, "split", done));
    assertThat(entered.await(LIVENESS_SECONDS, TimeUnit.SECONDS)).isTrue();
    RankingRequest queued = request("queued", "go", List.of("it"));
    submit(engine, queued, collectInto(received, "queued", done));
    // Encoded while the tokenizer is open, as the encoding stage would have, submitted after close.
    EncodedRequest late = encode(engine, request("late", "go", List.of("of")));

    Thread closer = new Thread(engine::close, "closer");
    closer.start();
    awaitBlockedOrFinished(closer);
    release.countDown();
    closer.join(TimeUnit.SECONDS.toMillis(LIVENESS_SECONDS));
    engine.submit(late, Deadline.NONE, collectInto(received, "late", done));

    assertThat(done.await(LIVENESS_SECONDS, TimeUnit.SECONDS))
        .as("every request answered, got %s", received.keySet())
        .isTrue();
    for (String id : List.of("split", "queued", "late")) {
      assertThat(received.get(id)).as(id).hasSize(1);
      RerankOutput output = received.get(id).get(0);
      assertThat(output.isError()).as(id).isTrue();
      assertThat(output.failure().kind()).isEqualTo(ErrorKind.BACKEND_FAILURE);
      assertThat(output.errorMessage).contains("shut down");
    }
  }

  @Test
  void biEncoderRowsOfOneRequestStayAlignedAcrossBatches() throws Exception {
    FakeModel model = new FakeModel(batch -> {}, new CopyOnWriteArrayList<>(), true);
    ModelSpec spec =
        new ModelSpec(
            MODEL,
            List.of(),
            ModelKind.BI_ENCODER,
            ModelFamily.BERT,
            MAX_LENGTH,
            Pooling.CLS,
            "which ",
            "",
            null,
            PaddingSide.RIGHT,
            0);
    InferenceEngine engine =
        new InferenceEngine(
            Map.of(
                MODEL,
                new LoadedModel(spec, new BiEncoderRequests(tokenizer, "which ", ""), model)),
            new BatchingSettings(30, 2),
            "bi");
    engines.add(engine);
    List<String> passages = randomPassages(new Random(9), 9);
    RankingRequest request = request("bi", "way", passages);

    RerankOutput output = submitAndWait(engine, request);

    float[] query = FakeModel.unitVector(singleIds("which way"));
    int queryTokens = singleIds("which way").length;
    int promptTokens = 0;
    for (int p = 0; p < passages.size(); p++) {
      float[] passage = FakeModel.unitVector(singleIds(passages.get(p)));
      float cosine = query[0] * passage[0] + query[1] * passage[1];
      assertThat(logitOf(output, p)).as("passage %d", p).isCloseTo(cosine, within(1e-5f));
      promptTokens += queryTokens + singleIds(passages.get(p)).length;
    }
    assertThat(output.promptTokens).isEqualTo(promptTokens);
    assertThat(output.logits).isSortedAccordingTo(Collections.reverseOrder());
  }

  @Test
  void realTinyCrossEncoderScoresEachPairAsTheOracleDoesAlone() throws Exception {
    Path modelDir = dir.resolve("tiny");
    Files.createDirectories(modelDir);
    TinyCrossEncoder oracle = TinyCrossEncoder.builder().head(TinyCrossEncoder.Head.TWO).build();
    oracle.write(modelDir.resolve(ModelDirectory.ONNX_FILE));
    TinyTokenizers.wordPiece(modelDir);
    Files.writeString(
        modelDir.resolve(ModelSpec.FILE_NAME), "{\"name\": \"tiny\", \"max_length\": 64}");
    LoadedModel loaded =
        LoadedModel.load(ModelDirectory.open(modelDir), new SessionSettings(Device.CPU, 1));
    InferenceEngine engine =
        new InferenceEngine(Map.of("tiny", loaded), new BatchingSettings(60, 3), "onnx");
    engines.add(engine);
    List<RankingRequest> requests =
        List.of(
            new RankingRequest(
                "r1",
                "tiny",
                "which way should i go",
                List.of("two roads", "the yellow wood", "a", "i took the one less traveled by"),
                Truncate.NONE),
            new RankingRequest(
                "r2",
                "tiny",
                "go",
                List.of("it has made all the difference", "down"),
                Truncate.NONE));
    Map<String, List<RerankOutput>> received = new ConcurrentHashMap<>();
    CountDownLatch done = new CountDownLatch(requests.size());

    requests.forEach(r -> submit(engine, r, collectInto(received, r.id(), done)));
    assertThat(done.await(LIVENESS_SECONDS, TimeUnit.SECONDS)).isTrue();

    for (RankingRequest request : requests) {
      RerankOutput output = received.get(request.id()).get(0);
      assertThat(output.isError()).isFalse();
      assertThat(output.indices).containsExactlyInAnyOrder(indices(request.passages().size()));
      assertThat(output.logits).isSortedAccordingTo(Collections.reverseOrder());
      int promptTokens = 0;
      for (int p = 0; p < request.passages().size(); p++) {
        long[] ids = pairIds(request.query(), request.passages().get(p));
        long[] types = pairTypes(request.query(), request.passages().get(p));
        long[] mask = new long[ids.length];
        Arrays.fill(mask, 1L);
        float[] classes =
            oracle
                .expectedOutputs(new long[][] {ids}, new long[][] {mask}, new long[][] {types})[0];
        assertThat(logitOf(output, p))
            .as("%s passage %d", request.id(), p)
            .isCloseTo(classes[1] - classes[0], within(1e-5f));
        promptTokens += ids.length;
      }
      assertThat(output.promptTokens).isEqualTo(promptTokens);
    }
  }

  private InferenceEngine engine(FakeModel model, BatchingSettings batching) {
    InferenceEngine engine = new InferenceEngine(loaded(model), batching, "engine-under-test");
    engines.add(engine);
    return engine;
  }

  private Map<String, LoadedModel> loaded(BatchModel model) {
    ModelSpec spec =
        new ModelSpec(
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
    return Map.of(MODEL, new LoadedModel(spec, new CrossEncoderRequests(tokenizer, null), model));
  }

  private static RankingRequest request(String id, String query, List<String> passages) {
    return new RankingRequest(id, MODEL, query, passages, Truncate.NONE);
  }

  /** Two words, unique per request, so a row's query part names its request. */
  private static String uniqueQuery(int request) {
    return WORDS.get(request % WORDS.size()) + " " + WORDS.get(request / WORDS.size());
  }

  private static List<String> randomPassages(Random random, int count) {
    List<String> passages = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      int words = 1 + random.nextInt(20);
      List<String> text = new ArrayList<>();
      for (int w = 0; w < words; w++) {
        text.add(WORDS.get(random.nextInt(WORDS.size())));
      }
      passages.add(String.join(" ", text));
    }
    return passages;
  }

  /** [CLS] query [SEP] passage [SEP], built from the vocabulary: every word is one token. */
  private static long[] pairIds(String query, String passage) {
    List<Long> ids = new ArrayList<>();
    ids.add(TinyTokenizers.id(TinyTokenizers.CLS));
    Arrays.stream(query.split(" ")).map(TinyTokenizers::id).forEach(ids::add);
    ids.add(TinyTokenizers.id(TinyTokenizers.SEP));
    Arrays.stream(passage.split(" ")).map(TinyTokenizers::id).forEach(ids::add);
    ids.add(TinyTokenizers.id(TinyTokenizers.SEP));
    return ids.stream().mapToLong(Long::longValue).toArray();
  }

  private static long[] pairTypes(String query, String passage) {
    int first = query.split(" ").length + 2;
    int second = passage.split(" ").length + 1;
    long[] types = new long[first + second];
    Arrays.fill(types, first, first + second, 1L);
    return types;
  }

  private static long[] singleIds(String text) {
    List<Long> ids = new ArrayList<>();
    ids.add(TinyTokenizers.id(TinyTokenizers.CLS));
    Arrays.stream(text.split(" ")).map(TinyTokenizers::id).forEach(ids::add);
    ids.add(TinyTokenizers.id(TinyTokenizers.SEP));
    return ids.stream().mapToLong(Long::longValue).toArray();
  }

  /** Checks ids, permutation, per-passage logits against the fake's formula, order and usage. */
  private static void assertCorrectRanking(RankingRequest request, RerankOutput output) {
    int n = request.passages().size();
    assertThat(output.id).isEqualTo(request.id());
    assertThat(output.model).isEqualTo(MODEL);
    assertThat(output.indices).as(request.id()).containsExactlyInAnyOrder(indices(n));
    assertThat(output.logits).hasSize(n).isSortedAccordingTo(Collections.reverseOrder());
    int promptTokens = 0;
    for (int p = 0; p < n; p++) {
      long[] ids = pairIds(request.query(), request.passages().get(p));
      assertThat(logitOf(output, p))
          .as("%s passage %d", request.id(), p)
          .isCloseTo(FakeModel.logit(ids), within(1e-4f));
      promptTokens += ids.length;
    }
    assertThat(output.promptTokens).isEqualTo(promptTokens);
    assertThat(output.totalTokens).isEqualTo(promptTokens);
  }

  private static float logitOf(RerankOutput output, int passage) {
    for (int k = 0; k < output.indices.length; k++) {
      if (output.indices[k] == passage) {
        return output.logits[k];
      }
    }
    throw new AssertionError("passage " + passage + " missing from " + output);
  }

  private static int[] indices(int n) {
    return IntStream.range(0, n).toArray();
  }

  private static void assertBatchesWithinLimits(
      List<List<EncodedSequence>> batches, BatchingSettings batching) {
    for (List<EncodedSequence> batch : batches) {
      assertThat(batch).isNotEmpty().hasSizeLessThanOrEqualTo(batching.maxBatchSize());
      int longest = batch.stream().mapToInt(EncodedSequence::length).max().orElseThrow();
      if (batch.size() > 1) {
        assertThat(longest * batch.size()).isLessThanOrEqualTo(batching.maxBatchTokens());
      }
    }
  }

  /** The query parts (ids between [CLS] and the first [SEP]) present in a batch. */
  private static Set<List<Long>> owners(List<EncodedSequence> batch) {
    Set<List<Long>> owners = new HashSet<>();
    long sep = TinyTokenizers.id(TinyTokenizers.SEP);
    for (EncodedSequence row : batch) {
      List<Long> query = new ArrayList<>();
      for (int t = 1; row.ids()[t] != sep; t++) {
        query.add(row.ids()[t]);
      }
      owners.add(query);
    }
    return owners;
  }

  private static Consumer<RerankOutput> collectInto(
      Map<String, List<RerankOutput>> received, String id, CountDownLatch done) {
    return output -> {
      received.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(output);
      done.countDown();
    };
  }

  private static RerankOutput submitAndWait(InferenceEngine engine, RankingRequest request)
      throws InterruptedException {
    List<RerankOutput> outputs = submitAndCollect(engine, request);
    assertThat(outputs).hasSize(1);
    return outputs.get(0);
  }

  /** Submits and waits for the first answer; a second answer would already be in the list. */
  private static List<RerankOutput> submitAndCollect(InferenceEngine engine, RankingRequest request)
      throws InterruptedException {
    List<RerankOutput> outputs = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    submit(
        engine,
        request,
        output -> {
          outputs.add(output);
          done.countDown();
        });
    assertThat(done.await(LIVENESS_SECONDS, TimeUnit.SECONDS)).isTrue();
    return outputs;
  }

  private static List<Long> boxed(long[] ids) {
    return Arrays.stream(ids).boxed().toList();
  }

  private static boolean contains(long[] values, long value) {
    return Arrays.stream(values).anyMatch(v -> v == value);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until the thread blocks (inside close(), joining the worker) or ends. */
  private static void awaitBlockedOrFinished(Thread thread) {
    while (true) {
      Thread.State state = thread.getState();
      if (state == Thread.State.WAITING
          || state == Thread.State.TIMED_WAITING
          || state == Thread.State.TERMINATED) {
        return;
      }
      Thread.onSpinWait();
    }
  }

  /**
   * A model whose output is a pure function of the row: as a cross-encoder, {@code sum(ids) x 0.001
   * + length}; as a bi-encoder, a unit vector at an angle set by the ids. It records every batch,
   * and the order of forward exits and close.
   */
  private static final class FakeModel extends ForwardOnlyModel {
    private final Consumer<List<EncodedSequence>> beforeScoring;
    private final List<String> events;
    private final boolean embeddings;
    private final List<List<EncodedSequence>> batches = new CopyOnWriteArrayList<>();

    FakeModel(Consumer<List<EncodedSequence>> beforeScoring) {
      this(beforeScoring, new CopyOnWriteArrayList<>());
    }

    FakeModel(Consumer<List<EncodedSequence>> beforeScoring, List<String> events) {
      this(beforeScoring, events, false);
    }

    FakeModel(
        Consumer<List<EncodedSequence>> beforeScoring, List<String> events, boolean embeddings) {
      this.beforeScoring = beforeScoring;
      this.events = events;
      this.embeddings = embeddings;
    }

    static float logit(long[] ids) {
      return Arrays.stream(ids).sum() * 0.001f + ids.length;
    }

    static float[] unitVector(long[] ids) {
      double angle = Arrays.stream(ids).sum() * 0.01 + ids.length * 0.1;
      return new float[] {(float) Math.cos(angle), (float) Math.sin(angle)};
    }

    List<List<EncodedSequence>> batches() {
      return batches;
    }

    @Override
    public float[][] forward(List<EncodedSequence> batch) {
      batches.add(List.copyOf(batch));
      try {
        beforeScoring.accept(batch);
        float[][] out = new float[batch.size()][];
        for (int r = 0; r < batch.size(); r++) {
          long[] ids = batch.get(r).ids();
          out[r] = embeddings ? unitVector(ids) : new float[] {logit(ids)};
        }
        return out;
      } finally {
        events.add("forward-exit");
      }
    }

    @Override
    public void close() {
      events.add("close");
    }
  }
}
