package io.rerankflow.inference;

import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RerankFailure;
import io.rerankflow.schemas.RerankOutput;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores requests from many callers, batching rows across requests, with the model kept busy: the
 * façade of the engine's three rooms, as in text-embeddings-inference. It admits encoded requests
 * ({@link #submit(EncodedRequest, Deadline, Consumer)} blocks the caller while the engine already
 * holds {@link #DEFAULT_MAX_QUEUED_ROWS} rows: push-back), keeps the books of what it holds, and
 * owns failure and close. Behind it the {@link Batcher} (the batching thread: pool, deadlines,
 * round robin, packing, dispatch, fan-out) and the {@link ModelRunner} (the inference thread: only
 * runs the model). One code path serves one pair or ten thousand.
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

  private static final long POLL_MILLIS = 50;

  private final Map<String, LoadedModel> models;
  private final int maxQueuedRows;

  /** Admission: one permit per queued row; a request holds its permits until it is answered. */
  private final Semaphore admission;

  /** Every admitted request not yet gone: what a failed or closed engine still has to answer. */
  private final Set<PendingRequest> live = ConcurrentHashMap.newKeySet();

  private final AtomicLong sequence = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Batcher batcher;
  private final Thread batcherThread;
  private final Thread inferenceThread;
  private volatile boolean running = true;

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
    this.maxQueuedRows = maxQueuedRows;
    this.admission = new Semaphore(maxQueuedRows, true);
    this.batcher =
        new Batcher(
            this.models.values(),
            batching,
            maxWaitBatches,
            listener,
            () -> running,
            this::offTheBooks);
    // Both threads enter ONNX Runtime (tensors are created while preparing, sessions run).
    this.inferenceThread =
        NativeStack.thread(
            new EngineLoop(() -> running, batcher.runner()::step, this::failEngine), threadName);
    this.batcherThread =
        NativeStack.thread(
            new EngineLoop(() -> running, batcher::step, this::failEngine),
            threadName + "-batcher");
    this.inferenceThread.setDaemon(true);
    this.batcherThread.setDaemon(true);
    this.inferenceThread.start();
    this.batcherThread.start();
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
      refused = PendingRequest.failed(request, EngineFailures.expired());
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
            batcher.post(new EngineEvent.Submitted(pending));
          }
        } finally {
          lifecycle.readLock().unlock();
        }
        if (queued) {
          return () -> withdraw(pending);
        }
        admission.release(permits);
      }
      refused = PendingRequest.failed(request, EngineFailures.stopped(failure.get()));
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
    batcher.post(new EngineEvent.Withdrawn(request));
    return true;
  }

  /** The engine's model of that canonical name, or null: the encoding stage encodes with it. */
  LoadedModel model(String name) {
    return models.get(name);
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
    return batcher.waitingRows();
  }

  /** Events the batching thread has yet to read. */
  int inboxSize() {
    return batcher.inboxSize();
  }

  /**
   * Why the engine failed, if it did: then it answers everything {@code backend_failure}, and its
   * owner should fail so that it is rebuilt.
   */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
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
    stop();
    answerLive(EngineFailures.stopped(failure.get()));
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
      offTheBooks(request);
    }
  }

  /**
   * Stops both threads, waits for the batch in flight and hands out its outputs, answers what is
   * left as shut down, closes the models. Idempotent and safe from any thread: a later call waits
   * for the first to end, and a call from a callback on one of the engine's own threads (which
   * cannot join itself) leaves the rest to a closing thread of its own.
   */
  @Override
  public void close() {
    boolean first = closing.compareAndSet(false, true);
    if (first) {
      stop();
    }
    Thread current = Thread.currentThread();
    if (current == batcherThread || current == inferenceThread) {
      if (first) {
        Thread closer = new Thread(this::finishClose, batcherThread.getName() + "-close");
        closer.setDaemon(true);
        closer.start();
      }
      return;
    }
    if (first) {
      finishClose();
    } else {
      Uninterruptibly.await(closed);
    }
  }

  private void finishClose() {
    try {
      Uninterruptibly.join(inferenceThread, batcherThread);
      // Both threads are gone: this thread is the batcher now. The batch that was in flight has
      // its outputs; they are handed out rather than thrown away.
      batcher.drainAfterStop();
      answerLive(EngineFailures.stopped(failure.get()));
      models.values().forEach(LoadedModel::close);
    } finally {
      closed.countDown();
    }
  }

  private void stop() {
    lifecycle.writeLock().lock();
    try {
      running = false;
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /** Takes a request off the books: its admission permits return; once, from any thread. */
  private void offTheBooks(PendingRequest request) {
    if (request.leave()) {
      live.remove(request);
      admission.release(request.permits());
    }
  }

  private static RerankOutput notLoaded(RankingRequest request) {
    return PendingRequest.failed(request, EngineFailures.notLoaded(request.model()));
  }
}
