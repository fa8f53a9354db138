package io.rerankflow.inference;

import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RerankException;
import io.rerankflow.schemas.RerankOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
 * which loaded the tokenizer's native library once, see {@link TokenizerLibrary}). Each thread runs
 * on an {@link EngineLoop}: a tokenizer or callback failure fails its request; anything else (an
 * {@link Error}) is reported by {@link #failure()}, never swallowed.
 */
public final class EncodingStage implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EncodingStage.class);

  private static final long POLL_MILLIS = 50;

  /** Pairs waiting to be encoded before callers block. */
  public static final int DEFAULT_QUEUED_PAIRS = 4096;

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
   * @param engine the engine the encoded requests go to, whose models' encoders are used here
   * @param threads encoding threads: the cores of the slot
   */
  public EncodingStage(
      InferenceEngine engine,
      int threads,
      int maxQueuedPairs,
      EngineListener listener,
      String threadName) {
    if (threads < 1 || maxQueuedPairs < 1) {
      throw new IllegalArgumentException("threads and maxQueuedPairs must be at least 1");
    }
    this.engine = engine;
    this.listener = listener;
    this.maxQueuedPairs = maxQueuedPairs;
    this.queuedPairs = new Semaphore(maxQueuedPairs);
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    for (int i = 0; i < threads; i++) {
      Thread worker =
          new Thread(
              new EngineLoop(() -> running, this::encodeNext, this::failStage),
              threadName + "-" + i);
      worker.setContextClassLoader(loader);
      worker.setDaemon(true);
      workers.add(worker);
    }
    workers.forEach(Thread::start);
  }

  /**
   * Queues a validated request for encoding, blocking while {@code maxQueuedPairs} pairs wait;
   * {@code done} receives exactly one output unless the returned {@link Submission} is withdrawn
   * first (then its rows never reach the model). A request past its {@code deadline}, or of a model
   * the slot does not serve, is answered at once ({@code timeout}, {@code model_not_found}) without
   * being encoded.
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
    LoadedModel model = engine.model(request.model());
    if (model == null || deadline.passed()) {
      PendingRequest.deliver(
          done,
          PendingRequest.failed(
              request,
              model == null ? EngineFailures.notLoaded(request.model()) : EngineFailures.expired()),
          request.id());
      return Submission.ANSWERED;
    }
    int permits = Math.min(maxQueuedPairs, Math.max(1, request.passages().size()));
    queuedPairs.acquire(permits);
    if (!running) {
      queuedPairs.release(permits);
      PendingRequest.deliver(done, closed(request), request.id());
      return Submission.ANSWERED;
    }
    Job job = new Job(request, model, deadline, done, permits);
    queue.add(job);
    // Closed meanwhile, after close() drained the queue: answer it here.
    if (!running && queue.remove(job)) {
      queuedPairs.release(permits);
      PendingRequest.deliver(done, closed(request), request.id());
      return Submission.ANSWERED;
    }
    return job;
  }

  /** Why an encoding thread died, if one did: then the owner must fail. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(fatal);
  }

  /**
   * One turn of an encoding thread: the next request encoded and handed to the engine. What goes
   * wrong with the request (its tokenizer, its callback) fails that request; anything else escapes
   * to the thread's {@link EngineLoop} barrier, after the request in hand is answered.
   */
  private void encodeNext() throws InterruptedException {
    Job job = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
    if (job == null) {
      return;
    }
    if (!job.state.compareAndSet(Job.QUEUED, Job.ENCODING)) {
      // Withdrawn while it waited; cancel() could not take it off the queue, so its pairs are
      // released here.
      queuedPairs.release(job.permits);
      return;
    }
    boolean released = false;
    try {
      RerankOutput answer = null;
      EncodedRequest encoded = null;
      if (job.deadline.passed()) {
        answer = PendingRequest.failed(job.request, EngineFailures.expired());
      } else {
        try {
          encoded = job.model.encoder().encode(job.request, listener);
        } catch (RerankException e) {
          answer = PendingRequest.failed(job.request, e.failure());
        } catch (RuntimeException e) {
          // The tokenizer failed on this request's texts: this request fails, the stage goes on.
          LOG.error("tokenizing request {} failed", job.request.id(), e);
          answer = PendingRequest.failed(job.request, EngineFailures.tokenization(e));
        }
      }
      queuedPairs.release(job.permits);
      released = true;
      if (job.state.get() == Job.CANCELLED) {
        return;
      }
      if (answer != null) {
        PendingRequest.deliver(job.done, answer, job.request.id());
      } else {
        // Blocks while the engine holds its bound of rows: the push-back reaches the caller
        // through this stage's own bound.
        job.handOver(engine.submit(encoded, job.deadline, job.done));
      }
    } catch (Throwable t) {
      if (!released) {
        queuedPairs.release(job.permits);
        if (job.state.compareAndSet(Job.ENCODING, Job.CANCELLED)) {
          PendingRequest.deliver(job.done, closed(job.request), job.request.id());
        }
      }
      throw t;
    }
  }

  /** What escaped an encoding thread's barrier: the stage has failed, and says so. */
  private void failStage(Throwable cause) {
    synchronized (this) {
      if (fatal == null) {
        fatal = cause;
      } else {
        fatal.addSuppressed(cause);
      }
    }
    LOG.error(
        "the encoding thread {} failed; the slot fails its task so that Flink restores it",
        Thread.currentThread().getName(),
        cause);
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
    Thread current = Thread.currentThread();
    workers.forEach(
        worker -> {
          if (worker != current) {
            worker.interrupt();
          }
        });
    boolean interrupted = false;
    for (Thread worker : workers) {
      // A callback on an encoding thread may close the stage: that thread cannot join itself, and
      // it is in the callback, not in an encode.
      while (worker != current && worker.isAlive()) {
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
      PendingRequest.deliver(job.done, closed(job.request), job.request.id());
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static RerankOutput closed(RankingRequest request) {
    return PendingRequest.failed(request, EngineFailures.stopped(null));
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
