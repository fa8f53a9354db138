package io.rerankflow.inference;

import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RerankException;
import io.rerankflow.schemas.RerankFailure;
import io.rerankflow.schemas.RerankOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tokenises requests on threads of its own, off the caller's thread (Flink's task thread), and
 * hands them encoded to the {@link InferenceEngine}: the room before the engine's queue.
 *
 * <p>Work waiting to be encoded is bounded in pairs: {@link #submit} blocks the caller while the
 * bound is reached, which pushes back into Flink's async operator and from there to the source. A
 * request of more pairs than the bound waits for the whole bound. The threads are created by the
 * caller of the constructor, with its context class loader (a Flink job's user-code class loader,
 * which loaded the tokenizer's native library once, see {@link TokenizerLibrary}).
 */
public final class EncodingStage implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EncodingStage.class);

  /** Pairs waiting to be encoded before callers block. */
  public static final int DEFAULT_QUEUED_PAIRS = 4096;

  private final Map<String, LoadedModel> models;
  private final InferenceEngine engine;
  private final EngineListener listener;
  private final int maxQueuedPairs;
  private final Semaphore queuedPairs;
  // Bounded by queuedPairs: a request is only added once its pairs hold permits.
  private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean running = true;
  private volatile Throwable fatal;

  /**
   * @param models the engine's models, whose encoders are used here
   * @param threads encoding threads: the cores of the slot
   */
  public EncodingStage(
      Map<String, LoadedModel> models,
      InferenceEngine engine,
      int threads,
      int maxQueuedPairs,
      EngineListener listener,
      String threadName) {
    if (threads < 1 || maxQueuedPairs < 1) {
      throw new IllegalArgumentException("threads and maxQueuedPairs must be at least 1");
    }
    this.models = Map.copyOf(models);
    this.engine = engine;
    this.listener = listener;
    this.maxQueuedPairs = maxQueuedPairs;
    this.queuedPairs = new Semaphore(maxQueuedPairs);
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    for (int i = 0; i < threads; i++) {
      Thread worker = new Thread(this::encodeLoop, threadName + "-" + i);
      worker.setContextClassLoader(loader);
      worker.setDaemon(true);
      workers.add(worker);
    }
    workers.forEach(Thread::start);
  }

  /**
   * Queues a validated request for encoding, blocking while {@code maxQueuedPairs} pairs wait;
   * {@code done} receives exactly one output unless the returned {@link Submission} is withdrawn
   * first (then its rows never reach the model). A request past its {@code deadline} is answered
   * {@code timeout} by the engine without being encoded.
   *
   * @throws InterruptedException when interrupted while blocked (the task is being cancelled)
   * @throws IllegalStateException when an encoding thread died of an error: the task must fail
   */
  public Submission submit(RankingRequest request, Deadline deadline, Consumer<RerankOutput> done)
      throws InterruptedException {
    Throwable died = fatal;
    if (died != null) {
      throw new IllegalStateException("an encoding thread died: " + died, died);
    }
    LoadedModel model = models.get(request.model());
    if (model == null || deadline.passed()) {
      // The engine answers model_not_found or timeout at once, unencoded.
      return engine.submit(request, deadline, done);
    }
    int permits = Math.min(maxQueuedPairs, Math.max(1, request.passages().size()));
    queuedPairs.acquire(permits);
    if (!running) {
      queuedPairs.release(permits);
      done.accept(closed(request));
      return Submission.ANSWERED;
    }
    Job job = new Job(request, model, deadline, done, permits);
    queue.add(job);
    // Closed meanwhile, after close() drained the queue: answer it here.
    if (!running && queue.remove(job)) {
      queuedPairs.release(permits);
      done.accept(closed(request));
      return Submission.ANSWERED;
    }
    return job;
  }

  /** Why an encoding thread died, if one did: then the owner must fail. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(fatal);
  }

  private void encodeLoop() {
    while (running) {
      Job job;
      try {
        job = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (!job.state.compareAndSet(Job.QUEUED, Job.ENCODING)) {
        // Withdrawn while it waited; cancel() could not take it off the queue, so its pairs are
        // released here.
        queuedPairs.release(job.permits);
        continue;
      }
      if (job.deadline.passed()) {
        queuedPairs.release(job.permits);
        job.handOver(engine.submit(job.request, job.deadline, job.done));
        continue;
      }
      RerankOutput failed = null;
      EncodedRequest encoded = null;
      try {
        encoded = job.model.encoder().encode(job.request, listener);
      } catch (RerankException e) {
        failed = RerankOutput.failed(job.request.id(), job.request.model(), e.failure());
      } catch (RuntimeException e) {
        // The tokenizer failed on this request's texts: this request fails, the stage goes on.
        LOG.error("tokenising request {} failed", job.request.id(), e);
        failed =
            RerankOutput.failed(
                job.request.id(),
                job.request.model(),
                new RerankFailure(
                    ErrorKind.BACKEND_FAILURE, "Tokenisation failed: " + e.getMessage()));
      } catch (Error e) {
        fatal = e;
        queuedPairs.release(job.permits);
        job.done.accept(closed(job.request));
        throw e;
      }
      queuedPairs.release(job.permits);
      if (job.state.get() == Job.CANCELLED) {
        continue;
      }
      if (failed != null) {
        job.done.accept(failed);
      } else {
        // Blocks while the engine holds its bound of rows: the push-back reaches the caller
        // through this stage's own bound.
        job.handOver(engine.submit(encoded, job.deadline, job.done));
      }
    }
  }

  /** Pairs waiting to be encoded now. */
  public int queuedPairs() {
    return maxQueuedPairs - queuedPairs.availablePermits();
  }

  /**
   * Stops the threads once their current request is encoded and answers what still waits; call
   * before closing the engine (which closes the tokenizers).
   */
  @Override
  public void close() {
    running = false;
    workers.forEach(Thread::interrupt);
    boolean interrupted = false;
    for (Thread worker : workers) {
      while (worker.isAlive()) {
        try {
          worker.join();
        } catch (InterruptedException e) {
          // A tokenizer must not be closed under an encode: keep waiting.
          interrupted = true;
        }
      }
    }
    List<Job> left = new ArrayList<>();
    queue.drainTo(left);
    for (Job job : left) {
      queuedPairs.release(job.permits);
      job.done.accept(closed(job.request));
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static RerankOutput closed(RankingRequest request) {
    return RerankOutput.failed(
        request.id(),
        request.model(),
        new RerankFailure(
            ErrorKind.BACKEND_FAILURE,
            "The inference engine shut down before scoring this request"));
  }

  /** A request in this stage; withdrawing it follows it into the engine once handed over. */
  private final class Job implements Submission {
    static final Object QUEUED = "queued";
    static final Object ENCODING = "encoding";
    static final Object CANCELLED = "cancelled";

    final RankingRequest request;
    final LoadedModel model;
    final Deadline deadline;
    final Consumer<RerankOutput> done;
    final int permits;

    /** QUEUED, ENCODING, CANCELLED, or the engine's {@link Submission} once handed over. */
    final AtomicReference<Object> state = new AtomicReference<>(QUEUED);

    Job(
        RankingRequest request,
        LoadedModel model,
        Deadline deadline,
        Consumer<RerankOutput> done,
        int permits) {
      this.request = request;
      this.model = model;
      this.deadline = deadline;
      this.done = done;
      this.permits = permits;
    }

    /** Records the engine's handle; one withdrawn meanwhile is withdrawn from the engine too. */
    void handOver(Submission submission) {
      if (!state.compareAndSet(ENCODING, submission)) {
        submission.cancel();
      }
    }

    @Override
    public boolean cancel() {
      while (true) {
        Object current = state.get();
        if (current == CANCELLED) {
          return false;
        }
        if (current instanceof Submission inEngine) {
          return inEngine.cancel();
        }
        if (state.compareAndSet(current, CANCELLED)) {
          if (current == QUEUED && queue.remove(this)) {
            queuedPairs.release(permits);
          }
          return true;
        }
      }
    }
  }
}
