package io.rerankflow.inference;

import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RerankException;
import io.rerankflow.schemas.RerankFailure;
import io.rerankflow.schemas.RerankOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores requests from many callers, batching rows across requests, with the model kept busy.
 *
 * <p>Three rooms, as in text-embeddings-inference. {@link #submit} tokenises on the caller's thread
 * and queues the request. The batching thread puts every queued request's rows into one pool
 * ordered by length (identical rows once, see {@link RowPool}), packs the next batch under the
 * token budget, pads it into model inputs, and hands it over; it keeps one batch prepared while the
 * model runs another, so the model never waits for padding. It also takes outputs back, hands them
 * to their requests and completes a request when its last row is scored. The inference thread only
 * runs the model. One code path serves one pair or ten thousand.
 *
 * <p>{@link #close} stops both threads and waits for the batch in flight before closing the
 * sessions: closing an ONNX Runtime session while {@code run()} is inside it crashes the JVM.
 */
public final class InferenceEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InferenceEngine.class);

  /** Batches prepared and waiting while one runs. */
  private static final int BATCHES_AHEAD = 1;

  private static final long POLL_MILLIS = 50;

  private final Map<String, LoadedModel> models;
  private final List<ModelRows> modelRows = new ArrayList<>();
  private final BatchPlanner planner;
  private final EngineListener listener;

  /** Submitted requests and scored batches, in the order they happened; read by the batcher. */
  private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();

  /** Prepared batches for the inference thread. */
  private final LinkedBlockingQueue<Dispatched> ready = new LinkedBlockingQueue<>();

  private final AtomicInteger inFlight = new AtomicInteger();
  private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final Thread batcher;
  private final Thread inference;
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
    this.models = new LinkedHashMap<>(models);
    this.models.values().forEach(model -> modelRows.add(new ModelRows(model)));
    this.planner = new BatchPlanner(batching);
    this.listener = listener;
    // Both threads enter ONNX Runtime (tensors are created while preparing, sessions run).
    this.inference = NativeStack.thread(this::inferenceLoop, threadName);
    this.batcher = NativeStack.thread(this::batchLoop, threadName + "-batcher");
    this.inference.setDaemon(true);
    this.batcher.setDaemon(true);
    this.inference.start();
    this.batcher.start();
  }

  /**
   * Scores a validated request; {@code done} receives exactly one output, a ranking or an error
   * record, on this thread (tokenisation failures) or on the engine's batching thread.
   */
  public void submit(RankingRequest request, Consumer<RerankOutput> done) {
    LoadedModel model = models.get(request.model());
    if (model == null) {
      done.accept(
          RerankOutput.failed(
              request.id(),
              request.model(),
              new RerankFailure(
                  ErrorKind.MODEL_NOT_FOUND,
                  "Model '" + request.model() + "' is not loaded in this engine")));
      return;
    }
    RerankOutput rejected;
    // Shared with other callers, exclusive with close(): a tokenizer is never closed under an
    // encode, and a request is never queued after the batching thread's last drain.
    lifecycle.readLock().lock();
    try {
      if (!running) {
        rejected = closedError(request);
      } else {
        queue(model.encoder().encode(request), model, done);
        return;
      }
    } catch (RerankException e) {
      rejected = RerankOutput.failed(request.id(), request.model(), e.failure());
    } finally {
      lifecycle.readLock().unlock();
    }
    // Outside the lock: a callback may itself close the engine.
    done.accept(rejected);
  }

  /**
   * Scores a request already encoded (by {@link EncodingStage}) with its model's encoder; {@code
   * done} receives exactly one output, on this thread (the engine is closed) or on the batching
   * thread.
   */
  public void submitEncoded(EncodedRequest encoded, Consumer<RerankOutput> done) {
    RankingRequest request = encoded.request();
    LoadedModel model = models.get(request.model());
    if (model == null) {
      submit(request, done);
      return;
    }
    lifecycle.readLock().lock();
    try {
      if (running) {
        queue(encoded, model, done);
        return;
      }
    } finally {
      lifecycle.readLock().unlock();
    }
    done.accept(closedError(request));
  }

  /** Hands an encoded request to the batching thread; the caller holds the read lock. */
  private void queue(EncodedRequest encoded, LoadedModel model, Consumer<RerankOutput> done) {
    inFlight.incrementAndGet();
    inbox.add(
        new PendingRequest(
            encoded,
            model,
            out -> {
              inFlight.decrementAndGet();
              done.accept(out);
            },
            System.nanoTime()));
  }

  /** Requests submitted and not yet completed. */
  public int inFlight() {
    return inFlight.get();
  }

  private void batchLoop() {
    List<Object> events = new ArrayList<>();
    int outstanding = 0;
    int next = 0;
    while (running) {
      Object first;
      try {
        first = inbox.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (first == null) {
        continue;
      }
      events.add(first);
      inbox.drainTo(events);
      for (Object event : events) {
        if (event instanceof PendingRequest request) {
          enqueue(request);
        } else {
          complete((Scored) event);
          outstanding--;
        }
      }
      events.clear();
      while (running && outstanding <= BATCHES_AHEAD) {
        ModelRows source = nextWithRows(next);
        if (source == null) {
          break;
        }
        next = modelRows.indexOf(source) + 1;
        if (dispatch(source)) {
          outstanding++;
        }
      }
    }
  }

  private void enqueue(PendingRequest request) {
    RowPool<PendingRequest> pool = rowsOf(request.model).pool;
    List<EncodedSequence> sequences = request.encoded.sequences();
    for (int i = 0; i < sequences.size(); i++) {
      if (pool.add(sequences.get(i), request, i).taken()) {
        // joined an identical row already in a batch: its computation has begun
        request.start(System.nanoTime(), listener);
      }
    }
  }

  /** Round robin over models, starting at {@code start}: the next one with rows waiting. */
  private ModelRows nextWithRows(int start) {
    for (int i = 0; i < modelRows.size(); i++) {
      ModelRows candidate = modelRows.get((start + i) % modelRows.size());
      if (!candidate.pool.isEmpty()) {
        return candidate;
      }
    }
    return null;
  }

  /** Takes, pads and hands over the next batch of {@code source}; false if nothing went out. */
  private boolean dispatch(ModelRows source) {
    List<RowPool.Row<PendingRequest>> rows = source.pool.take(planner, PendingRequest::isDone);
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

  private void inferenceLoop() {
    while (running) {
      Dispatched batch;
      try {
        batch = ready.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (batch == null) {
        continue;
      }
      long start = System.nanoTime();
      float[][] outputs = null;
      Exception failure = null;
      try {
        outputs = batch.source.model.model().run(batch.prepared);
      } catch (Exception e) {
        failure = e;
      }
      inbox.add(new Scored(batch, outputs, failure, System.nanoTime() - start));
    }
  }

  private void complete(Scored scored) {
    Dispatched batch = scored.batch;
    if (scored.failure != null) {
      fail(batch.source, batch.rows, scored.failure);
      return;
    }
    if (scored.outputs.length != batch.rows.size()) {
      fail(
          batch.source,
          batch.rows,
          new IllegalStateException(
              "the model returned "
                  + scored.outputs.length
                  + " outputs for "
                  + batch.rows.size()
                  + " rows"));
      return;
    }
    PreparedBatch prepared = batch.prepared;
    listener.batchScored(
        batch.rows.size(), prepared.realTokens(), prepared.paddedTokens(), scored.inferenceNanos);
    for (int r = 0; r < batch.rows.size(); r++) {
      RowPool.Row<PendingRequest> row = batch.rows.get(r);
      batch.source.pool.release(row);
      for (int s = 0; s < row.subscriberCount(); s++) {
        row.subscriber(s).accept(row.position(s), scored.outputs[r], listener);
      }
    }
  }

  private void fail(ModelRows source, List<RowPool.Row<PendingRequest>> rows, Exception e) {
    LOG.error("inference failed for a batch of {} rows", rows.size(), e);
    RerankFailure failure =
        new RerankFailure(ErrorKind.BACKEND_FAILURE, "Inference failed: " + e.getMessage());
    for (RowPool.Row<PendingRequest> row : rows) {
      source.pool.release(row);
      failAll(row, failure);
    }
  }

  private static void failAll(RowPool.Row<PendingRequest> row, RerankFailure failure) {
    for (int s = 0; s < row.subscriberCount(); s++) {
      row.subscriber(s).fail(failure);
    }
  }

  /** Stops both threads, waits for the batch in flight, fails what is left, closes the models. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      running = false;
    } finally {
      lifecycle.writeLock().unlock();
    }
    boolean interrupted = joinUninterruptibly(inference);
    interrupted |= joinUninterruptibly(batcher);
    RerankFailure closed = closedFailure();
    List<Dispatched> unrun = new ArrayList<>();
    ready.drainTo(unrun);
    for (Dispatched batch : unrun) {
      batch.prepared.close();
      batch.rows.forEach(row -> failAll(row, closed));
    }
    List<Object> events = new ArrayList<>();
    inbox.drainTo(events);
    for (Object event : events) {
      if (event instanceof PendingRequest request) {
        request.fail(closed);
      } else {
        ((Scored) event).batch.rows.forEach(row -> failAll(row, closed));
      }
    }
    modelRows.forEach(source -> source.pool.drain().forEach(row -> failAll(row, closed)));
    models.values().forEach(LoadedModel::close);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Joins {@code thread}, however often interrupted; returns whether it was. */
  private static boolean joinUninterruptibly(Thread thread) {
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        // Closing sessions under a running batch would crash the JVM: keep waiting.
        interrupted = true;
      }
    }
    return interrupted;
  }

  private ModelRows rowsOf(LoadedModel model) {
    for (ModelRows candidate : modelRows) {
      if (candidate.model == model) {
        return candidate;
      }
    }
    throw new IllegalStateException("model not served by this engine: " + model.spec().name());
  }

  private static RerankFailure closedFailure() {
    return new RerankFailure(
        ErrorKind.BACKEND_FAILURE, "The inference engine shut down before scoring this request");
  }

  private static RerankOutput closedError(RankingRequest request) {
    return RerankOutput.failed(request.id(), request.model(), closedFailure());
  }

  /** A model and the pool of its rows waiting to be batched. */
  private static final class ModelRows {
    private final LoadedModel model;
    private final RowPool<PendingRequest> pool = new RowPool<>();

    ModelRows(LoadedModel model) {
      this.model = model;
    }
  }

  /** A batch handed to the inference thread. */
  private record Dispatched(
      ModelRows source, List<RowPool.Row<PendingRequest>> rows, PreparedBatch prepared) {}

  /** A batch back from the inference thread: outputs, or the failure. */
  private record Scored(
      Dispatched batch, float[][] outputs, Exception failure, long inferenceNanos) {}

  /**
   * A request waiting for its rows; completes exactly once. Touched by the batching thread only
   * (and by {@link #close} after that thread has ended).
   */
  private static final class PendingRequest {
    private final EncodedRequest encoded;
    private final LoadedModel model;
    private final Consumer<RerankOutput> done;
    private final long submittedNanos;
    private final float[][] outputs;
    private int remaining;
    private boolean started;
    private boolean finished;

    PendingRequest(
        EncodedRequest encoded,
        LoadedModel model,
        Consumer<RerankOutput> done,
        long submittedNanos) {
      this.encoded = encoded;
      this.model = model;
      this.done = done;
      this.submittedNanos = submittedNanos;
      this.outputs = new float[encoded.sequences().size()][];
      this.remaining = outputs.length;
    }

    boolean isDone() {
      return finished;
    }

    void start(long now, EngineListener listener) {
      if (!started) {
        started = true;
        listener.requestStarted(now - submittedNanos);
      }
    }

    void accept(int position, float[] output, EngineListener listener) {
      outputs[position] = output;
      if (--remaining == 0 && !finished) {
        finished = true;
        RankingRequest request = encoded.request();
        RerankOutput ranked =
            RerankOutput.ranked(
                request.id(),
                request.model(),
                model.encoder().logits(outputs),
                encoded.promptTokens());
        listener.requestScored(request.passages().size());
        done.accept(request.response().shape(ranked, request.passages()));
      }
    }

    void fail(RerankFailure failure) {
      if (!finished) {
        finished = true;
        done.accept(
            RerankOutput.failed(encoded.request().id(), encoded.request().model(), failure));
      }
    }
  }
}
