package io.rerankflow.inference;

import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.schemas.ServedModels;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One task slot's scoring, behind every door: the slot's models, the {@link EncodingStage} that
 * tokenises on the slot's cores, the {@link InferenceEngine} that batches and runs the model, the
 * listener both report to, and their failure. The DataStream operator and the SQL provider are thin
 * adapters over one of these; a door that needs more adds it here, so every door gets it.
 */
public final class SlotEngine implements AutoCloseable {

  /** Loads one model of the slot (tests wrap the real loader to inject failures). */
  @FunctionalInterface
  public interface ModelLoader {
    LoadedModel load(ModelDirectory dir, SessionSettings session);
  }

  private final ServedModels served;
  private final InferenceEngine engine;
  private final EncodingStage encoding;
  private final AtomicBoolean closed = new AtomicBoolean();

  private SlotEngine(ServedModels served, InferenceEngine engine, EncodingStage encoding) {
    this.served = served;
    this.engine = engine;
    this.encoding = encoding;
  }

  /** Loads the slot's models with {@link LoadedModel#load} and starts its threads. */
  public static SlotEngine open(SlotSettings settings, EngineListener listener) {
    return open(settings, listener, LoadedModel::load);
  }

  /**
   * Loads the slot's models with {@code loader} and starts its threads; the encoding threads take
   * the caller's context class loader.
   *
   * @param listener told about batches, requests and the passage cache (the door's metrics)
   */
  public static SlotEngine open(
      SlotSettings settings, EngineListener listener, ModelLoader loader) {
    SessionSettings session = settings.session();
    Map<String, LoadedModel> models = new LinkedHashMap<>();
    ServedModels.Builder served = ServedModels.builder();
    InferenceEngine engine = null;
    try {
      for (String location : settings.engine().modelLocations()) {
        ModelDirectory dir = ModelLocator.resolve(location);
        served.add(dir.spec().name(), dir.spec().aliases());
        models.put(dir.spec().name(), loader.load(dir, session));
      }
      ServedModels names = served.build();
      engine =
          new InferenceEngine(
              models, settings.engine().batching(), settings.threadName() + "-inference", listener);
      EncodingStage encoding =
          new EncodingStage(
              engine,
              settings.coresPerSlot(),
              EncodingStage.DEFAULT_QUEUED_PAIRS,
              listener,
              settings.threadName() + "-encoding");
      return new SlotEngine(names, engine, encoding);
    } catch (RuntimeException | Error e) {
      if (engine != null) {
        engine.close();
      } else {
        models.values().forEach(LoadedModel::close);
      }
      throw e;
    }
  }

  /** The names and aliases of the slot's models, for the door's {@code RequestParser}. */
  public ServedModels served() {
    return served;
  }

  /**
   * Scores a validated request: it is tokenised on the slot's encoding threads, then batched with
   * every other request of the slot. {@code done} receives exactly one output, a ranking or an
   * error record, unless the returned {@link Submission} is withdrawn first. Blocks while the slot
   * holds its bound of work (push-back). A request past its {@code deadline} is answered {@code
   * timeout}, unscored.
   *
   * @throws InterruptedException when interrupted while blocked (the task is being cancelled)
   * @throws IllegalStateException when the slot failed: the task must fail
   */
  public Submission submit(RankingRequest request, Deadline deadline, Consumer<RerankOutput> done)
      throws InterruptedException {
    return encoding.submit(request, deadline, done);
  }

  /**
   * Why the slot failed, if it did (an {@link Error} in a thread of the engine or of the encoding
   * stage): then it answers everything {@code backend_failure}, and its door should fail the task
   * so that Flink restores it with a fresh slot engine.
   */
  public Optional<Throwable> failure() {
    return engine.failure().or(encoding::failure);
  }

  /** Requests in the engine, submitted and not yet answered. */
  public int inFlight() {
    return engine.inFlight();
  }

  /** Rows admitted to the engine and not yet answered. */
  public int queuedRows() {
    return engine.queuedRows();
  }

  /**
   * Stops the encoding threads, then the engine (which closes the models the encoding threads use);
   * what is still waiting is answered as shut down. A second call does nothing.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        encoding.close();
      } finally {
        engine.close();
      }
    }
  }
}
