package io.rerankflow.inference;

/** Waits for threads that run native code, which cannot be abandoned half-way. */
final class Uninterruptibly {
  private Uninterruptibly() {}

  /**
   * Joins every thread, however often this one is interrupted meanwhile, then restores the
   * interrupt flag: a thread still inside ONNX Runtime must not see its session closed under it.
   */
  static void join(Thread... threads) {
    boolean interrupted = false;
    for (Thread thread : threads) {
      while (thread.isAlive()) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for {@code latch}, however often this thread is interrupted meanwhile. */
  static void await(java.util.concurrent.CountDownLatch latch) {
    boolean interrupted = false;
    while (latch.getCount() > 0) {
      try {
        latch.await();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
