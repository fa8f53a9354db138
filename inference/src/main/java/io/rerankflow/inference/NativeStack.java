package io.rerankflow.inference;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs native ONNX Runtime calls on threads with a large stack.
 *
 * <p>Creating the ONNX Runtime environment recursed about 12,000 native frames deep inside a Flink
 * TaskManager (seen in a core dump: {@code OrtEnvironment.createHandle}) and overflowed the 1 MiB
 * default stack of the task thread, killing the whole JVM with SIGSEGV and no error report. The
 * same code ran fine in a MiniCluster and under {@code java -jar}. Threads that enter ONNX Runtime
 * therefore get a stack of their own, far above what it was seen to need.
 */
public final class NativeStack {
  /** Stack size for threads that call into ONNX Runtime (reserved lazily by the OS). */
  public static final long BYTES = 256L << 20;

  private NativeStack() {}

  /** A new (unstarted) thread with the large stack. */
  public static Thread thread(Runnable task, String name) {
    return new Thread(null, task, name, BYTES);
  }

  /** Runs {@code task} on a large-stack thread and waits for it, rethrowing what it threw. */
  public static <T> T call(String name, Callable<T> task) {
    AtomicReference<T> result = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread thread =
        thread(
            () -> {
              try {
                result.set(task.call());
              } catch (Throwable t) {
                failure.set(t);
              }
            },
            name);
    thread.start();
    // The native call cannot be abandoned half-way; wait for it, then restore the interrupt flag.
    Uninterruptibly.join(thread);
    Throwable t = failure.get();
    if (t instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (t instanceof Error error) {
      throw error;
    }
    if (t != null) {
      throw new IllegalStateException(t.getMessage(), t);
    }
    return result.get();
  }
}
