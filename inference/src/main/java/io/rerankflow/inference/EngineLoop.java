package io.rerankflow.inference;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One engine thread's loop and its barrier. A step deals with what goes wrong with its own item (a
 * batch, a request); anything that escapes a step, an {@link Error} above all, means the engine can
 * no longer be trusted and goes to {@code fatal}: a thread never dies quietly.
 */
final class EngineLoop implements Runnable {

  /** One turn of the loop. */
  interface Step {
    void run() throws Exception;
  }

  private final BooleanSupplier running;
  private final Step step;
  private final Consumer<Throwable> fatal;

  EngineLoop(BooleanSupplier running, Step step, Consumer<Throwable> fatal) {
    this.running = running;
    this.step = step;
    this.fatal = fatal;
  }

  @Override
  public void run() {
    try {
      while (running.getAsBoolean()) {
        step.run();
      }
    } catch (InterruptedException e) {
      // close() stops the loops by flag, never by interrupt: an interrupt is somebody else's.
      if (running.getAsBoolean()) {
        fatal.accept(e);
      }
    } catch (Throwable t) {
      fatal.accept(t);
    }
  }
}
