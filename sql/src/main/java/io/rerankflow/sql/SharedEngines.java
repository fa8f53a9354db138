package io.rerankflow.sql;

import io.rerankflow.inference.Device;
import io.rerankflow.inference.EngineSettings;
import io.rerankflow.inference.InferenceEngine;
import io.rerankflow.inference.LoadedModel;
import io.rerankflow.inference.ModelDirectory;
import io.rerankflow.inference.ModelLocator;
import io.rerankflow.inference.SessionSettings;
import io.rerankflow.schemas.ServedModels;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One inference engine per slot and settings, shared by every {@code ML_PREDICT} over the same
 * model in this class loader, so pairs from all their rows fill the same batches. Reference
 * counted: the last function to close closes the engine.
 */
final class SharedEngines {
  private SharedEngines() {}

  /** Which engine: the settings, and the slot (subtask index) it serves. */
  private record Key(EngineSettings settings, int subtask) {}

  private static final class Entry {
    final InferenceEngine engine;
    final ServedModels served;
    int references;

    Entry(InferenceEngine engine, ServedModels served) {
      this.engine = engine;
      this.served = served;
    }
  }

  private static final Map<Key, Entry> ENGINES = new HashMap<>();

  /** A function's hold on a shared engine; closing it releases the hold once. */
  static final class Lease implements AutoCloseable {
    private final Key key;
    private final Entry entry;
    private boolean closed;

    private Lease(Key key, Entry entry) {
      this.key = key;
      this.entry = entry;
    }

    InferenceEngine engine() {
      return entry.engine;
    }

    ServedModels served() {
      return entry.served;
    }

    @Override
    public void close() {
      synchronized (ENGINES) {
        if (closed) {
          return;
        }
        closed = true;
        if (--entry.references == 0) {
          ENGINES.remove(key);
          entry.engine.close();
        }
      }
    }
  }

  /**
   * The engine of slot {@code subtask} for {@code settings}, loading its models the first time.
   *
   * @param slots parallel subtasks sharing this machine's cores
   */
  static Lease acquire(EngineSettings settings, int subtask, int slots) {
    Key key = new Key(settings, subtask);
    synchronized (ENGINES) {
      Entry entry = ENGINES.get(key);
      if (entry == null) {
        entry = load(settings, subtask, slots);
        ENGINES.put(key, entry);
      }
      entry.references++;
      return new Lease(key, entry);
    }
  }

  /** Engines open now (for tests: every function released its hold). */
  static int open() {
    synchronized (ENGINES) {
      return ENGINES.size();
    }
  }

  private static Entry load(EngineSettings settings, int subtask, int slots) {
    SessionSettings session =
        settings.sessionSettings(
            Math.min(slots, Runtime.getRuntime().availableProcessors()),
            subtask,
            Device.visibleGpus());
    Map<String, LoadedModel> models = new LinkedHashMap<>();
    ServedModels.Builder served = ServedModels.builder();
    try {
      for (String location : settings.modelLocations()) {
        ModelDirectory dir = ModelLocator.resolve(location);
        served.add(dir.spec().name(), dir.spec().aliases());
        models.put(dir.spec().name(), LoadedModel.load(dir, session));
      }
      ServedModels names = served.build();
      return new Entry(
          new InferenceEngine(models, settings.batching(), "rerankflow-sql-" + subtask), names);
    } catch (RuntimeException e) {
      models.values().forEach(LoadedModel::close);
      throw e;
    }
  }
}
