package io.rerankflow.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The inference thread's room: runs prepared batches through their model, one at a time, and hands
 * each result back to the batcher as an {@link EngineEvent.Scored}. It does nothing else, so the
 * model never waits on bookkeeping. An exception of one batch travels back with it; anything else
 * escapes to the thread's {@link EngineLoop} barrier and fails the engine.
 */
final class ModelRunner {
  private static final long POLL_MILLIS = 50;

  /** Prepared batches; the batcher keeps at most a bounded number out at once. */
  private final LinkedBlockingQueue<Batcher.Batch> ready = new LinkedBlockingQueue<>();

  private final Consumer<EngineEvent> results;

  /**
   * @param results where scored batches go (the batcher's inbox)
   */
  ModelRunner(Consumer<EngineEvent> results) {
    this.results = results;
  }

  /** Queues a prepared batch; from the batching thread. */
  void run(Batcher.Batch batch) {
    ready.add(batch);
  }

  /** One turn of the inference thread: the next batch through its model. */
  void step() throws InterruptedException {
    Batcher.Batch batch = ready.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
    if (batch == null) {
      return;
    }
    long start = System.nanoTime();
    float[][] outputs = null;
    Exception failed = null;
    try {
      outputs = batch.source().model().model().run(batch.prepared());
    } catch (Exception e) {
      failed = e;
    }
    results.accept(new EngineEvent.Scored(batch, outputs, failed, System.nanoTime() - start));
  }

  /** Frees the inputs of batches never run; once the inference thread is gone. */
  void discardUnrun() {
    List<Batcher.Batch> unrun = new ArrayList<>();
    ready.drainTo(unrun);
    unrun.forEach(batch -> batch.prepared().close());
  }
}
