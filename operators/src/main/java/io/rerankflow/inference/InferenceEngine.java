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
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores requests from many callers on one inference thread, batching rows across requests.
 *
 * <p>{@link #submit} tokenises on the caller's thread and queues the request. The inference thread
 * takes every queued request into one window, sorts the window's rows by length, packs them into
 * batches under the token budget and runs them; a request completes when its last row is scored.
 * One code path serves one pair or ten thousand.
 *
 * <p>{@link #close} stops the thread and waits for the batch in flight before closing the sessions:
 * closing an ONNX Runtime session while {@code run()} is inside it crashes the JVM.
 */
public final class InferenceEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InferenceEngine.class);

  private final Map<String, LoadedModel> models;
  private final BatchPlanner planner;
  private final LinkedBlockingQueue<PendingRequest> queue = new LinkedBlockingQueue<>();
  private final Thread worker;
  private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private volatile boolean running = true;

  /**
   * @param models loaded models by canonical name; the engine owns and closes them
   */
  public InferenceEngine(
      Map<String, LoadedModel> models, BatchingSettings batching, String threadName) {
    this.models = new LinkedHashMap<>(models);
    this.planner = new BatchPlanner(batching);
    this.worker = NativeStack.thread(this::runLoop, threadName);
    this.worker.setDaemon(true);
    this.worker.start();
  }

  /**
   * Scores a validated request; {@code done} receives exactly one output, a ranking or an error
   * record, on this thread (tokenisation failures) or on the inference thread.
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
    // encode, and a request is never queued after the inference thread's last drain.
    lifecycle.readLock().lock();
    try {
      if (!running) {
        rejected = closedError(request);
      } else {
        queue.add(new PendingRequest(model.encoder().encode(request), model, done));
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

  private void runLoop() {
    List<PendingRequest> window = new ArrayList<>();
    while (running) {
      PendingRequest first;
      try {
        first = queue.poll(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (first == null) {
        continue;
      }
      window.add(first);
      queue.drainTo(window);
      score(window);
      // close() stops scoring between batches: answer what the window left, never drop it.
      window.forEach(pending -> pending.fail(closedFailure()));
      window.clear();
    }
    queue.drainTo(window);
    window.forEach(p -> p.fail(closedFailure()));
  }

  private void score(List<PendingRequest> window) {
    Map<LoadedModel, List<Row>> rowsByModel = new LinkedHashMap<>();
    for (PendingRequest pending : window) {
      List<Row> rows = rowsByModel.computeIfAbsent(pending.model, m -> new ArrayList<>());
      for (int i = 0; i < pending.outputs.length; i++) {
        rows.add(new Row(pending, i));
      }
    }
    rowsByModel.forEach(
        (model, rows) -> {
          for (List<Row> batch : planner.plan(rows, Row::length)) {
            if (!running) {
              return;
            }
            runBatch(model, batch);
          }
        });
  }

  private void runBatch(LoadedModel model, List<Row> batch) {
    List<Row> live = new ArrayList<>(batch.size());
    for (Row row : batch) {
      if (!row.owner.isDone()) {
        live.add(row);
      }
    }
    if (live.isEmpty()) {
      return;
    }
    List<EncodedSequence> sequences = new ArrayList<>(live.size());
    live.forEach(row -> sequences.add(row.sequence()));
    float[][] outputs;
    try {
      outputs = model.model().forward(sequences);
      if (outputs.length != live.size()) {
        throw new IllegalStateException(
            "the model returned " + outputs.length + " outputs for " + live.size() + " rows");
      }
    } catch (Exception e) {
      LOG.error("inference failed for a batch of {} rows", live.size(), e);
      RerankFailure failure =
          new RerankFailure(ErrorKind.BACKEND_FAILURE, "Inference failed: " + e.getMessage());
      live.forEach(row -> row.owner.fail(failure));
      return;
    }
    for (int i = 0; i < live.size(); i++) {
      live.get(i).owner.accept(live.get(i).position, outputs[i]);
    }
  }

  /** Stops the inference thread, waits for the batch in flight, then closes every model. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      running = false;
    } finally {
      lifecycle.writeLock().unlock();
    }
    boolean interrupted = false;
    while (worker.isAlive()) {
      try {
        worker.join();
      } catch (InterruptedException e) {
        // Closing sessions under a running batch would crash the JVM: keep waiting.
        interrupted = true;
      }
    }
    models.values().forEach(LoadedModel::close);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static RerankFailure closedFailure() {
    return new RerankFailure(
        ErrorKind.BACKEND_FAILURE, "The inference engine shut down before scoring this request");
  }

  private static RerankOutput closedError(RankingRequest request) {
    return RerankOutput.failed(request.id(), request.model(), closedFailure());
  }

  private record Row(PendingRequest owner, int position) {
    EncodedSequence sequence() {
      return owner.encoded.sequences().get(position);
    }

    int length() {
      return sequence().length();
    }
  }

  /**
   * A request waiting for its rows; completes exactly once. Touched by the inference thread only.
   */
  private static final class PendingRequest {
    private final EncodedRequest encoded;
    private final LoadedModel model;
    private final Consumer<RerankOutput> done;
    private final float[][] outputs;
    private int remaining;
    private boolean finished;

    PendingRequest(EncodedRequest encoded, LoadedModel model, Consumer<RerankOutput> done) {
      this.encoded = encoded;
      this.model = model;
      this.done = done;
      this.outputs = new float[encoded.sequences().size()][];
      this.remaining = outputs.length;
    }

    boolean isDone() {
      return finished;
    }

    void accept(int position, float[] output) {
      outputs[position] = output;
      if (--remaining == 0 && !finished) {
        finished = true;
        RankingRequest request = encoded.request();
        RerankOutput ranking =
            RerankOutput.ranked(
                request.id(),
                request.model(),
                model.encoder().logits(outputs),
                encoded.promptTokens());
        done.accept(request.response().shape(ranking, request.passages()));
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
