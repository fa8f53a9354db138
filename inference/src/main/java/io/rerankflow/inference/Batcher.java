package io.rerankflow.inference;

import io.rerankflow.schemas.RerankOutput;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batching thread's room, confined to that thread (no locks): reads the inbox (requests
 * submitted and withdrawn, batches scored), keeps every waiting row in its model's {@link RowPool},
 * answers requests whose deadline passed, picks the next model round robin, packs its next batch
 * under the token budget, pads it and hands it to the {@link ModelRunner} (one batch prepared while
 * another runs), and fans the outputs back out to their requests.
 *
 * <p>The batch-closing decision lives in {@link #step()}: whenever fewer than {@link
 * #BATCHES_AHEAD} + 1 batches are out, the next model with waiting rows gives up a batch ({@link
 * RowPool#take}); there is no batching window.
 *
 * <p>A request leaves through {@link #finish} only: its rows leave the pool, it leaves the deadline
 * index and the engine's books, then it is answered.
 */
final class Batcher {
  private static final Logger LOG = LoggerFactory.getLogger(Batcher.class);

  /** Batches prepared and waiting while one runs. */
  static final int BATCHES_AHEAD = 1;

  private static final long POLL_MILLIS = 50;

  /** A model and the pool of its rows waiting to be batched. */
  record ModelRows(LoadedModel model, RowPool<PendingRequest> pool) {}

  /** A batch handed to the model runner. */
  record Batch(ModelRows source, List<RowPool.Row<PendingRequest>> rows, PreparedBatch prepared) {}

  private final List<ModelRows> modelRows = new ArrayList<>();
  private final BatchLimits limits;
  private final EngineListener listener;
  private final ModelRunner runner;
  private final BooleanSupplier running;

  /** Takes a request off the engine's books (admission, the live set); once per request. */
  private final Consumer<PendingRequest> offTheBooks;

  /** Submitted, withdrawn and scored, in the order it happened. */
  private final LinkedBlockingQueue<EngineEvent> inbox = new LinkedBlockingQueue<>();

  /** Requests with a deadline, soonest first. */
  private final TreeSet<PendingRequest> byDeadline =
      new TreeSet<>(
          Comparator.<PendingRequest>comparingLong(r -> r.deadline().nanoTime())
              .thenComparingLong(PendingRequest::sequence));

  private final List<EngineEvent> events = new ArrayList<>();
  private volatile int waitingRows;
  private int outstanding;
  private int nextModel;

  Batcher(
      Iterable<LoadedModel> models,
      BatchingSettings batching,
      int maxWaitBatches,
      EngineListener listener,
      BooleanSupplier running,
      Consumer<PendingRequest> offTheBooks) {
    models.forEach(model -> modelRows.add(new ModelRows(model, new RowPool<>(maxWaitBatches))));
    this.limits = new BatchLimits(batching);
    this.listener = listener;
    this.running = running;
    this.offTheBooks = offTheBooks;
    this.runner = new ModelRunner(inbox::add);
  }

  /** The inference thread's side. */
  ModelRunner runner() {
    return runner;
  }

  /** Tells the batching thread something; from any thread. */
  void post(EngineEvent event) {
    inbox.add(event);
  }

  /** Events not yet read. */
  int inboxSize() {
    return inbox.size();
  }

  /** Rows in the pools, not yet in a batch, as of the last turn. */
  int waitingRows() {
    return waitingRows;
  }

  /** One turn of the batching thread. */
  void step() throws InterruptedException {
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
    while (running.getAsBoolean() && outstanding <= BATCHES_AHEAD) {
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
      waiting += source.pool().waitingRows();
    }
    waitingRows = waiting;
  }

  /**
   * After both threads are gone, on the closing thread: hands out the outputs of the batch that was
   * in flight, frees the batches never run and empties the pools.
   */
  void drainAfterStop() {
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
    runner.discardUnrun();
    modelRows.forEach(source -> source.pool().drain());
  }

  /** One event, with its own barrier: an exception fails the event's requests only. */
  private void handle(EngineEvent event) {
    try {
      if (event instanceof EngineEvent.Submitted submitted) {
        enqueue(submitted.request());
      } else if (event instanceof EngineEvent.Withdrawn withdrawn) {
        // its caller claimed its answer already
        finish(withdrawn.request(), null);
      } else if (event instanceof EngineEvent.Scored scored) {
        outstanding--;
        complete(scored);
      }
    } catch (RuntimeException e) {
      if (event instanceof EngineEvent.Submitted submitted) {
        LOG.error("queueing a request failed", e);
        PendingRequest request = submitted.request();
        finish(request, request.failed(EngineFailures.queueing(e)));
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
    RowPool<PendingRequest> pool = rowsOf(request.model()).pool();
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
      PendingRequest request = byDeadline.first();
      finish(request, request.expired());
    }
  }

  /**
   * The one way a request leaves: its waiting rows leave the pool (rows in a batch run on for their
   * other subscribers), it leaves the deadline index and the engine's books, and then, unless
   * {@code answer} is null (withdrawn: its caller claimed the answer), it is answered. Off the
   * books before its callback runs: whoever the callback wakes sees it gone.
   *
   * @return whether {@code answer} reached the request's callback
   */
  private boolean finish(PendingRequest request, RerankOutput answer) {
    RowPool<PendingRequest> pool = rowsOf(request.model()).pool();
    for (RowPool.Row<PendingRequest> row : request.rows()) {
      pool.unsubscribe(row, request);
    }
    if (request.deadline().isSet()) {
      byDeadline.remove(request);
    }
    offTheBooks.accept(request);
    return answer != null && request.answer(answer);
  }

  /** Round robin over models: the next one with rows waiting. */
  private ModelRows nextWithRows() {
    for (int i = 0; i < modelRows.size(); i++) {
      ModelRows candidate = modelRows.get((nextModel + i) % modelRows.size());
      if (!candidate.pool().isEmpty()) {
        nextModel = (nextModel + i + 1) % modelRows.size();
        return candidate;
      }
    }
    return null;
  }

  /** Takes, pads and hands over the next batch of {@code source}; false if nothing went out. */
  private boolean dispatch(ModelRows source) {
    List<RowPool.Row<PendingRequest>> rows = source.pool().take(limits);
    if (rows.isEmpty()) {
      return false;
    }
    List<EncodedSequence> sequences = new ArrayList<>(rows.size());
    rows.forEach(row -> sequences.add(row.sequence()));
    PreparedBatch prepared;
    try {
      prepared = source.model().model().prepare(sequences);
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
    runner.run(new Batch(source, rows, prepared));
    return true;
  }

  private void complete(EngineEvent.Scored scored) {
    Batch batch = scored.batch();
    if (scored.failure() != null) {
      fail(batch.source(), batch.rows(), scored.failure());
      return;
    }
    if (scored.outputs().length != batch.rows().size()) {
      fail(
          batch.source(),
          batch.rows(),
          new IllegalStateException(
              "the model returned "
                  + scored.outputs().length
                  + " outputs for "
                  + batch.rows().size()
                  + " rows"));
      return;
    }
    PreparedBatch prepared = batch.prepared();
    listener.batchScored(
        batch.rows().size(),
        prepared.realTokens(),
        prepared.paddedTokens(),
        scored.inferenceNanos());
    for (int r = 0; r < batch.rows().size(); r++) {
      RowPool.Row<PendingRequest> row = batch.rows().get(r);
      batch.source().pool().release(row);
      for (int s = 0; s < row.subscriberCount(); s++) {
        PendingRequest request = row.subscriber(s);
        if (!request.isAnswered()
            && request.accept(row.position(s), scored.outputs()[r])
            && finish(request, request.ranked())) {
          listener.requestScored(request.passages());
        }
      }
    }
  }

  private void fail(ModelRows source, List<RowPool.Row<PendingRequest>> rows, Exception e) {
    LOG.error("inference failed for a batch of {} rows", rows.size(), e);
    var failed = EngineFailures.inference(e);
    for (RowPool.Row<PendingRequest> row : rows) {
      source.pool().release(row);
      for (int s = 0; s < row.subscriberCount(); s++) {
        PendingRequest request = row.subscriber(s);
        finish(request, request.failed(failed));
      }
    }
  }

  private ModelRows rowsOf(LoadedModel model) {
    for (ModelRows candidate : modelRows) {
      if (candidate.model() == model) {
        return candidate;
      }
    }
    throw new IllegalStateException("model not served by this engine: " + model.spec().name());
  }
}
