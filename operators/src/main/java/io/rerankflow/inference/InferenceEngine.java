package io.rerankflow.inference;

import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RerankException;
import io.rerankflow.schemas.RerankFailure;
import io.rerankflow.schemas.RerankOutput;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores requests from many callers, batching rows across requests, with the model kept busy.
 *
 * <p>Three rooms, as in text-embeddings-inference. {@link #submit(EncodedRequest, Deadline,
 * Consumer)} admits an encoded request (blocking the caller while the engine already holds {@link
 * #DEFAULT_MAX_QUEUED_ROWS} rows: push-back) and queues it; {@link #submit(RankingRequest,
 * Deadline, Consumer)} encodes on the caller's thread first. The batching thread puts every queued
 * request's rows into one pool (identical rows once, each row's wait bounded, see {@link RowPool}),
 * answers requests whose deadline passed and drops their rows, packs the next batch under the token
 * budget, pads it into model inputs and hands it over; it keeps one batch prepared while the model
 * runs another, so the model never waits for padding. It also takes outputs back, hands them to
 * their requests and completes a request when its last row is scored. The inference thread only
 * runs the model. One code path serves one pair or ten thousand.
 *
 * <p>Each thread's loop has a barrier ({@link EngineLoop}): an exception of one batch or request
 * fails that batch or request; anything else (an {@link Error} in ONNX Runtime or in a callback)
 * makes the engine <em>failed</em>: every request in it and every later one is answered {@code
 * backend_failure}, and {@link #failure()} says why, so that its owner can fail the task and have
 * it restored.
 *
 * <p>{@link #close} stops both threads and waits for the batch in flight before closing the
 * sessions: closing an ONNX Runtime session while {@code run()} is inside it crashes the JVM.
 */
public final class InferenceEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InferenceEngine.class);

  /** Rows admitted and not yet answered, beyond which {@code submit} waits. */
  public static final int DEFAULT_MAX_QUEUED_ROWS = 4096;

  /** Batches prepared and waiting while one runs. */
  private static final int BATCHES_AHEAD = 1;

  private static final long POLL_MILLIS = 50;

  private final Map<String, LoadedModel> models;
  private final List<ModelRows> modelRows = new ArrayList<>();
  private final BatchPlanner planner;
  private final EngineListener listener;
  private final int maxQueuedRows;

  /** Admission: one permit per queued row; a request holds its permits until it is answered. */
  private final Semaphore admission;

  /** Every admitted request not yet gone: what a failed or closed engine still has to answer. */
  private final Set<PendingRequest> live = ConcurrentHashMap.newKeySet();

  /** Submitted, withdrawn and scored, in the order it happened; read by the batcher. */
  private final LinkedBlockingQueue<EngineEvent> inbox = new LinkedBlockingQueue<>();

  /** Prepared batches for the inference thread. */
  private final LinkedBlockingQueue<Dispatched> ready = new LinkedBlockingQueue<>();

  /** Requests with a deadline, soonest first; batching thread only. */
  private final TreeSet<PendingRequest> byDeadline =
      new TreeSet<>(
          Comparator.<PendingRequest>comparingLong(r -> r.deadline().nanoTime())
              .thenComparingLong(PendingRequest::sequence));

  private final AtomicLong sequence = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final Thread batcher;
  private final Thread inference;
  private final List<EngineEvent> events = new ArrayList<>();
  private volatile boolean running = true;
  private volatile int waitingRows;
  private int outstanding;
  private int nextModel;

  /**
   * @param models loaded models by canonical name; the engine owns and closes them
   */
  public InferenceEngine(
      Map<String, LoadedModel> models, BatchingSettings batching, String threadName) {
    this(models, batching, threadName, EngineListener.NONE);
  }

  /**
   * @param models loaded models by canonical name; the engine owns and closes them
   * @param listener told about batches and requests, on the batching thread
   */
  public InferenceEngine(
      Map<String, LoadedModel> models,
      BatchingSettings batching,
      String threadName,
      EngineListener listener) {
    this(
        models,
        batching,
        threadName,
        listener,
        DEFAULT_MAX_QUEUED_ROWS,
        RowPool.DEFAULT_MAX_WAIT_BATCHES);
  }

  InferenceEngine(
      Map<String, LoadedModel> models,
      BatchingSettings batching,
      String threadName,
      EngineListener listener,
      int maxQueuedRows,
      int maxWaitBatches) {
    if (maxQueuedRows < 1) {
      throw new IllegalArgumentException("maxQueuedRows must be >= 1");
    }
    this.models = new LinkedHashMap<>(models);
    this.models.values().forEach(model -> modelRows.add(new ModelRows(model, maxWaitBatches)));
    this.planner = new BatchPlanner(batching);
    this.listener = listener;
    this.maxQueuedRows = maxQueuedRows;
    this.admission = new Semaphore(maxQueuedRows, true);
    // Both threads enter ONNX Runtime (tensors are created while preparing, sessions run).
    this.inference =
        NativeStack.thread(
            new EngineLoop(() -> running, this::inferenceStep, this::failEngine), threadName);
    this.batcher =
        NativeStack.thread(
            new EngineLoop(() -> running, this::batchStep, this::failEngine),
            threadName + "-batcher");
    this.inference.setDaemon(true);
    this.batcher.setDaemon(true);
    this.inference.start();
    this.batcher.start();
  }

  /**
   * Scores a validated request with no deadline; see {@link #submit(RankingRequest, Deadline,
   * Consumer)}.
   */
  public Submission submit(RankingRequest request, Consumer<RerankOutput> done) {
    return submit(request, Deadline.NONE, done);
  }

  /**
   * Encodes a validated request on this thread, then {@linkplain #submit(EncodedRequest, Deadline,
   * Consumer) submits} it. A request the tokenizer refuses (over the limit under {@code truncate:
   * NONE}) or fails on is answered at once, on this thread.
   */
  public Submission submit(RankingRequest request, Deadline deadline, Consumer<RerankOutput> done) {
    LoadedModel model = models.get(request.model());
    RerankOutput refused;
    if (model == null) {
      refused = notLoaded(request);
    } else if (deadline.passed()) {
      refused = PendingRequest.failed(request, PendingRequest.expiredFailure());
    } else {
      EncodedRequest encoded = null;
      // Shared with other callers, exclusive with close(): a tokenizer is never closed under an
      // encode.
      lifecycle.readLock().lock();
      try {
        if (running) {
          encoded = model.encoder().encode(request);
        }
        refused = encoded == null ? PendingRequest.failed(request, stoppedFailure()) : null;
      } catch (RerankException e) {
        refused = PendingRequest.failed(request, e.failure());
      } catch (RuntimeException e) {
        LOG.error("tokenizing request {} failed", request.id(), e);
        refused =
            PendingRequest.failed(
                request,
                new RerankFailure(
                    ErrorKind.BACKEND_FAILURE, "Tokenization failed: " + e.getMessage()));
      } finally {
        lifecycle.readLock().unlock();
      }
      if (encoded != null) {
        return submit(encoded, deadline, done);
      }
    }
    // Outside the lock: a callback may itself close the engine.
    PendingRequest.deliver(done, refused, request.id());
    return Submission.ANSWERED;
  }

  /**
   * Queues an encoded request of one of the engine's models ({@link EncodedRequest#request()}'s
   * {@code model}); {@code done} receives exactly one output, a ranking or an error record, on the
   * engine's batching thread (or on this thread when it is refused at once) — unless the returned
   * {@link Submission} is withdrawn first. Blocks while the engine holds its bound of rows (a
   * request larger than the bound waits for an empty engine). A request whose {@code deadline}
   * passes before its rows are batched is answered {@code timeout}, unscored.
   */
  public Submission submit(EncodedRequest encoded, Deadline deadline, Consumer<RerankOutput> done) {
    RankingRequest request = encoded.request();
    LoadedModel model = models.get(request.model());
    RerankOutput refused;
    if (model == null) {
      refused = notLoaded(request);
    } else if (deadline.passed()) {
      refused = PendingRequest.failed(request, PendingRequest.expiredFailure());
    } else {
      int permits = Math.min(Math.max(1, encoded.sequences().size()), maxQueuedRows);
      PendingRequest pending =
          new PendingRequest(
              encoded,
              model,
              deadline,
              permits,
              done,
              System.nanoTime(),
              sequence.getAndIncrement());
      if (admit(permits)) {
        boolean queued;
        lifecycle.readLock().lock();
        try {
          queued = running;
          if (queued) {
            live.add(pending);
            inbox.add(new EngineEvent.Submitted(pending));
          }
        } finally {
          lifecycle.readLock().unlock();
        }
        if (queued) {
          return () -> withdraw(pending);
        }
        admission.release(permits);
      }
      refused = PendingRequest.failed(request, stoppedFailure());
    }
    PendingRequest.deliver(done, refused, request.id());
    return Submission.ANSWERED;
  }

  /** Waits for {@code permits} rows of room while the engine runs; false once it stopped. */
  private boolean admit(int permits) {
    try {
      while (running) {
        if (admission.tryAcquire(permits, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  private boolean withdraw(PendingRequest request) {
    if (!request.claim()) {
      return false;
    }
    inbox.add(new EngineEvent.Withdrawn(request));
    return true;
  }

  /** Requests submitted and not yet gone. */
  public int inFlight() {
    return live.size();
  }

  /** Rows admitted and not yet answered: at most the bound, or one request's rows if larger. */
  public int queuedRows() {
    return maxQueuedRows - admission.availablePermits();
  }

  /** Rows in the pools, not yet in a batch, as of the batching thread's last turn. */
  int waitingRows() {
    return waitingRows;
  }

  /** Events the batching thread has yet to read. */
  int inboxSize() {
    return inbox.size();
  }

  /**
   * Why the engine failed, if it did: then it answers everything {@code backend_failure}, and its
   * owner should fail so that it is rebuilt.
   */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  private void batchStep() throws InterruptedException {
    EngineEvent first = inbox.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
    if (first != null) {
      events.add(first);
      inbox.drainTo(events);
      for (EngineEvent event : events) {
        handle(event);
      }
      events.clear();
    }
    expireOverdue(System.nanoTime());
    while (running && outstanding <= BATCHES_AHEAD) {
      ModelRows source = nextWithRows();
      if (source == null) {
        break;
      }
      if (dispatch(source)) {
        outstanding++;
      }
    }
    int waiting = 0;
    for (ModelRows source : modelRows) {
      waiting += source.pool.waitingRows();
    }
    waitingRows = waiting;
  }

  /** One event, with its own barrier: an exception fails the event's requests only. */
  private void handle(EngineEvent event) {
    try {
      if (event instanceof EngineEvent.Submitted submitted) {
        enqueue(submitted.request());
      } else if (event instanceof EngineEvent.Withdrawn withdrawn) {
        retire(withdrawn.request());
      } else if (event instanceof EngineEvent.Scored scored) {
        outstanding--;
        complete(scored);
      }
    } catch (RuntimeException e) {
      if (event instanceof EngineEvent.Submitted submitted) {
        LOG.error("queueing a request failed", e);
        PendingRequest request = submitted.request();
        retire(request);
        request.answer(request.failed(backendFailure("Queueing failed", e)));
      } else if (event instanceof EngineEvent.Scored scored) {
        fail(scored.batch().source(), scored.batch().rows(), e);
      } else {
        LOG.error("withdrawing a request failed", e);
      }
    }
  }

  private void enqueue(PendingRequest request) {
    if (request.isAnswered()) {
      // withdrawn before it got here; its Withdrawn event follows
      return;
    }
    RowPool<PendingRequest> pool = rowsOf(request.model()).pool;
    List<EncodedSequence> sequences = request.sequences();
    for (int i = 0; i < sequences.size(); i++) {
      RowPool.Row<PendingRequest> row = pool.add(sequences.get(i), request, i);
      request.rows().add(row);
      if (row.taken()) {
        // joined an identical row already in a batch: its computation has begun
        request.start(System.nanoTime(), listener);
      }
    }
    if (request.deadline().isSet()) {
      byDeadline.add(request);
    }
  }

  /** Answers requests whose deadline passed as timeouts and drops their waiting rows. */
  private void expireOverdue(long now) {
    while (!byDeadline.isEmpty() && byDeadline.first().deadline().passedAt(now)) {
      PendingRequest request = byDeadline.pollFirst();
      retire(request);
      request.answer(request.expired());
    }
  }

  /**
   * A request leaves the engine: its waiting rows leave the pool (rows in a batch run on for their
   * other subscribers), its admission permits return. Batching thread only.
   */
  private void retire(PendingRequest request) {
    RowPool<PendingRequest> pool = rowsOf(request.model()).pool;
    for (RowPool.Row<PendingRequest> row : request.rows()) {
      pool.unsubscribe(row, request);
    }
    if (request.deadline().isSet()) {
      byDeadline.remove(request);
    }
    leave(request);
  }

  /** Gives back a request's permits, once; safe from any thread. */
  private void leave(PendingRequest request) {
    if (request.leave()) {
      live.remove(request);
      admission.release(request.permits());
    }
  }

  /** Round robin over models: the next one with rows waiting. */
  private ModelRows nextWithRows() {
    for (int i = 0; i < modelRows.size(); i++) {
      ModelRows candidate = modelRows.get((nextModel + i) % modelRows.size());
      if (!candidate.pool.isEmpty()) {
        nextModel = (nextModel + i + 1) % modelRows.size();
        return candidate;
      }
    }
    return null;
  }

  /** Takes, pads and hands over the next batch of {@code source}; false if nothing went out. */
  private boolean dispatch(ModelRows source) {
    List<RowPool.Row<PendingRequest>> rows = source.pool.take(planner);
    if (rows.isEmpty()) {
      return false;
    }
    List<EncodedSequence> sequences = new ArrayList<>(rows.size());
    rows.forEach(row -> sequences.add(row.sequence()));
    PreparedBatch prepared;
    try {
      prepared = source.model.model().prepare(sequences);
    } catch (Exception e) {
      fail(source, rows, e);
      return false;
    }
    long now = System.nanoTime();
    for (RowPool.Row<PendingRequest> row : rows) {
      for (int s = 0; s < row.subscriberCount(); s++) {
        row.subscriber(s).start(now, listener);
      }
    }
    ready.add(new Dispatched(source, rows, prepared));
    return true;
  }

  /** One batch through the model; an exception fails the batch, anything else the engine. */
  private void inferenceStep() throws InterruptedException {
    Dispatched batch = ready.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
    if (batch == null) {
      return;
    }
    long start = System.nanoTime();
    float[][] outputs = null;
    Exception failed = null;
    try {
      outputs = batch.source.model.model().run(batch.prepared);
    } catch (Exception e) {
      failed = e;
    }
    inbox.add(new EngineEvent.Scored(batch, outputs, failed, System.nanoTime() - start));
  }

  private void complete(EngineEvent.Scored scored) {
    Dispatched batch = scored.batch();
    if (scored.failure() != null) {
      fail(batch.source, batch.rows, scored.failure());
      return;
    }
    if (scored.outputs().length != batch.rows.size()) {
      fail(
          batch.source,
          batch.rows,
          new IllegalStateException(
              "the model returned "
                  + scored.outputs().length
                  + " outputs for "
                  + batch.rows.size()
                  + " rows"));
      return;
    }
    PreparedBatch prepared = batch.prepared;
    listener.batchScored(
        batch.rows.size(), prepared.realTokens(), prepared.paddedTokens(), scored.inferenceNanos());
    for (int r = 0; r < batch.rows.size(); r++) {
      RowPool.Row<PendingRequest> row = batch.rows.get(r);
      batch.source.pool.release(row);
      for (int s = 0; s < row.subscriberCount(); s++) {
        PendingRequest request = row.subscriber(s);
        if (!request.isAnswered() && request.accept(row.position(s), scored.outputs()[r])) {
          // Off the books before its callback runs: whoever it wakes sees it gone.
          retire(request);
          if (request.answer(request.ranked())) {
            listener.requestScored(request.passages());
          }
        }
      }
    }
  }

  private void fail(ModelRows source, List<RowPool.Row<PendingRequest>> rows, Exception e) {
    LOG.error("inference failed for a batch of {} rows", rows.size(), e);
    RerankFailure failed = backendFailure("Inference failed", e);
    for (RowPool.Row<PendingRequest> row : rows) {
      source.pool.release(row);
      for (int s = 0; s < row.subscriberCount(); s++) {
        PendingRequest request = row.subscriber(s);
        retire(request);
        request.answer(request.failed(failed));
      }
    }
  }

  /**
   * What escaped a thread's barrier: the engine fails. Every request in it is answered {@code
   * backend_failure} here and now, later ones at once, and {@link #failure()} tells the owner.
   */
  private void failEngine(Throwable cause) {
    if (!failure.compareAndSet(null, cause)) {
      failure.get().addSuppressed(cause);
    }
    LOG.error(
        "the inference engine's thread {} failed; the engine answers every request as a backend"
            + " failure from now on",
        Thread.currentThread().getName(),
        cause);
    lifecycle.writeLock().lock();
    try {
      running = false;
    } finally {
      lifecycle.writeLock().unlock();
    }
    answerLive(stoppedFailure());
  }

  /** Answers every request still in the engine with {@code failed}; used once the threads stop. */
  private void answerLive(RerankFailure failed) {
    for (PendingRequest request : List.copyOf(live)) {
      try {
        request.answer(request.failed(failed));
      } catch (Throwable t) {
        // the engine is going down anyway: the other requests must still be answered
        LOG.error("answering a request of a stopped engine failed", t);
      }
      leave(request);
    }
  }

  /**
   * Stops both threads, waits for the batch in flight and hands out its outputs, answers what is
   * left as shut down, closes the models.
   */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      running = false;
    } finally {
      lifecycle.writeLock().unlock();
    }
    Uninterruptibly.join(inference, batcher);
    // Both threads are gone: this thread is the batcher now. The batch that was in flight has
    // its outputs; they are handed out rather than thrown away.
    List<EngineEvent> unread = new ArrayList<>();
    inbox.drainTo(unread);
    for (EngineEvent event : unread) {
      if (event instanceof EngineEvent.Scored scored) {
        try {
          complete(scored);
        } catch (Throwable t) {
          LOG.error("handing out the last batch's outputs failed", t);
        }
      }
    }
    List<Dispatched> unrun = new ArrayList<>();
    ready.drainTo(unrun);
    unrun.forEach(batch -> batch.prepared.close());
    answerLive(stoppedFailure());
    modelRows.forEach(source -> source.pool.drain());
    models.values().forEach(LoadedModel::close);
  }

  private ModelRows rowsOf(LoadedModel model) {
    for (ModelRows candidate : modelRows) {
      if (candidate.model == model) {
        return candidate;
      }
    }
    throw new IllegalStateException("model not served by this engine: " + model.spec().name());
  }

  /** Why a request is refused or abandoned by an engine that stopped: closed, or failed. */
  private RerankFailure stoppedFailure() {
    Throwable cause = failure.get();
    return cause == null
        ? new RerankFailure(
            ErrorKind.BACKEND_FAILURE, "The inference engine shut down before scoring this request")
        : backendFailure("The inference engine failed", cause);
  }

  private static RerankFailure backendFailure(String what, Throwable cause) {
    return new RerankFailure(ErrorKind.BACKEND_FAILURE, what + ": " + cause.getMessage());
  }

  private static RerankOutput notLoaded(RankingRequest request) {
    return PendingRequest.failed(
        request,
        new RerankFailure(
            ErrorKind.MODEL_NOT_FOUND,
            "Model '" + request.model() + "' is not loaded in this engine"));
  }

  /** A model and the pool of its rows waiting to be batched. */
  static final class ModelRows {
    private final LoadedModel model;
    private final RowPool<PendingRequest> pool;

    ModelRows(LoadedModel model, int maxWaitBatches) {
      this.model = model;
      this.pool = new RowPool<>(maxWaitBatches);
    }
  }

  /** A batch handed to the inference thread. */
  record Dispatched(
      ModelRows source, List<RowPool.Row<PendingRequest>> rows, PreparedBatch prepared) {}
}
