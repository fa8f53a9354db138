package io.rerankflow.edge;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded pool where bodies are parsed, tokenised and published, off the event loop. A slot is
 * taken before a body is read and given back when its work is done, so at most {@code slots} bodies
 * are buffered at once; with none free the request is refused at once.
 */
final class ValidationPool implements AutoCloseable {
  private final WorkerExecutor executor;
  private final Semaphore slots;
  private final int capacity;
  private final AtomicInteger running = new AtomicInteger();

  ValidationPool(Vertx vertx, int threads, int slots) {
    this.executor = vertx.createSharedWorkerExecutor("edge-validation", threads);
    this.slots = new Semaphore(slots);
    this.capacity = slots;
  }

  /** A slot, released once by its {@link Runnable}; null when the pool is full. */
  Runnable tryEnter() {
    if (!slots.tryAcquire()) {
      return null;
    }
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        slots.release();
      }
    };
  }

  /** Runs {@code work} on the pool and then gives {@code slot} back. */
  <T> Future<T> run(Callable<T> work, Runnable slot) {
    return executor.executeBlocking(
        () -> {
          running.incrementAndGet();
          try {
            return work.call();
          } finally {
            running.decrementAndGet();
            slot.run();
          }
        },
        false);
  }

  /** Slots taken now (bodies being read or validated). */
  int busy() {
    return capacity - slots.availablePermits();
  }

  /** Stops taking work and waits for the running work, which may use the tokenizers. */
  @Override
  public void close() {
    executor.close();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (running.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
