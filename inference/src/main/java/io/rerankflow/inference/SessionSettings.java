package io.rerankflow.inference;

import java.io.Serializable;

/**
 * How ONNX Runtime sessions are created in one task slot.
 *
 * @param device where to run
 * @param intraOpThreads threads inside one operator (cores per slot on CPU)
 */
public record SessionSettings(Device device, int intraOpThreads) implements Serializable {
  public SessionSettings {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads must be at least 1");
    }
  }

  /** The number of threads for a slot when {@code slotsPerMachine} slots share the cores. */
  public static int threadsPerSlot(int slotsPerMachine) {
    return Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, slotsPerMachine));
  }
}
