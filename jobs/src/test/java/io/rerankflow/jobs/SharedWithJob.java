package io.rerankflow.jobs;

import java.io.Serializable;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An object one test shares with the job it runs on a MiniCluster in the same JVM. A job's
 * functions and sinks are serialised when it is submitted, so they cannot hold the test's object:
 * they hold its {@link Key} and look it up. Every registration has a fresh key and leaves when the
 * test closes it, so no state is shared between tests.
 */
final class SharedWithJob<T> implements AutoCloseable {
  private static final Map<String, Object> REGISTERED = new ConcurrentHashMap<>();

  private final Key<T> key;
  private final T value;

  private SharedWithJob(T value) {
    this.key = new Key<>(UUID.randomUUID().toString());
    this.value = value;
    REGISTERED.put(key.id(), value);
  }

  /** Registers {@code value} under a key of its own until {@link #close}. */
  static <T> SharedWithJob<T> register(T value) {
    return new SharedWithJob<>(value);
  }

  /** What the job's functions carry to find {@link #value}. */
  Key<T> key() {
    return key;
  }

  T value() {
    return value;
  }

  @Override
  public void close() {
    REGISTERED.remove(key.id());
  }

  /** The serialisable handle of one registration. */
  record Key<T>(String id) implements Serializable {
    /** The registered object; fails if its test has closed it (or never registered it). */
    @SuppressWarnings("unchecked")
    T get() {
      Object value = REGISTERED.get(id);
      if (value == null) {
        throw new IllegalStateException("nothing registered under " + id + " (test ended?)");
      }
      return (T) value;
    }
  }
}
