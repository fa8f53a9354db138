package io.rerankflow.sql;

import io.rerankflow.inference.EngineListener;
import io.rerankflow.inference.EngineSettings;
import io.rerankflow.inference.SlotEngine;
import io.rerankflow.inference.SlotSettings;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One {@link SlotEngine} per slot and settings, shared by every {@code ML_PREDICT} over the same
 * model in this class loader, so pairs from all their rows fill the same batches. Reference
 * counted: the last function to close closes the slot engine. Its metrics are registered by the
 * function that opened it, in that operator's group.
 */
final class SharedEngines {
  private SharedEngines() {}

  /** Which slot engine: the settings, and the slot (subtask index) it serves. */
  private record Key(EngineSettings settings, int subtask) {}

  private static final class Entry {
    final SlotEngine slot;
    int references;

    Entry(SlotEngine slot) {
      this.slot = slot;
    }
  }

  private static final Map<Key, Entry> ENGINES = new HashMap<>();

  /** A function's hold on a shared slot engine; closing it releases the hold once. */
  static final class Lease implements AutoCloseable {
    private final Key key;
    private final Entry entry;
    private boolean closed;

    private Lease(Key key, Entry entry) {
      this.key = key;
      this.entry = entry;
    }

    SlotEngine slot() {
      return entry.slot;
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
          entry.slot.close();
        }
      }
    }
  }

  /**
   * The slot engine of {@code settings}, opening it the first time.
   *
   * @param metrics the listener for a slot engine opened now (not called when one is open)
   */
  static Lease acquire(SlotSettings settings, Supplier<EngineListener> metrics) {
    Key key = new Key(settings.engine(), settings.subtask());
    synchronized (ENGINES) {
      Entry entry = ENGINES.get(key);
      if (entry == null) {
        entry = new Entry(SlotEngine.open(settings, metrics.get()));
        ENGINES.put(key, entry);
      }
      entry.references++;
      return new Lease(key, entry);
    }
  }

  /** Slot engines open now (for tests: every function released its hold). */
  static int open() {
    synchronized (ENGINES) {
      return ENGINES.size();
    }
  }
}
